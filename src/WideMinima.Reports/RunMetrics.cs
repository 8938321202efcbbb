using System.Runtime.CompilerServices;
using System.Text.Json;
using WideMinima.Ledger;

namespace WideMinima.Reports;

/// <summary>
/// A run's width metrics: Keskar from its ledger column, the others from its stored record (result_json), so that
/// ledgers written before these metrics existed read unchanged (their other metrics are simply missing). With them,
/// the share of its budget the run trained itself (<see cref="RunRecord.TrainedShare"/>: below 1 for a forked run).
/// </summary>
public sealed record RunMetrics(double? Keskar, double? HessianTop, double? HessianTrace, double? HessianTraceStandardError, double? Adaptive, double? Seconds,
    double TrainedShare = 1)
{
    // A run's metrics are read once per row object: summaries ask for them several times per run (each metric, each
    // correlation), and a dashboard summarises thousands of runs per refresh. Rows are immutable records.
    private static readonly ConditionalWeakTable<LedgerRun, RunMetrics> Read = [];

    /// <summary>The metrics of <paramref name="run"/>.</summary>
    public static RunMetrics Of(LedgerRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return Read.GetValue(run, Parse);
    }

    private static RunMetrics Parse(LedgerRun run)
    {
        double? top = null, trace = null, se = null, adaptive = null, seconds = null;
        double trained = 1;
        if (run.ResultJson is not null)
        {
            using var document = JsonDocument.Parse(run.ResultJson);
            var root = document.RootElement;
            if (root.TryGetProperty("forked_from", out var f) && f.ValueKind == JsonValueKind.String
                && Number(root, "forked_at_step") is double k && Number(root, "total_steps") is double t && t > 0)
                trained = 1 - k / t;
            if (root.TryGetProperty("hessian", out var h) && h.ValueKind == JsonValueKind.Object)
            {
                top = Number(h, "top_eigenvalue");
                trace = Number(h, "trace");
                se = Number(h, "trace_standard_error");
                seconds = Number(h, "seconds");
            }
            if (root.TryGetProperty("adaptive", out var a) && a.ValueKind == JsonValueKind.Object)
            {
                adaptive = Number(a, "sharpness");
                if (Number(a, "seconds") is double s) seconds = (seconds ?? 0) + s;
            }
        }
        return new RunMetrics(run.Sharpness, top, trace, se, adaptive, seconds, trained);
    }

    /// <summary>The value of <paramref name="metric"/>, or null when the run did not record it.</summary>
    public double? Value(WidthMetric metric) => metric switch
    {
        WidthMetric.Keskar => Keskar,
        WidthMetric.HessianTop => HessianTop,
        WidthMetric.HessianTrace => HessianTrace,
        WidthMetric.Adaptive => Adaptive,
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "is not a known metric"),
    };

    private static double? Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
}
