using System.Globalization;
using WideMinima.Ledger;

namespace WideMinima.Reports;

/// <summary>
/// The numbers of a sweep's summary, computed once from its runs: what summary.md and the dashboard both show
/// (<see cref="Blocks"/> formats them; <see cref="SummaryWriter"/> writes those blocks as markdown). Accuracies are in
/// percent; NaN where a value cannot be computed (no runs, fewer than two seeds).
/// </summary>
/// <param name="Name">The sweep's name.</param>
/// <param name="Finished">Runs that ended (done, failed or diverged).</param>
/// <param name="Total">Every run.</param>
/// <param name="Settings">One row per setting, in plan order.</param>
/// <param name="Best">The setting with the highest mean test accuracy, or null before any.</param>
/// <param name="Knee">Knee against the best baselines, or null without Knee results or baseline results.</param>
/// <param name="Metrics">The width metrics side by side, or null when no run recorded one.</param>
public sealed record SweepSummary(string Name, int Finished, int Total, IReadOnlyList<SettingStats> Settings, BestSetting? Best,
    KneeVersusBaselines? Knee, WidthMetricsSummary? Metrics)
{
    /// <summary>
    /// Computes the summary of <paramref name="runs"/> (all of a sweep's runs; their results only matter for the width
    /// metrics beyond Keskar). The settings' rows, the best setting, the comparisons and the width metrics use the
    /// final-phase runs only, one row per setting and budget; the comparisons are made at the full budget.
    /// </summary>
    /// <param name="name">The sweep's name.</param>
    /// <param name="runs">Every run of the sweep.</param>
    /// <param name="match">Compute to match's reference and margin; null: <c>new MatchOptions()</c>.</param>
    /// <param name="seeds">The seeds rounds, or null for a plain seed count (no seeds section).</param>
    /// <param name="epochs">Epochs of a full-budget run, or null: compute is then counted in full-budget runs.</param>
    public static SweepSummary From(string name, IReadOnlyList<LedgerRun> runs, MatchOptions? match = null, SeedRounds? seeds = null, int? epochs = null)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var settings = SettingSummary.From(runs);
        double fullBudget = SettingSummary.FullBudget(settings);
        var primary = settings.Where(s => s.Budget == fullBudget).ToList();
        var rows = settings.Select(s =>
        {
            var acc = s.Accuracies.Select(a => a * 100).ToList();
            return new SettingStats(s.Label, s.Schedule, s.ExploreFraction, s.Done.Count, s.Planned,
                Statistics.Mean(acc), Statistics.StandardDeviation(acc), Statistics.ConfidenceHalfWidth(acc),
                Statistics.Mean(s.Sharpness), Statistics.StandardDeviation(s.Sharpness),
                Statistics.Mean([.. s.Done.Select(r => r.TrainSeconds ?? double.NaN)]),
                Statistics.Mean([.. s.Done.Select(r => r.WidthSeconds ?? double.NaN)]), s.Diverged, s.Failed);
        }).ToList();

        var ranked = primary.Where(s => s.Accuracies.Count > 0).OrderByDescending(s => s.MeanAccuracy).ToList();
        var best = ranked.Count > 0 ? new BestSetting(ranked[0].Label, Statistics.Mean([.. ranked[0].Accuracies.Select(a => a * 100)]), ranked[0].Accuracies.Count) : null;

        var cosine = primary.Where(s => s.Schedule == ScheduleNames.Cosine && s.Accuracies.Count > 0).OrderByDescending(s => s.MeanAccuracy).FirstOrDefault();
        var step = primary.Where(s => s.IsStep && s.Accuracies.Count > 0).OrderByDescending(s => s.MeanAccuracy).FirstOrDefault();
        var knees = primary.Where(s => s.Schedule == ScheduleNames.Knee && s.Accuracies.Count > 0).ToList();
        var knee = knees.Count > 0 && (cosine is not null || step is not null)
            ? new KneeVersusBaselines(cosine?.Setting, step?.Setting, [.. knees.Select(k => new KneeDifference(k.Setting, Versus(k, cosine), Versus(k, step)))])
            : null;

        int finished = runs.Count(r => r.Status.IsFinished());
        return new SweepSummary(name, finished, runs.Count, rows, best, knee, MetricsOf(SettingSummary.Final(runs), settings, primary))
        {
            Verdict = VerdictSummary.From(runs, settings, match ?? new MatchOptions(), seeds, epochs),
        };
    }

    /// <summary>The verdict's sections (calibration, compute to match, detectable differences, seeds, compute), or null.</summary>
    public VerdictSummary? Verdict { get; init; }

    /// <summary>The summary as report blocks: the title, the settings table (id <c>summary</c>), the best setting, Knee against the baselines, the width metrics, then the verdict's sections where they apply.</summary>
    public IReadOnlyList<ReportBlock> Blocks()
    {
        var blocks = new List<ReportBlock>
        {
            new HeadingBlock(1, string.Create(CultureInfo.InvariantCulture, $"Sweep '{Name}': {Finished} of {Total} runs finished")),
            new ParagraphBlock("Accuracy is test accuracy (%). Sharpness is Keskar ε-sharpness: lower means a wider minimum. ± is the sample standard deviation over seeds; CI is the 95% confidence interval of the mean (Student t)."),
            new TableBlock(
                ["setting", "n", "accuracy mean ± std", "accuracy 95% CI", "sharpness mean ± std", "train s", "width s", "diverged", "failed"],
                [ColumnAlign.Left, .. Enumerable.Repeat(ColumnAlign.Right, 8)],
                [.. Settings.Select(s => (IReadOnlyList<string>)
                [
                    s.Setting, string.Create(CultureInfo.InvariantCulture, $"{s.Done}/{s.Planned}"),
                    NumberFormat.MeanStd(s.AccuracyMean, s.AccuracyStd),
                    double.IsNaN(s.AccuracyCiHalfWidth) ? "n/a" : $"[{G(s.AccuracyCiLow)}, {G(s.AccuracyCiHigh)}]",
                    NumberFormat.MeanStd(s.SharpnessMean, s.SharpnessStd), G(s.TrainSeconds), G(s.WidthSeconds),
                    s.Diverged.ToString(CultureInfo.InvariantCulture), s.Failed.ToString(CultureInfo.InvariantCulture),
                ])]) { Id = "summary" },
        };
        if (Best is { } best)
            blocks.Add(new ParagraphBlock(string.Create(CultureInfo.InvariantCulture, $"**Best setting:** {best.Setting}, {G(best.MeanAccuracy)}% mean test accuracy over {best.Seeds} seeds.")));
        if (Knee is { } knee)
        {
            blocks.Add(new HeadingBlock(2, "Knee against the best baselines"));
            blocks.Add(new ParagraphBlock("Difference of mean test accuracy in percentage points, with the 95% CI of the difference (Welch). An interval that excludes 0 is a difference the seeds support."));
            blocks.Add(new TableBlock(["Knee setting", $"vs cosine ({knee.Cosine ?? "none"})", $"vs best step ({knee.Step ?? "none"})"],
                [ColumnAlign.Left, ColumnAlign.Right, ColumnAlign.Right],
                [.. knee.Rows.Select(r => (IReadOnlyList<string>)[r.Setting, Versus(r.VersusCosine), Versus(r.VersusStep)])]) { Id = "knee" });
        }
        if (Metrics is { } m) MetricBlocks(blocks, m);
        if (Verdict is { } v) blocks.AddRange(v.Blocks());
        return blocks;
    }

    private static void MetricBlocks(List<ReportBlock> blocks, WidthMetricsSummary m)
    {
        blocks.Add(new HeadingBlock(2, "Width metrics"));
        blocks.Add(new ParagraphBlock("Mean ± std over seeds; for every metric lower means flatter. keskar: ε-sharpness; hessian_top and hessian_trace: the loss Hessian's top eigenvalue and trace; adaptive: adaptive sharpness (worst loss rise in the |δ| ≤ ρ|w| ball)."));
        blocks.Add(new TableBlock(["setting", "accuracy", .. m.Metrics.Select(WidthMetrics.Name)],
            [ColumnAlign.Left, ColumnAlign.Right, .. m.Metrics.Select(_ => ColumnAlign.Right)],
            [.. m.Settings.Select(s => (IReadOnlyList<string>)[s.Setting, G(s.AccuracyMean), .. s.Values.Select(v => NumberFormat.MeanStd(v.Mean, v.Std))])]) { Id = "metrics" });
        blocks.Add(new ParagraphBlock("Spearman correlation of each metric with test accuracy over the finished runs (negative: flatter runs generalise better), and the Knee explore shares ordered from flattest to sharpest by the metric's mean:"));
        blocks.Add(new TableBlock(["metric", "Spearman ρ with accuracy", "runs", "explore shares, flattest first"],
            [ColumnAlign.Left, ColumnAlign.Right, ColumnAlign.Right, ColumnAlign.Left],
            [.. m.Correlations.Select(c => (IReadOnlyList<string>)[WidthMetrics.Name(c.Metric), G(c.Rho), c.Runs.ToString(CultureInfo.InvariantCulture),
                string.Join(" < ", c.ExploreOrder.Select(e => e.ToString("0.##", CultureInfo.InvariantCulture)))])]) { Id = "metric-correlations" });
        if (m.SameOrder is true)
            blocks.Add(new ParagraphBlock("**All metrics order the Knee explore shares the same way.**"));
        else if (m.SameOrder is false)
        {
            blocks.Add(new ParagraphBlock("**The metrics do not order the Knee explore shares the same way.** Spearman correlation between the metrics' Knee setting means:"));
            blocks.Add(new TableBlock(["", .. m.Metrics.Select(WidthMetrics.Name)], [ColumnAlign.Left, .. m.Metrics.Select(_ => ColumnAlign.Right)],
                [.. m.Metrics.Select((a, i) => (IReadOnlyList<string>)[WidthMetrics.Name(a), .. m.Agreement![i].Select(G)])]) { Id = "metric-agreement" });
        }
    }

    private static WidthMetricsSummary? MetricsOf(IReadOnlyList<LedgerRun> runs, IReadOnlyList<SettingSummary> settings, IReadOnlyList<SettingSummary> primary)
    {
        var metrics = MetricComparison.Recorded(runs);
        if (metrics.Count == 0) return null;
        var rows = settings.Select(s => new MetricSettingRow(s.Label, Statistics.Mean([.. s.Accuracies.Select(a => a * 100)]),
            [.. metrics.Select(m => new MeanStd(Statistics.Mean(s.Metric(m)), Statistics.StandardDeviation(s.Metric(m))))])).ToList();
        var correlations = metrics.Select(m =>
        {
            var (rho, n) = MetricComparison.CorrelationWithAccuracy(runs, m);
            return new MetricCorrelation(m, rho, n, MetricComparison.ExploreOrder(primary, m));
        }).ToList();
        bool? same = null;
        IReadOnlyList<IReadOnlyList<double>>? agreement = null;
        if (metrics.Count > 1)
        {
            same = metrics.Select(m => string.Join(",", MetricComparison.ExploreOrder(primary, m))).Distinct().Count() == 1;
            if (same == false) agreement = [.. metrics.Select(a => (IReadOnlyList<double>)[.. metrics.Select(b => MetricComparison.Agreement(primary, a, b))])];
        }
        return new WidthMetricsSummary(metrics, rows, correlations, same, agreement);
    }

    private static MeanDifference? Versus(SettingSummary knee, SettingSummary? baseline)
    {
        if (baseline is null) return null;
        var (d, h) = Statistics.Difference([.. knee.Accuracies.Select(a => a * 100)], [.. baseline.Accuracies.Select(a => a * 100)]);
        return new MeanDifference(d, h);
    }

    private static string Versus(MeanDifference? d) => d switch
    {
        null => "n/a",
        { HalfWidth: var h } when double.IsNaN(h) => $"{Signed(d.Difference)} (CI n/a)",
        _ => $"{Signed(d.Difference)} [{Signed(d.Difference - d.HalfWidth)}, {Signed(d.Difference + d.HalfWidth)}]",
    };

    /// <summary>A metric as the reports write it: three significant digits for its scale (<see cref="NumberFormat.Significant"/>).</summary>
    private static string G(double v) => NumberFormat.Significant(v);

    private static string Signed(double v) => VerdictSummary.Signed(v);

    /// <summary>A number as the reports write it: fixed digits, or <c>n/a</c> for NaN.</summary>
    internal static string F(double v, int digits) => double.IsNaN(v) ? "n/a" : v.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}

/// <summary>One setting's row of the summary (accuracies in percent).</summary>
/// <param name="Setting">The setting.</param>
/// <param name="Schedule">Its schedule's spelled name.</param>
/// <param name="ExploreFraction">Its explore share, where it has one.</param>
/// <param name="Done">Runs done.</param>
/// <param name="Planned">Runs planned.</param>
/// <param name="AccuracyMean">Mean test accuracy (%).</param>
/// <param name="AccuracyStd">Its sample standard deviation.</param>
/// <param name="AccuracyCiHalfWidth">Half-width of the 95% CI of the mean (Student t); NaN for fewer than two seeds.</param>
/// <param name="SharpnessMean">Mean Keskar sharpness.</param>
/// <param name="SharpnessStd">Its sample standard deviation.</param>
/// <param name="TrainSeconds">Mean training seconds.</param>
/// <param name="WidthSeconds">Mean width seconds.</param>
/// <param name="Diverged">Runs that diverged.</param>
/// <param name="Failed">Runs that failed.</param>
public sealed record SettingStats(string Setting, string Schedule, double? ExploreFraction, int Done, int Planned, double AccuracyMean, double AccuracyStd,
    double AccuracyCiHalfWidth, double SharpnessMean, double SharpnessStd, double TrainSeconds, double WidthSeconds, int Diverged, int Failed)
{
    /// <summary>The CI's lower end.</summary>
    public double AccuracyCiLow => AccuracyMean - AccuracyCiHalfWidth;

    /// <summary>The CI's upper end.</summary>
    public double AccuracyCiHigh => AccuracyMean + AccuracyCiHalfWidth;
}

/// <summary>The best setting so far.</summary>
/// <param name="Setting">The setting.</param>
/// <param name="MeanAccuracy">Its mean test accuracy (%).</param>
/// <param name="Seeds">Runs it is the mean of.</param>
public sealed record BestSetting(string Setting, double MeanAccuracy, int Seeds);

/// <summary>Knee settings against the best cosine and the best step-type baseline.</summary>
/// <param name="Cosine">The best cosine setting, or null.</param>
/// <param name="Step">The best step-type setting, or null.</param>
/// <param name="Rows">One per Knee setting with results.</param>
public sealed record KneeVersusBaselines(string? Cosine, string? Step, IReadOnlyList<KneeDifference> Rows);

/// <summary>A Knee setting's differences of mean accuracy from the baselines (null: no such baseline).</summary>
/// <param name="Setting">The Knee setting.</param>
/// <param name="VersusCosine">Against the best cosine.</param>
/// <param name="VersusStep">Against the best step-type baseline.</param>
public sealed record KneeDifference(string Setting, MeanDifference? VersusCosine, MeanDifference? VersusStep);

/// <summary>A difference of means in percentage points and the half-width of its 95% CI (Welch; NaN with fewer than two seeds a side).</summary>
/// <param name="Difference">The difference.</param>
/// <param name="HalfWidth">The half-width.</param>
public sealed record MeanDifference(double Difference, double HalfWidth);

/// <summary>A mean and a sample standard deviation.</summary>
/// <param name="Mean">The mean.</param>
/// <param name="Std">The standard deviation.</param>
public sealed record MeanStd(double Mean, double Std);

/// <summary>The width metrics side by side.</summary>
/// <param name="Metrics">The metrics some run recorded.</param>
/// <param name="Settings">Per setting: mean accuracy and each metric's mean ± std.</param>
/// <param name="Correlations">Each metric against accuracy.</param>
/// <param name="SameOrder">Whether all metrics order the Knee explore shares alike (null with one metric).</param>
/// <param name="Agreement">Spearman correlations between the metrics' Knee means, when they disagree.</param>
public sealed record WidthMetricsSummary(IReadOnlyList<WidthMetric> Metrics, IReadOnlyList<MetricSettingRow> Settings, IReadOnlyList<MetricCorrelation> Correlations,
    bool? SameOrder, IReadOnlyList<IReadOnlyList<double>>? Agreement);

/// <summary>A setting's metric values.</summary>
/// <param name="Setting">The setting.</param>
/// <param name="AccuracyMean">Mean test accuracy (%).</param>
/// <param name="Values">Per metric, in <see cref="WidthMetricsSummary.Metrics"/> order.</param>
public sealed record MetricSettingRow(string Setting, double AccuracyMean, IReadOnlyList<MeanStd> Values);

/// <summary>A metric against test accuracy.</summary>
/// <param name="Metric">The metric.</param>
/// <param name="Rho">Spearman's correlation with accuracy.</param>
/// <param name="Runs">Runs it is computed over.</param>
/// <param name="ExploreOrder">Knee explore shares from flattest to sharpest.</param>
public sealed record MetricCorrelation(WidthMetric Metric, double Rho, int Runs, IReadOnlyList<double> ExploreOrder);
