using WideMinima.Ledger;

namespace WideMinima.Reports;

/// <summary>How the width metrics relate to test accuracy and to each other: pure functions over the ledger's runs.</summary>
public static class MetricComparison
{
    /// <summary>The metrics that at least one finished run recorded, in <see cref="WidthMetric"/> order.</summary>
    public static IReadOnlyList<WidthMetric> Recorded(IReadOnlyList<LedgerRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var values = runs.Where(r => r.Status == RunStatus.Done).Select(RunMetrics.Of).ToList();
        return [.. Enum.GetValues<WidthMetric>().Where(m => values.Any(v => v.Value(m) is not null))];
    }

    /// <summary>Spearman's correlation of <paramref name="metric"/> with test accuracy over the finished runs that have both, and their number.</summary>
    public static (double Rho, int Runs) CorrelationWithAccuracy(IReadOnlyList<LedgerRun> runs, WidthMetric metric)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var pairs = runs.Where(r => r.Status == RunStatus.Done && r.TestAccuracy is not null)
            .Select(r => (Metric: RunMetrics.Of(r).Value(metric), Accuracy: r.TestAccuracy!.Value))
            .Where(p => p.Metric is double v && double.IsFinite(v)).ToList();
        return (Statistics.Spearman([.. pairs.Select(p => p.Metric!.Value)], [.. pairs.Select(p => p.Accuracy)]), pairs.Count);
    }

    /// <summary>The Knee explore shares ordered from the flattest (lowest mean metric) to the sharpest.</summary>
    public static IReadOnlyList<double> ExploreOrder(IReadOnlyList<SettingSummary> settings, WidthMetric metric)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return [.. settings.Where(s => s.Schedule == ScheduleNames.Knee && s.ExploreFraction is not null && s.Metric(metric).Count > 0)
            .OrderBy(s => Statistics.Mean(s.Metric(metric))).ThenBy(s => s.ExploreFraction)
            .Select(s => s.ExploreFraction!.Value)];
    }

    /// <summary>Spearman's correlation between two metrics' Knee setting means, over the explore shares both have.</summary>
    public static double Agreement(IReadOnlyList<SettingSummary> settings, WidthMetric a, WidthMetric b)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var knees = settings.Where(s => s.Schedule == ScheduleNames.Knee && s.Metric(a).Count > 0 && s.Metric(b).Count > 0).ToList();
        return Statistics.Spearman([.. knees.Select(s => Statistics.Mean(s.Metric(a)))], [.. knees.Select(s => Statistics.Mean(s.Metric(b)))]);
    }
}
