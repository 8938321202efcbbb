using WideMinima.Sweeps.Planning;

namespace WideMinima.Sweeps.Ledger;

/// <summary>
/// The source of truth of a sweep: its definition and every run's state and result. Workers claim runs,
/// report progress and record outcomes through it; every report is derived from it. SQLite implements it
/// for one machine (<see cref="SqliteRunLedger"/>); a PostgreSQL ledger with <c>FOR UPDATE SKIP LOCKED</c>
/// claims would implement it for many (see docs/scale-out.md).
/// </summary>
public interface IRunLedger : IDisposable
{
    /// <summary>The sweep held, or null for a new ledger.</summary>
    SweepHeader? ReadSweep();

    /// <summary>Records the sweep and its planned runs, atomically; runs already present are kept.</summary>
    void CreateSweep(SweepHeader header, IReadOnlyList<PlannedRun> runs);

    /// <summary>Puts back to pending every running run whose worker is dead or silent for longer than <paramref name="staleAfter"/>.</summary>
    int RecoverOrphans(Func<string, bool> isWorkerAlive, TimeSpan staleAfter);

    /// <summary>Claims the next pending run (or an orphan) for <paramref name="worker"/>, or returns null when none is left.</summary>
    LedgerRun? Claim(string worker, Func<string, bool> isWorkerAlive, TimeSpan staleAfter);

    /// <summary>Reports that <paramref name="worker"/> is still on <paramref name="runId"/>, with progress text.</summary>
    void Heartbeat(string runId, string worker, string? progress);

    /// <summary>Records the outcome; false when the run is no longer this worker's (it was reclaimed).</summary>
    bool Complete(string runId, string worker, RunOutcome outcome);

    /// <summary>Gives an unfinished run back (the worker was stopped): it becomes pending again.</summary>
    void Release(string runId, string worker);

    /// <summary>Puts failed runs back to pending, for <c>run --retry-failed</c>.</summary>
    int ResetFailed();

    /// <summary>Every run, in plan order.</summary>
    IReadOnlyList<LedgerRun> Runs();

    /// <summary>Records a checkpoint of a run (a file already completely on disk); recording the same path again replaces the row.</summary>
    void RecordCheckpoint(CheckpointRow checkpoint);

    /// <summary>The run's recorded checkpoints, newest first (most steps, then most recently recorded).</summary>
    IReadOnlyList<CheckpointRow> Checkpoints(string runId);

    /// <summary>Forgets one checkpoint of a run (its file is deleted by the caller); false when it was not recorded.</summary>
    bool ForgetCheckpoint(string runId, string path);
}
