using System.Globalization;
using WideMinima.Ledger;

namespace WideMinima.Sweeps.Execution;

/// <summary>How a worker holds its runs.</summary>
public sealed record WorkerOptions
{
    /// <summary>The default lease: a run whose worker has not reported for this long is given to another worker.</summary>
    public static TimeSpan DefaultLease { get; } = TimeSpan.FromMinutes(3);

    /// <summary>The worker's name in the ledger (see <see cref="WorkerIdentity"/>).</summary>
    public required string Name { get; init; }

    /// <summary>How long a claim holds without a heartbeat.</summary>
    public TimeSpan Lease { get; init; } = DefaultLease;

    /// <summary>How often the lease is renewed while a run trains (and at every epoch's end); default a sixth of the lease, at most 10 s.</summary>
    public TimeSpan? HeartbeatInterval { get; init; }

    /// <summary>False for a worker known to be dead (a process gone from this machine).</summary>
    public Func<string, bool> IsWorkerAlive { get; init; } = WorkerIdentity.IsAlive;

    /// <summary>Log lines (claims, outcomes, lost leases, retries).</summary>
    public Action<string>? Log { get; init; }

    /// <summary>How often a worker with nothing to claim looks again while the sweep is held open (a tuning deciding its next job). Default 250 ms.</summary>
    public TimeSpan IdlePoll { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Called after each recorded outcome (the local worker refreshes the reports there).</summary>
    public Action? AfterComplete { get; init; }

    /// <summary>
    /// Called when there is nothing to claim, before the worker asks whether the sweep is still held open: a worker of
    /// a growing sweep plans again there, renewing the hold while another worker's run is in flight and closing the
    /// sweep once it is complete. Called at every idle poll; throttle it if it is costly.
    /// </summary>
    public Action? WhileIdle { get; init; }

    /// <summary>The heartbeat interval in effect.</summary>
    public TimeSpan EffectiveHeartbeatInterval => HeartbeatInterval ?? TimeSpan.FromTicks(Math.Min(Lease.Ticks / 6, TimeSpan.FromSeconds(10).Ticks));
}

/// <summary>
/// A worker: claims runs from the ledger one at a time, runs them with the executor and records the outcome, until no
/// run is left. The claim is a lease renewed by a heartbeat thread while the run trains (and at every epoch); when a
/// heartbeat finds the lease lost (the run was reclaimed after the lease expired, e.g. behind a network cut), the run
/// is abandoned, and its late result would be refused anyway. Several workers, in any number of processes and
/// machines, may share one ledger. While a sweep is held open (a tuning adds its jobs as it decides them), a worker
/// with nothing to claim waits for more instead of exiting. The ledger, the executor and the clock are injected.
/// </summary>
public sealed class SweepWorker(IRunLedger ledger, IRunExecutor executor, WorkerOptions options)
{
    /// <summary>How a run ended for this worker.</summary>
    private enum Ending
    {
        Recorded,
        Refused,
        LeaseLost,
        Stopped,
    }

    /// <summary>Where checkpoints go when <c>--checkpoints</c> is not given: <c>checkpoints/</c> in the sweep folder.</summary>
    public static string DefaultCheckpointFolder(string sweepFolder) => Path.Combine(sweepFolder, "checkpoints");

    /// <summary>Runs until the ledger has no pending run or <paramref name="ct"/> stops it; returns the number of runs this worker recorded.</summary>
    public int Run(CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(executor);
        var log = options.Log;
        int finished = 0;
        bool prepared = false, idle = false;
        while (!ct.IsCancellationRequested)
        {
            var run = ledger.Claim(options.Name, options.Lease, options.IsWorkerAlive);
            if (run is null)
            {
                options.WhileIdle?.Invoke();
                if (!ledger.IsOpen()) break;
                if (!idle) log?.Invoke($"{options.Name}: nothing to claim yet; waiting while the sweep is held open");
                idle = true;
                ct.WaitHandle.WaitOne(options.IdlePoll);
                continue;
            }
            idle = false;
            var lease = run.Lease;
            log?.Invoke($"{options.Name}: {run.RunId} started (attempt {run.Attempts})");
            if (!prepared)
            {
                try
                {
                    executor.Prepare();
                    prepared = true;
                }
                catch (WorkerSetupException e)
                {
                    // Without data no run can succeed: record why on the run in hand, and stop this worker.
                    ledger.Complete(lease, new RunOutcome(RunStatus.Failed, null, e.Message));
                    log?.Invoke($"{options.Name}: {e.Message}");
                    options.AfterComplete?.Invoke();
                    break;
                }
            }

            var ending = RunOne(run, lease, ct, out var outcome);
            switch (ending)
            {
                case Ending.Recorded:
                    finished++;
                    log?.Invoke($"{options.Name}: {run.RunId} {outcome!.Status.ToText()}" + (outcome.Error is null ? "" : $": {outcome.Error}"));
                    options.AfterComplete?.Invoke();
                    break;
                case Ending.Refused:
                    log?.Invoke($"{options.Name}: the result of {run.RunId} was refused: its lease expired and another worker took the run over");
                    break;
                case Ending.LeaseLost:
                    log?.Invoke($"{options.Name}: lost the lease on {run.RunId} (another worker took it over); abandoned it");
                    break;
                case Ending.Stopped:
                    log?.Invoke($"{options.Name}: stopped during {run.RunId}; it will run again");
                    return finished;
                default:
                    throw new InvalidOperationException($"Unknown ending {ending}.");
            }
        }
        return finished;
    }

    private Ending RunOne(LedgerRun run, RunLease lease, CancellationToken ct, out RunOutcome? outcome)
    {
        outcome = null;
        using var lost = new CancellationTokenSource();
        using var both = CancellationTokenSource.CreateLinkedTokenSource(ct, lost.Token);
        using var stopBeating = new CancellationTokenSource();
        using var beatNow = new SemaphoreSlim(0);
        string progress = "training";

        // The heartbeat thread renews the lease on a timer and at each epoch's end; the training thread never waits on
        // the ledger, so a ledger that is briefly unreachable does not stall training.
        var heartbeat = Task.Run(async () =>
        {
            var interval = options.EffectiveHeartbeatInterval;
            while (!stopBeating.IsCancellationRequested)
            {
                try { await beatNow.WaitAsync(interval, stopBeating.Token).ConfigureAwait(false); }
                catch (OperationCanceledException) { break; }
                try
                {
                    if (!ledger.Heartbeat(lease, Volatile.Read(ref progress)))
                    {
                        lost.Cancel();
                        break;
                    }
                }
                catch (LedgerUnavailableException e)
                {
                    options.Log?.Invoke($"{options.Name}: heartbeat for {run.RunId} failed: {e.Message}");
                }
            }
        }, CancellationToken.None);

        try
        {
            both.Token.ThrowIfCancellationRequested();
            outcome = executor.Execute(run, (epoch, epochs) =>
            {
                Volatile.Write(ref progress, string.Create(CultureInfo.InvariantCulture, $"epoch {epoch}/{epochs}"));
                beatNow.Release();
            }, both.Token);
        }
        catch (OperationCanceledException) when (lost.IsCancellationRequested)
        {
            return Ending.LeaseLost;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopped (Ctrl+C): the run goes back to the queue, to run again from the start next time.
            StopBeating();
            ledger.Release(lease);
            return Ending.Stopped;
        }
        finally
        {
            StopBeating();
        }
        return ledger.Complete(lease, outcome) ? Ending.Recorded : Ending.Refused;

        void StopBeating()
        {
            if (!stopBeating.IsCancellationRequested) stopBeating.Cancel();
            heartbeat.Wait(CancellationToken.None);
        }
    }
}
