using WideMinima.Internal;

namespace WideMinima.Sharpness;

/// <summary>
/// Options of the Keskar ε-sharpness (minima width) measurement. Defaults follow the paper's reference
/// (<c>epsilon=1e-4, lr=1e-3, max_steps=1000</c>, SGD) except where the reference is wrong or slow; each
/// such default says why. <see cref="Fast"/> gives the quick sign-gradient protocol.
/// </summary>
public sealed class KeskarWidthOptions
{
    /// <summary>Box size ε: each weight may move by <c>ε (|w0| + 1)</c>. Default 1e-4 (the reference's).</summary>
    public double Epsilon { get; set; } = 1e-4;

    /// <summary>The ascent method. Default <see cref="AscentMethod.Sgd"/> (the reference's).</summary>
    public AscentMethod Method { get; set; } = AscentMethod.Sgd;

    /// <summary>Step size of <see cref="AscentMethod.Sgd"/>. Default 1e-3 (the reference's).</summary>
    public double LearningRate { get; set; } = 1e-3;

    /// <summary>Step of <see cref="AscentMethod.SignGradient"/> as a share of each weight's box radius. Default 0.25.</summary>
    public double SignStepFraction { get; set; } = 0.25;

    /// <summary>Ascent steps at most. Default 1000 (the reference's).</summary>
    public int MaxSteps { get; set; } = 1000;

    /// <summary>
    /// Examples drawn (seeded, without replacement) from the data to define the loss; null uses all of it.
    /// Default 2048: the reference climbs the whole training set, which costs minutes per model for a
    /// difference that is small next to the seed-to-seed spread of sharpness.
    /// </summary>
    public int? SampleSize { get; set; } = 2048;

    /// <summary>Examples per ascent step and per evaluation chunk. Default 256.</summary>
    public int BatchSize { get; set; } = 256;

    /// <summary>
    /// Evaluate the loss on the whole sample every this many steps, to track the maximum. Default 10.
    /// When the sample fits in one batch, every step's own loss is an exact evaluation, at no cost.
    /// </summary>
    public int EvaluateEvery { get; set; } = 10;

    /// <summary>Stop after this many evaluations without improving the maximum; null runs all steps. Default null.</summary>
    public int? Patience { get; set; }

    /// <summary>An improvement must raise the maximum by this share of the climb so far. Default 1e-3.</summary>
    public double ImprovementTolerance { get; set; } = 1e-3;

    /// <summary>
    /// Start from a seeded random point at this share of the box radius (0: start at the trained weights).
    /// Default 0.1: at an exact stationary point the gradient is zero and pure ascent would never move.
    /// </summary>
    public double RandomStartFraction { get; set; } = 0.1;

    /// <summary>
    /// Climb with the model in training mode (dropout on, batch statistics) as the reference does.
    /// Default false: eval mode measures the function the model computes at inference.
    /// </summary>
    public bool TrainMode { get; set; }

    /// <summary>Seed of the sample and the random start. Default 0.</summary>
    public int Seed { get; set; }

    /// <summary>
    /// The fast protocol: full-sample sign-gradient ascent (2048 examples in one batch, so every step is
    /// an exact evaluation) with steps of half the box radius, at most 15 steps, stopping after 2 steps that
    /// raise the maximum by less than 1% of the climb so far. From the random start it reaches the box's faces
    /// in two steps.
    /// </summary>
    public static KeskarWidthOptions Fast() => new()
    {
        Method = AscentMethod.SignGradient,
        SignStepFraction = 0.5,
        MaxSteps = 15,
        SampleSize = 2048,
        BatchSize = 2048,
        EvaluateEvery = 1,
        Patience = 2,
        ImprovementTolerance = 0.01,
    };

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        Guard.Positive(Epsilon, nameof(Epsilon));
        if (!Enum.IsDefined(Method)) throw Guard.Fail(nameof(Method), Method, "must be Sgd or SignGradient");
        Guard.Positive(LearningRate, nameof(LearningRate));
        Guard.Positive(SignStepFraction, nameof(SignStepFraction));
        if (SignStepFraction > 2) throw Guard.Fail(nameof(SignStepFraction), SignStepFraction, "must be in (0, 2]");
        Guard.Positive(MaxSteps, nameof(MaxSteps));
        if (SampleSize is int s) Guard.Positive(s, nameof(SampleSize));
        Guard.Positive(BatchSize, nameof(BatchSize));
        Guard.Positive(EvaluateEvery, nameof(EvaluateEvery));
        if (Patience is int p) Guard.Positive(p, nameof(Patience));
        Guard.NonNegative(ImprovementTolerance, nameof(ImprovementTolerance));
        Guard.Fraction(RandomStartFraction, nameof(RandomStartFraction));
    }

    /// <summary>A copy, so that a caller's later edits do not change a recorded measurement.</summary>
    public KeskarWidthOptions Clone() => (KeskarWidthOptions)MemberwiseClone();
}
