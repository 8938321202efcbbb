using System.Globalization;
using WideMinima.Sweeps.Config;
using WideMinima.Sweeps.Ledger;
using WideMinima.Sweeps.Reports;

namespace WideMinima.Sweeps.Execution;

/// <summary>
/// A worker: claims runs from the ledger one at a time, trains them, records the outcome and refreshes
/// the reports, until no run is left. Several workers (processes) may share one ledger.
/// </summary>
public static class SweepWorker
{
    /// <summary>A run whose worker has not reported for this long is given to another worker.</summary>
    public static TimeSpan StaleAfter { get; } = TimeSpan.FromMinutes(3);

    private static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(10);

    /// <summary>Runs until the ledger has no pending run; returns the number of runs this worker finished.</summary>
    /// <param name="folder">The sweep folder.</param>
    /// <param name="worker">This worker's name in the ledger.</param>
    /// <param name="threads">Torch threads per run.</param>
    /// <param name="log">Log lines (claims, outcomes, checkpoints); null logs nothing.</param>
    /// <param name="ct">Stops the worker; the run in flight goes back to the queue.</param>
    /// <param name="checkpointFolder">Where runs' checkpoints go (<c>--checkpoints</c>); null: <c>checkpoints/</c> in the sweep folder.</param>
    /// <param name="notices">Lines a user must see even when <paramref name="log"/> is null: a run resumed, a checkpoint discarded.</param>
    public static int Run(string folder, string worker, int threads, Action<string>? log, CancellationToken ct,
        string? checkpointFolder = null, Action<string>? notices = null)
    {
        checkpointFolder ??= DefaultCheckpointFolder(folder);
        var notice = notices ?? log;
        string path = Path.Combine(folder, SqliteRunLedger.FileName);
        using var ledger = new SqliteRunLedger(path);
        var header = ledger.ReadSweep() ?? throw new InvalidOperationException($"'{path}' holds no sweep.");
        var config = SweepConfigJson.Parse(header.ConfigJson, path);
        SweepData? data = null;
        int finished = 0;
        while (!ct.IsCancellationRequested)
        {
            var run = ledger.Claim(worker, WorkerIdentity.IsAlive, StaleAfter);
            if (run is null) break;
            log?.Invoke($"{worker}: {run.RunId} started (attempt {run.Attempts})");
            try
            {
                data ??= SweepData.Load(new Microsoft.ML.MLContext(seed: 0), config.Dataset);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or SweepConfigException or InvalidOperationException or UnauthorizedAccessException)
            {
                // Without data no run can succeed: record why on the run in hand, and stop this worker.
                ledger.Complete(run.RunId, worker, new RunOutcome(RunStatus.Failed, null, $"loading the data failed: {e.Message}"));
                log?.Invoke($"{worker}: loading the data failed: {e.Message}");
                ReportWriter.TryWriteAll(folder, ledger, log);
                break;
            }

            // A second connection heartbeats while the run trains, so long epochs and width measurements
            // are never mistaken for a dead worker.
            string progress = "training";
            using var heartbeatStop = new CancellationTokenSource();
            var heartbeat = Task.Run(async () =>
            {
                using var beat = new SqliteRunLedger(path);
                while (!heartbeatStop.IsCancellationRequested)
                {
                    beat.Heartbeat(run.RunId, worker, Volatile.Read(ref progress));
                    try { await Task.Delay(HeartbeatInterval, heartbeatStop.Token).ConfigureAwait(false); }
                    catch (OperationCanceledException) { break; }
                }
            }, CancellationToken.None);

            RunOutcome outcome;
            try
            {
                ct.ThrowIfCancellationRequested();
                var checkpoints = new RunCheckpoints(ledger, run, checkpointFolder, config.CheckpointEveryEpochs, config.KeepCheckpoints, notice);
                outcome = RunExecutor.Execute(config, header.ConfigJson, run, run.ScheduleOptionsJson, data, threads,
                    e =>
                    {
                        Volatile.Write(ref progress, string.Create(CultureInfo.InvariantCulture, $"epoch {e.Epoch}/{e.Epochs}"));
                        ledger.Heartbeat(run.RunId, worker, Volatile.Read(ref progress));
                    }, ct, config.Tensorboard ? Path.Combine(folder, "tensorboard", run.RunId) : null, checkpoints);
            }
            catch (OperationCanceledException)
            {
                // Stopped (Ctrl+C): the run goes back to the queue, to run again from the start next time.
                ledger.Release(run.RunId, worker);
                log?.Invoke($"{worker}: stopped during {run.RunId}; it will run again");
                break;
            }
            finally
            {
                heartbeatStop.Cancel();
                heartbeat.Wait(CancellationToken.None);
            }

            if (ledger.Complete(run.RunId, worker, outcome))
            {
                finished++;
                log?.Invoke($"{worker}: {run.RunId} {outcome.Status.ToText()}" + (outcome.Error is null ? "" : $": {outcome.Error}"));
                ReportWriter.TryWriteAll(folder, ledger, log);
            }
        }
        return finished;
    }

    /// <summary>Where checkpoints go when <c>--checkpoints</c> is not given: <c>checkpoints/</c> in the sweep folder.</summary>
    public static string DefaultCheckpointFolder(string sweepFolder) => Path.Combine(sweepFolder, "checkpoints");
}
