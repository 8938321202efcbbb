using WideMinima.Internal;

namespace WideMinima.Schedules;

/// <summary>One-cycle. See <see cref="OneCycleSchedule"/>.</summary>
public sealed class OneCycleScheduleOptions : ScheduleOptions
{
    /// <summary>Share of the cycle spent rising. Default 0.3 (PyTorch's).</summary>
    public double RiseFraction { get; set; } = 0.3;

    /// <summary>Start rate divisor. Default 25 (PyTorch's).</summary>
    public double DivFactor { get; set; } = 25;

    /// <summary>End rate divisor relative to the start. Default 1e4 (PyTorch's).</summary>
    public double FinalDivFactor { get; set; } = 1e4;

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        Guard.Fraction(RiseFraction, nameof(RiseFraction));
        Guard.Positive(DivFactor, nameof(DivFactor));
        Guard.Positive(FinalDivFactor, nameof(FinalDivFactor));
    }

    /// <inheritdoc />
    protected override LearningRateSchedule Create(long totalSteps, long warmupSteps) =>
        new OneCycleSchedule(PeakLearningRate, totalSteps, RiseFraction, DivFactor, FinalDivFactor, warmupSteps);
}
