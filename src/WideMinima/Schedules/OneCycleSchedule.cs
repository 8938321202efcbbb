using System.Globalization;
using System.Text.Json.Serialization;
using WideMinima.Internal;

namespace WideMinima.Schedules;

/// <summary>
/// One-cycle (Smith and Topin), as PyTorch's <c>OneCycleLR</c> with cosine annealing: from
/// <c>peak/DivFactor</c> up to the peak over <see cref="RiseFraction"/> of the budget, then down to
/// <c>peak/(DivFactor*FinalDivFactor)</c>. An optional linear warmup may precede the cycle.
/// </summary>
public sealed class OneCycleSchedule : LearningRateSchedule
{
    /// <summary>Creates a one-cycle schedule.</summary>
    /// <param name="peakLearningRate">The top of the cycle.</param>
    /// <param name="totalSteps">The budget in steps.</param>
    /// <param name="riseFraction">Share of the cycle spent rising, in [0, 1]; PyTorch's <c>pct_start</c>, default 0.3.</param>
    /// <param name="divFactor">The start rate is <c>peak/divFactor</c>; default 25.</param>
    /// <param name="finalDivFactor">The end rate is <c>start/finalDivFactor</c>; default 1e4.</param>
    /// <param name="warmupSteps">Linear warmup steps before the cycle (default 0).</param>
    [JsonConstructor]
    public OneCycleSchedule(double peakLearningRate, long totalSteps, double riseFraction = 0.3, double divFactor = 25,
        double finalDivFactor = 1e4, long warmupSteps = 0)
        : base(peakLearningRate, totalSteps, warmupSteps)
    {
        RiseFraction = Guard.Fraction(riseFraction, nameof(riseFraction));
        DivFactor = Guard.Positive(divFactor, nameof(divFactor));
        FinalDivFactor = Guard.Positive(finalDivFactor, nameof(finalDivFactor));
    }

    /// <summary>Share of the cycle spent rising.</summary>
    public double RiseFraction { get; }

    /// <summary>Start rate divisor.</summary>
    public double DivFactor { get; }

    /// <summary>End rate divisor, relative to the start rate.</summary>
    public double FinalDivFactor { get; }

    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => "one-cycle";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Description => string.Create(CultureInfo.InvariantCulture,
        $"one-cycle(peak={PeakLearningRate}, warmup={WarmupSteps}, rise={RiseFraction})");

    /// <inheritdoc />
    protected override double AfterWarmup(long step)
    {
        long n = TotalSteps - WarmupSteps;
        double start = PeakLearningRate / DivFactor;
        double end = start / FinalDivFactor;
        long t = Math.Min(step - WarmupSteps - 1, n - 1); // PyTorch's 0-based step within the cycle.
        double riseEnd = RiseFraction * n - 1;
        if (riseEnd > 0 && t <= riseEnd) return Anneal(start, PeakLearningRate, t / riseEnd);
        double fallStart = Math.Max(riseEnd, 0);
        double fallLength = n - 1 - fallStart;
        return fallLength <= 0 ? PeakLearningRate : Anneal(PeakLearningRate, end, (t - fallStart) / fallLength);
    }

    private static double Anneal(double from, double to, double progress) =>
        to + (from - to) / 2 * (1 + Math.Cos(Math.PI * progress));
}
