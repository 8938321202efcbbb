using System.Globalization;
using System.Text.Json.Serialization;

namespace WideMinima.Schedules;

/// <summary>
/// Cosine decay from the peak to a floor over the budget after warmup: the strongest baseline in the
/// paper's Table 5. At step <c>s</c> the progress is <c>(s - W) / (T - W)</c>, so step <c>T</c> lands on the floor.
/// </summary>
[method: JsonConstructor]
public sealed class CosineSchedule(double peakLearningRate, long totalSteps, long warmupSteps = 0, double floorLearningRate = 0)
    : FloorDecaySchedule(peakLearningRate, totalSteps, warmupSteps, floorLearningRate)
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => "cosine";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Description => string.Create(CultureInfo.InvariantCulture,
        $"cosine(peak={PeakLearningRate}, warmup={WarmupSteps}, floor={FloorLearningRate})");

    /// <inheritdoc />
    protected override DecayShape Shape => DecayShape.Cosine;
}
