using System.Diagnostics;
using System.Globalization;
using WideMinima.Sweeps.Config;
using WideMinima.Ledger;
using WideMinima.Sweeps.Planning;

namespace WideMinima.Sweeps.Execution;

/// <summary>
/// Runs a prepared sweep to completion on this machine: starts the workers (in this process for one worker, child
/// processes for several, each with its share of the cores) and reports progress from the ledger until they are done.
/// Stopped (Ctrl+C), it tells its workers to stop, and their runs in flight go back to pending.
/// </summary>
public static class SweepCoordinator
{
    /// <summary>What the progress display is told, polled from the ledger about once a second.</summary>
    public interface IView
    {
        /// <summary>Called with the whole ledger on every poll; <paramref name="newlyFinished"/> lists runs that finished since the last one.</summary>
        void Update(IReadOnlyList<LedgerRun> runs, IReadOnlyList<LedgerRun> newlyFinished);

        /// <summary>A log line (worker output, warnings).</summary>
        void Log(string line);
    }

    /// <summary>Whether the sweep's plan can grow as results come in (a calibrated peak, or seeds in rounds).</summary>
    public static bool Grows(SweepConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.PeakLr.Calibrate is not null || config.Seeds.Rounds is not null;
    }

    /// <summary>
    /// Plans again from the ledger's results (<see cref="SweepPlanner.Plan(SweepConfig, IReadOnlyList{RunResult})"/>) and
    /// adds the runs it lacks (idempotently: present ones are kept). While the plan may still grow, or a run is
    /// unfinished, the sweep is held open for <paramref name="lease"/> so idle workers wait; once the plan is final and
    /// every run finished, it is closed so they exit. Returns true when it closed the sweep.
    /// </summary>
    public static bool Replan(IRunLedger ledger, SweepConfig config, TimeSpan lease, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(config);
        var runs = ledger.Runs();
        var plan = SweepPlanner.Plan(config, [.. runs.Select(RunResult.Of)]);
        var known = runs.Select(r => r.RunId).ToHashSet(StringComparer.Ordinal);
        var added = plan.Runs.Where(r => !known.Contains(r.RunId)).ToList();
        if (added.Count > 0)
        {
            ledger.AddRuns([.. added.Select(r => r.ToNewRun())]);
            log?.Invoke($"{added.Count} run(s) added: {string.Join(", ", added.Take(4).Select(r => r.RunId))}{(added.Count > 4 ? ", ..." : "")}");
        }
        if (plan.Final && added.Count == 0 && runs.All(r => r.Status.IsFinished()))
        {
            // A run that ended well keeps checkpoints only as fork points that no run took (a branch that trained on its
            // own, a fine point only the trunk tried); a failed run's stay for --retry-failed.
            if (!config.KeepCheckpoints) RunCheckpoints.DeleteAll(ledger, runs.Where(r => r.Status is RunStatus.Done or RunStatus.Diverged).Select(r => r.RunId));
            ledger.Close();
            return true;
        }
        ledger.HoldOpen(lease);
        return false;
    }

    /// <summary>Runs the sweep; returns the number of failed runs in the ledger at the end.</summary>
    /// <param name="target">The prepared ledger (and the folder for reports, if any).</param>
    /// <param name="config">The sweep as stored in its ledger.</param>
    /// <param name="view">The progress display.</param>
    /// <param name="lease">How long a worker's claim holds without a heartbeat.</param>
    /// <param name="ct">Stops the sweep; runs in flight go back to the queue.</param>
    /// <param name="checkpointFolder">Where runs' checkpoints go (<c>--checkpoints</c>); null: <c>checkpoints/</c> in the sweep folder, or none without one.</param>
    /// <param name="refresh">Rewrites the reports from the ledger (after each run of an in-process worker, and at the end); null: none.</param>
    public static int Run(LedgerTarget target, SweepConfig config, IView view, TimeSpan lease, CancellationToken ct, string? checkpointFolder = null,
        Action<IRunLedger>? refresh = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(view);
        checkpointFolder ??= target.Folder is null ? null : SweepWorker.DefaultCheckpointFolder(target.Folder);
        bool grows = Grows(config);
        using (var ledger = target.Open())
        {
            int recovered = ledger.RecoverOrphans(WorkerIdentity.IsAlive);
            if (recovered > 0) view.Log($"{recovered} run(s) left in flight by a stopped process will run again.");
            // Before any worker starts: the runs the results so far call for, and the sweep held open while more may come.
            if (grows) Replan(ledger, config, lease, view.Log);
        }

        Task<int>? inProcess = null;
        string logFolder = target.Folder is null ? Directory.CreateTempSubdirectory("wideminima-worker-logs-").FullName : Path.Combine(target.Folder, "logs");
        using (var pool = new WorkerPool(target, logFolder, config.Workers == 1 ? 0 : config.Workers, config.Threads, lease, checkpointFolder))
        {
            if (config.Workers == 1)
            {
                inProcess = Task.Run(() =>
                {
                    using var ledger = target.Open();
                    var header = ledger.ReadSweep()!;
                    var executor = new TrainingRunExecutor(config, header.ConfigJson, config.Threads, target.Folder is null ? null : Path.Combine(target.Folder, "tensorboard"),
                        ledger, checkpointFolder, view.Log, target.Folder);
                    return new SweepWorker(ledger, executor, new WorkerOptions
                    {
                        Name = WorkerIdentity.Current(),
                        Lease = lease,
                        AfterComplete = refresh is null ? null : () => refresh(ledger),
                    }).Run(ct);
                }, CancellationToken.None);
            }
            bool Alive() => pool.AnyAlive || inProcess is { IsCompleted: false };

            try
            {
                var seen = new HashSet<string>();
                using (var ledger = target.Open())
                {
                    foreach (var r in ledger.Runs()) if (r.Status.IsFinished()) seen.Add(r.RunId);
                    var clock = Stopwatch.StartNew();
                    bool stopSent = false;
                    while (true)
                    {
                        bool alive = Alive();
                        // The display refreshes once a second; the workers' exit is noticed within 100 ms.
                        if (!alive || clock.ElapsedMilliseconds >= 1000)
                        {
                            if (grows && !ct.IsCancellationRequested) Replan(ledger, config, lease, view.Log);
                            var runs = ledger.Runs();
                            var fresh = runs.Where(r => r.Status.IsFinished() && seen.Add(r.RunId)).ToList();
                            view.Update(runs, fresh);
                            clock.Restart();
                        }
                        if (!alive) break;
                        if (ct.IsCancellationRequested && !stopSent)
                        {
                            // Ask each worker process to stop: it releases its run and exits (the in-process worker sees ct).
                            pool.RequestStop();
                            stopSent = true;
                        }
                        if (ct.IsCancellationRequested) Thread.Sleep(100);
                        else ct.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(100));
                    }
                }
            }
            catch
            {
                // The display or the ledger failed: the workers go with the coordinator, at once.
                pool.Kill();
                throw;
            }
            inProcess?.Wait(CancellationToken.None);
            var codes = pool.WaitForExit();
            for (int i = 0; i < codes.Count; i++)
                if (codes[i] != 0 && !ct.IsCancellationRequested) view.Log($"worker {i} exited with code {codes[i]}; see logs/worker-{i}.log");
        }

        using var final = target.Open();
        // A sweep that grows and was stopped part-way: added runs stay pending for the next `run`; the hold lapses by itself.
        if (grows && !ct.IsCancellationRequested) Replan(final, config, lease, view.Log);
        // Whatever a worker could not release (it was killed) goes back to pending now, not after its lease.
        final.RecoverOrphans(WorkerIdentity.IsAlive);
        refresh?.Invoke(final);
        return final.Runs().Count(r => r.Status == RunStatus.Failed);
    }
}
