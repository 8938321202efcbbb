using System.Globalization;
using WideMinima.Ledger;
using WideMinima.Reports;
using WideMinima.Models;
using WideMinima.Sharpness;
using WideMinima.Training;
using WideMinima.Tuning;

namespace WideMinima.Sweeps.Config;

/// <summary>Pure checks of a sweep definition; the first problem throws <see cref="SweepConfigException"/>.</summary>
public static class SweepConfigValidator
{
    /// <summary>Throws on the first invalid field.</summary>
    public static void Validate(SweepConfig c)
    {
        ArgumentNullException.ThrowIfNull(c);
        if (string.IsNullOrWhiteSpace(c.Name)) throw new SweepConfigException("name", c.Name, "must not be empty");
        if (c.Model == ModelKind.Custom) throw new SweepConfigException("model", "custom", "is not available to sweeps: a custom network is built by code (ModelFactory); use mlp, cnn or resnet18");
        // The training settings are checked by their own types; their setting names become the config's keys.
        if (c.Width is { } width) SweepConfigJson.Check(typeof(KeskarWidthOptions), "width.", width.Validate);
        if (c.Hessian is { } hessian) SweepConfigJson.Check(typeof(HessianOptions), "hessian.", hessian.Validate);
        if (c.Adaptive is { } adaptive) SweepConfigJson.Check(typeof(AdaptiveSharpnessOptions), "adaptive.", adaptive.Validate);
        SweepConfigJson.Check(typeof(SweepConfig), "", c.Validate);
        ValidatePeak(c.PeakLr);
        Fraction(c.WarmupFraction, "warmup_fraction");
        if (c.WarmupFraction >= 1) throw new SweepConfigException("warmup_fraction", c.WarmupFraction, "must be below 1");

        if (c.ExploreFractions is null) throw new SweepConfigException("explore_fractions", null, "must be a list of fractions");
        for (int i = 0; i < c.ExploreFractions.Count; i++) Fraction(c.ExploreFractions[i], $"explore_fractions[{i}]");
        if (c.ExploreFractions.Distinct().Count() != c.ExploreFractions.Count)
            throw new SweepConfigException("explore_fractions", string.Join(", ", c.ExploreFractions), "must not repeat a value");
        if (c.Baselines is null) throw new SweepConfigException("baselines", null, "must be a list of schedule names");
        for (int i = 0; i < c.Baselines.Count; i++)
        {
            ConfigNames.CheckDefined(c.Baselines[i], $"baselines[{i}]");
            if (c.Baselines[i] == ScheduleFamily.Knee)
                throw new SweepConfigException($"baselines[{i}]", "knee", "is not a baseline: Knee runs once per entry of explore_fractions");
        }
        if (c.Baselines.Distinct().Count() != c.Baselines.Count)
            throw new SweepConfigException("baselines", string.Join(", ", c.Baselines.Select(ConfigNames.Name)), "must not repeat a schedule");
        if (c.ExploreFractions.Count == 0 && c.Baselines.Count == 0)
            throw new SweepConfigException("explore_fractions", "[]", "and baselines are both empty: there is nothing to run");
        if (c.ExploreFractions.Count == 0 && c.Baselines.Contains(ScheduleFamily.ExploreStep))
            throw new SweepConfigException("explore_fractions", "[]", "must not be empty when baselines include 'explore-step'");
        if (c.Baselines.Contains(ScheduleFamily.ScheduleFree))
        {
            // The schedule-free baseline trains with the Schedule-Free optimizer of the sweep's family: its momentum is that optimizer's β.
            var free = ScheduleFamily.ScheduleFree.Optimizer(c.Optimizer);
            SweepConfigJson.Check(typeof(SweepConfig), "", () => (c with { Optimizer = free }).Validate());
        }
        for (int i = 0; i < c.StepMilestones.Count; i++) Fraction(c.StepMilestones[i], $"step_milestones[{i}]");
        for (int i = 1; i < c.StepMilestones.Count; i++)
        {
            if (c.StepMilestones[i] <= c.StepMilestones[i - 1])
                throw new SweepConfigException($"step_milestones[{i}]", c.StepMilestones[i], "must be greater than the milestone before it");
        }

        ValidateSeeds(c.Seeds);
        ValidateBudgets(c);
        ValidateMatch(c);
        if (c.FirstSeed < 0) throw new SweepConfigException("first_seed", c.FirstSeed, "must be >= 0");
        if (c.Augmentation != Augmentation.None && c.Dataset?.Kind == DatasetKind.Text)
            throw new SweepConfigException("augmentation", ConfigNames.Name(c.Augmentation), "needs image data (fashion-mnist, cifar-10 or idx), not text");
        Positive(c.Workers, "workers");
        if (c.Workers > 64) throw new SweepConfigException("workers", c.Workers, "must be at most 64");
        if (c.CheckpointEveryEpochs < 0) throw new SweepConfigException("checkpoint_every_epochs", c.CheckpointEveryEpochs, "must be >= 0 (0: no checkpoints)");

        ValidateDataset(c.Dataset ?? throw new SweepConfigException("dataset", null, "must be an object"));
        ValidateMetrics(c);
    }

    private static void ValidateDataset(DatasetConfig d)
    {
        ConfigNames.CheckDefined(d.Kind, "dataset.kind");
        if (d.Kind == DatasetKind.Idx)
        {
            Required(d.TrainImages, "dataset.train_images");
            Required(d.TrainLabels, "dataset.train_labels");
            Required(d.TestImages, "dataset.test_images");
            Required(d.TestLabels, "dataset.test_labels");
        }
        if (d.Kind == DatasetKind.Text)
        {
            Required(d.TrainFile, "dataset.train_file");
            Required(d.TestFile, "dataset.test_file");
            Required(d.LabelColumn, "dataset.label_column");
            if (string.IsNullOrEmpty(d.Separator) || d.Separator.Length != 1)
                throw new SweepConfigException("dataset.separator", d.Separator, "must be one character");
        }
        if (d.TrainLimit is int t) Positive(t, "dataset.train_limit");
        if (d.TestLimit is int u) Positive(u, "dataset.test_limit");
    }

    private static void ValidatePeak(PeakRate? peak)
    {
        if (peak is null) throw new SweepConfigException("peak_lr", null, "must be a number or { calibrate: { min, max, points, validation_share } }");
        if (peak.Calibrate is not { } k)
        {
            double p = peak.Shared ?? double.NaN;
            if (!double.IsFinite(p) || p <= 0) throw new SweepConfigException("peak_lr", p, "must be a finite number > 0");
            return;
        }
        if (!double.IsFinite(k.Min) || k.Min <= 0) throw new SweepConfigException("peak_lr.calibrate.min", k.Min, "must be a finite number > 0");
        if (!double.IsFinite(k.Max) || k.Max <= 0) throw new SweepConfigException("peak_lr.calibrate.max", k.Max, "must be a finite number > 0");
        if (k.Max <= k.Min)
            throw new SweepConfigException("peak_lr.calibrate.max", k.Max, $"must be greater than peak_lr.calibrate.min ({k.Min.ToString(CultureInfo.InvariantCulture)}): the range is empty or inverted");
        if (k.Points < 3) throw new SweepConfigException("peak_lr.calibrate.points", k.Points, "must be at least 3");
        if (!(k.ValidationShare > 0 && k.ValidationShare <= 0.5))
            throw new SweepConfigException("peak_lr.calibrate.validation_share", k.ValidationShare, "must be in (0, 0.5]");
    }

    private static void ValidateSeeds(SeedCount? seeds)
    {
        if (seeds is null) throw new SweepConfigException("seeds", null, "must be a whole number or { min, max, target_ci }");
        if (seeds.Rounds is not { } r)
        {
            Positive(seeds.Fixed ?? 0, "seeds");
            return;
        }
        if (r.Min < 2) throw new SweepConfigException("seeds.min", r.Min, "must be at least 2 (a confidence interval needs two seeds)");
        if (r.Max < r.Min) throw new SweepConfigException("seeds.max", r.Max, $"must be at least seeds.min ({r.Min.ToString(CultureInfo.InvariantCulture)})");
        if (!(r.TargetCi > 0 && double.IsFinite(r.TargetCi))) throw new SweepConfigException("seeds.target_ci", r.TargetCi, "must be a finite number > 0");
    }

    private static void ValidateBudgets(SweepConfig c)
    {
        if (c.Budgets is not { } budgets) return;
        if (budgets.Count == 0) throw new SweepConfigException("budgets", "[]", "must list at least one share of epochs (default [1.0])");
        var epochs = new Dictionary<int, int>();
        for (int i = 0; i < budgets.Count; i++)
        {
            double b = budgets[i];
            if (!(b > 0 && b <= 1)) throw new SweepConfigException($"budgets[{i}]", b, "must be a share of epochs in (0, 1]");
            int e = BudgetEpochs(b, c.Epochs);
            if (epochs.TryGetValue(e, out int j))
                throw new SweepConfigException($"budgets[{i}]", b, budgets[j] == b ? "repeats an earlier budget"
                    : $"gives {e.ToString(CultureInfo.InvariantCulture)} epochs of {c.Epochs.ToString(CultureInfo.InvariantCulture)}, as budgets[{j.ToString(CultureInfo.InvariantCulture)}] ({budgets[j].ToString(CultureInfo.InvariantCulture)}) does");
            epochs[e] = i;
        }
    }

    /// <summary>The epochs a budget share trains: <c>round(share · epochs)</c> (halves away from zero), at least 1.</summary>
    public static int BudgetEpochs(double share, int epochs) => WideMinima.Reports.Budgets.Epochs(share, epochs);

    private static void ValidateMatch(SweepConfig c)
    {
        if (c.Match is not { } m) return;
        if (!(m.Margin >= 0 && double.IsFinite(m.Margin))) throw new SweepConfigException("match.margin", m.Margin, "must be a finite number >= 0");
        if (string.IsNullOrWhiteSpace(m.Reference)) throw new SweepConfigException("match.reference", m.Reference, $"must be '{MatchOptions.BestBaseline}' or a baseline the sweep runs");
        if (m.Reference == MatchOptions.BestBaseline) return;
        var runs = c.Baselines?.Select(b => b.Name()).ToList() ?? [];
        if (!runs.Contains(m.Reference))
            throw new SweepConfigException("match.reference", m.Reference,
                $"must be '{MatchOptions.BestBaseline}' or a baseline the sweep runs ({(runs.Count == 0 ? "it runs none" : string.Join(", ", runs))})");
        if (c.Baselines!.First(b => b.Name() == m.Reference).HasExploreShare())
            throw new SweepConfigException("match.reference", m.Reference, "runs once per explore share: name a baseline with one setting");
    }

    private static void ValidateMetrics(SweepConfig c)
    {
        if (c.Metrics is { } metrics)
        {
            for (int i = 0; i < metrics.Count; i++)
            {
                ConfigNames.CheckDefined(metrics[i], $"metrics[{i}]");
            }
            if (metrics.Distinct().Count() != metrics.Count)
                throw new SweepConfigException("metrics", string.Join(", ", metrics.Select(m => m.Name())), "must not repeat a metric");
        }
    }

    private static void Positive(int value, string field)
    {
        if (value <= 0) throw new SweepConfigException(field, value, "must be greater than 0");
    }

    private static void Fraction(double value, string field)
    {
        if (!double.IsFinite(value) || value < 0 || value > 1) throw new SweepConfigException(field, value, "must be a fraction in [0, 1]");
    }

    private static void Required(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value)) throw new SweepConfigException(field, value, "is required");
    }
}
