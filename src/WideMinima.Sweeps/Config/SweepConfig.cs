using System.Text.Json.Serialization;
using WideMinima.Ledger;
using WideMinima.Reports;
using WideMinima.Schedules;
using WideMinima.Sharpness;
using WideMinima.Training;
using WideMinima.Tuning;

namespace WideMinima.Sweeps.Config;

/// <summary>
/// A sweep definition: what to train, which schedules and explore shares to compare, how many seeds. Read from JSON or
/// YAML with snake_case keys (see docs/sweep-config.md); every field has a default.
/// </summary>
/// <remarks>
/// The training settings are the trainer's own: a sweep config <em>is</em> a <see cref="TrainingOptions"/> (the keys
/// <c>model</c>, <c>hidden_sizes</c>, <c>epochs</c>, <c>batch_size</c>, <c>optimizer</c>, <c>momentum</c>,
/// <c>weight_decay</c>, <c>augmentation</c>, <c>device</c>, <c>threads</c>, <c>width</c>, <c>hessian</c>,
/// <c>adaptive</c>, ...), with their defaults and checks declared there, except where a sweep deliberately differs,
/// said once in <see cref="SweepConfig()"/>: it trains on the CPU (bit-for-bit reproducible runs), measures the Keskar
/// width with the fast protocol (<see cref="KeskarWidthOptions.Fast"/>), and records a diverged run as a result. What
/// only a sweep has (the schedules compared, the seeds, the data, the workers) is declared here.
/// </remarks>
public sealed record SweepConfig : TrainingOptions
{
    /// <summary>A sweep's defaults: the trainer's, except three deliberate differences (see the remarks).</summary>
    public SweepConfig()
    {
        Device = DeviceKind.Cpu;
        Width = KeskarWidthOptions.Fast();
        OnDivergence = DivergenceAction.Stop;
    }

    /// <summary>A label for reports, and the sweep's key in a shared ledger.</summary>
    public string Name { get; init; } = "sweep";

    /// <summary>The data.</summary>
    public DatasetConfig Dataset { get; init; } = new();

    /// <summary>
    /// Peak learning rate: one number shared by every schedule (default <see cref="ScheduleOptions.DefaultPeakLearningRate"/>),
    /// or <c>{calibrate: {...}}</c> to choose each setting's own peak per budget on a validation split (<see cref="PeakCalibration"/>).
    /// </summary>
    public PeakRate PeakLr { get; init; } = ScheduleOptions.DefaultPeakLearningRate;

    /// <summary>
    /// Budgets as shares of <see cref="TrainingOptions.Epochs"/> (each runs <c>round(share · epochs)</c> epochs, at least 1):
    /// every setting runs at every budget. Null (the default, left out of the written config) means <see cref="FullBudget"/>.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<double>? Budgets { get; init; }

    /// <summary>The budgets when <see cref="Budgets"/> is null: the full budget only, <c>[1.0]</c>.</summary>
    public static IReadOnlyList<double> FullBudget { get; } = [1.0];

    /// <summary>The budgets run: <see cref="Budgets"/>, or <see cref="FullBudget"/>.</summary>
    [JsonIgnore]
    public IReadOnlyList<double> BudgetShares => Budgets ?? FullBudget;

    /// <summary>Compute to match: the reference and the margin (<see cref="MatchOptions"/>). Null (default, left out of the written config): its defaults.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public MatchOptions? Match { get; init; }

    /// <summary>Linear warmup as a share of the budget, for every schedule.</summary>
    public double WarmupFraction { get; init; }

    /// <summary>The Knee schedule's explore shares to compare (also used by the explore-step baseline).</summary>
    public IReadOnlyList<double> ExploreFractions { get; init; } = [0, 0.1, 0.25, 0.5, 0.75, 0.9];

    /// <summary>
    /// Baselines: <c>cosine</c>, <c>step</c> (milestones at <see cref="StepMilestones"/>), <c>explore-step</c>
    /// (the paper's Section 3 protocol, once per explore fraction), <c>linear</c>, <c>one-cycle</c>, <c>constant</c>,
    /// <c>schedule-free</c> (no schedule: the Schedule-Free optimizer of <see cref="TrainingOptions.Optimizer"/>'s family).
    /// </summary>
    public IReadOnlyList<ScheduleFamily> Baselines { get; init; } =
        [ScheduleFamily.Cosine, ScheduleFamily.Step, ScheduleFamily.ExploreStep, ScheduleFamily.Linear, ScheduleFamily.OneCycle];

    /// <summary>The classic step baseline's milestones as shares of the budget.</summary>
    public IReadOnlyList<double> StepMilestones { get; init; } = [0.5, 0.75];

    /// <summary>Seeds per setting (default 3), or seeds in rounds, <c>{min, max, target_ci}</c> (<see cref="SeedCount"/>).</summary>
    public SeedCount Seeds { get; init; } = 3;

    /// <summary>The first seed; the others follow it.</summary>
    public int FirstSeed { get; init; } = 1;

    /// <summary>Worker processes sharing the ledger.</summary>
    public int Workers { get; init; } = 2;

    /// <summary>Write TensorBoard scalars per run under <c>tensorboard/</c>.</summary>
    public bool Tensorboard { get; init; }

    /// <summary>
    /// Save each run's whole training state every this many epochs (under <c>--checkpoints</c>), so that a run whose
    /// worker died resumes from its last checkpoint instead of epoch 0; 0 (the default) saves none.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int CheckpointEveryEpochs { get; init; }

    /// <summary>Keep every checkpoint of a run after it finishes (default: only the newest is kept while it runs, and none after).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool KeepCheckpoints { get; init; }

    /// <summary>
    /// Train the Knee shares of a calibrated sweep by fork-and-decay (default true). At one calibration point (budget, peak, seed) every
    /// Knee share follows the same rates up to its knee, so the run of the largest share is the trunk: it also saves a
    /// checkpoint at each smaller share's knee, and those runs are planned once it finished and fork from their knee's
    /// checkpoint, training only their decay. A forked run ends bit-identical to an independent one (the fork refuses a
    /// checkpoint whose rates differ in any bit) and counts only the steps it trained. Needs a checkpoint folder (the
    /// default under <c>--out</c>); without one every run trains on its own with the same numbers (the branches still wait
    /// for their trunk), and when false nothing waits. A
    /// final run of a smaller share forks the same way from the largest share's run of its seed where both chose the
    /// same peak at that budget. Sweeps with a shared peak (no calibration) train every run on its own. Not part of the
    /// definition: it changes the compute, not the results.
    /// </summary>
    public bool ForkAndDecay { get; init; } = true;

    /// <summary>The <c>tune:</c> section, read by <c>tune</c> (ignored by <c>run</c>); absent by default.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TuneConfig? Tune { get; init; }

    /// <summary>
    /// Width metrics to record per run: <c>keskar</c>, <c>hessian_top</c>, <c>hessian_trace</c>, <c>adaptive</c>. Null (the
    /// default, left out of the written config) means <c>[keskar]</c>, or none when <see cref="TrainingOptions.Width"/> is
    /// null. Keskar uses <c>width</c>'s settings, the Hessian metrics <c>hessian</c>'s (the quick
    /// <see cref="HessianOptions.Fast"/> profile when absent), adaptive sharpness <c>adaptive</c>'s (the library's
    /// defaults when absent).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<WidthMetric>? Metrics { get; init; }

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
