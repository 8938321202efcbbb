namespace WideMinima.Sweeps.Ledger;

/// <summary>What a worker reports when a run ends.</summary>
/// <param name="Status">done, failed or diverged.</param>
/// <param name="Record">The full record (null only when the run failed before training produced anything).</param>
/// <param name="Error">The error of a failed run.</param>
/// <param name="JobResultJson">A tuning job's result (its JSON), stored in place of a record.</param>
public sealed record RunOutcome(RunStatus Status, Execution.RunRecord? Record, string? Error, string? JobResultJson = null)
{
    /// <summary>The text a ledger stores as the result: the job's result, or the record as JSON, or null.</summary>
    public string? ResultJson => JobResultJson ?? (Record is null ? null : System.Text.Json.JsonSerializer.Serialize(Record, Execution.RunRecord.JsonOptions));
}
