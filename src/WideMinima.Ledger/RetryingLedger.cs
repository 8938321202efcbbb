using System.Globalization;

namespace WideMinima.Ledger;

/// <summary>
/// Wraps a ledger whose server may go away for a while (PostgreSQL restarted, a network cut): every call that fails
/// with <see cref="LedgerUnavailableException"/> is retried with exponential backoff (0.5 s doubling up to 30 s),
/// each failure logged, until it succeeds or <see cref="RetryOptions.GiveUpAfter"/> has passed. Retrying is safe
/// because every write is one transaction that either happened or not, and a retried <c>Complete</c> that did
/// happen reports true (see <see cref="IRunLedger.Complete"/>), and a retried <c>Record</c>, <c>AddRuns</c> or
/// <c>CreateSweep</c> that did happen finds its rows there and leaves them as they are.
/// </summary>
public sealed class RetryingLedger(IRunLedger inner, RetryOptions options, Action<string>? log, TimeProvider? clock = null) : IRunLedger
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>The wrapped ledger.</summary>
    public IRunLedger Inner { get; } = inner ?? throw new ArgumentNullException(nameof(inner));

    /// <inheritdoc />
    public string Description => Inner.Description;

    /// <inheritdoc />
    public string? Sweep => Retry("reading the sweep's name", () => Inner.Sweep);

    /// <inheritdoc />
    public SweepHeader? ReadSweep() => Retry("reading the sweep", Inner.ReadSweep);

    /// <inheritdoc />
    public void CreateSweep(SweepHeader header, IReadOnlyList<NewRun> runs) => Retry("creating the sweep", () => { Inner.CreateSweep(header, runs); return true; });

    /// <inheritdoc />
    public void AddRuns(IReadOnlyList<NewRun> runs) => Retry("adding runs", () => { Inner.AddRuns(runs); return true; });

    /// <inheritdoc />
    public void HoldOpen(TimeSpan lease) => Retry("holding the sweep open", () => { Inner.HoldOpen(lease); return true; });

    /// <inheritdoc />
    public void Close() => Retry("closing the sweep", () => { Inner.Close(); return true; });

    /// <inheritdoc />
    public bool IsOpen() => Retry("reading whether the sweep is open", Inner.IsOpen);

    /// <inheritdoc />
    public int RecoverOrphans(Func<string, bool> isWorkerAlive) => Retry("recovering orphaned runs", () => Inner.RecoverOrphans(isWorkerAlive));

    /// <inheritdoc />
    public LedgerRun? Claim(string worker, TimeSpan lease, Func<string, bool> isWorkerAlive) => Retry("claiming a run", () => Inner.Claim(worker, lease, isWorkerAlive));

    /// <inheritdoc />
    public bool Heartbeat(RunLease lease, string? progress) => Retry("heartbeat", () => Inner.Heartbeat(lease, progress));

    /// <inheritdoc />
    public bool Complete(RunLease lease, RunOutcome outcome) => Retry("recording a result", () => Inner.Complete(lease, outcome));

    /// <inheritdoc />
    public bool Record(NewRun run, RunOutcome outcome) => Retry("recording a result", () => Inner.Record(run, outcome));

    /// <inheritdoc />
    public void Release(RunLease lease) => Retry("releasing a run", () => { Inner.Release(lease); return true; });

    /// <inheritdoc />
    public int ResetFailed() => Retry("resetting failed runs", Inner.ResetFailed);

    /// <inheritdoc />
    public IReadOnlyList<LedgerRun> Runs() => Retry("reading the runs", Inner.Runs);

    /// <inheritdoc />
    public void RecordCheckpoint(CheckpointRow checkpoint) => Retry("recording a checkpoint", () => { Inner.RecordCheckpoint(checkpoint); return true; });

    /// <inheritdoc />
    public IReadOnlyList<CheckpointRow> Checkpoints(string runId) => Retry("reading checkpoints", () => Inner.Checkpoints(runId));

    /// <inheritdoc />
    public bool ForgetCheckpoint(string runId, string path) => Retry("forgetting a checkpoint", () => Inner.ForgetCheckpoint(runId, path));

    /// <inheritdoc />
    public string? ArchiveSweep() => Retry("archiving the sweep", Inner.ArchiveSweep);

    /// <inheritdoc />
    public IReadOnlyList<string> SweepNames() => Retry("reading the sweeps' names", Inner.SweepNames);

    /// <inheritdoc />
    public void Dispose() => Inner.Dispose();

    private T Retry<T>(string what, Func<T> call)
    {
        var start = _clock.GetTimestamp();
        var delay = options.FirstDelay;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                T result = call();
                if (attempt > 1) log?.Invoke($"ledger reachable again; {what} succeeded after {attempt} tries");
                return result;
            }
            catch (LedgerUnavailableException e)
            {
                var waited = _clock.GetElapsedTime(start);
                if (waited + delay > options.GiveUpAfter)
                {
                    log?.Invoke($"ledger unreachable for {waited.TotalSeconds:F0} s while {what}; giving up: {e.Message}");
                    throw;
                }
                log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"ledger unreachable while {what} (try {attempt}): {e.Message}; retrying in {delay.TotalSeconds:F1} s"));
                options.Sleep(delay);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.MaxDelay.Ticks));
            }
        }
    }
}

/// <summary>How <see cref="RetryingLedger"/> waits.</summary>
public sealed record RetryOptions
{
    /// <summary>The first wait; each next one doubles.</summary>
    public TimeSpan FirstDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest wait between tries.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a call keeps trying before its error is thrown.</summary>
    public TimeSpan GiveUpAfter { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>How to wait (a test passes one that advances a fake clock).</summary>
    public Action<TimeSpan> Sleep { get; init; } = Thread.Sleep;
}
