using System.Text.Json.Serialization;
using WideMinima.Internal;

namespace WideMinima.Schedules;

/// <summary>
/// A learning-rate schedule as a pure, closed-form function of the step: <c>lr(step)</c> for a fixed budget.
/// </summary>
/// <remarks>
/// <para>
/// Steps are 1-based, as in the paper's reference <c>KneeLRScheduler</c>: step 1 is the first optimizer
/// step, and the schedule's budget ends at <see cref="TotalSteps"/>. Stepping past the budget is allowed
/// and holds each schedule's end value.
/// </para>
/// <para>
/// Every schedule may start with a linear warmup of <see cref="WarmupSteps"/> steps, <c>peak * s / W</c>,
/// exactly the reference's formula. Schedules are immutable, validate their arguments on construction and
/// round-trip through JSON (see <see cref="ScheduleJson"/>), so that a sweep can record exactly what ran.
/// </para>
/// </remarks>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(KneeSchedule), "knee")]
[JsonDerivedType(typeof(CosineSchedule), "cosine")]
[JsonDerivedType(typeof(LinearSchedule), "linear")]
[JsonDerivedType(typeof(StepSchedule), "step")]
[JsonDerivedType(typeof(ExploreStepSchedule), "explore-step")]
[JsonDerivedType(typeof(OneCycleSchedule), "one-cycle")]
[JsonDerivedType(typeof(ConstantSchedule), "constant")]
public abstract class LearningRateSchedule : IEquatable<LearningRateSchedule>
{
    /// <summary>Validates the parameters every schedule shares.</summary>
    protected LearningRateSchedule(double peakLearningRate, long totalSteps, long warmupSteps)
    {
        PeakLearningRate = Guard.Positive(peakLearningRate, nameof(peakLearningRate));
        TotalSteps = Guard.Positive(totalSteps, nameof(totalSteps));
        WarmupSteps = Guard.NonNegative(warmupSteps, nameof(warmupSteps));
        if (warmupSteps > totalSteps)
            throw Guard.Fail(nameof(warmupSteps), warmupSteps, $"must not exceed totalSteps ({totalSteps})");
    }

    /// <summary>The highest learning rate of the schedule, reached at the end of warmup.</summary>
    public double PeakLearningRate { get; }

    /// <summary>The budget, in optimizer steps.</summary>
    public long TotalSteps { get; }

    /// <summary>Linear warmup steps from 0 to the peak (0: no warmup).</summary>
    public long WarmupSteps { get; }

    /// <summary>A short, stable name for tables and plots, e.g. <c>knee</c>.</summary>
    [JsonIgnore]
    public abstract string Kind { get; }

    /// <summary>A one-line human description with the schedule's parameters.</summary>
    [JsonIgnore]
    public virtual string Description => Kind;

    /// <summary>The learning rate for 1-based <paramref name="step"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is less than 1.</exception>
    public double LearningRate(long step)
    {
        if (step < 1) throw Guard.Fail(nameof(step), step, "must be 1 or more (steps are 1-based)");
        // The reference's warmup formula, evaluated in the same order for bit-identical values.
        return step <= WarmupSteps ? PeakLearningRate * step / WarmupSteps : AfterWarmup(step);
    }

    /// <summary>The learning rate at a step after the warmup.</summary>
    protected abstract double AfterWarmup(long step);

    /// <summary>The whole curve, steps 1..<see cref="TotalSteps"/>.</summary>
    public double[] Curve()
    {
        var values = new double[TotalSteps];
        for (long s = 1; s <= TotalSteps; s++) values[s - 1] = LearningRate(s);
        return values;
    }

    /// <summary>
    /// The curve sampled at <paramref name="points"/> evenly spaced steps, always including the first
    /// and the last: a compressed form for ledgers and plots.
    /// </summary>
    public IReadOnlyList<(long Step, double LearningRate)> Sample(int points)
    {
        Guard.Positive(points, nameof(points));
        int n = (int)Math.Min(points, TotalSteps);
        var result = new List<(long, double)>(n);
        for (int i = 0; i < n; i++)
        {
            long step = n == 1 ? 1 : 1 + (long)Math.Round((TotalSteps - 1) * (double)i / (n - 1));
            result.Add((step, LearningRate(step)));
        }
        return result;
    }

    /// <inheritdoc />
    public bool Equals(LearningRateSchedule? other) =>
        other is not null && other.GetType() == GetType() && ScheduleJson.Serialize(this) == ScheduleJson.Serialize(other);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as LearningRateSchedule);

    /// <inheritdoc />
    public override int GetHashCode() => ScheduleJson.Serialize(this).GetHashCode(StringComparison.Ordinal);

    /// <inheritdoc />
    public override string ToString() => Description;
}
