using System.Globalization;
using System.Text;
using System.Text.Json;
using ScottPlot;
using WideMinima.Sweeps.Config;
using WideMinima.Ledger;
using WideMinima.Tuning;
using WideMinima.Reports;

namespace WideMinima.Sweeps.Reports;

/// <summary>The chosen settings of one final choice, with its test results over seeds.</summary>
public sealed record TunedSetting(int TrialId, TrialSettings Settings, double ValidationAccuracy, int ValidationRungEpochs, IReadOnlyList<FinalFit> Fits);

/// <summary>Everything a tuning's reports are made of.</summary>
/// <param name="Config">The definition.</param>
/// <param name="Outcome">The search.</param>
/// <param name="Chosen">The final choices, best first; the first is <c>best.wmmodel</c>'s.</param>
/// <param name="FinalEpochs">Compute of the final fits, in epochs of the whole training set.</param>
public sealed record TuneReport(SweepConfig Config, TuningOutcome Outcome, IReadOnlyList<TunedSetting> Chosen, double FinalEpochs);

/// <summary>Writes trials.csv, best.json, summary.md and the tuning plots, each through a temporary file.</summary>
public static class TuneReportWriter
{
    /// <summary>The tuned model's file, in the folder.</summary>
    public const string ModelFile = "best.wmmodel";

    /// <summary>The best trial's settings and scores, in the folder.</summary>
    public const string BestFile = "best.json";

    /// <summary>Every trial, one row each, in the folder.</summary>
    public const string TrialsFile = "trials.csv";

    /// <summary>The summary, in the folder.</summary>
    public const string SummaryFile = "summary.md";

    /// <summary>The report files a tuning leaves in its folder besides <see cref="Plots"/> (the model included).</summary>
    public static IReadOnlyList<string> Files { get; } = [BestFile, TrialsFile, SummaryFile, ModelFile];

    /// <summary>The plots, relative to the folder.</summary>
    public static IReadOnlyList<string> Plots { get; } =
        ["plots/tune_accuracy_vs_lr.png", "plots/tune_accuracy_vs_explore.png", "plots/tune_rungs.png", "plots/tune_best_so_far.png"];

    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>Writes every report.</summary>
    public static void Write(string folder, TuneReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        WriteText(folder, TrialsFile, TrialsCsv(report.Outcome));
        WriteText(folder, BestFile, BestJson(report));
        WriteText(folder, SummaryFile, Summary(report));
        Directory.CreateDirectory(Path.Combine(folder, "plots"));
        Save(AccuracyVs(report.Outcome, t => t.Trial.Settings.PeakLearningRate, "Peak learning rate (log scale)", log: true, "Validation accuracy against peak rate (each trial at its highest rung)"), folder, Plots[0]);
        Save(AccuracyVs(report.Outcome, t => t.Trial.Settings.ExploreShare ?? double.NaN, "Knee explore share", log: false, "Knee: validation accuracy against explore share"), folder, Plots[1]);
        Save(Rungs(report.Outcome), folder, Plots[2]);
        Save(BestSoFar(report), folder, Plots[3]);
    }

    /// <summary>One row per trial (a Knee branch is a trial).</summary>
    public static string TrialsCsv(TuningOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var sb = new StringBuilder("trial_id,proposal,family,peak_lr,explore_share,warmup_share,weight_decay,seed,rung,rung_epochs,epochs_trained,validation_accuracy,status,rung_accuracies\n");
        foreach (var t in outcome.Trials)
        {
            var s = t.Trial.Settings;
            sb.Append(C, $"{t.Trial.Id},{t.Trial.Group},{s.Family.Name()},{s.PeakLearningRate:R},{Opt(s.ExploreShare)},{s.WarmupShare:R},{Opt(s.WeightDecay)},{t.Trial.Seed},")
              .Append(C, $"{t.Rung},{t.RungEpochs},{t.EpochsTrained},{Num(t.ValidationAccuracy)},{t.Status.ToString().ToLowerInvariant()},")
              .Append(string.Join(';', t.RungAccuracies.Select(Num))).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>The chosen settings, their validation and test accuracy and sharpness, the compute spent; with seeds &gt; 1 the top settings with CIs.</summary>
    public static string BestJson(TuneReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var o = report.Outcome;
        double budget = report.Config.Tune?.BudgetEpochs ?? double.NaN;
        var settings = report.Chosen.Select(c =>
        {
            var acc = c.Fits.Where(f => f.TestAccuracy is not null).Select(f => f.TestAccuracy!.Value).ToList();
            var sharp = c.Fits.Where(f => f.Sharpness is not null).Select(f => f.Sharpness!.Value).ToList();
            return new Dictionary<string, object?>
            {
                ["trial_id"] = c.TrialId,
                ["family"] = c.Settings.Family.Name(),
                ["peak_lr"] = c.Settings.PeakLearningRate,
                ["explore_share"] = c.Settings.ExploreShare,
                ["warmup_share"] = c.Settings.WarmupShare,
                ["weight_decay"] = c.Settings.WeightDecay ?? report.Config.WeightDecay,
                ["validation_accuracy"] = c.ValidationAccuracy,
                ["validation_rung_epochs"] = c.ValidationRungEpochs,
                ["test_accuracy"] = acc.Count == 0 ? null : Statistics.Mean(acc),
                ["test_accuracy_ci95"] = acc.Count < 2 ? null : new[] { Statistics.Mean(acc) - Statistics.ConfidenceHalfWidth(acc), Statistics.Mean(acc) + Statistics.ConfidenceHalfWidth(acc) },
                ["test_accuracy_std"] = acc.Count < 2 ? null : Statistics.StandardDeviation(acc),
                ["sharpness"] = sharp.Count == 0 ? null : Statistics.Mean(sharp),
                ["seeds"] = c.Fits.Select(f => new { f.Seed, f.TestAccuracy, f.TestLoss, f.Sharpness, f.Seconds }).ToArray(),
            };
        }).ToList();
        var json = new Dictionary<string, object?>
        {
            ["name"] = report.Config.Name,
            ["best"] = settings.FirstOrDefault(),
            ["top"] = settings.Count > 1 ? settings : null,
            ["model_file"] = ModelFile,
            ["note"] = "Every decision used the validation split carved from the training data; the test set was scored once, for the final fits.",
            ["compute_epochs"] = new Dictionary<string, object?>
            {
                ["search"] = o.SpentEpochs,
                ["final_fits"] = report.FinalEpochs,
                ["total"] = o.SpentEpochs + report.FinalEpochs,
                ["budget"] = double.IsNaN(budget) ? null : budget,
                ["full_run_equivalents"] = (o.SpentEpochs + report.FinalEpochs) / report.Config.Epochs,
            },
            ["rungs"] = o.Rungs,
            ["trials"] = o.Trials.Count,
            ["jobs"] = o.Jobs,
            ["stop_reason"] = o.StopReason,
        };
        return JsonSerializer.Serialize(json, SweepConfigJson.Options);
    }

    /// <summary>The markdown summary.</summary>
    public static string Summary(TuneReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var o = report.Outcome;
        var sb = new StringBuilder();
        sb.Append(C, $"# Tuning '{report.Config.Name}'\n\n");
        sb.Append(C, $"{o.Trials.Count} trials in {o.Jobs} jobs; rungs (epochs) {string.Join(", ", o.Rungs)}; search compute {o.SpentEpochs:0.#} epochs + final fits {report.FinalEpochs:0.#} = {o.SpentEpochs + report.FinalEpochs:0.#} epochs ")
          .Append(C, $"({(o.SpentEpochs + report.FinalEpochs) / report.Config.Epochs:0.#} full runs of {report.Config.Epochs} epochs). Stopped: {o.StopReason}.\n\n");
        sb.Append("Decisions use the validation split carved from the training data; the test set is scored once, for the final fits below.\n\n");
        sb.Append("## Chosen\n\n| setting | validation accuracy (rung) | test accuracy | 95% CI | sharpness | seeds |\n|---|---:|---:|---:|---:|---:|\n");
        foreach (var c in report.Chosen)
        {
            var acc = c.Fits.Where(f => f.TestAccuracy is not null).Select(f => f.TestAccuracy!.Value * 100).ToList();
            var sharp = c.Fits.Where(f => f.Sharpness is not null).Select(f => f.Sharpness!.Value).ToList();
            string ci = acc.Count < 2 ? "" : string.Create(C, $"[{Statistics.Mean(acc) - Statistics.ConfidenceHalfWidth(acc):F2}, {Statistics.Mean(acc) + Statistics.ConfidenceHalfWidth(acc):F2}]");
            sb.Append(C, $"| {c.Settings.Label} | {c.ValidationAccuracy * 100:F2} ({c.ValidationRungEpochs} ep) | {(acc.Count == 0 ? "diverged" : Statistics.Mean(acc).ToString("F2", C))} | {ci} | {(sharp.Count == 0 ? "" : NumberFormat.Significant(Statistics.Mean(sharp)))} | {c.Fits.Count} |\n");
        }
        sb.Append("\n## Best trial per family (validation)\n\n| family | setting | rung (epochs) | validation accuracy |\n|---|---|---:|---:|\n");
        foreach (var f in ScheduleFamilies.Every)
        {
            var best = o.Ranked.FirstOrDefault(t => t.Trial.Settings.Family == f);
            if (best is null) continue;
            sb.Append(C, $"| {f.Name()} | {best.Trial.Settings.Label} | {best.RungEpochs} | {best.ValidationAccuracy * 100:F2} |\n");
        }
        sb.Append("\nFamilies are compared at the highest rung each reached; a family that never reached the top rung was stopped by successive halving.\n");
        sb.Append("\n## Trials per rung\n\n| rung | epochs | trials with a result | stopped there |\n|---:|---:|---:|---:|\n");
        for (int r = 0; r < o.Rungs.Count; r++)
            sb.Append(C, $"| {r} | {o.Rungs[r]} | {o.Trials.Count(t => t.Rung >= r && t.RungAccuracies.Count > r)} | {o.Trials.Count(t => t.Rung == r && t.Status != TrialStatus.Completed)} |\n");
        sb.Append("\n## Top 10 trials\n\n| trial | setting | rung | validation accuracy | status |\n|---:|---|---:|---:|---|\n");
        foreach (var t in o.Ranked.Take(10))
            sb.Append(C, $"| {t.Trial.Id} | {t.Trial.Settings.Label} | {t.Rung} ({t.RungEpochs} ep) | {t.ValidationAccuracy * 100:F2} | {t.Status.ToString().ToLowerInvariant()} |\n");
        sb.Append(C, $"\nDiverged: {o.Trials.Count(t => t.Status == TrialStatus.Diverged)}; failed: {o.Trials.Count(t => t.Status == TrialStatus.Failed)}. All trials: trials.csv. Plots: {string.Join(", ", Plots)}.\n");
        return sb.ToString();
    }

    private static Plot AccuracyVs(TuningOutcome o, Func<TrialSummary, double> x, string xLabel, bool log, string title)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var shapes = new[] { MarkerShape.OpenCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp, MarkerShape.FilledDiamond };
        for (int rung = 0; rung < o.Rungs.Count; rung++)
        {
            foreach (var family in ScheduleFamilies.Every)
            {
                var points = o.Trials.Where(t => t.Rung == rung && t.Trial.Settings.Family == family && !double.IsNaN(t.ValidationAccuracy) && !double.IsNaN(x(t))).ToList();
                if (points.Count == 0) continue;
                var scatter = plot.Add.ScatterPoints(points.Select(t => log ? Math.Log10(x(t)) : x(t)).ToArray(), points.Select(t => t.ValidationAccuracy * 100).ToArray(), palette.GetColor((int)family));
                scatter.MarkerShape = shapes[Math.Min(rung, shapes.Length - 1)];
                scatter.MarkerSize = 6 + 3 * rung;
                scatter.LegendText = $"{family.Name()}, rung {rung} ({o.Rungs[rung]} ep)";
            }
        }
        if (log)
        {
            var ticks = new ScottPlot.TickGenerators.NumericManual();
            for (int e = -5; e <= 1; e++) ticks.AddMajor(e, Math.Pow(10, e).ToString("G", C));
            plot.Axes.Bottom.TickGenerator = ticks;
        }
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel("Validation accuracy (%)");
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    private static Plot Rungs(TuningOutcome o)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        foreach (var t in o.Trials)
        {
            var color = palette.GetColor((int)t.Trial.Settings.Family);
            var rungs = Enumerable.Range(0, t.RungAccuracies.Count).Where(r => !double.IsNaN(t.RungAccuracies[r])).ToList();
            if (rungs.Count == 0)
            {
                plot.Add.Marker(t.Trial.Id, 0, MarkerShape.Eks, 6, Colors.Red);
                continue;
            }
            var line = plot.Add.ScatterLine(rungs.Select(_ => (double)t.Trial.Id).ToArray(), rungs.Select(r => (double)r).ToArray(), color);
            line.LineWidth = 2;
            var end = plot.Add.Marker(t.Trial.Id, rungs[^1], t.Status == TrialStatus.Completed ? MarkerShape.FilledCircle : MarkerShape.OpenCircle, 7, color);
            end.LegendText = "";
        }
        foreach (var f in ScheduleFamilies.Every)
        {
            var key = plot.Add.Marker(double.NaN, double.NaN, MarkerShape.FilledCircle, 7, palette.GetColor((int)f));
            key.LegendText = f.Name();
        }
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (int r = 0; r < o.Rungs.Count; r++) ticks.AddMajor(r, $"rung {r} ({o.Rungs[r]} ep)");
        plot.Axes.Left.TickGenerator = ticks;
        plot.Axes.SetLimitsY(-0.5, o.Rungs.Count - 0.5);
        plot.Title("Successive halving: the rung each trial reached (filled: completed; red x: diverged at rung 0)");
        plot.XLabel("Trial (in the order proposed)");
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    private static Plot BestSoFar(TuneReport report)
    {
        var plot = new Plot();
        var h = report.Outcome.History;
        if (h.Count > 0)
        {
            var line = plot.Add.Scatter(h.Select(p => p.SpentEpochs).ToArray(), h.Select(p => p.BestValidationAccuracy * 100).ToArray());
            line.ConnectStyle = ConnectStyle.StepHorizontal;
            line.LegendText = "best validation accuracy so far (highest rung first)";
            foreach (var p in h.Where((p, i) => i == 0 || h[i - 1].BestRung != p.BestRung))
            {
                var label = plot.Add.Text($"rung {p.BestRung}", p.SpentEpochs, p.BestValidationAccuracy * 100);
                label.LabelFontSize = 10;
            }
        }
        if (report.Config.Tune?.BudgetEpochs is double budget)
        {
            var cap = plot.Add.VerticalLine(budget - report.FinalEpochs, 1.5f, Colors.Gray, LinePattern.Dashed);
            cap.LegendText = "search budget (final fits kept back)";
        }
        plot.Title("Best so far against compute spent");
        plot.XLabel("Compute spent (epochs of the whole training set)");
        plot.YLabel("Validation accuracy (%)");
        plot.ShowLegend(Edge.Bottom);
        return plot;
    }

    private static string Opt(double? v) => v is double d ? d.ToString("R", C) : "";

    private static string Num(double v) => double.IsNaN(v) ? "" : v.ToString("R", C);

    private static void WriteText(string folder, string name, string text)
    {
        string path = Path.Combine(folder, name);
        File.WriteAllText(path + ".tmp", text);
        File.Move(path + ".tmp", path, overwrite: true);
    }

    private static void Save(Plot plot, string folder, string relative)
    {
        string path = Path.Combine(folder, relative);
        string temporary = path + ".tmp.png";
        plot.SavePng(temporary, 1100, 560);
        File.Move(temporary, path, overwrite: true);
    }
}
