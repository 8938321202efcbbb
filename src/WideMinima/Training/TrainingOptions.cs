using System.Text.Json.Serialization;
using WideMinima.Internal;
using WideMinima.Models;
using WideMinima.Schedules;
using WideMinima.Sharpness;
using WideMinima.Training.Checkpoints;
using static TorchSharp.torch;

namespace WideMinima.Training;

/// <summary>
/// How a classifier is trained: the network, the optimizer, the budget, the schedule and the width measures. The one
/// home of these settings and their defaults: <c>WideMinimaTrainer.Options</c> (ML.NET) derives from it, the sweep
/// console's config binds to it (snake_case keys: <c>weight_decay</c>, <c>batch_size</c>, ...), and the training loop
/// reads it. Adding a hyperparameter here makes it an option of the trainer and a key of sweep configs at once.
/// </summary>
public record TrainingOptions
{
    /// <summary>The default budget, 10 epochs (a constant so that the catalog methods can default to it).</summary>
    public const int DefaultEpochs = 10;

    /// <summary>The network. Default <see cref="ModelKind.Mlp"/>.</summary>
    public ModelKind Model { get; set; } = ModelKind.Mlp;

    /// <summary>Hidden layer widths of the MLP. Default 512, 512.</summary>
    public IReadOnlyList<int> HiddenSizes { get; set; } = [512, 512];

    /// <summary>Builds any network for (input size, class count) when <see cref="Model"/> is Custom; needed again to load.</summary>
    [JsonIgnore]
    public Func<int, int, nn.Module<Tensor, Tensor>>? ModelFactory { get; set; }

    /// <summary>Standardize each feature with the training mean and standard deviation inside the network. Default true.</summary>
    public bool NormalizeFeatures { get; set; } = true;

    /// <summary>Training-time augmentation of image-shaped features. Default <see cref="Augmentation.None"/>.</summary>
    public Augmentation Augmentation { get; set; } = Augmentation.None;

    /// <summary>The optimizer. Default <see cref="OptimizerKind.Sgd"/> with Nesterov momentum.</summary>
    public OptimizerKind Optimizer { get; set; } = OptimizerKind.Sgd;

    /// <summary>
    /// SGD momentum (Nesterov when positive), in [0, 1]; for <see cref="OptimizerKind.ScheduleFreeSgd"/> the
    /// interpolation β and for <see cref="OptimizerKind.ScheduleFreeAdamW"/> β1, each in (0, 1). Unused by AdamW. Default 0.9.
    /// </summary>
    public double Momentum { get; set; } = 0.9;

    /// <summary>Weight decay (L2 for SGD, decoupled for AdamW; taken at y by the Schedule-Free optimizers). Default 5e-4.</summary>
    public double WeightDecay { get; set; } = 5e-4;

    /// <summary>Examples per optimizer step. Default 128.</summary>
    public int BatchSize { get; set; } = 128;

    /// <summary>Training epochs: the budget. Default 10.</summary>
    public int Epochs { get; set; } = DefaultEpochs;

    /// <summary>The learning-rate schedule. Default Knee with explore fraction 0.5 and peak 0.1.</summary>
    public ScheduleOptions Schedule { get; set; } = new KneeScheduleOptions();

    /// <summary>Measure the Keskar width after training with these options; null skips it. Default null.</summary>
    [JsonObjectCreationHandling(JsonObjectCreationHandling.Populate)]
    public KeskarWidthOptions? Width { get; set; }

    /// <summary>Measure the Hessian's top eigenvalue and trace after training with these options; null skips them. Default null.</summary>
    [JsonObjectCreationHandling(JsonObjectCreationHandling.Populate)]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public HessianOptions? Hessian { get; set; }

    /// <summary>Measure the adaptive sharpness after training with these options; null skips it. Default null.</summary>
    [JsonObjectCreationHandling(JsonObjectCreationHandling.Populate)]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public AdaptiveSharpnessOptions? Adaptive { get; set; }

    /// <summary>Where to train. Default <see cref="DeviceKind.Auto"/>.</summary>
    public DeviceKind Device { get; set; } = DeviceKind.Auto;

    /// <summary>Torch intra-op threads (process-wide); 0 leaves libtorch's default (all cores). Default 0.</summary>
    public int Threads { get; set; }

    /// <summary>Clip the gradient's global L2 norm to this value; null does not clip. Default null.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? GradientClipNorm { get; set; }

    /// <summary>What to do when the loss becomes NaN or infinite. Default <see cref="DivergenceAction.Throw"/>.</summary>
    public DivergenceAction OnDivergence { get; set; } = DivergenceAction.Throw;

    /// <summary>Receives each epoch's metrics as it ends. Default null.</summary>
    [JsonIgnore]
    public IProgress<EpochReport>? Progress { get; set; }

    /// <summary>Examples per forward pass when evaluating the validation set after each epoch. Default 1024.</summary>
    public int EvaluationBatchSize { get; set; } = 1024;

    /// <summary>When to save checkpoints of the whole training state, and where; null saves none.</summary>
    internal CheckpointPlan? Checkpoints { get; set; }

    /// <summary>A checkpoint to resume (or fork) from; null starts from scratch.</summary>
    internal CheckpointSource? ResumeFrom { get; set; }

    /// <summary>
    /// Stop once this many optimizer steps are done (a fork-and-decay trunk); null trains the whole budget. A step
    /// that ends an epoch stops after that epoch's evaluation. The width is not measured for a run stopped early.
    /// </summary>
    internal long? StopAfterStep { get; set; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> (see <see cref="Settings"/>) naming the first invalid setting and its value.</summary>
    public virtual void Validate()
    {
        if (!Enum.IsDefined(Model)) throw Guard.Fail(nameof(Model), Model, "must be Mlp, Cnn, ResNet18 or Custom");
        ArgumentNullException.ThrowIfNull(HiddenSizes, nameof(HiddenSizes));
        for (int i = 0; i < HiddenSizes.Count; i++) Guard.Positive(HiddenSizes[i], $"{nameof(HiddenSizes)}[{i}]");
        if (Model == ModelKind.Custom && ModelFactory is null)
            throw new ArgumentException($"'{nameof(ModelFactory)}' must be set when '{nameof(Model)}' is Custom.", nameof(ModelFactory));
        if (!Enum.IsDefined(Device)) throw Guard.Fail(nameof(Device), Device, "must be Auto, Cpu or Cuda");
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
