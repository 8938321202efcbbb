using System.Globalization;
using System.Text.Json;
using WideMinima.Ledger;
using WideMinima.Reports;

namespace WideMinima.Dashboard;

/// <summary>The dashboard's charts and run tables as report blocks: pure functions of a summary and of ledger rows.</summary>
public static class SweepCharts
{
    /// <summary>The most runs the accuracy-against-sharpness chart draws one by one (2000); a bigger sweep shows every k-th run.</summary>
    public const int MaxScatterPoints = 2000;

    /// <summary>
    /// A sweep's charts: accuracy and sharpness against the explore share (Knee's means with their 95% CI, the
    /// baselines as bands of mean ± std), accuracy against sharpness (one point per run), and the LR schedules (from
    /// <paramref name="firstOfEach"/>, the first finished run of each setting, with its record).
    /// </summary>
    public static IReadOnlyList<ReportBlock> Summary(SweepSummary summary, IReadOnlyList<LedgerRun> runs, IReadOnlyList<LedgerRun> firstOfEach)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(firstOfEach);
        var blocks = new List<ReportBlock> { new HeadingBlock(2, "Charts") };
        blocks.Add(new ChartBlock("Test accuracy against explore share", "explore share of the budget", "test accuracy (%)",
            VersusExplore(summary, s => s.AccuracyMean, s => s.AccuracyCiHalfWidth, s => s.AccuracyStd, "", "mean, 95% CI")) { Id = "accuracy-vs-explore" });
        blocks.Add(new ChartBlock("Keskar sharpness against explore share", "explore share of the budget", "Keskar sharpness (lower = wider)",
            VersusExplore(summary, s => s.SharpnessMean, _ => double.NaN, s => s.SharpnessStd, "", "mean")) { Id = "width-vs-explore" });
        var measured = runs.Where(r => r.Status == RunStatus.Done && r.TestAccuracy is not null && r.Sharpness is double v && double.IsFinite(v)).ToList();
        // A point per run up to MaxScatterPoints; past that every k-th run (in queue order), said in the title.
        int every = (measured.Count + MaxScatterPoints - 1) / MaxScatterPoints;
        var shown = every <= 1 ? measured : [.. measured.Where((_, i) => i % every == 0)];
        var points = shown.GroupBy(r => r.Setting).OrderBy(g => g.Min(r => r.Ordinal))
            .Select(g => new ChartSeries(g.Key, [.. g.Select(r => r.Sharpness!.Value)], [.. g.Select(r => r.TestAccuracy!.Value * 100)], SeriesStyle.Points)).ToList();
        string title = every <= 1 ? "Test accuracy against sharpness (one point per run)"
            : string.Create(CultureInfo.InvariantCulture, $"Test accuracy against sharpness (every {every}th of {measured.Count} runs)");
        blocks.Add(new ChartBlock(title, "Keskar sharpness", "test accuracy (%)", points) { Id = "accuracy-vs-width" });
        var curves = new List<ChartSeries>();
        foreach (var run in firstOfEach)
        {
            if (Record(run) is not { LearningRateCurve.Count: > 0 } record) continue;
            curves.Add(new ChartSeries(run.Setting, [.. record.LearningRateCurve.Select(p => p[0])], [.. record.LearningRateCurve.Select(p => p[1])],
                run.Schedule == ScheduleNames.Knee ? SeriesStyle.Line : SeriesStyle.Dashed));
        }
        blocks.Add(new ChartBlock("Learning-rate schedules", "step", "learning rate", curves) { Id = "lr-schedules" });
        return blocks;
    }

    /// <summary>A run's page: its numbers, its LR curve, its epochs (train loss with the evaluation accuracy), its width report, its checkpoints.</summary>
    public static IReadOnlyList<ReportBlock> Run(LedgerRun run, IReadOnlyList<CheckpointRow> checkpoints)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(checkpoints);
        var blocks = new List<ReportBlock>();
        var record = Record(run);
        if (record is not null)
        {
            blocks.Add(new TableBlock(["measure", "value"], [ColumnAlign.Left, ColumnAlign.Right],
            [
                ["test accuracy (%)", F(record.TestAccuracy * 100, 2)],
                ["validation accuracy (%)", F(record.ValidationAccuracy * 100, 2)],
                ["test loss", G(record.TestLoss)],
                ["final train loss", G(record.TrainLoss)],
                ["train seconds", F(record.TrainSeconds, 1)],
                ["width seconds", F(record.WidthSeconds, 1)],
                ["threads", record.Threads.ToString(CultureInfo.InvariantCulture)],
                ["resumed from epoch", record.ResumedFromEpoch?.ToString(CultureInfo.InvariantCulture) ?? "-"],
            ]) { Id = "run-numbers" });
            blocks.Add(new ChartBlock("Learning rate", "step", "learning rate",
                [new ChartSeries("learning rate", [.. record.LearningRateCurve.Select(p => p[0])], [.. record.LearningRateCurve.Select(p => p[1])], SeriesStyle.Line)])
            { Id = "run-lr" });
            string evaluation = record.Phase == RunPhase.Calibration ? "validation" : "test";
            var epochs = record.Epochs;
            var series = new List<ChartSeries>
            {
                new("train loss", [.. epochs.Select(e => (double)e.Epoch)], [.. epochs.Select(e => e.TrainLoss)], SeriesStyle.LinePoints),
                new($"{evaluation} loss", [.. epochs.Select(e => (double)e.Epoch)], [.. epochs.Select(e => e.ValidationLoss ?? double.NaN)], SeriesStyle.Dashed),
                new($"{evaluation} accuracy (%)", [.. epochs.Select(e => (double)e.Epoch)], [.. epochs.Select(e => (e.ValidationAccuracy ?? double.NaN) * 100)], SeriesStyle.LinePoints) { RightAxis = true },
            };
            if (record.ValidationAccuracy is double v && record.Phase == RunPhase.Final && epochs.Count > 0)
                series.Add(new ChartSeries("validation accuracy (%)", [epochs[^1].Epoch], [v * 100], SeriesStyle.Points) { RightAxis = true });
            if (record.TestAccuracy is double t && epochs.Count > 0)
                series.Add(new ChartSeries("final test accuracy (%)", [epochs[^1].Epoch], [t * 100], SeriesStyle.Points) { RightAxis = true });
            blocks.Add(new ChartBlock("Per epoch: train loss, with accuracy", "epoch", "loss", series) { Y2Label = "accuracy (%)", Id = "run-epochs" });
            blocks.Add(new HeadingBlock(2, "Width"));
            var width = WidthRows(record);
            blocks.Add(width.Count == 0 ? new ParagraphBlock("No width metric was measured for this run.")
                : new TableBlock(["metric", "value", "details"], [ColumnAlign.Left, ColumnAlign.Right, ColumnAlign.Left], width) { Id = "run-width" });
            if (record.DiscardedCheckpoints is { Count: > 0 } discarded)
                blocks.Add(new ParagraphBlock("Discarded checkpoints: " + string.Join("; ", discarded)));
        }
        blocks.Add(new HeadingBlock(2, "Checkpoints"));
        blocks.Add(checkpoints.Count == 0 ? new ParagraphBlock("No checkpoint recorded.")
            : new TableBlock(["step", "epoch", "attempt", "bytes", "written", "sha256", "path"],
                [ColumnAlign.Right, ColumnAlign.Right, ColumnAlign.Right, ColumnAlign.Right, ColumnAlign.Left, ColumnAlign.Left, ColumnAlign.Left],
                [.. checkpoints.Select(c => (IReadOnlyList<string>)[c.Step.ToString(CultureInfo.InvariantCulture), c.Epoch.ToString(CultureInfo.InvariantCulture),
                    c.Attempt.ToString(CultureInfo.InvariantCulture), c.Bytes.ToString("N0", CultureInfo.InvariantCulture),
                    DateTimeOffset.FromUnixTimeMilliseconds(c.CreatedAt).ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture), c.Sha256[..Math.Min(12, c.Sha256.Length)], c.Path])])
            { Id = "run-checkpoints" });
        return blocks;
    }

    /// <summary>Sweeps side by side: one row per setting (aligned by name), each sweep's runs and mean accuracy with its 95% CI; and Knee's means against the explore share, one line per sweep.</summary>
    public static IReadOnlyList<ReportBlock> Compare(IReadOnlyList<SweepSummary> summaries)
    {
        ArgumentNullException.ThrowIfNull(summaries);
        var settings = summaries.SelectMany(s => s.Settings.Select(r => r.Setting)).Distinct().ToList();
        var rows = settings.Select(setting => (IReadOnlyList<string>)[setting, .. summaries.SelectMany(s =>
        {
            var r = s.Settings.FirstOrDefault(x => x.Setting == setting);
            return r is null ? (IEnumerable<string>)["-", "-", "-"]
                : [string.Create(CultureInfo.InvariantCulture, $"{r.Done}/{r.Planned}"),
                   double.IsNaN(r.AccuracyCiHalfWidth) ? F(r.AccuracyMean, 2) : $"{F(r.AccuracyMean, 2)} [{F(r.AccuracyCiLow, 2)}, {F(r.AccuracyCiHigh, 2)}]",
                   F(r.SharpnessMean, 3)];
        })]).ToList();
        var blocks = new List<ReportBlock>
        {
            new ParagraphBlock("Test accuracy (%) as mean [95% CI] over seeds; sharpness is the mean Keskar sharpness. Rows are settings of the same name; - where a sweep has no such setting."),
            new TableBlock(["setting", .. summaries.SelectMany(s => new[] { $"{s.Name}: n", $"{s.Name}: accuracy", $"{s.Name}: sharpness" })],
                [ColumnAlign.Left, .. summaries.SelectMany(_ => new[] { ColumnAlign.Right, ColumnAlign.Right, ColumnAlign.Right })], rows) { Id = "compare" },
        };
        foreach (var s in summaries.Where(s => s.Best is not null))
            blocks.Add(new ParagraphBlock(string.Create(CultureInfo.InvariantCulture, $"**{s.Name}:** best {s.Best!.Setting}, {F(s.Best.MeanAccuracy, 2)}% over {s.Best.Seeds} seeds; {s.Finished} of {s.Total} runs finished.")));
        var series = summaries.SelectMany(s => s.Settings.Where(r => r.Schedule == ScheduleNames.Knee && r.ExploreFraction is not null && r.Done > 0)
            .OrderBy(r => r.ExploreFraction).GroupBy(_ => s.Name)
            .Select(g => new ChartSeries($"{g.Key}: Knee", [.. g.Select(r => r.ExploreFraction!.Value)], [.. g.Select(r => r.AccuracyMean)], SeriesStyle.LinePoints)
            {
                Low = [.. g.Select(r => r.AccuracyCiLow)],
                High = [.. g.Select(r => r.AccuracyCiHigh)],
            })).ToList();
        blocks.Add(new ChartBlock("Knee: test accuracy against explore share, per sweep", "explore share of the budget", "test accuracy (%)", series) { Id = "compare-explore" });
        return blocks;
    }

    private static List<ChartSeries> VersusExplore(SweepSummary summary, Func<SettingStats, double> mean, Func<SettingStats, double> ci, Func<SettingStats, double> std, string suffix, string what)
    {
        var series = new List<ChartSeries>();
        foreach (var family in new[] { ScheduleNames.Knee, ScheduleNames.ExploreStep })
        {
            var points = summary.Settings.Where(s => s.Schedule == family && s.ExploreFraction is not null && !double.IsNaN(mean(s))).OrderBy(s => s.ExploreFraction).ToList();
            if (points.Count == 0) continue;
            series.Add(new ChartSeries($"{family} ({what}){suffix}", [.. points.Select(s => s.ExploreFraction!.Value)], [.. points.Select(mean)], SeriesStyle.LinePoints)
            {
                Low = [.. points.Select(s => mean(s) - ci(s))],
                High = [.. points.Select(s => mean(s) + ci(s))],
            });
        }
        foreach (var s in summary.Settings.Where(s => s.ExploreFraction is null && !double.IsNaN(mean(s))))
        {
            double m = mean(s), sd = std(s);
            series.Add(new ChartSeries($"{s.Setting} (mean ± std)", [0, 1], [m, m], SeriesStyle.Dashed) { Low = [m - sd, m - sd], High = [m + sd, m + sd] });
        }
        return series;
    }

    private static List<IReadOnlyList<string>> WidthRows(RunRecord r)
    {
        var rows = new List<IReadOnlyList<string>>();
        if (r.Width is { } w)
            rows.Add([WidthMetric.Keskar.Name(), G(w.Sharpness), string.Create(CultureInfo.InvariantCulture,
                $"loss {G(w.InitialLoss)} → max {G(w.MaxLoss)} (final {G(w.FinalLoss)}), {w.Steps} steps, {(w.Converged ? "converged" : "not converged")}, {w.Seconds:0.0} s")]);
        if (r.Hessian is { } h)
        {
            string how = string.Create(CultureInfo.InvariantCulture, $"{h.Iterations} iterations, {(h.Converged ? "converged" : "not converged")}, {h.Seconds:0.0} s");
            if (h.TopEigenvalue is double top) rows.Add([WidthMetric.HessianTop.Name(), G(top), how]);
            if (h.Trace is double trace) rows.Add([WidthMetric.HessianTrace.Name(), G(trace), $"± {G(h.TraceStandardError)} (standard error); {how}"]);
        }
        if (r.Adaptive is { } a)
            rows.Add([WidthMetric.Adaptive.Name(), G(a.Sharpness), string.Create(CultureInfo.InvariantCulture, $"loss {G(a.InitialLoss)} → max {G(a.MaxLoss)}, {a.Steps} steps, {a.Seconds:0.0} s")]);
        return rows;
    }

    /// <summary>A run's record, or null when it has none or it cannot be read (a view shows what it can).</summary>
    private static RunRecord? Record(LedgerRun run)
    {
        try
        {
            return run.Record();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string F(double? v, int digits) => v is double d && !double.IsNaN(d) ? d.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : "n/a";

    private static string G(double? v) => v is double d && !double.IsNaN(d) ? d.ToString("G4", CultureInfo.InvariantCulture) : "n/a";
}
