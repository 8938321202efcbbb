namespace WideMinima.Schedules;

/// <summary>The peak rate throughout. See <see cref="ConstantSchedule"/>.</summary>
public sealed class ConstantScheduleOptions : ScheduleOptions
{
    /// <inheritdoc />
    protected override LearningRateSchedule Create(long totalSteps, long warmupSteps) =>
        new ConstantSchedule(PeakLearningRate, totalSteps, warmupSteps);
}
