using WideMinima.Sharpness;
using WideMinima.Ledger;

namespace WideMinima.Sweeps.Config;

/// <summary>Hessian measures (metrics <c>hessian_top</c> and <c>hessian_trace</c>).</summary>
public sealed record HessianConfig
{
    /// <summary>Training examples in the loss sample.</summary>
    public int SampleSize { get; init; } = 1024;

    /// <summary>Examples per forward pass.</summary>
    public int BatchSize { get; init; } = 1024;

    /// <summary>Power-iteration steps at most.</summary>
    public int MaxIterations { get; init; } = 20;

    /// <summary>Relative change of the eigenvalue that stops the power iteration.</summary>
    public double Tolerance { get; init; } = 1e-3;

    /// <summary>Rademacher probes of the trace estimate.</summary>
    public int Probes { get; init; } = 10;
}

/// <summary>Adaptive sharpness (metric <c>adaptive</c>).</summary>
public sealed record AdaptiveConfig
{
    /// <summary>The ball's radius in weight-scaled coordinates.</summary>
    public double Rho { get; init; } = 1e-3;

    /// <summary><c>l_infinity</c> or <c>l2</c>.</summary>
    public AdaptiveNorm Norm { get; init; } = AdaptiveNorm.LInfinity;

    /// <summary>Ascent steps at most.</summary>
    public int MaxSteps { get; init; } = 20;

    /// <summary>Training examples in the loss sample.</summary>
    public int SampleSize { get; init; } = 2048;

    /// <summary>Examples per forward pass.</summary>
    public int BatchSize { get; init; } = 2048;
}

/// <summary>Which width metrics a sweep records: the pure rules, shared by the validator, the executor and the reports.</summary>
public static class SweepMetrics
{
    /// <summary>
    /// The metrics of <paramref name="config"/>: its <c>metrics</c> list, or, when it has none, Keskar alone (none when
    /// <c>width</c> is null), which is what every sweep recorded before the key existed.
    /// </summary>
    public static IReadOnlyList<WidthMetric> Of(SweepConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Metrics ?? (config.Width is null ? [] : [WidthMetric.Keskar]);
    }

    /// <summary>The name a metric has in config files and column headers.</summary>
    public static string Name(WidthMetric metric) => ConfigNames.Name(metric);

    /// <summary>How a metric is described in reports and plots.</summary>
    public static string Label(WidthMetric metric) => metric switch
    {
        WidthMetric.Keskar => "Keskar sharpness",
        WidthMetric.HessianTop => "Hessian top eigenvalue",
        WidthMetric.HessianTrace => "Hessian trace",
        WidthMetric.Adaptive => "Adaptive sharpness",
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "is not a known metric"),
    };
}
