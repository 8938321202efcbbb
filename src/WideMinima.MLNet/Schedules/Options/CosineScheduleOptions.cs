using WideMinima.Internal;

namespace WideMinima.Schedules;

/// <summary>Cosine decay to a floor. See <see cref="CosineSchedule"/>.</summary>
public sealed class CosineScheduleOptions : ScheduleOptions
{
    /// <summary>The rate the decay ends at. Default 0.</summary>
    public double FloorLearningRate { get; set; }

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        Guard.NonNegative(FloorLearningRate, nameof(FloorLearningRate));
    }

    /// <inheritdoc />
    protected override LearningRateSchedule Create(long totalSteps, long warmupSteps) =>
        new CosineSchedule(PeakLearningRate, totalSteps, warmupSteps, FloorLearningRate);
}
