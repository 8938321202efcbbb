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

    /// <summary>Validation accuracy against peak rate, written when the sweep has calibration results.</summary>
    public const string ValidationVsPeakFile = "plots/validation_vs_peak.png";

    /// <summary>Test accuracy against compute, written when the sweep's final runs have more than one budget.</summary>
    public const string AccuracyVsComputeFile = "plots/accuracy_vs_compute.png";

    /// <summary>
    /// Writes every plot into <paramref name="folder"/>/plots, each through a temporary file. The plots of
    /// <see cref="Files"/> show the final runs at the full budget; <see cref="ValidationVsPeakFile"/> and
    /// <see cref="AccuracyVsComputeFile"/> are added where they apply.
    /// </summary>
    /// <param name="folder">The sweep folder.</param>
    /// <param name="runs">Every run of the sweep.</param>
    /// <param name="epochs">The sweep's epochs (of a full-budget run) for the compute axis, or null: compute in full-budget runs.</param>
    public static void WriteAll(string folder, IReadOnlyList<LedgerRun> runs, int? epochs = null)
    {
        ArgumentNullException.ThrowIfNull(runs);
        Directory.CreateDirectory(Path.Combine(folder, "plots"));
        var all = SettingSummary.From(runs);
        double fullBudget = SettingSummary.FullBudget(all);
        var settings = all.Where(s => s.Budget == fullBudget).ToList();
        var curves = VerdictSummary.PeakCurves(runs);
        runs = SettingSummary.Final(runs);
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
        if (curves.Any(c => c.Points.Count > 0)) Save(ValidationVsPeak(curves), folder, ValidationVsPeakFile);
        if (all.Select(s => s.Budget).Distinct().Count() > 1) Save(AccuracyVsCompute(all, epochs), folder, AccuracyVsComputeFile);
    }

    /// <summary>
    /// Validation accuracy against the peak rate on a log axis, one line per setting at the full budget (per setting
    /// and budget when there are at most 8 curves in all); a filled marker on each chosen peak.
    /// </summary>
    private static Plot ValidationVsPeak(IReadOnlyList<PeakCurve> curves)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category20();
        var shown = curves.Where(c => c.Points.Count > 0).ToList();
        if (shown.Count > 8 && shown.Any(c => c.Budget == 1)) shown = [.. shown.Where(c => c.Budget == 1)];
        bool budgets = shown.Any(c => c.Budget != 1);
        int color = 0;
        foreach (var c in shown)
        {
            var col = palette.GetColor(color++);
            double[] xs = [.. c.Points.Select(p => Math.Log10(p.PeakLr))];
            double[] ys = [.. c.Points.Select(p => p.ValidationAccuracy)];
            var line = plot.Add.Scatter(xs, ys, col);
            line.LineWidth = c.Schedule == ScheduleNames.Knee ? 2.5f : 1.5f;
            if (c.Schedule != ScheduleNames.Knee) line.LinePattern = LinePattern.Dashed;
            line.MarkerSize = 6;
            line.LegendText = budgets ? $"{c.Setting} @ {c.Budget.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)}" : c.Setting;
            if (c.ChosenPeak is double chosen && c.Points.FirstOrDefault(p => p.PeakLr == chosen) is { } best)
            {
                var marker = plot.Add.Marker(Math.Log10(chosen), best.ValidationAccuracy, MarkerShape.FilledCircle, 11, col);
                marker.LegendText = "";
            }
        }
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        foreach (double peak in shown.SelectMany(c => c.Points.Select(p => p.PeakLr)).Distinct().Order())
            ticks.AddMajor(Math.Log10(peak), NumberFormat.Significant(peak));
        plot.Axes.Bottom.TickGenerator = ticks;
        SignificantTicks(plot.Axes.Left);
        // A peak that barely trains (chance level) would stretch the axis until the useful curves merge: points more
        // than 10 points below the best stay off the axis, and the axis label says so.
        var values = shown.SelectMany(c => c.Points.Select(p => p.ValidationAccuracy)).ToList();
        string clipped = "";
        if (values.Count > 0 && values.Min() < values.Max() - 10)
        {
            double floor = values.Max() - 10;
            double low = values.Where(v => v >= floor).Min();
            plot.Axes.SetLimitsY(low - 0.5, values.Max() + 0.5);
            clipped = $"; points below {NumberFormat.Significant(low - 0.5)}% are off the axis";
        }
        plot.Title("Validation accuracy against peak learning rate (filled: the chosen peak)");
        plot.XLabel($"Peak learning rate (log scale; a diverged peak has no point{clipped})");
        plot.YLabel("Validation accuracy (%)");
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    /// <summary>Mean test accuracy against compute (the whole epochs each budget trains), one line per setting, with its 95% CI as a band.</summary>
    private static Plot AccuracyVsCompute(IReadOnlyList<SettingSummary> settings, int? epochs)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category20();
        int color = 0;
        foreach (var g in settings.Where(s => s.Accuracies.Count > 0).GroupBy(s => s.Setting))
        {
            var points = g.OrderBy(s => s.Budget).ToList();
            var col = palette.GetColor(color++);
            // The epochs a budget really trains (rounded to whole epochs, as the planner does), or the share without epochs.
            double[] xs = [.. points.Select(s => epochs is int e ? Budgets.Epochs(s.Budget, e) : s.Budget)];
            double[] ys = [.. points.Select(s => s.MeanAccuracy * 100)];
            double[] half = [.. points.Select(s => Zero(Statistics.ConfidenceHalfWidth([.. s.Accuracies.Select(a => a * 100)])))];
            if (points.Count > 1)
            {
                var band = plot.Add.FillY(xs, [.. ys.Select((y, i) => y - half[i])], [.. ys.Select((y, i) => y + half[i])]);
                band.FillStyle.Color = col.WithAlpha(0.08);
                band.LineStyle.Width = 0;
                band.LegendText = "";
            }
            var line = plot.Add.Scatter(xs, ys, col);
            line.LineWidth = g.First().Schedule == ScheduleNames.Knee ? 2.5f : 1.5f;
            if (g.First().Schedule != ScheduleNames.Knee) line.LinePattern = LinePattern.Dashed;
            line.MarkerSize = 7;
            line.LegendText = g.Key;
        }
        SignificantTicks(plot.Axes.Left);
        SignificantTicks(plot.Axes.Bottom);
        plot.Title("Test accuracy against compute (bands: 95% CI of the mean)");
        plot.XLabel(epochs is null ? "Compute (share of the full budget)" : "Compute (epochs trained: budget × epochs, rounded)");
        plot.YLabel("Test accuracy (%)");
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    /// <summary>Tick labels with three significant digits (<see cref="NumberFormat.Significant"/>).</summary>
    private static void SignificantTicks(IAxis axis) =>
        axis.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = v => NumberFormat.Significant(v) };

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
