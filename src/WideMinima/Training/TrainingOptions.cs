using WideMinima.Internal;
using WideMinima.Schedules;
using WideMinima.Sharpness;
using WideMinima.Training.Checkpoints;
using static TorchSharp.torch;

namespace WideMinima.Training;

/// <summary>
/// The settings of the classifier training loop, free of ML.NET: <c>WideMinimaTrainer.Options</c> maps onto it,
/// and the sweep console builds it the same way. Every default is a constant of <see cref="TrainingDefaults"/>.
/// </summary>
internal sealed record TrainingOptions
{
    /// <summary>Builds any network for (input size, class count) when the model kind is Custom.</summary>
    public Func<int, int, nn.Module<Tensor, Tensor>>? ModelFactory { get; init; }

    /// <summary>Training-time augmentation of image-shaped features.</summary>
    public Augmentation Augmentation { get; init; } = TrainingDefaults.Augmentation;

    /// <summary>The optimizer.</summary>
    public OptimizerKind Optimizer { get; init; } = TrainingDefaults.Optimizer;

    /// <summary>
    /// SGD momentum (Nesterov when positive), in [0, 1]; for <see cref="OptimizerKind.ScheduleFreeSgd"/> the
    /// interpolation β and for <see cref="OptimizerKind.ScheduleFreeAdamW"/> β1, each in (0, 1). Unused by AdamW.
    /// </summary>
    public double Momentum { get; init; } = TrainingDefaults.Momentum;

    /// <summary>Weight decay (L2 for SGD, decoupled for AdamW; taken at y by the Schedule-Free optimizers).</summary>
    public double WeightDecay { get; init; } = TrainingDefaults.WeightDecay;

    /// <summary>Examples per optimizer step.</summary>
    public int BatchSize { get; init; } = TrainingDefaults.BatchSize;

    /// <summary>Training epochs: the budget.</summary>
    public int Epochs { get; init; } = TrainingDefaults.Epochs;

    /// <summary>The learning-rate schedule.</summary>
    public ScheduleOptions Schedule { get; init; } = new KneeScheduleOptions();

    /// <summary>Keskar width after training; null skips it.</summary>
    public KeskarWidthOptions? Width { get; init; }

    /// <summary>Hessian top eigenvalue and trace after training; null skips them.</summary>
    public HessianOptions? Hessian { get; init; }

    /// <summary>Adaptive sharpness after training; null skips it.</summary>
    public AdaptiveSharpnessOptions? Adaptive { get; init; }

    /// <summary>Torch intra-op threads (process-wide); 0 leaves libtorch's default.</summary>
    public int Threads { get; init; } = TrainingDefaults.Threads;

    /// <summary>Clip the gradient's global L2 norm to this value; null does not clip.</summary>
    public double? GradientClipNorm { get; init; }

    /// <summary>What to do when the loss becomes NaN or infinite.</summary>
    public DivergenceAction OnDivergence { get; init; } = TrainingDefaults.OnDivergence;

    /// <summary>Receives each epoch's metrics as it ends.</summary>
    public IProgress<EpochReport>? Progress { get; init; }

    /// <summary>Examples per forward pass when evaluating.</summary>
    public int EvaluationBatchSize { get; init; } = TrainingDefaults.EvaluationBatchSize;

    /// <summary>When to save checkpoints of the whole training state, and where; null saves none.</summary>
    public CheckpointPlan? Checkpoints { get; init; }

    /// <summary>A checkpoint to resume (or fork) from; null starts from scratch.</summary>
    public CheckpointSource? ResumeFrom { get; init; }

    /// <summary>
    /// Stop once this many optimizer steps are done (a fork-and-decay trunk); null trains the whole budget. A step
    /// that ends an epoch stops after that epoch's evaluation. The width is not measured for a run stopped early.
    /// </summary>
    public long? StopAfterStep { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting and its value.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Augmentation)) throw Guard.Fail(nameof(Augmentation), Augmentation, "must be None or CropAndFlip");
        if (!Enum.IsDefined(Optimizer)) throw Guard.Fail(nameof(Optimizer), Optimizer, "must be Sgd, AdamW, ScheduleFreeSgd or ScheduleFreeAdamW");
        if (IsScheduleFree(Optimizer)) Guard.OpenFraction(Momentum, nameof(Momentum), $"{Optimizer} interpolates y = Momentum x + (1 - Momentum) z");
        else Guard.Fraction(Momentum, nameof(Momentum));
        Guard.NonNegative(WeightDecay, nameof(WeightDecay));
        Guard.Positive(BatchSize, nameof(BatchSize));
        Guard.Positive(Epochs, nameof(Epochs));
        ArgumentNullException.ThrowIfNull(Schedule, nameof(Schedule));
        Schedule.Validate();
        Width?.Validate();
        Hessian?.Validate();
        Adaptive?.Validate();
        Guard.NonNegative(Threads, nameof(Threads));
        if (GradientClipNorm is double clip) Guard.Positive(clip, nameof(GradientClipNorm));
        if (!Enum.IsDefined(OnDivergence)) throw Guard.Fail(nameof(OnDivergence), OnDivergence, "must be Throw or Stop");
        Guard.Positive(EvaluationBatchSize, nameof(EvaluationBatchSize));
        Checkpoints?.Validate();
        if (ResumeFrom is not null) ArgumentException.ThrowIfNullOrEmpty(ResumeFrom.Path, nameof(ResumeFrom));
        if (StopAfterStep is long stop) Guard.NonNegative(stop, nameof(StopAfterStep));
    }

    /// <summary>True for the Schedule-Free optimizers, which take their steps at y and are evaluated at the average x.</summary>
    public static bool IsScheduleFree(OptimizerKind optimizer) => optimizer switch
    {
        OptimizerKind.Sgd or OptimizerKind.AdamW => false,
        OptimizerKind.ScheduleFreeSgd or OptimizerKind.ScheduleFreeAdamW => true,
        _ => throw new InvalidOperationException($"Unknown optimizer {optimizer}."),
    };
}

/// <summary>
/// The one place where the training defaults live. <c>WideMinimaTrainer.Options</c>, the ML.NET catalog methods and
/// the sweep console's config all read them from here.
/// </summary>
public static class TrainingDefaults
{
    /// <summary>The network: the MLP.</summary>
    public const Models.ModelKind Model = Models.ModelKind.Mlp;

    /// <summary>Hidden layer widths of the MLP: 512, 512.</summary>
    public static IReadOnlyList<int> HiddenSizes => [512, 512];

    /// <summary>No augmentation.</summary>
    public const Augmentation Augmentation = Training.Augmentation.None;

    /// <summary>Standardize features inside the network: yes.</summary>
    public const bool NormalizeFeatures = true;

    /// <summary>SGD with Nesterov momentum.</summary>
    public const OptimizerKind Optimizer = OptimizerKind.Sgd;

    /// <summary>SGD momentum 0.9.</summary>
    public const double Momentum = 0.9;

    /// <summary>Weight decay 5e-4.</summary>
    public const double WeightDecay = 5e-4;

    /// <summary>128 examples per step.</summary>
    public const int BatchSize = 128;

    /// <summary>10 epochs.</summary>
    public const int Epochs = 10;

    /// <summary>The Knee schedule's explore share, 0.5 (the paper's recommendation).</summary>
    public const double ExploreFraction = 0.5;

    /// <summary>The peak learning rate, 0.1.</summary>
    public const double PeakLearningRate = 0.1;

    /// <summary>Train where a GPU is, else on the CPU.</summary>
    public const DeviceKind Device = DeviceKind.Auto;

    /// <summary>0: libtorch's default thread count.</summary>
    public const int Threads = 0;

    /// <summary>Throw when the loss becomes NaN or infinite.</summary>
    public const DivergenceAction OnDivergence = DivergenceAction.Throw;

    /// <summary>1024 examples per forward pass when evaluating.</summary>
    public const int EvaluationBatchSize = 1024;

    /// <summary>The label column, <c>Label</c>.</summary>
    public const string LabelColumnName = "Label";

    /// <summary>The features column, <c>Features</c>.</summary>
    public const string FeatureColumnName = "Features";
}
