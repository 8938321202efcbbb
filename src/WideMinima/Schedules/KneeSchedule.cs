using System.Globalization;
using System.Text.Json.Serialization;
using WideMinima.Internal;

namespace WideMinima.Schedules;

/// <summary>
/// The Knee (explore-exploit) schedule of Iyer et al.: linear warmup, a long "explore" phase at the peak
/// learning rate, then an "exploit" decay to the floor (zero by default).
/// </summary>
/// <remarks>
/// With 1-based step <c>s</c>, warmup <c>W</c>, explore <c>E</c>, total <c>T</c> and decay <c>D = T - W - E</c>
/// and the default linear shape and zero floor, this is exactly the reference <c>KneeLRScheduler</c>:
/// <c>peak*s/W</c> for <c>s &lt;= W</c>, <c>peak</c> for <c>s &lt;= W+E</c>, else <c>max(0, peak - peak/D*(s-W-E))</c>.
/// Where the reference divides by zero (<c>D = 0</c>, explore fills the budget), this schedule holds the peak
/// through step <c>T</c> and the floor after it.
/// </remarks>
public sealed class KneeSchedule : LearningRateSchedule
{
    /// <summary>Creates a Knee schedule with an explicit number of explore steps.</summary>
    /// <param name="peakLearningRate">The peak (explore) learning rate; finite and &gt; 0.</param>
    /// <param name="totalSteps">The budget in optimizer steps; &gt; 0.</param>
    /// <param name="exploreSteps">Steps held at the peak after warmup; <c>warmupSteps + exploreSteps &lt;= totalSteps</c>.</param>
    /// <param name="warmupSteps">Linear warmup steps (default 0).</param>
    /// <param name="floorLearningRate">The rate the decay ends at (default 0, the paper's); below the peak.</param>
    /// <param name="decayShape">The exploit phase's shape (default linear, the paper's).</param>
    [JsonConstructor]
    public KneeSchedule(double peakLearningRate, long totalSteps, long exploreSteps, long warmupSteps = 0,
        double floorLearningRate = 0, DecayShape decayShape = DecayShape.Linear)
        : base(peakLearningRate, totalSteps, warmupSteps)
    {
        ExploreSteps = Guard.NonNegative(exploreSteps, nameof(exploreSteps));
        if (warmupSteps + exploreSteps > totalSteps)
            throw Guard.Fail(nameof(exploreSteps), exploreSteps,
                $"plus warmupSteps ({warmupSteps}) must not exceed totalSteps ({totalSteps})");
        FloorLearningRate = Guard.Floor(floorLearningRate, peakLearningRate, nameof(floorLearningRate));
        if (!Enum.IsDefined(decayShape)) throw Guard.Fail(nameof(decayShape), decayShape, "must be Linear, Cosine or OneMinusSqrt");
        DecayShape = decayShape;
    }

    /// <summary>
    /// Creates a Knee schedule whose explore phase is a fraction of the budget left after warmup,
    /// <c>E = round(fraction * (T - W))</c>. The paper recommends 0.5.
    /// </summary>
    public static KneeSchedule FromExploreFraction(double peakLearningRate, long totalSteps, double exploreFraction = 0.5,
        long warmupSteps = 0, double floorLearningRate = 0, DecayShape decayShape = DecayShape.Linear)
    {
        Guard.Fraction(exploreFraction, nameof(exploreFraction));
        Guard.Positive(totalSteps, nameof(totalSteps));
        Guard.NonNegative(warmupSteps, nameof(warmupSteps));
        long afterWarmup = Math.Max(0, totalSteps - warmupSteps);
        long explore = (long)Math.Round(exploreFraction * afterWarmup, MidpointRounding.AwayFromZero);
        return new KneeSchedule(peakLearningRate, totalSteps, explore, warmupSteps, floorLearningRate, decayShape);
    }

    /// <summary>Steps held at the peak after warmup.</summary>
    public long ExploreSteps { get; }

    /// <summary>The rate the exploit decay ends at.</summary>
    public double FloorLearningRate { get; }

    /// <summary>The exploit phase's shape.</summary>
    public DecayShape DecayShape { get; }

    /// <summary>Exploit (decay) steps: <c>T - W - E</c>.</summary>
    [JsonIgnore]
    public long DecaySteps => TotalSteps - WarmupSteps - ExploreSteps;

    /// <summary>The explore share of the budget after warmup, <c>E / (T - W)</c>.</summary>
    [JsonIgnore]
    public double ExploreFraction => TotalSteps == WarmupSteps ? 0 : (double)ExploreSteps / (TotalSteps - WarmupSteps);

    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => "knee";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Description => string.Create(CultureInfo.InvariantCulture,
        $"knee(peak={PeakLearningRate}, warmup={WarmupSteps}, explore={ExploreSteps}/{TotalSteps - WarmupSteps}, decay={DecayShape}, floor={FloorLearningRate})");

    /// <inheritdoc />
    protected override double AfterWarmup(long step) =>
        step <= WarmupSteps + ExploreSteps
            ? PeakLearningRate
            : DecayCurve.At(DecayShape, PeakLearningRate, FloorLearningRate, step - WarmupSteps - ExploreSteps, DecaySteps);
}
