using WideMinima.Internal;

namespace WideMinima.Schedules;

/// <summary>Step decay at fractions of the budget. See <see cref="StepSchedule"/>.</summary>
public sealed class StepScheduleOptions : ScheduleOptions
{
    /// <summary>Where the rate drops, as fractions of the budget. Default 0.5 and 0.75, the classic baseline.</summary>
    public IReadOnlyList<double> MilestoneFractions { get; set; } = [0.5, 0.75];

    /// <summary>The multiplier at each milestone. Default 0.1.</summary>
    public double Factor { get; set; } = 0.1;

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        ArgumentNullException.ThrowIfNull(MilestoneFractions, nameof(MilestoneFractions));
        for (int i = 0; i < MilestoneFractions.Count; i++) Guard.Fraction(MilestoneFractions[i], $"{nameof(MilestoneFractions)}[{i}]");
        Guard.Positive(Factor, nameof(Factor));
    }

    /// <inheritdoc />
    protected override LearningRateSchedule Create(long totalSteps, long warmupSteps) =>
        StepSchedule.AtFractions(PeakLearningRate, totalSteps, MilestoneFractions, Factor, warmupSteps);
}
