using System.Globalization;
using System.Text;
using WideMinima.Ledger;

namespace WideMinima.Reports;

/// <summary>summary.md: one row per setting with means, spreads and 95% intervals, the best setting, and Knee against the baselines.</summary>
public static class SummaryWriter
{
    /// <summary>The markdown text.</summary>
    public static string Markdown(string name, IReadOnlyList<LedgerRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var settings = SettingSummary.From(runs);
        var sb = new StringBuilder();
        int done = runs.Count(r => r.Status.IsFinished());
        sb.AppendLine(CultureInfo.InvariantCulture, $"# Sweep '{name}': {done} of {runs.Count} runs finished");
        sb.AppendLine();
        sb.AppendLine("Accuracy is test accuracy (%). Sharpness is Keskar ε-sharpness: lower means a wider minimum. ± is the sample standard deviation over seeds; CI is the 95% confidence interval of the mean (Student t).");
        sb.AppendLine();
        sb.AppendLine("| setting | n | accuracy mean ± std | accuracy 95% CI | sharpness mean ± std | train s | width s | diverged | failed |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var s in settings)
        {
            var acc = s.Accuracies.Select(a => a * 100).ToList();
            double ci = Statistics.ConfidenceHalfWidth(acc);
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {s.Setting} | {s.Done.Count}/{s.Planned} | {F(Statistics.Mean(acc), 2)} ± {F(Statistics.StandardDeviation(acc), 2)} | " +
                $"{(double.IsNaN(ci) ? "n/a" : $"[{F(Statistics.Mean(acc) - ci, 2)}, {F(Statistics.Mean(acc) + ci, 2)}]")} | " +
                $"{F(Statistics.Mean(s.Sharpness), 3)} ± {F(Statistics.StandardDeviation(s.Sharpness), 3)} | " +
                $"{F(Statistics.Mean([.. s.Done.Select(r => r.TrainSeconds ?? double.NaN)]), 1)} | " +
                $"{F(Statistics.Mean([.. s.Done.Select(r => r.WidthSeconds ?? double.NaN)]), 1)} | {s.Diverged} | {s.Failed} |");
        }
        sb.AppendLine();

        var ranked = settings.Where(s => s.Accuracies.Count > 0).OrderByDescending(s => s.MeanAccuracy).ToList();
        if (ranked.Count > 0)
        {
            var best = ranked[0];
            sb.AppendLine(CultureInfo.InvariantCulture, $"**Best setting:** {best.Setting}, {F(best.MeanAccuracy * 100, 2)}% mean test accuracy over {best.Accuracies.Count} seeds.");
            sb.AppendLine();
        }

        var cosine = settings.Where(s => s.Schedule == ScheduleNames.Cosine && s.Accuracies.Count > 0).OrderByDescending(s => s.MeanAccuracy).FirstOrDefault();
        var step = settings.Where(s => s.IsStep && s.Accuracies.Count > 0).OrderByDescending(s => s.MeanAccuracy).FirstOrDefault();
        var knees = settings.Where(s => s.Schedule == ScheduleNames.Knee && s.Accuracies.Count > 0).ToList();
        if (knees.Count > 0 && (cosine is not null || step is not null))
        {
            sb.AppendLine("## Knee against the best baselines");
            sb.AppendLine();
            sb.AppendLine("Difference of mean test accuracy in percentage points, with the 95% CI of the difference (Welch). An interval that excludes 0 is a difference the seeds support.");
            sb.AppendLine();
            sb.AppendLine(CultureInfo.InvariantCulture, $"| Knee setting | vs cosine ({cosine?.Setting ?? "none"}) | vs best step ({step?.Setting ?? "none"}) |");
            sb.AppendLine("|---|---:|---:|");
            foreach (var k in knees)
                sb.AppendLine(CultureInfo.InvariantCulture, $"| {k.Setting} | {Versus(k, cosine)} | {Versus(k, step)} |");
            sb.AppendLine();
        }
        Metrics(sb, runs, settings);
        return sb.ToString();
    }

    /// <summary>The width metrics side by side: per setting, against accuracy, and how each orders the explore shares.</summary>
    private static void Metrics(StringBuilder sb, IReadOnlyList<LedgerRun> runs, IReadOnlyList<SettingSummary> settings)
    {
        var metrics = MetricComparison.Recorded(runs);
        if (metrics.Count == 0) return;
        sb.AppendLine("## Width metrics");
        sb.AppendLine();
        sb.AppendLine("Mean ± std over seeds; for every metric lower means flatter. keskar: ε-sharpness; hessian_top and hessian_trace: the loss Hessian's top eigenvalue and trace; adaptive: adaptive sharpness (worst loss rise in the |δ| ≤ ρ|w| ball).");
        sb.AppendLine();
        sb.AppendLine("| setting | accuracy | " + string.Join(" | ", metrics.Select(WidthMetrics.Name)) + " |");
        sb.AppendLine("|---|---:|" + string.Concat(metrics.Select(_ => "---:|")));
        foreach (var s in settings)
        {
            var acc = s.Accuracies.Select(a => a * 100).ToList();
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {s.Setting} | {F(Statistics.Mean(acc), 2)} | ") +
                string.Join(" | ", metrics.Select(m => $"{G(Statistics.Mean(s.Metric(m)))} ± {G(Statistics.StandardDeviation(s.Metric(m)))}")) + " |");
        }
        sb.AppendLine();
        sb.AppendLine("Spearman correlation of each metric with test accuracy over the finished runs (negative: flatter runs generalise better), and the Knee explore shares ordered from flattest to sharpest by the metric's mean:");
        sb.AppendLine();
        sb.AppendLine("| metric | Spearman ρ with accuracy | runs | explore shares, flattest first |");
        sb.AppendLine("|---|---:|---:|---|");
        foreach (var m in metrics)
        {
            var (rho, n) = MetricComparison.CorrelationWithAccuracy(runs, m);
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {WidthMetrics.Name(m)} | {F(rho, 3)} | {n} | {string.Join(" < ", MetricComparison.ExploreOrder(settings, m).Select(e => e.ToString("0.##", CultureInfo.InvariantCulture)))} |");
        }
        sb.AppendLine();
        if (metrics.Count > 1)
        {
            var orders = metrics.Select(m => string.Join(",", MetricComparison.ExploreOrder(settings, m))).Distinct().Count();
            sb.AppendLine(orders == 1
                ? "**All metrics order the Knee explore shares the same way.**"
                : "**The metrics do not order the Knee explore shares the same way.** Spearman correlation between the metrics' Knee setting means:");
            if (orders != 1)
            {
                sb.AppendLine();
                sb.AppendLine("| | " + string.Join(" | ", metrics.Select(WidthMetrics.Name)) + " |");
                sb.AppendLine("|---|" + string.Concat(metrics.Select(_ => "---:|")));
                foreach (var a in metrics)
                    sb.AppendLine($"| {WidthMetrics.Name(a)} | " + string.Join(" | ", metrics.Select(b => F(MetricComparison.Agreement(settings, a, b), 2))) + " |");
            }
            sb.AppendLine();
        }
    }

    private static string G(double v) => double.IsNaN(v) ? "n/a" : v.ToString("G4", CultureInfo.InvariantCulture);

    private static string Versus(SettingSummary knee, SettingSummary? baseline)
    {
        if (baseline is null) return "n/a";
        var (d, h) = Statistics.Difference([.. knee.Accuracies.Select(a => a * 100)], [.. baseline.Accuracies.Select(a => a * 100)]);
        return double.IsNaN(h) ? $"{Signed(d)} (CI n/a)" : $"{Signed(d)} [{Signed(d - h)}, {Signed(d + h)}]";
    }

    private static string Signed(double v) => v.ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture);

    private static string F(double v, int digits) => double.IsNaN(v) ? "n/a" : v.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
