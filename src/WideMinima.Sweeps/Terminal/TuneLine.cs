using System.Globalization;
using WideMinima.Tuning;

namespace WideMinima.Sweeps.Terminal;

/// <summary>A tuning's progress as text, shared by the live and the plain display (pure: no I/O).</summary>
internal static class TuneLine
{
    /// <summary>The plain line of a finished job: compute spent, the job and its accuracies, and the best so far.</summary>
    public static string Plain(TuningProgress value, double? searchBudget)
    {
        string budget = searchBudget is double b ? string.Create(CultureInfo.InvariantCulture, $"/{b:0.#}") : "";
        string best = value.Best is { } t ? string.Create(CultureInfo.InvariantCulture, $" | best {t.ValidationAccuracy:P2} ({t.Trial.Settings.Label}, rung {t.Rung})") : "";
        return string.Create(CultureInfo.InvariantCulture, $"[{value.SpentEpochs,6:0.0}{budget} ep{(value.Replayed ? ", ledger" : "")}] {value.Message}{best}");
    }

    /// <summary>The header of <see cref="Rows"/>'s columns.</summary>
    public static string Header => string.Create(CultureInfo.InvariantCulture,
        $"{"trial",5} {"settings",-28} {"rung",4} {"epochs",6} {"status",-9} {"validation %",12} {"spent ep",9}");

    /// <summary>A finished job as one row per trial it trained, for a table that grows as jobs finish.</summary>
    public static IReadOnlyList<string> Rows(TuningProgress value)
    {
        if (value.Kind != TuningEventKind.JobFinished || value.Job is null || value.Result is null) return [];
        var c = CultureInfo.InvariantCulture;
        var settings = value.Job.Trials.ToDictionary(t => t.Id, t => t.Settings.Label);
        return [.. value.Result.Outcomes.Select(o =>
        {
            string accuracy = o.Status == TrialOutcomeStatus.Done ? (o.ValidationAccuracy * 100).ToString("F2", c) : "-";
            string status = o.Status switch
            {
                TrialOutcomeStatus.Done => "done",
                TrialOutcomeStatus.Diverged => "diverged",
                TrialOutcomeStatus.Failed => "failed",
                _ => throw new ArgumentOutOfRangeException(nameof(value), o.Status, "unknown trial status"),
            };
            string label = settings.TryGetValue(o.TrialId, out var l) ? l : "?";
            string error = o.Error is null || o.Status == TrialOutcomeStatus.Done ? "" : "  " + o.Error;
            return string.Create(c, $"{o.TrialId,5} {label,-28} {value.Job.Rung,4} {value.Job.Epochs,6} {status,-9} {accuracy,12} {value.SpentEpochs,9:0.0}{(value.Replayed ? "  (ledger)" : "")}{error}");
        })];
    }
}
