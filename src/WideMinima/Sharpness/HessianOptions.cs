using WideMinima.Internal;

namespace WideMinima.Sharpness;

/// <summary>
/// Options of the Hessian measures (<see cref="HessianSpectrum"/>): the top eigenvalue by power iteration and the
/// trace by Hutchinson's estimator, both on Hessian-vector products of the mean loss over a seeded sample.
/// </summary>
public sealed class HessianOptions
{
    /// <summary>Estimate the top eigenvalue. Default true.</summary>
    public bool TopEigenvalue { get; set; } = true;

    /// <summary>Estimate the trace. Default true.</summary>
    public bool Trace { get; set; } = true;

    /// <summary>Examples drawn (seeded, without replacement) to define the loss; null uses all of them. Default 1024.</summary>
    public int? SampleSize { get; set; } = 1024;

    /// <summary>Examples per forward pass; the products are summed over chunks, weighted by size. Default 1024.</summary>
    public int BatchSize { get; set; } = 1024;

    /// <summary>Power-iteration steps at most. Default 50.</summary>
    public int MaxIterations { get; set; } = 50;

    /// <summary>Stop the power iteration when the eigenvalue changes by less than this share of itself. Default 1e-3.</summary>
    public double Tolerance { get; set; } = 1e-3;

    /// <summary>Rademacher probes of Hutchinson's trace estimator. Default 20.</summary>
    public int Probes { get; set; } = 20;

    /// <summary>Seed of the sample, the power iteration's start and the probes. Default 0.</summary>
    public int Seed { get; set; }

    /// <summary>
    /// The quick profile sweeps use, where every run is measured: at most 20 power-iteration steps and 10 trace probes
    /// (the defaults' 50 and 20 cost about twice the time for a top eigenvalue that has settled long before, and a
    /// trace standard error the seed-to-seed spread dwarfs); everything else as the defaults.
    /// </summary>
    public static HessianOptions Fast() => new() { MaxIterations = 20, Probes = 10 };

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option and its value.</summary>
    public void Validate()
    {
        if (!TopEigenvalue && !Trace) throw Guard.Fail(nameof(TopEigenvalue), false, "or Trace must be true: there is nothing to measure");
        if (SampleSize is int s) Guard.Positive(s, nameof(SampleSize));
        Guard.Positive(BatchSize, nameof(BatchSize));
        Guard.Positive(MaxIterations, nameof(MaxIterations));
        Guard.Positive(Tolerance, nameof(Tolerance));
        Guard.Positive(Probes, nameof(Probes));
        if (Probes < 2 && Trace) throw Guard.Fail(nameof(Probes), Probes, "must be at least 2 to give the trace a standard error");
    }

    /// <summary>A copy, so that a caller's later edits do not change a recorded measurement.</summary>
    public HessianOptions Clone() => (HessianOptions)MemberwiseClone();
}

/// <summary>The result of a Hessian measurement of the mean loss at the trained weights.</summary>
public sealed record HessianReport
{
    /// <summary>The eigenvalue of largest magnitude (the top one at a minimum), by power iteration; null when not asked.</summary>
    public double? TopEigenvalue { get; init; }

    /// <summary>Power-iteration steps taken (0 when not asked).</summary>
    public int Iterations { get; init; }

    /// <summary>True when the power iteration met <see cref="HessianOptions.Tolerance"/> before <see cref="HessianOptions.MaxIterations"/>.</summary>
    public bool Converged { get; init; }

    /// <summary>Hutchinson's estimate of the trace, the mean of <c>zᵀHz</c> over Rademacher probes; null when not asked.</summary>
    public double? Trace { get; init; }

    /// <summary>The trace estimate's standard error, <c>s / √probes</c>; null when the trace was not asked.</summary>
    public double? TraceStandardError { get; init; }

    /// <summary>Probes used for the trace (0 when not asked).</summary>
    public int Probes { get; init; }

    /// <summary>The mean loss at the trained weights, on the sample.</summary>
    public required double Loss { get; init; }

    /// <summary>Examples in the sample.</summary>
    public required int SampleSize { get; init; }

    /// <summary>Wall time.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>The options used.</summary>
    public required HessianOptions Options { get; init; }
}
