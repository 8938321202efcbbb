using WideMinima.Ledger;

namespace WideMinima.Reports;

/// <summary>One schedule setting's results over its seeds.</summary>
public sealed record SettingSummary(string Setting, string Schedule, double? ExploreFraction, int Planned, IReadOnlyList<LedgerRun> Done,
    IReadOnlyList<double> Accuracies, IReadOnlyList<double> Sharpness, int Diverged, int Failed)
{
    /// <summary>Groups runs by setting, in plan order.</summary>
    public static IReadOnlyList<SettingSummary> From(IReadOnlyList<LedgerRun> runs) =>
    [
        .. runs.GroupBy(r => r.Setting).OrderBy(g => g.Min(r => r.Ordinal)).Select(g =>
        {
            var done = g.Where(r => r.Status == RunStatus.Done).ToList();
            return new SettingSummary(g.Key, g.First().Schedule, g.First().ExploreFraction, g.Count(), done,
                [.. done.Where(r => r.TestAccuracy is not null).Select(r => r.TestAccuracy!.Value)],
                [.. done.Where(r => r.Sharpness is not null).Select(r => r.Sharpness!.Value)],
                g.Count(r => r.Status == RunStatus.Diverged), g.Count(r => r.Status == RunStatus.Failed));
        }),
    ];

    /// <summary>The values of <paramref name="metric"/> over the finished runs that recorded it.</summary>
    public IReadOnlyList<double> Metric(WidthMetric metric) =>
        [.. Done.Select(r => RunMetrics.Of(r).Value(metric)).Where(v => v is not null).Select(v => v!.Value)];

    /// <summary>Mean test accuracy.</summary>
    public double MeanAccuracy => Statistics.Mean(Accuracies);

    /// <summary>True for the step-type baselines (classic milestones and the explore-step protocol).</summary>
    public bool IsStep => Schedule is ScheduleNames.Step or ScheduleNames.ExploreStep;
}
