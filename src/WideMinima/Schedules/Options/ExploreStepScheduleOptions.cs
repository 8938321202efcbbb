using WideMinima.Internal;

namespace WideMinima.Schedules;

/// <summary>The paper's Section 3 step protocol. See <see cref="ExploreStepSchedule"/>.</summary>
public sealed class ExploreStepScheduleOptions : ScheduleOptions
{
    /// <summary>Explore share of the budget after warmup, in [0, 1]. Default 0.5.</summary>
    public double ExploreFraction { get; set; } = 0.5;

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        Guard.Fraction(ExploreFraction, nameof(ExploreFraction));
    }

    /// <inheritdoc />
    protected override LearningRateSchedule Create(long totalSteps, long warmupSteps) =>
        new ExploreStepSchedule(PeakLearningRate, totalSteps, ExploreFraction, warmupSteps);
}
