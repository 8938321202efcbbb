using WideMinima.Ledger;

namespace WideMinima.Reports;

/// <summary>One schedule setting's final results over its seeds, at one budget (<see cref="Budget"/>).</summary>
public sealed record SettingSummary(string Setting, string Schedule, double? ExploreFraction, int Planned, IReadOnlyList<LedgerRun> Done,
    IReadOnlyList<double> Accuracies, IReadOnlyList<double> Sharpness, int Diverged, int Failed)
{
    /// <summary>
    /// Groups the final-phase runs by setting and budget, in plan order; calibration runs are left out (they are
    /// scored on the validation split and only choose each setting's peak rate).
    /// </summary>
    public static IReadOnlyList<SettingSummary> From(IReadOnlyList<LedgerRun> runs) =>
    [
        .. Final(runs).GroupBy(r => (r.Setting, r.Budget)).OrderBy(g => g.Min(r => r.Ordinal)).Select(g =>
        {
            var done = g.Where(r => r.Status == RunStatus.Done).ToList();
            return new SettingSummary(g.Key.Setting, g.First().Schedule, g.First().ExploreFraction, g.Count(), done,
                [.. done.Where(r => r.TestAccuracy is not null).Select(r => r.TestAccuracy!.Value)],
                [.. done.Where(r => r.Sharpness is not null).Select(r => r.Sharpness!.Value)],
                g.Count(r => r.Status == RunStatus.Diverged), g.Count(r => r.Status == RunStatus.Failed)) { Budget = g.Key.Budget, Runs = [.. g] };
        }),
    ];

    /// <summary>The final-phase runs of <paramref name="runs"/>, in their order.</summary>
    public static IReadOnlyList<LedgerRun> Final(IReadOnlyList<LedgerRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        return [.. runs.Where(r => r.Phase == RunPhase.Final)];
    }

    /// <summary>
    /// The budget the existing comparisons are made at: the full budget 1 when some setting has it, else the largest
    /// budget run (NaN without settings).
    /// </summary>
    public static double FullBudget(IReadOnlyList<SettingSummary> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Count == 0) return double.NaN;
        return settings.Any(s => s.Budget == 1) ? 1 : settings.Max(s => s.Budget);
    }

    /// <summary>Every final run of the setting at this budget, whatever its status (empty when built by hand: then <see cref="Done"/> stands for it).</summary>
    public IReadOnlyList<LedgerRun> Runs { get; init; } = [];

    /// <summary>The budget as a share of the sweep's epochs (1: the full budget).</summary>
    public double Budget { get; init; } = 1;

    /// <summary>The name reports show: the setting, with <c>@ budget</c> appended below the full budget (<c>knee-e0.5 @ 0.5</c>).</summary>
    public string Label => LabelOf(Setting, Budget);

    /// <summary>The label of <paramref name="setting"/> at <paramref name="budget"/>, as <see cref="Label"/> (for anything keyed by setting and budget).</summary>
    public static string LabelOf(string setting, double budget) =>
        budget == 1 ? setting : $"{setting} @ {budget.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>The values of <paramref name="metric"/> over the finished runs that recorded it.</summary>
    public IReadOnlyList<double> Metric(WidthMetric metric) =>
        [.. Done.Select(r => RunMetrics.Of(r).Value(metric)).Where(v => v is not null).Select(v => v!.Value)];

    /// <summary>Mean test accuracy.</summary>
    public double MeanAccuracy => Statistics.Mean(Accuracies);

    /// <summary>True for the step-type baselines (classic milestones and the explore-step protocol).</summary>
    public bool IsStep => Schedule is ScheduleNames.Step or ScheduleNames.ExploreStep;
}
