using System.Text.Json;
using ScottPlot;
using WideMinima.Ledger;

namespace WideMinima.Reports;

/// <summary>The sweep's PNG plots, drawn with ScottPlot from the ledger.</summary>
public static class PlotWriter
{
    private const int Width = 1100;
    private const int Height = 560;

    /// <summary>The plot files written, relative to the sweep folder.</summary>
    public static IReadOnlyList<string> Files { get; } =
    [
        "plots/accuracy_vs_explore.png", "plots/width_vs_explore.png", "plots/width_histograms.png",
        "plots/accuracy_histograms.png", "plots/lr_schedules.png", "plots/accuracy_vs_width.png",
    ];

    /// <summary>Writes every plot into <paramref name="folder"/>/plots, each through a temporary file.</summary>
    public static void WriteAll(string folder, IReadOnlyList<LedgerRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        Directory.CreateDirectory(Path.Combine(folder, "plots"));
        var settings = SettingSummary.From(runs);
        Save(MetricVsExplore(settings, s => s.Accuracies.Select(a => a * 100).ToList(), "Test accuracy (%)", "Test accuracy against explore share"), folder, Files[0]);
        Save(MetricVsExplore(settings, s => s.Sharpness, "Keskar sharpness (lower = wider)", "Minima width against explore share"), folder, Files[1]);
        Save(Histograms(settings, s => s.Sharpness, "Keskar sharpness", "Sharpness per Knee explore share"), folder, Files[2]);
        Save(Histograms(settings, s => s.Accuracies.Select(a => a * 100).ToList(), "Test accuracy (%)", "Accuracy per Knee explore share"), folder, Files[3]);
        Save(Schedules(runs), folder, Files[4]);
        Save(AccuracyVsWidth(settings), folder, Files[5]);
        foreach (var metric in MetricComparison.Recorded(runs).Where(m => m != WidthMetric.Keskar))
        {
            Save(MetricVsExplore(settings, s => s.Metric(metric), $"{metric.Label()} (lower = flatter)", $"{metric.Label()} against explore share"),
                folder, MetricFile(metric));
        }
    }

    /// <summary>
    /// The plot of a metric other than Keskar's (whose plot is <c>plots/width_vs_explore.png</c>) against the explore share,
    /// written when some run recorded it.
    /// </summary>
    public static string MetricFile(WidthMetric metric) => $"plots/{metric.Name()}_vs_explore.png";

    private static Plot MetricVsExplore(IReadOnlyList<SettingSummary> settings, Func<SettingSummary, IReadOnlyList<double>> metric, string yLabel, string title)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        int color = 0;
        foreach (var family in new[] { ScheduleNames.Knee, ScheduleNames.ExploreStep })
        {
            var points = settings.Where(s => s.Schedule == family && s.ExploreFraction is not null && metric(s).Count > 0)
                .OrderBy(s => s.ExploreFraction).ToList();
            if (points.Count == 0) continue;
            double[] xs = [.. points.Select(s => s.ExploreFraction!.Value)];
            double[] ys = [.. points.Select(s => Statistics.Mean(metric(s)))];
            double[] err = [.. points.Select(s => Zero(Statistics.StandardDeviation(metric(s))))];
            var c = palette.GetColor(color++);
            var line = plot.Add.Scatter(xs, ys, c);
            line.LineWidth = 2;
            line.MarkerSize = 8;
            line.LegendText = family == ScheduleNames.Knee ? "Knee (mean ± std)" : "explore-step (mean ± std)";
            var bars = plot.Add.ErrorBar(xs, ys, err);
            bars.LineStyle.Color = c;
            foreach (var s in points)
            {
                foreach (var v in metric(s))
                {
                    var dot = plot.Add.Marker(s.ExploreFraction!.Value, v, MarkerShape.OpenCircle, 5, c.WithAlpha(0.5));
                    dot.LegendText = "";
                }
            }
        }
        foreach (var s in settings.Where(s => s.ExploreFraction is null && metric(s).Count > 0))
        {
            var c = palette.GetColor(color++);
            double mean = Statistics.Mean(metric(s));
            double std = Zero(Statistics.StandardDeviation(metric(s)));
            var band = plot.Add.VerticalSpan(mean - std, mean + std); // a band across the plot between two y values
            band.FillStyle.Color = c.WithAlpha(0.15);
            band.LineStyle.Width = 0;
            var line = plot.Add.HorizontalLine(mean, 1.5f, c, LinePattern.Dashed);
            line.LegendText = $"{s.Setting} (mean ± std band)";
        }
        plot.Title(title);
        plot.XLabel("Explore share of the budget");
        plot.YLabel(yLabel);
        plot.Axes.SetLimitsX(-0.05, 1.05);
        plot.ShowLegend(Edge.Right); // outside the data, so it never hides a point
        return plot;
    }

    /// <summary>
    /// One histogram per Knee explore share, stacked as rows that share the x axis (a ridgeline), so the shift of
    /// the distribution with the explore share reads at a glance, as in the paper's Section 3 figures.
    /// </summary>
    private static Plot Histograms(IReadOnlyList<SettingSummary> settings, Func<SettingSummary, IReadOnlyList<double>> metric, string xLabel, string title)
    {
        var plot = new Plot();
        var knees = settings.Where(s => s.Schedule == ScheduleNames.Knee && metric(s).Count > 0).OrderBy(s => s.ExploreFraction).ToList();
        var all = knees.SelectMany(metric).ToList();
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel("Runs per explore share");
        if (all.Count == 0) return plot;
        double min = all.Min(), max = all.Max();
        if (max - min < 1e-12) { min -= 0.5; max += 0.5; }
        const int bins = 12;
        double width = (max - min) / bins;
        var counts = knees.Select(k =>
        {
            var c = new double[bins];
            foreach (var v in metric(k)) c[Math.Min(bins - 1, (int)((v - min) / width))]++;
            return c;
        }).ToList();
        double rowHeight = counts.Max(c => c.Max()) * 1.3;
        var palette = new ScottPlot.Palettes.Category10();
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (int k = 0; k < knees.Count; k++)
        {
            double baseline = k * rowHeight;
            var color = palette.GetColor(k);
            var bars = Enumerable.Range(0, bins).Where(b => counts[k][b] > 0).Select(b => new Bar
            {
                Position = min + (b + 0.5) * width,
                ValueBase = baseline,
                Value = baseline + counts[k][b],
                Size = width * 0.95,
                FillColor = color.WithAlpha(0.7),
                LineColor = color,
            }).ToList();
            plot.Add.Bars(bars);
            plot.Add.HorizontalLine(baseline, 1, Colors.Gray);
            double mean = Statistics.Mean(metric(knees[k]));
            plot.Add.Line(mean, baseline, mean, baseline + rowHeight * 0.85).LineStyle = new LineStyle { Color = color, Width = 2, Pattern = LinePattern.Dashed };
            ticks.AddMajor(baseline, $"explore {knees[k].ExploreFraction:0.##}");
        }
        plot.Axes.Left.TickGenerator = ticks;
        plot.Axes.SetLimits(min - width, max + width, -0.1 * rowHeight, knees.Count * rowHeight);
        var note = plot.Add.Text($"bars: runs per bin (tallest {counts.Max(c => c.Max()):0}); dashed: the mean", min - width * 0.8, knees.Count * rowHeight * 0.98);
        note.LabelFontSize = 11;
        note.LabelFontColor = Colors.DimGray;
        note.LabelAlignment = Alignment.UpperLeft;
        return plot;
    }

    private static Plot Schedules(IReadOnlyList<LedgerRun> runs)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category20();
        int color = 0;
        foreach (var group in runs.Where(r => r.ResultJson is not null).GroupBy(r => r.Setting).OrderBy(g => g.Min(r => r.Ordinal)))
        {
            var record = JsonSerializer.Deserialize<RunRecord>(group.First().ResultJson!, LedgerJson.Options);
            if (record is null || record.LearningRateCurve.Count == 0) continue;
            double[] xs = [.. record.LearningRateCurve.Select(p => p[0])];
            double[] ys = [.. record.LearningRateCurve.Select(p => p[1])];
            var line = plot.Add.ScatterLine(xs, ys, palette.GetColor(color++));
            bool knee = group.First().Schedule == ScheduleNames.Knee;
            line.LineWidth = knee ? 2.5f : 1.5f;
            if (!knee) line.LinePattern = LinePattern.Dashed;
            line.LegendText = group.Key;
        }
        plot.Title("Learning-rate schedules");
        plot.XLabel("Optimizer step");
        plot.YLabel("Learning rate");
        plot.ShowLegend(Edge.Right); // outside the data, so it never hides a point
        return plot;
    }

    private static Plot AccuracyVsWidth(IReadOnlyList<SettingSummary> settings)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category20();
        int color = 0;
        foreach (var s in settings)
        {
            var points = s.Done.Where(r => r.Sharpness is not null && r.TestAccuracy is not null).ToList();
            if (points.Count == 0) continue;
            double[] xs = [.. points.Select(r => r.Sharpness!.Value)];
            double[] ys = [.. points.Select(r => r.TestAccuracy!.Value * 100)];
            var scatter = plot.Add.ScatterPoints(xs, ys, palette.GetColor(color++));
            scatter.MarkerSize = 9;
            scatter.MarkerShape = s.Schedule == ScheduleNames.Knee ? MarkerShape.FilledCircle : MarkerShape.OpenSquare;
            scatter.LegendText = s.Setting;
        }
        plot.Title("Test accuracy against minima width (each point is one run)");
        plot.XLabel("Keskar sharpness (lower = wider)");
        plot.YLabel("Test accuracy (%)");
        plot.ShowLegend(Edge.Right); // outside the data, so it never hides a point
        return plot;
    }

    private static double Zero(double v) => double.IsNaN(v) ? 0 : v;

    private static void Save(Plot plot, string folder, string relative)
    {
        string path = Path.Combine(folder, relative);
        string temporary = path + ".tmp.png";
        plot.SavePng(temporary, Width, Height);
        File.Move(temporary, path, overwrite: true);
    }
}
