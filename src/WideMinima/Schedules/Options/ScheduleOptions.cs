using System.Text.Json.Serialization;
using WideMinima.Internal;

namespace WideMinima.Schedules;

/// <summary>
/// A schedule described independently of the budget, as trainers and sweeps take it: the trainer knows
/// the total number of steps only once it sees the data, then calls <see cref="Build"/>.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(KneeScheduleOptions), "knee")]
[JsonDerivedType(typeof(CosineScheduleOptions), "cosine")]
[JsonDerivedType(typeof(LinearScheduleOptions), "linear")]
[JsonDerivedType(typeof(StepScheduleOptions), "step")]
[JsonDerivedType(typeof(ExploreStepScheduleOptions), "explore-step")]
[JsonDerivedType(typeof(OneCycleScheduleOptions), "one-cycle")]
[JsonDerivedType(typeof(ConstantScheduleOptions), "constant")]
public abstract class ScheduleOptions
{
    /// <summary>The peak learning rate. Default 0.1 (SGD with momentum on Fashion-MNIST; use about 1e-3 for AdamW).</summary>
    public double PeakLearningRate { get; set; } = DefaultPeakLearningRate;

    /// <summary>The default peak learning rate, 0.1 (the sweep console's <c>peak_lr</c> defaults to it too).</summary>
    public const double DefaultPeakLearningRate = 0.1;

    /// <summary>Share of the budget spent warming up linearly from 0, in [0, 1). Default 0.</summary>
    public double WarmupFraction { get; set; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public virtual void Validate()
    {
        Guard.Positive(PeakLearningRate, nameof(PeakLearningRate));
        Guard.Fraction(WarmupFraction, nameof(WarmupFraction));
        if (WarmupFraction >= 1) throw Guard.Fail(nameof(WarmupFraction), WarmupFraction, "must be below 1");
    }

    /// <summary>The schedule for a budget of <paramref name="totalSteps"/> optimizer steps.</summary>
    public LearningRateSchedule Build(long totalSteps)
    {
        Validate();
        Guard.Positive(totalSteps, nameof(totalSteps));
        return Create(totalSteps, (long)Math.Round(WarmupFraction * totalSteps, MidpointRounding.AwayFromZero));
    }

    /// <summary>Creates the schedule once the budget and warmup are known.</summary>
    protected abstract LearningRateSchedule Create(long totalSteps, long warmupSteps);
}
