using System.Globalization;
using System.Text.Json.Serialization;
using WideMinima.Internal;

namespace WideMinima.Schedules;

/// <summary>
/// Linear decay from the peak to a floor over the budget after warmup (Knee with no explore phase);
/// the "linear" row of the paper's Table 5.
/// </summary>
public sealed class LinearSchedule : LearningRateSchedule
{
    /// <summary>Creates a linear-decay schedule.</summary>
    [JsonConstructor]
    public LinearSchedule(double peakLearningRate, long totalSteps, long warmupSteps = 0, double floorLearningRate = 0)
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
    public override string Kind => "linear";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Description => string.Create(CultureInfo.InvariantCulture,
        $"linear(peak={PeakLearningRate}, warmup={WarmupSteps}, floor={FloorLearningRate})");

    /// <inheritdoc />
    protected override double AfterWarmup(long step) =>
        DecayCurve.At(DecayShape.Linear, PeakLearningRate, FloorLearningRate, step - WarmupSteps, TotalSteps - WarmupSteps);
}
