namespace WideMinima.Schedules;

/// <summary>Cosine decay to a floor. See <see cref="CosineSchedule"/>.</summary>
public sealed class CosineScheduleOptions : FloorDecayScheduleOptions
{
    /// <inheritdoc />
    protected override LearningRateSchedule Create(long totalSteps, long warmupSteps) =>
        new CosineSchedule(PeakLearningRate, totalSteps, warmupSteps, FloorLearningRate);
}
