namespace WideMinima.Schedules;

/// <summary>Linear decay to a floor. See <see cref="LinearSchedule"/>.</summary>
public sealed class LinearScheduleOptions : FloorDecayScheduleOptions
{
    /// <inheritdoc />
    protected override LearningRateSchedule Create(long totalSteps, long warmupSteps) =>
        new LinearSchedule(PeakLearningRate, totalSteps, warmupSteps, FloorLearningRate);
}
