namespace WideMinima.Ledger;

/// <summary>
/// The source of truth of one sweep: its definition and every run's state and result. Workers claim runs, keep their
/// lease alive with heartbeats and record outcomes through it; every report is derived from it. One implementation,
/// <see cref="SqlLedger"/>, serves SQLite (one machine) and PostgreSQL (many). Safe to share between threads.
/// </summary>
/// <remarks>
/// A claim is a lease: it holds for its length after the last heartbeat, and carries a fencing token (the run's
/// attempt number, see <see cref="RunLease"/>). Once a lease has expired and another worker has claimed the run,
/// the old holder's heartbeats and its late <see cref="Complete"/> are refused, so a run is executed at least
/// once and recorded exactly once.
/// </remarks>
public interface IRunLedger : IDisposable
{
    /// <summary>Names the ledger for messages (a file, or a database and sweep), never with a password.</summary>
    string Description { get; }

    /// <summary>The sweep's name, or null while the ledger holds none (a new file opened without a name).</summary>
    string? Sweep { get; }

    /// <summary>The sweep held, or null when there is none under this name yet.</summary>
    SweepHeader? ReadSweep();

    /// <summary>
    /// Records the sweep (unless it is there) and adds <paramref name="runs"/>, atomically; runs already present are
    /// kept as they are, so calling it again with new runs adds only those.
    /// </summary>
    void CreateSweep(SweepHeader header, IReadOnlyList<NewRun> runs);

    /// <summary>Adds runs to the existing sweep (a tuning's jobs, a calibration's final runs, another round of seeds); present ones are kept.</summary>
    void AddRuns(IReadOnlyList<NewRun> runs);

    /// <summary>
    /// Holds the sweep open for <paramref name="lease"/> from now: more runs may still be added (a coordinator renews
    /// this while it decides), so a worker with nothing to claim waits instead of exiting. A sweep nobody holds open
    /// (every planned sweep, or one whose coordinator stopped renewing) lets idle workers exit.
    /// </summary>
    void HoldOpen(TimeSpan lease);

    /// <summary>Closes the sweep to new runs: idle workers exit.</summary>
    void Close();

    /// <summary>True while the sweep is held open (by the ledger's clock: the server's, for PostgreSQL).</summary>
    bool IsOpen();

    /// <summary>
    /// Puts back to pending every running run whose lease has expired, or whose worker ran on this machine and
    /// is gone (<paramref name="isWorkerAlive"/> false); returns how many.
    /// </summary>
    int RecoverOrphans(Func<string, bool> isWorkerAlive);

    /// <summary>
    /// Claims the next pending run (or one whose lease expired) for <paramref name="worker"/> with a lease of
    /// <paramref name="lease"/>, or returns null when none is left. The returned run's <see cref="LedgerRun.Lease"/>
    /// is the fencing token the other calls need.
    /// </summary>
    LedgerRun? Claim(string worker, TimeSpan lease, Func<string, bool> isWorkerAlive);

    /// <summary>Renews the lease, with progress text; false when the lease is lost (the run was taken over).</summary>
    bool Heartbeat(RunLease lease, string? progress);

    /// <summary>
    /// Records the outcome; false when the lease is lost (the run was reclaimed and is no longer this claim's to finish).
    /// Calling it again for an outcome that was recorded returns true and changes nothing.
    /// </summary>
    bool Complete(RunLease lease, RunOutcome outcome);

    /// <summary>
    /// Records a run that finished in this process without a claim (a tuning's jobs trained in the coordinator):
    /// adds it, or finishes its pending row, in one transaction. False when the ledger already holds it finished
    /// (it is kept as it was).
    /// </summary>
    bool Record(NewRun run, RunOutcome outcome);

    /// <summary>Gives an unfinished run back (the worker was stopped): it becomes pending again.</summary>
    void Release(RunLease lease);

    /// <summary>Puts failed runs back to pending, for <c>run --retry-failed</c>.</summary>
    int ResetFailed();

    /// <summary>Every run, in queue order.</summary>
    IReadOnlyList<LedgerRun> Runs();

    /// <summary>Records a checkpoint of a run (a file already completely on disk); recording the same path again replaces the row.</summary>
    void RecordCheckpoint(CheckpointRow checkpoint);

    /// <summary>The run's recorded checkpoints, newest first (most steps, then most recently recorded, then the latest attempt).</summary>
    IReadOnlyList<CheckpointRow> Checkpoints(string runId);

    /// <summary>Forgets one checkpoint of a run (its file is deleted by the caller); false when it was not recorded.</summary>
    bool ForgetCheckpoint(string runId, string path);

    /// <summary>
    /// Renames this sweep to <c>NAME~archived-STAMP</c>, keeping all its rows, so that a new sweep of the same name can
    /// be created (<c>run --replace</c>). Returns the archived name, or null when there was no such sweep.
    /// </summary>
    string? ArchiveSweep();

    /// <summary>The names of every sweep in the ledger's database, archived ones included, oldest first.</summary>
    IReadOnlyList<string> SweepNames();
}
