using System.Text.Json.Serialization;
using WideMinima.Internal;

namespace WideMinima.Schedules;

/// <summary>
/// A decay from the peak to a floor over the whole budget after warmup, with one shape: the common part of
/// <see cref="CosineSchedule"/> and <see cref="LinearSchedule"/> (which is Knee with no explore phase).
/// </summary>
public abstract class FloorDecaySchedule : LearningRateSchedule
{
    /// <summary>Validates the floor against the peak.</summary>
    protected FloorDecaySchedule(double peakLearningRate, long totalSteps, long warmupSteps, double floorLearningRate)
        : base(peakLearningRate, totalSteps, warmupSteps)
    {
        FloorLearningRate = Guard.Floor(floorLearningRate, peakLearningRate, nameof(floorLearningRate));
    }

    /// <summary>The rate the decay ends at.</summary>
    public double FloorLearningRate { get; }

    /// <summary>The decay's shape.</summary>
    [JsonIgnore]
    protected abstract DecayShape Shape { get; }

    /// <inheritdoc />
    protected override double AfterWarmup(long step) =>
        DecayCurve.At(Shape, PeakLearningRate, FloorLearningRate, step - WarmupSteps, TotalSteps - WarmupSteps);
}
