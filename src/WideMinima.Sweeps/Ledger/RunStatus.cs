using System.Text.Json.Serialization;

namespace WideMinima.Sweeps.Ledger;

/// <summary>The states of a run in the ledger. Stored, printed and written to reports as the lower-case name.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RunStatus>))]
public enum RunStatus
{
    /// <summary><c>pending</c>: planned, not started (or put back after its worker died).</summary>
    [JsonStringEnumMemberName("pending")] Pending,
    /// <summary><c>running</c>: claimed by a live worker.</summary>
    [JsonStringEnumMemberName("running")] Running,
    /// <summary><c>done</c>: finished and recorded.</summary>
    [JsonStringEnumMemberName("done")] Done,
    /// <summary><c>failed</c>: threw an error; the message is recorded. Rerunning the sweep does not retry it unless asked.</summary>
    [JsonStringEnumMemberName("failed")] Failed,
    /// <summary><c>diverged</c>: the loss became NaN or infinite: a result, not an error.</summary>
    [JsonStringEnumMemberName("diverged")] Diverged,
}

/// <summary>The one place a <see cref="RunStatus"/> becomes the text the ledger stores and reports print, and back.</summary>
public static class RunStatusText
{
    /// <summary>The stored word: <c>pending</c>, <c>running</c>, <c>done</c>, <c>failed</c> or <c>diverged</c>.</summary>
    public static string ToText(this RunStatus status) => status switch
    {
        RunStatus.Pending => "pending",
        RunStatus.Running => "running",
        RunStatus.Done => "done",
        RunStatus.Failed => "failed",
        RunStatus.Diverged => "diverged",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "is not a run status"),
    };

    /// <summary>The status a stored word names; any other word is a corrupt ledger.</summary>
    public static RunStatus Parse(string text) => text switch
    {
        "pending" => RunStatus.Pending,
        "running" => RunStatus.Running,
        "done" => RunStatus.Done,
        "failed" => RunStatus.Failed,
        "diverged" => RunStatus.Diverged,
        _ => throw new InvalidDataException($"The ledger holds an unknown run status '{text}'."),
    };

    /// <summary>True for the states a finished run ends in.</summary>
    public static bool IsFinished(this RunStatus status) => status is RunStatus.Done or RunStatus.Failed or RunStatus.Diverged;
}
