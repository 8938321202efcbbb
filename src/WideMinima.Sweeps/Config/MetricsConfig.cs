using WideMinima.Ledger;

namespace WideMinima.Sweeps.Config;

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
}
