using System.Globalization;
using System.Text.Json.Serialization;
using WideMinima.Internal;

namespace WideMinima.Schedules;

/// <summary>
/// Cosine decay from the peak to a floor over the budget after warmup: the strongest baseline in the
/// paper's Table 5. At step <c>s</c> the progress is <c>(s - W) / (T - W)</c>, so step <c>T</c> lands on the floor.
/// </summary>
public sealed class CosineSchedule : LearningRateSchedule
{
    /// <summary>Creates a cosine schedule.</summary>
    [JsonConstructor]
    public CosineSchedule(double peakLearningRate, long totalSteps, long warmupSteps = 0, double floorLearningRate = 0)
        : base(peakLearningRate, totalSteps, warmupSteps)
    {
        FloorLearningRate = Guard.NonNegative(floorLearningRate, nameof(floorLearningRate));
        if (floorLearningRate >= peakLearningRate)
            throw Guard.Fail(nameof(floorLearningRate), floorLearningRate, $"must be below peakLearningRate ({peakLearningRate})");
    }

    /// <summary>The rate the decay ends at.</summary>
    public double FloorLearningRate { get; }

    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => "cosine";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Description => string.Create(CultureInfo.InvariantCulture,
        $"cosine(peak={PeakLearningRate}, warmup={WarmupSteps}, floor={FloorLearningRate})");

    /// <inheritdoc />
    protected override double AfterWarmup(long step) =>
        DecayCurve.At(DecayShape.Cosine, PeakLearningRate, FloorLearningRate, step - WarmupSteps, TotalSteps - WarmupSteps);
}
