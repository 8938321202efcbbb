namespace WideMinima.Sweeps.Ledger;

/// <summary>The states of a run in the ledger, as stored (lower case).</summary>
public static class RunStatus
{
    /// <summary>Planned, not started (or put back after its worker died).</summary>
    public const string Pending = "pending";
    /// <summary>Claimed by a live worker.</summary>
    public const string Running = "running";
    /// <summary>Finished and recorded.</summary>
    public const string Done = "done";
    /// <summary>Threw an error; the message is recorded. Rerunning the sweep does not retry it unless asked.</summary>
    public const string Failed = "failed";
    /// <summary>The loss became NaN or infinite: a result, not an error.</summary>
    public const string Diverged = "diverged";

    /// <summary>True for the states a finished run ends in.</summary>
    public static bool IsFinished(string status) => status is Done or Failed or Diverged;
}
