using System.Globalization;
using System.Text.Json.Serialization;
using WideMinima.Internal;

namespace WideMinima.Schedules;

/// <summary>
/// The step protocol of the paper's Section 3 experiments: the peak for an explore share of the budget,
/// then the rest split equally between <c>peak/10</c> and <c>peak/100</c>. Varying the explore share with
/// everything else fixed is how the paper shows that longer exploration lands in wider minima.
/// </summary>
public sealed class ExploreStepSchedule : LearningRateSchedule
{
    /// <summary>Creates the Section 3 step protocol.</summary>
    /// <param name="peakLearningRate">The explore rate.</param>
    /// <param name="totalSteps">The budget in steps.</param>
    /// <param name="exploreFraction">The explore share of the budget after warmup, in [0, 1].</param>
    /// <param name="warmupSteps">Linear warmup steps (default 0).</param>
    [JsonConstructor]
    public ExploreStepSchedule(double peakLearningRate, long totalSteps, double exploreFraction, long warmupSteps = 0)
        : base(peakLearningRate, totalSteps, warmupSteps)
    {
        ExploreFraction = Guard.Fraction(exploreFraction, nameof(exploreFraction));
        long afterWarmup = totalSteps - warmupSteps;
        ExploreSteps = (long)Math.Round(exploreFraction * afterWarmup, MidpointRounding.AwayFromZero);
        long rest = afterWarmup - ExploreSteps;
        // The first drop takes the odd step when the remainder does not split evenly.
        TenthSteps = (rest + 1) / 2;
    }

    /// <summary>The explore share of the budget after warmup.</summary>
    public double ExploreFraction { get; }

    /// <summary>Steps at the peak after warmup.</summary>
    [JsonIgnore]
    public long ExploreSteps { get; }

    /// <summary>Steps at <c>peak/10</c>; the remaining steps run at <c>peak/100</c>.</summary>
    [JsonIgnore]
    public long TenthSteps { get; }

    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => "explore-step";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Description => string.Create(CultureInfo.InvariantCulture,
        $"explore-step(peak={PeakLearningRate}, warmup={WarmupSteps}, explore={ExploreFraction})");

    /// <inheritdoc />
    protected override double AfterWarmup(long step)
    {
        long into = step - WarmupSteps;
        if (into <= ExploreSteps) return PeakLearningRate;
        return into <= ExploreSteps + TenthSteps ? PeakLearningRate / 10 : PeakLearningRate / 100;
    }
}
