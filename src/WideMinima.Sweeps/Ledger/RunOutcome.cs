namespace WideMinima.Sweeps.Ledger;

/// <summary>What a worker reports when a run ends.</summary>
/// <param name="Status">done, failed or diverged.</param>
/// <param name="Record">The full record (null only when the run failed before training produced anything).</param>
/// <param name="Error">The error of a failed run.</param>
public sealed record RunOutcome(RunStatus Status, Execution.RunRecord? Record, string? Error);
