using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using WideMinima.Ledger;

namespace WideMinima.Reports;

/// <summary>results.csv and results.json: one row per run, from the ledger.</summary>
public static class ResultsWriter
{
    /// <summary>
    /// The CSV columns, in order; the first nine are the stable contract scripts rely on, the width metrics added
    /// later follow (empty where a run did not record them), and the verdict's columns come last: <c>phase</c>
    /// (<c>calibration</c> or <c>final</c>), <c>budget</c> (the share of the sweep's epochs), <c>peak_lr</c> and
    /// <c>validation_accuracy</c> (calibration runs, in [0, 1]).
    /// </summary>
    public static IReadOnlyList<string> Columns { get; } =
    [
        "run_id", "schedule", "explore_fraction", "seed", "status", "test_accuracy", "sharpness", "train_seconds", "width_seconds",
        "setting", "test_loss", "train_loss", "width_max_loss", "width_steps", "width_converged", "attempts", "error",
        "hessian_top", "hessian_trace", "hessian_trace_se", "adaptive_sharpness", "measure_seconds",
        "phase", "budget", "peak_lr", "validation_accuracy",
    ];

    /// <summary>The CSV text (RFC 4180 quoting, invariant culture, empty cells for missing values).</summary>
    public static string Csv(IReadOnlyList<LedgerRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var sb = new StringBuilder();
        sb.AppendLine(string.Join(',', Columns));
        foreach (var r in runs)
        {
            var m = RunMetrics.Of(r);
            string[] cells =
            [
                r.RunId, r.Schedule, N(r.ExploreFraction), r.Seed.ToString(CultureInfo.InvariantCulture), r.Status.ToText(),
                N(r.TestAccuracy), N(r.Sharpness), N(r.TrainSeconds), N(r.WidthSeconds),
                r.Setting, N(r.TestLoss), N(r.TrainLoss), N(r.WidthMaxLoss),
                r.WidthSteps?.ToString(CultureInfo.InvariantCulture) ?? "", r.WidthConverged is bool c ? (c ? "true" : "false") : "",
                r.Attempts.ToString(CultureInfo.InvariantCulture), r.Error ?? "",
                N(m.HessianTop), N(m.HessianTrace), N(m.HessianTraceStandardError), N(m.Adaptive), N(m.Seconds),
                r.Phase.ToText(), N(r.Budget), N(r.PeakLr), N(r.ValidationAccuracy),
            ];
            sb.AppendLine(string.Join(',', cells.Select(Quote)));
        }
        return sb.ToString();
    }

    /// <summary>The JSON text: an array with each run's ledger fields and, for finished runs, its full record.</summary>
    public static string Json(IReadOnlyList<LedgerRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var array = new JsonArray();
        foreach (var r in runs)
        {
            var node = new JsonObject
            {
                ["run_id"] = r.RunId,
                ["setting"] = r.Setting,
                ["schedule"] = r.Schedule,
                ["explore_fraction"] = r.ExploreFraction,
                ["seed"] = r.Seed,
                ["status"] = r.Status.ToText(),
                ["attempts"] = r.Attempts,
                ["test_accuracy"] = Finite(r.TestAccuracy),
                ["sharpness"] = Finite(r.Sharpness),
                ["train_seconds"] = r.TrainSeconds,
                ["width_seconds"] = r.WidthSeconds,
                ["error"] = r.Error,
                ["phase"] = r.Phase.ToText(),
                ["budget"] = r.Budget,
                ["peak_lr"] = Finite(r.PeakLr),
                ["validation_accuracy"] = Finite(r.ValidationAccuracy),
                ["record"] = r.ResultJson is null ? null : JsonNode.Parse(r.ResultJson),
            };
            array.Add(node);
        }
        return array.ToJsonString(LedgerJson.Options);
    }

    private static double? Finite(double? value) => value is double v && double.IsFinite(v) ? v : null;

    private static string N(double? value) => value is double v ? v.ToString("R", CultureInfo.InvariantCulture) : "";

    private static string Quote(string cell) =>
        cell.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell;
}
