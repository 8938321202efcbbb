using System.Globalization;
using System.Text.Json.Serialization;

namespace WideMinima.Schedules;

/// <summary>
/// Linear decay from the peak to a floor over the budget after warmup (Knee with no explore phase);
/// the "linear" row of the paper's Table 5.
/// </summary>
[method: JsonConstructor]
public sealed class LinearSchedule(double peakLearningRate, long totalSteps, long warmupSteps = 0, double floorLearningRate = 0)
    : FloorDecaySchedule(peakLearningRate, totalSteps, warmupSteps, floorLearningRate)
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => "linear";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Description => string.Create(CultureInfo.InvariantCulture,
        $"linear(peak={PeakLearningRate}, warmup={WarmupSteps}, floor={FloorLearningRate})");

    /// <inheritdoc />
    protected override DecayShape Shape => DecayShape.Linear;
}
