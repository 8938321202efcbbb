using System.Text.Json.Serialization;

namespace WideMinima.Ledger;

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

/// <summary>What a run row trains: a sweep's run, a tuning's job, or a tuning's final fit.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RunKind>))]
public enum RunKind
{
    /// <summary><c>run</c>: one schedule setting, seed and budget of a sweep; its payload is the schedule.</summary>
    [JsonStringEnumMemberName("run")] Run,
    /// <summary><c>tune-job</c>: one rung of a tuning's trials; its payload is the job, its result the job's result.</summary>
    [JsonStringEnumMemberName("tune-job")] TuneJob,
    /// <summary><c>final-fit</c>: a tuning's chosen settings trained on all the training data; payload and result are the fit's.</summary>
    [JsonStringEnumMemberName("final-fit")] FinalFit,
}

/// <summary>Which stage of a sweep a run belongs to.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RunPhase>))]
public enum RunPhase
{
    /// <summary><c>final</c>: scored on the test set; what the verdict is made of (every run of a sweep without calibration).</summary>
    [JsonStringEnumMemberName("final")] Final,
    /// <summary><c>calibration</c>: one point of a peak-rate grid, scored on the validation split carved from the training data.</summary>
    [JsonStringEnumMemberName("calibration")] Calibration,
}

/// <summary>The one place each ledger enum becomes the text the ledger stores and reports print, and back.</summary>
public static class LedgerText
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

    /// <summary>The stored word: <c>run</c>, <c>tune-job</c> or <c>final-fit</c>.</summary>
    public static string ToText(this RunKind kind) => kind switch
    {
        RunKind.Run => "run",
        RunKind.TuneJob => "tune-job",
        RunKind.FinalFit => "final-fit",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "is not a run kind"),
    };

    /// <summary>The stored word: <c>final</c> or <c>calibration</c>.</summary>
    public static string ToText(this RunPhase phase) => phase switch
    {
        RunPhase.Final => "final",
        RunPhase.Calibration => "calibration",
        _ => throw new ArgumentOutOfRangeException(nameof(phase), phase, "is not a run phase"),
    };

    /// <summary>The stored word: <c>sweep</c> or <c>tuning</c>.</summary>
    public static string ToText(this SweepKind kind) => kind switch
    {
        SweepKind.Sweep => "sweep",
        SweepKind.Tuning => "tuning",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "is not a sweep kind"),
    };

    /// <summary>The sweep kind a stored word names; any other word is a corrupt ledger.</summary>
    public static SweepKind ParseSweepKind(string text) => text switch
    {
        "sweep" => SweepKind.Sweep,
        "tuning" => SweepKind.Tuning,
        _ => throw new InvalidDataException($"The ledger holds an unknown sweep kind '{text}'."),
    };

    /// <summary>The status a stored word names; any other word is a corrupt ledger.</summary>
    public static RunStatus ParseStatus(string text) => text switch
    {
        "pending" => RunStatus.Pending,
        "running" => RunStatus.Running,
        "done" => RunStatus.Done,
        "failed" => RunStatus.Failed,
        "diverged" => RunStatus.Diverged,
        _ => throw new InvalidDataException($"The ledger holds an unknown run status '{text}'."),
    };

    /// <summary>The kind a stored word names; any other word is a corrupt ledger.</summary>
    public static RunKind ParseKind(string text) => text switch
    {
        "run" => RunKind.Run,
        "tune-job" => RunKind.TuneJob,
        "final-fit" => RunKind.FinalFit,
        _ => throw new InvalidDataException($"The ledger holds an unknown run kind '{text}'."),
    };

    /// <summary>The phase a stored word names; any other word is a corrupt ledger.</summary>
    public static RunPhase ParsePhase(string text) => text switch
    {
        "final" => RunPhase.Final,
        "calibration" => RunPhase.Calibration,
        _ => throw new InvalidDataException($"The ledger holds an unknown run phase '{text}'."),
    };

    /// <summary>True for the states a finished run ends in.</summary>
    public static bool IsFinished(this RunStatus status) => status is RunStatus.Done or RunStatus.Failed or RunStatus.Diverged;
}
