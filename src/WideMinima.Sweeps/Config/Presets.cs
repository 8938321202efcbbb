using WideMinima.Models;
using WideMinima.Sharpness;
using WideMinima.Training;
using WideMinima.Tuning;

namespace WideMinima.Sweeps.Config;

/// <summary>Built-in sweep definitions.</summary>
public static class Presets
{
    /// <summary>A preset's name, what it is for, and its definition.</summary>
    public sealed record Preset(string Name, string Description, SweepConfig Config, string? CannotRunHere = null);

    /// <summary>
    /// <c>quick</c>: the README's command. Real Fashion-MNIST images (the 10k/2k subset shipped with the program),
    /// the 784-512-512-10 MLP, 12 epochs, Knee at 5 explore shares against cosine and step, 4 seeds; about 3 minutes on 2 cores.
    /// </summary>
    public static Preset Quick { get; } = new("quick",
        "Fashion-MNIST subset shipped in the repo (10k train / 2k test), MLP 784-512-512-10, 12 epochs, Knee x5 explore shares vs cosine and step, 4 seeds. About 3 minutes on 2 cores, offline.",
        new SweepConfig
        {
            Name = "quick",
            Dataset = new DatasetConfig { Kind = DatasetKind.FashionMnistSubset },
            Model = ModelKind.Mlp,
            HiddenSizes = [512, 512],
            Epochs = 12,
            BatchSize = 128,
            PeakLr = 0.1,
            ExploreFractions = [0, 0.25, 0.5, 0.75, 0.9],
            Baselines = [ScheduleFamily.Cosine, ScheduleFamily.Step],
            Seeds = 4,
            Workers = 2,
        });

    /// <summary><c>default</c>: the full Fashion-MNIST and the 784-512-512-10 MLP, every baseline, 3 seeds.</summary>
    public static Preset Default { get; } = new("default",
        "Full Fashion-MNIST (60k/10k), MLP 784-512-512-10, 10 epochs, Knee x6 explore shares vs cosine, step, explore-step x6, linear and one-cycle, 3 seeds. About 40 minutes on 2 cores.",
        new SweepConfig
        {
            Name = "default",
            Dataset = new DatasetConfig { Kind = DatasetKind.FashionMnist },
            Model = ModelKind.Mlp,
            HiddenSizes = [512, 512],
            Epochs = 10,
            Seeds = 3,
            Workers = 2,
        });

    /// <summary>
    /// <c>paper</c>: the paper's CIFAR-10 / ResNet-18 protocol (Section 3 and Table 5): 200 epochs, SGD with momentum
    /// 0.9, peak 0.1, weight decay 5e-4, batch 128, crop-and-flip augmentation; Knee with 0, 30, 60 and 100 explore
    /// epochs against cosine, step (x0.1 at epochs 100 and 150), the Section 3 explore-step protocol and linear; the
    /// reference width protocol; 50 seeds per setting. For a machine with a GPU and the data.
    /// </summary>
    public static Preset Paper { get; } = new("paper",
        "The paper's protocol: CIFAR-10, ResNet-18, 200 epochs, SGD momentum 0.9, peak 0.1, wd 5e-4, batch 128, crop+flip, Knee at 0/30/60/100 explore epochs vs cosine, step, explore-step and linear, 50 seeds. Needs the CIFAR-10 binary batches (--dataset-path or WIDEMINIMA_CIFAR10) and a GPU (device auto): thousands of GPU-hours.",
        new SweepConfig
        {
            Name = "paper",
            Dataset = new DatasetConfig { Kind = DatasetKind.Cifar10 },
            Model = ModelKind.ResNet18,
            HiddenSizes = [],
            Epochs = 200,
            BatchSize = 128,
            PeakLr = 0.1,
            Momentum = 0.9,
            WeightDecay = 5e-4,
            ExploreFractions = [0, 0.15, 0.3, 0.5],
            Baselines = [ScheduleFamily.Cosine, ScheduleFamily.Step, ScheduleFamily.ExploreStep, ScheduleFamily.Linear],
            Seeds = 50,
            Workers = 1,
            Device = DeviceKind.Auto,
            Augmentation = Augmentation.CropAndFlip,
            // The reference protocol (SGD ascent, lr 1e-3) on 10,000 examples in batches of 128, every step evaluated, no early stop.
            Width = new KeskarWidthOptions { Method = AscentMethod.Sgd, MaxSteps = 1000, BatchSize = 128, SampleSize = 10_000, EvaluateEvery = 1, Patience = null },
        },
        CannotRunHere: "It cannot run on this project's build machines: they have no GPU, and CIFAR-10 cannot be downloaded there. " +
            "On 2 CPU cores one 200-epoch ResNet-18 run would take weeks.");

    /// <summary>
    /// <c>quick-tune</c>: <c>tune</c> on the shipped subset: the MLP, 12 epochs per full run, every family, peak rate
    /// in [1e-3, 1], budget 72 epochs (six full runs, the final fit included); a few minutes on 2 cores.
    /// </summary>
    public static Preset QuickTune { get; } = new("quick-tune",
        "tune on the Fashion-MNIST subset shipped in the repo (10k/2k), MLP 784-512-512-10, 12 epochs per full run: knee (5 shares by fork-and-decay), cosine, step, one-cycle; peak rate 1e-3..1; ASHA eta 3; budget 72 epochs (6 full runs). A few minutes on 2 cores.",
        new SweepConfig
        {
            Name = "quick-tune",
            Dataset = new DatasetConfig { Kind = DatasetKind.FashionMnistSubset },
            Model = ModelKind.Mlp,
            HiddenSizes = [512, 512],
            Epochs = 12,
            Seeds = 1,
            Workers = 1,
            Threads = 1, // the MLP's 128-example batches gain little from a second thread, and one thread is robust on a shared machine
            Tune = new TuneConfig { BudgetEpochs = 72, BudgetMinutes = 4.5 },
        });

    /// <summary>
    /// <c>default-tune</c>: <c>tune</c> on the full Fashion-MNIST with the MLP and the <c>default</c> grid's 10 epochs,
    /// with a third of that grid's compute: 160 of its 480 epochs, the final fit included.
    /// </summary>
    public static Preset DefaultTune { get; } = new("default-tune",
        "tune on the full Fashion-MNIST (60k/10k), MLP 784-512-512-10, 10 epochs per full run: knee (5 shares by fork-and-decay), cosine, step, one-cycle; peak rate 1e-3..1; ASHA eta 3; budget 160 epochs (1/3 of the 'default' grid's 480), at most 28 minutes.",
        new SweepConfig
        {
            Name = "default-tune",
            Dataset = new DatasetConfig { Kind = DatasetKind.FashionMnist },
            Model = ModelKind.Mlp,
            HiddenSizes = [512, 512],
            Epochs = 10,
            Seeds = 1,
            Workers = 1,
            Threads = 1,
            Tune = new TuneConfig { BudgetEpochs = 160, BudgetMinutes = 28 },
        });

    /// <summary>
    /// <c>fair</c>: the verdict of issue 14. Full Fashion-MNIST, the MLP, every setting at its own calibrated peak per
    /// budget; Knee at 0, 0.25, 0.5, 0.75 and 0.9 against cosine, step, linear, one-cycle and schedule-free; budgets
    /// 0.5, 0.75 and 1 of 7 epochs; seeds in rounds from 3 up to 12 for the compared pair.
    /// </summary>
    /// <remarks>
    /// Its compute stays within 3× the <c>default</c> grid's 480 epochs, 1440 epochs (worst case, tested):
    /// <list type="bullet">
    /// <item>budgets 0.5, 0.75, 1 of 7 epochs train round(3.5) = 4, round(5.25) = 5 and 7 epochs: 16 epochs per setting
    /// over the three budgets; 10 settings (5 Knee shares, 5 baselines): 160 epochs per seed;</item>
    /// <item>calibration, one seed, 5 points on a log grid over [0.01, 1] (0.01, 0.0316, 0.1, 0.316, 1): 3 coarse points,
    /// then at most 2 fine ones, 5 runs per setting and budget: 5 × 160 = 800 epochs;</item>
    /// <item>finals, 3 seeds per setting and budget: 3 × 160 = 480 epochs;</item>
    /// <item>seed rounds, at most 12 − 3 = 9 more seeds for the best Knee setting and the best baseline at the full
    /// 7 epochs: 9 × 2 × 7 = 126 epochs;</item>
    /// <item>total at most 800 + 480 + 126 = 1406 epochs (less when the best coarse point is an end of the grid or the
    /// rounds stop early).</item>
    /// </list>
    /// </remarks>
    public static Preset Fair { get; } = new("fair",
        "The fair verdict: full Fashion-MNIST (60k/10k), MLP 784-512-512-10, every setting at its own peak (calibrated on a 10% validation split over 0.01..1, 5 points, coarse then fine), Knee x5 shares vs cosine, step, linear, one-cycle and schedule-free, budgets 0.5/0.75/1 of 7 epochs, seeds 3..12 in rounds. At most 1406 epochs (3x the default grid's 480 is 1440).",
        new SweepConfig
        {
            Name = "fair",
            Dataset = new DatasetConfig { Kind = DatasetKind.FashionMnist },
            Model = ModelKind.Mlp,
            HiddenSizes = [512, 512],
            Epochs = 7,
            PeakLr = new PeakRate { Calibrate = new PeakCalibration { Min = 0.01, Max = 1.0, Points = 5, ValidationShare = 0.1 } },
            ExploreFractions = [0, 0.25, 0.5, 0.75, 0.9],
            Baselines = [ScheduleFamily.Cosine, ScheduleFamily.Step, ScheduleFamily.Linear, ScheduleFamily.OneCycle, ScheduleFamily.ScheduleFree],
            Budgets = [0.5, 0.75, 1.0],
            Seeds = new SeedCount { Rounds = new WideMinima.Reports.SeedRounds { Min = 3, Max = 12, TargetCi = 0.15 } },
            Workers = 2,
        });

    /// <summary>All presets, by name.</summary>
    public static IReadOnlyList<Preset> All { get; } = [Quick, Default, Paper, QuickTune, DefaultTune, Fair];

    /// <summary>The preset named <paramref name="name"/>, or an error listing the known ones.</summary>
    public static Preset Get(string name) =>
        All.FirstOrDefault(p => p.Name == name)
        ?? throw new SweepConfigException("--preset", name, $"is not a preset ({string.Join(", ", All.Select(p => p.Name))})");
}
