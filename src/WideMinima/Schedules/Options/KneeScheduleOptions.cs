using WideMinima.Internal;

namespace WideMinima.Schedules;

/// <summary>The Knee (explore-exploit) schedule: warmup, explore at the peak, then decay. See <see cref="KneeSchedule"/>.</summary>
public sealed class KneeScheduleOptions : ScheduleOptions
{
    /// <summary>The default explore share, 0.5: the paper's recommendation (a constant so that the catalog methods can default to it).</summary>
    public const double DefaultExploreFraction = 0.5;

    /// <summary>Explore share of the budget after warmup, in [0, 1]. Default 0.5, the paper's recommendation.</summary>
    public double ExploreFraction { get; set; } = DefaultExploreFraction;

    /// <summary>The rate the decay ends at. Default 0.</summary>
    public double FloorLearningRate { get; set; }

    /// <summary>The exploit phase's shape. Default linear (the paper's).</summary>
    public DecayShape DecayShape { get; set; } = DecayShape.Linear;

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        Guard.Fraction(ExploreFraction, nameof(ExploreFraction));
        Guard.Floor(FloorLearningRate, PeakLearningRate, nameof(FloorLearningRate));
    }

    /// <inheritdoc />
    protected override LearningRateSchedule Create(long totalSteps, long warmupSteps) =>
        KneeSchedule.FromExploreFraction(PeakLearningRate, totalSteps, ExploreFraction, warmupSteps, FloorLearningRate, DecayShape);
}
