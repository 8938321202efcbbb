using System.ComponentModel;
using System.Globalization;
using Spectre.Console.Cli;
using WideMinima.Sweeps.Config;
using WideMinima.Sweeps.Execution;
using WideMinima.Tuning;

namespace WideMinima.Sweeps.Commands;

/// <summary>Options of <c>tune</c>: those of <c>run</c> (data, model, epochs, ...) plus the <c>tune:</c> section's fields.</summary>
internal sealed class TuneSettings : RunSettings
{
    [CommandOption("--budget-epochs <N>")] [Description("Compute cap in epochs of the whole training set, final fits included.")] public double? BudgetEpochs { get; init; }
    [CommandOption("--budget-minutes <M>")] [Description("Wall-time cap of the search in minutes.")] public double? BudgetMinutes { get; init; }
    [CommandOption("--families <LIST>")] [Description("Schedule families: knee,cosine,step,one-cycle.")] public string? Families { get; init; }
    [CommandOption("--peak-lr-min <LR>")] [Description("Lower bound of the peak learning rate (log-uniform).")] public double? PeakLrMin { get; init; }
    [CommandOption("--peak-lr-max <LR>")] [Description("Upper bound of the peak learning rate.")] public double? PeakLrMax { get; init; }
    [CommandOption("--explore-shares <LIST>")] [Description("Knee's explore shares, e.g. 0,0.25,0.5,0.75,0.9.")] public string? ExploreShares { get; init; }
    [CommandOption("--grace-period <N>")] [Description("The smallest rung in epochs.")] public int? GracePeriod { get; init; }
    [CommandOption("--reduction-factor <N>")] [Description("Successive halving's eta (at least 2).")] public int? ReductionFactor { get; init; }
    [CommandOption("--validation-share <F>")] [Description("Share of the training data held out for validation, in (0, 0.5]].")] public double? ValidationShare { get; init; }
    [CommandOption("--tune-seed <N>")] [Description("Seeds the tuner and the validation split.")] public int? TuneSeed { get; init; }
    [CommandOption("--top <N>")] [Description("With --seeds > 1: how many top settings get every seed's final fit.")] public int? Top { get; init; }
    [CommandOption("--parallel-jobs <N>")] [Description("Jobs in flight at once on the workers (default: --workers); required with --workers 0.")] public int? ParallelJobs { get; init; }
    [CommandOption("--no-fork")] [Description("Train Knee's shares independently instead of by fork-and-decay.")] public bool NoFork { get; init; }

    protected override bool ForTune => true;

    /// <summary>The config with the tuning flags applied.</summary>
    public SweepConfig ResolveTune()
    {
        var c = Resolve();
        var t = c.Tune ?? new TuneConfig();
        return c with
        {
            Tune = t with
            {
                BudgetEpochs = BudgetEpochs ?? t.BudgetEpochs,
                BudgetMinutes = BudgetMinutes ?? t.BudgetMinutes,
                Families = Families is null ? t.Families : ParseFamilies(Families),
                PeakLearningRate = new ValueRange(PeakLrMin ?? t.PeakLearningRate.Min, PeakLrMax ?? t.PeakLearningRate.Max),
                ExploreShares = ExploreShares is null ? t.ExploreShares : Numbers("--explore-shares", ExploreShares),
                GracePeriod = GracePeriod ?? t.GracePeriod,
                ReductionFactor = ReductionFactor ?? t.ReductionFactor,
                ValidationShare = ValidationShare ?? t.ValidationShare,
                Seed = TuneSeed ?? t.Seed,
                Top = Top ?? t.Top,
                ForkAndDecay = !NoFork && t.ForkAndDecay,
                ParallelJobs = ParallelJobs ?? t.ParallelJobs,
            },
        };
    }

    private static ScheduleFamily[] ParseFamilies(string text) =>
        [.. text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select((n, i) => ConfigNames.Parse<ScheduleFamily>($"--families[{i}]", n))];
}

/// <summary>Checks a tuning config before anything trains; every error names the field (<c>tune.*</c>) and the value.</summary>
internal static class TuneConfigValidator
{
    public static void Validate(SweepConfig config)
    {
        var t = config.Tune ?? throw new SweepConfigException("tune", null, "must be present: the config needs a 'tune:' section with a budget");
        if (t.GracePeriod < 1 || t.GracePeriod > config.Epochs)
            throw new SweepConfigException("tune.grace_period", t.GracePeriod, $"must be between 1 and epochs ({config.Epochs})");
        if (t.Top < 1) throw new SweepConfigException("tune.top", t.Top, "must be at least 1");
        if (t.ParallelJobs is int p && p < 1) throw new SweepConfigException("tune.parallel_jobs", p, "must be at least 1");
        // The search's own checks (the space, the rungs, the validation share, a budget that fits a trial and the final fits).
        SweepConfigJson.Check(typeof(TuneConfig), "tune.", TuneJobs.TunerOptions(config, threads: 1, scratchDirectory: null).Validate);
    }

    /// <summary>Final fits on the whole training set: one, or the top settings times the seeds.</summary>
    public static int FinalFits(SweepConfig config) => Execution.TuneJobs.FinalFits(config);
}
