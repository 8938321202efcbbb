using System.Globalization;
using System.Text.Json;
using WideMinima.Ledger;
using WideMinima.Sweeps.Config;

namespace WideMinima.Sweeps.Execution;

/// <summary>
/// A tuning's workers for the length of the tuning: the search's jobs and the final fits are runs of the ledger,
/// which <c>run</c>'s workers claim (<see cref="TuneWorkers.Local"/> processes started here, and any that join with
/// <c>worker</c>). The session holds its sweep open, so idle workers wait for the next job; once
/// <see cref="Complete"/>d it closes the sweep on disposal, and the workers exit. Stopped or failed, it gives the local
/// workers' jobs back and leaves the sweep held until its lease lapses, so a quick restart finds the workers elsewhere
/// still there, and a dead coordinator lets them exit.
/// </summary>
internal sealed class TuneWorkerSession : IDisposable
{
    private readonly IRunLedger _ledger;
    private readonly Timer _holder;
    private readonly WorkerPool _pool;
    private readonly Lock _holdLock = new();
    private readonly Action<string> _log;
    private bool _holding = true;
    private bool _complete;

    /// <summary>Holds the tuning's sweep open on <paramref name="ledger"/> (which stays the caller's) and starts the local workers.</summary>
    public TuneWorkerSession(string folder, SweepConfig config, TuneWorkers workers, IRunLedger ledger, string budget, TextWriter output)
    {
        void Log(string line)
        {
            lock (output) output.WriteLine(line);
        }
        _log = Log;
        _ledger = ledger;
        var target = workers.Target;
        int reset = _ledger.ResetFailed();
        _ledger.RecoverOrphans(WorkerIdentity.IsAlive);
        int known = _ledger.Runs().Count;
        _ledger.HoldOpen(workers.Lease);
        var renew = workers.Lease / 4;
        _holder = new Timer(_ =>
        {
            // Under the lock, and never once disposal has begun: a late renewal must not reopen a closed sweep.
            lock (_holdLock)
            {
                if (!_holding) return;
                try { _ledger.HoldOpen(workers.Lease); }
#pragma warning disable CA1031 // A failed renewal is logged: the next one, or the hold's lease, decides; it must not kill the coordinator from a timer thread.
                catch (Exception e) { Log($"holding the sweep open failed: {e.Message}"); }
#pragma warning restore CA1031
            }
        }, null, renew, renew);
        try
        {
            _pool = new WorkerPool(target, Path.Combine(folder, "logs"), workers.Local, config.Threads, workers.Lease, null);
        }
        catch
        {
            lock (_holdLock) _holding = false;
            _holder.Dispose();
            throw;
        }
        Log(string.Create(CultureInfo.InvariantCulture,
            $"Tuning '{config.Name}' in {folder}: budget {budget}; jobs on workers through {target.Description}, {config.Tune!.ParallelJobs} in flight, {workers.Local} worker process(es) here x {config.Threads} thread(s){(known > 0 ? $"; resuming: {known} job(s) in the ledger{(reset > 0 ? $", {reset} failed one(s) to run again" : "")}" : "")}."));
        if (workers.Local == 0)
            Log(target.IsShared
                ? $"Start workers anywhere with: {ProgramName.Command} worker --ledger {target.Location!.Display} --sweep {target.Sweep}"
                : $"Start workers with: {ProgramName.Command} worker --out {folder}");
        Dispatcher = new LedgerTrialDispatcher(_ledger, CheckWorkers);
    }

    /// <summary>Hands the search's jobs to the workers.</summary>
    public LedgerTrialDispatcher Dispatcher { get; }

    /// <summary>Queues a final fit for the workers (once: a restarted tuning finds it).</summary>
    public void SubmitFinal(FinalFitJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        Dispatcher.Add(TuneJobs.Plan(job));
    }

    /// <summary>Waits for a final fit queued with <see cref="SubmitFinal"/>.</summary>
    public FinalFit WaitFinal(int trialId, int seed, CancellationToken ct)
    {
        var run = Dispatcher.WaitFor(TuneJobs.FinalRunId(trialId, seed), ct);
        if (TuneJobs.Failure(run) is { } failure) throw failure;
        return JsonSerializer.Deserialize<FinalFit>(run.ResultJson!, SweepConfigJson.Options)
            ?? throw new InvalidDataException($"Run '{run.RunId}' holds no final fit.");
    }

    /// <summary>The tuning is done: disposing closes the sweep, and idle workers exit.</summary>
    public void Complete() => _complete = true;

    private void CheckWorkers()
    {
        if (_pool.AllExited)
            throw new TuneJobFailedException($"all {_pool.Count} worker process(es) exited with jobs left; see {_pool.LogFolder}/worker-*.log");
    }

    public void Dispose()
    {
        lock (_holdLock) _holding = false;
        _holder.Dispose();
        // Each step on its own: one that fails (the database gone) must not leave worker processes behind, and must
        // not replace the error that ended the tuning.
        if (_complete) Try("closing the sweep", _ledger.Close);
        else _pool.RequestStop();
        _pool.Dispose();
        if (!_complete) Try("giving the stopped workers' jobs back", () => _ledger.RecoverOrphans(WorkerIdentity.IsAlive));
    }

    private void Try(string what, Action action)
    {
        try
        {
            action();
        }
        catch (Exception e) when (e is LedgerException or LedgerUnavailableException)
        {
            _log($"{what} failed: {e.Message}");
        }
    }
}
