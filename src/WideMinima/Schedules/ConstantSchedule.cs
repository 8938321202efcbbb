using System.Globalization;
using System.Text.Json.Serialization;

namespace WideMinima.Schedules;

/// <summary>The peak rate throughout (after the optional warmup): the "all explore, no exploit" extreme.</summary>
public sealed class ConstantSchedule : LearningRateSchedule
{
    /// <summary>Creates a constant schedule.</summary>
    [JsonConstructor]
    public ConstantSchedule(double peakLearningRate, long totalSteps, long warmupSteps = 0)
        : base(peakLearningRate, totalSteps, warmupSteps)
    {
    }

    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => "constant";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Description => string.Create(CultureInfo.InvariantCulture, $"constant(peak={PeakLearningRate}, warmup={WarmupSteps})");

    /// <inheritdoc />
    protected override double AfterWarmup(long step) => PeakLearningRate;
}
