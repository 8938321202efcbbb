using System.Text.Json.Serialization;
using WideMinima.Sharpness;
using WideMinima.Training;
using WideMinima.Ledger;

namespace WideMinima.Sweeps.Config;

/// <summary>
/// A sweep definition: what to train, which schedules and explore shares to compare, how many seeds.
/// Read from JSON with snake_case keys (see docs/sweep-config.md); every field has a default. The training
/// defaults are the trainer's (<see cref="TrainingDefaults"/>), the width defaults the fast protocol's
/// (<see cref="KeskarWidthOptions.Fast"/>).
/// </summary>
public sealed record SweepConfig
{
    /// <summary>A label for reports.</summary>
    public string Name { get; init; } = "sweep";

    /// <summary>The data.</summary>
    public DatasetConfig Dataset { get; init; } = new();

    /// <summary>The network.</summary>
    public ModelConfig Model { get; init; } = new();

    /// <summary>The budget in epochs, the same for every schedule.</summary>
    public int Epochs { get; init; } = TrainingDefaults.Epochs;

    /// <summary>Examples per step.</summary>
    public int BatchSize { get; init; } = TrainingDefaults.BatchSize;

    /// <summary>Peak learning rate, shared by every schedule.</summary>
    public double PeakLr { get; init; } = TrainingDefaults.PeakLearningRate;

    /// <summary><c>sgd</c> (Nesterov momentum) or <c>adamw</c>.</summary>
    public SweepOptimizer Optimizer { get; init; } = SweepOptimizer.Sgd;

    /// <summary>SGD momentum.</summary>
    public double Momentum { get; init; } = TrainingDefaults.Momentum;

    /// <summary>Weight decay.</summary>
    public double WeightDecay { get; init; } = TrainingDefaults.WeightDecay;

    /// <summary>Linear warmup as a share of the budget, for every schedule.</summary>
    public double WarmupFraction { get; init; }

    /// <summary>The Knee schedule's explore shares to compare (also used by the explore-step baseline).</summary>
    public IReadOnlyList<double> ExploreFractions { get; init; } = [0, 0.1, 0.25, 0.5, 0.75, 0.9];

    /// <summary>
    /// Baselines: <c>cosine</c>, <c>step</c> (milestones at <see cref="StepMilestones"/>), <c>explore-step</c>
    /// (the paper's Section 3 protocol, once per explore fraction), <c>linear</c>, <c>one-cycle</c>, <c>constant</c>.
    /// </summary>
    public IReadOnlyList<SweepSchedule> Baselines { get; init; } =
        [SweepSchedule.Cosine, SweepSchedule.Step, SweepSchedule.ExploreStep, SweepSchedule.Linear, SweepSchedule.OneCycle];

    /// <summary>The classic step baseline's milestones as shares of the budget.</summary>
    public IReadOnlyList<double> StepMilestones { get; init; } = [0.5, 0.75];

    /// <summary>Seeds per setting.</summary>
    public int Seeds { get; init; } = 3;

    /// <summary>The first seed; the others follow it.</summary>
    public int FirstSeed { get; init; } = 1;

    /// <summary>Width measurement; null turns it off.</summary>
    public WidthConfig? Width { get; init; } = new();

    /// <summary>Worker processes sharing the ledger.</summary>
    public int Workers { get; init; } = 2;

    /// <summary>Torch threads per run; 0 divides the cores between the workers. Fixed in the ledger so resumed runs compute the same.</summary>
    public int ThreadsPerRun { get; init; }

    /// <summary>
    /// <c>cpu</c> (default: bit-for-bit reproducible runs), <c>cuda</c> or <c>auto</c>. Unlike the trainer's
    /// default (<see cref="TrainingDefaults.Device"/>, auto), a sweep trains on the CPU unless told otherwise.
    /// </summary>
    public SweepDevice Device { get; init; } = SweepDevice.Cpu;

    /// <summary>Random crop and horizontal flip of image-shaped training data (the paper's CIFAR-10 augmentation).</summary>
    public bool Augment { get; init; }

    /// <summary>Write TensorBoard scalars per run under <c>tensorboard/</c>.</summary>
    public bool Tensorboard { get; init; }

    /// <summary>
    /// Save each run's whole training state every this many epochs (under <c>--checkpoints</c>), so that a run whose
    /// worker died resumes from its last checkpoint instead of epoch 0; 0 (the default) saves none.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public int CheckpointEveryEpochs { get; init; }

    /// <summary>Keep every checkpoint of a run after it finishes (default: only the newest is kept while it runs, and none after).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool KeepCheckpoints { get; init; }

    /// <summary>The <c>tune:</c> section, read by <c>tune</c> (ignored by <c>run</c>); absent by default.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public TuneConfig? Tune { get; init; }

    /// <summary>
    /// Width metrics to record per run: <c>keskar</c>, <c>hessian_top</c>, <c>hessian_trace</c>, <c>adaptive</c>. Null (the
    /// default, left out of the written config so that older ledgers still match) means <c>[keskar]</c>, or none when
    /// <see cref="Width"/> is null. Keskar uses <see cref="Width"/>'s settings (its defaults when null).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<WidthMetric>? Metrics { get; init; }

    /// <summary>Settings of the Hessian metrics; null uses the defaults.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public HessianConfig? Hessian { get; init; }

    /// <summary>Settings of the adaptive metric; null uses the defaults.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public AdaptiveConfig? Adaptive { get; init; }

    /// <summary>Keep each finished run's model under <c>models/RUN_ID.zip</c>, for <c>landscape</c>. Null (default): no.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? SaveModels { get; init; }
}

/// <summary>Where the data comes from.</summary>
public sealed record DatasetConfig
{
    /// <summary>
    /// <c>fashion-mnist</c> (found as <c>FashionMnist.Load</c> finds it), <c>fashion-mnist-subset</c> (10k/2k shipped
    /// with the program), <c>cifar-10</c> (the binary batches, in <see cref="Path"/> or <c>WIDEMINIMA_CIFAR10</c>),
    /// <c>idx</c> (four IDX files) or <c>text</c> (delimited files with a label column).
    /// </summary>
    public DatasetKind Kind { get; init; } = DatasetKind.FashionMnist;

    /// <summary>A folder: Fashion-MNIST's location, or the folder relative paths below are resolved against.</summary>
    public string? Path { get; init; }

    /// <summary>IDX training images (kind <c>idx</c>).</summary>
    public string? TrainImages { get; init; }

    /// <summary>IDX training labels (kind <c>idx</c>).</summary>
    public string? TrainLabels { get; init; }

    /// <summary>IDX test images (kind <c>idx</c>).</summary>
    public string? TestImages { get; init; }

    /// <summary>IDX test labels (kind <c>idx</c>).</summary>
    public string? TestLabels { get; init; }

    /// <summary>Training file (kind <c>text</c>).</summary>
    public string? TrainFile { get; init; }

    /// <summary>Test file (kind <c>text</c>).</summary>
    public string? TestFile { get; init; }

    /// <summary>The label column's name in the header (kind <c>text</c>); every other column is a numeric feature.</summary>
    public string LabelColumn { get; init; } = "label";

    /// <summary>Column separator (kind <c>text</c>).</summary>
    public string Separator { get; init; } = ",";

    /// <summary>Use only the first N training examples.</summary>
    public int? TrainLimit { get; init; }

    /// <summary>Use only the first N test examples.</summary>
    public int? TestLimit { get; init; }
}

/// <summary>The network.</summary>
public sealed record ModelConfig
{
    /// <summary><c>mlp</c>, <c>cnn</c> or <c>resnet18</c> (the last two need image-shaped data).</summary>
    public SweepModel Kind { get; init; } = SweepModel.Mlp;

    /// <summary>MLP hidden widths.</summary>
    public IReadOnlyList<int> Hidden { get; init; } = TrainingDefaults.HiddenSizes;
}

/// <summary>
/// Keskar width measurement. Every default is the fast protocol's (<see cref="KeskarWidthOptions.Fast"/>);
/// <c>method: sgd</c> starts from the reference protocol instead (<c>new KeskarWidthOptions()</c>) and takes the
/// fields given here.
/// </summary>
public sealed record WidthConfig
{
    private static readonly KeskarWidthOptions FastProtocol = KeskarWidthOptions.Fast();

    /// <summary><c>sign</c> (the fast protocol) or <c>sgd</c> (the reference protocol).</summary>
    public WidthMethod Method { get; init; } = WidthMethod.Sign;

    /// <summary>Box size ε.</summary>
    public double Epsilon { get; init; } = FastProtocol.Epsilon;

    /// <summary>Ascent steps at most.</summary>
    public int MaxSteps { get; init; } = FastProtocol.MaxSteps;

    /// <summary>SGD ascent step (method <c>sgd</c> only).</summary>
    public double LearningRate { get; init; } = FastProtocol.LearningRate;

    /// <summary>Training examples in the loss sample.</summary>
    public int SampleSize { get; init; } = FastProtocol.SampleSize ?? throw new InvalidOperationException("The fast width protocol must fix its sample size.");

    /// <summary>Examples per ascent step.</summary>
    public int BatchSize { get; init; } = FastProtocol.BatchSize;

    /// <summary>Stop after this many evaluations without improvement; 0 never stops early.</summary>
    public int Patience { get; init; } = FastProtocol.Patience ?? 0;
}
