using System.Diagnostics;
using System.Globalization;
using WideMinima.Sweeps.Config;
using WideMinima.Ledger;
using WideMinima.Reports;

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

    /// <summary>The line a worker started with <c>--exit-with-parent</c> reads on its standard input as "stop now, releasing your run".</summary>
    public const string StopLine = "stop";

    /// <summary>Runs the sweep; returns the number of failed runs in the ledger at the end.</summary>
    /// <param name="target">The prepared ledger (and the folder for reports, if any).</param>
    /// <param name="config">The sweep as stored in its ledger.</param>
    /// <param name="view">The progress display.</param>
    /// <param name="lease">How long a worker's claim holds without a heartbeat.</param>
    /// <param name="ct">Stops the sweep; runs in flight go back to the queue.</param>
    /// <param name="checkpointFolder">Where runs' checkpoints go (<c>--checkpoints</c>); null: <c>checkpoints/</c> in the sweep folder, or none without one.</param>
    public static int Run(LedgerTarget target, SweepConfig config, IView view, TimeSpan lease, CancellationToken ct, string? checkpointFolder = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(view);
        checkpointFolder ??= target.Folder is null ? null : SweepWorker.DefaultCheckpointFolder(target.Folder);
        using (var ledger = target.Open())
        {
            int recovered = ledger.RecoverOrphans(WorkerIdentity.IsAlive);
            if (recovered > 0) view.Log($"{recovered} run(s) left in flight by a stopped process will run again.");
        }

        var workers = new List<Func<bool>>();
        var processes = new List<Process>();
        var logs = new List<StreamWriter>();
        Task? inProcess = null;
        try
        {
            if (config.Workers == 1)
            {
                inProcess = Task.Run(() =>
                {
                    using var ledger = target.Open();
                    var header = ledger.ReadSweep()!;
                    var executor = new TrainingRunExecutor(config, header.ConfigJson, config.ThreadsPerRun, target.Folder is null ? null : Path.Combine(target.Folder, "tensorboard"),
                        ledger, checkpointFolder, view.Log, target.Folder);
                    return new SweepWorker(ledger, executor, new WorkerOptions
                    {
                        Name = WorkerIdentity.Current(),
                        Lease = lease,
                        AfterComplete = target.Folder is null ? null : () => ReportWriter.TryWriteAll(target.Folder, ledger, null),
                    }).Run(ct);
                }, CancellationToken.None);
                workers.Add(() => !inProcess.IsCompleted);
            }
            else
            {
                string logFolder = target.Folder is null ? Directory.CreateTempSubdirectory("wideminima-worker-logs-").FullName : Path.Combine(target.Folder, "logs");
                Directory.CreateDirectory(logFolder);
                for (int i = 0; i < config.Workers; i++)
                {
                    var (process, log) = StartWorkerProcess(target, logFolder, i, config.ThreadsPerRun, lease, checkpointFolder);
                    processes.Add(process);
                    logs.Add(log);
                    workers.Add(() => !process.HasExited);
                }
            }

            var seen = new HashSet<string>();
            using (var ledger = target.Open())
            {
                foreach (var r in ledger.Runs()) if (r.Status.IsFinished()) seen.Add(r.RunId);
                var refresh = Stopwatch.StartNew();
                bool stopSent = false;
                while (true)
                {
                    bool alive = workers.Any(w => w());
                    // The display refreshes once a second; the workers' exit is noticed within 100 ms.
                    if (!alive || refresh.ElapsedMilliseconds >= 1000)
                    {
                        var runs = ledger.Runs();
                        var fresh = runs.Where(r => r.Status.IsFinished() && seen.Add(r.RunId)).ToList();
                        view.Update(runs, fresh);
                        refresh.Restart();
                    }
                    if (!alive) break;
                    if (ct.IsCancellationRequested && !stopSent)
                    {
                        // Ask each worker process to stop: it releases its run and exits (the in-process worker sees ct).
                        foreach (var p in processes) TrySendStop(p);
                        stopSent = true;
                    }
                    if (ct.IsCancellationRequested) Thread.Sleep(100);
                    else ct.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(100));
                }
            }
            inProcess?.Wait(CancellationToken.None);
            for (int i = 0; i < processes.Count; i++)
            {
                var p = processes[i];
                p.WaitForExit();
                if (p.ExitCode != 0 && !ct.IsCancellationRequested) view.Log($"worker {i} exited with code {p.ExitCode}; see logs/worker-{i}.log");
            }
        }
        finally
        {
            foreach (var p in processes)
            {
                if (!p.HasExited) p.Kill(entireProcessTree: true);
                p.WaitForExit(); // also drains the redirected output into the log
                p.Dispose();
            }
            foreach (var log in logs)
            {
                lock (log) log.Dispose();
            }
        }

        using var final = target.Open();
        // Whatever a worker could not release (it was killed) goes back to pending now, not after its lease.
        final.RecoverOrphans(WorkerIdentity.IsAlive);
        if (target.Folder is not null) ReportWriter.TryWriteAll(target.Folder, final, view.Log);
        return final.Runs().Count(r => r.Status == RunStatus.Failed);
    }

    /// <summary>Asks a worker process started with <c>--exit-with-parent</c> to stop (it gives its run back); nothing if it has exited.</summary>
    internal static void TrySendStop(Process p)
    {
        try
        {
            if (p.HasExited) return;
            p.StandardInput.WriteLine(StopLine);
            p.StandardInput.Flush();
        }
        catch (IOException)
        {
            // It exited meanwhile.
        }
    }

    /// <summary>Starts this program again as a <c>worker</c> on <paramref name="target"/>, its output into logs/worker-INDEX.log; it exits with its parent.</summary>
    internal static (Process, StreamWriter) StartWorkerProcess(LedgerTarget target, string logFolder, int index, int threads, TimeSpan lease, string? checkpointFolder)
    {
        // Start this same program again as a worker; under 'dotnet x.dll' that means the host plus the dll.
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("The program's path is unknown.");
        var info = new ProcessStartInfo(host)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") info.ArgumentList.Add(typeof(SweepCoordinator).Assembly.Location);
        var args = new List<string> { "worker", "--threads", threads.ToString(CultureInfo.InvariantCulture), "--exit-with-parent",
            "--name-suffix", "#" + index.ToString(CultureInfo.InvariantCulture),
            "--lease-seconds", lease.TotalSeconds.ToString("R", CultureInfo.InvariantCulture) };
        if (target.Folder is not null) args.AddRange(["--out", target.Folder]);
        if (checkpointFolder is not null) args.AddRange(["--checkpoints", checkpointFolder]);
        if (target.Location is not null)
        {
            // The location carries no password (Npgsql finds it in PGPASSWORD or .pgpass, inherited by the child).
            info.Environment[LedgerLocation.EnvironmentVariable] = target.Location.ConnectionString;
            args.AddRange(["--sweep", target.Sweep!]);
        }
        foreach (var a in args) info.ArgumentList.Add(a);
        var process = Process.Start(info) ?? throw new InvalidOperationException("A worker process did not start.");
        var log = new StreamWriter(Path.Combine(logFolder, $"worker-{index}.log"), append: true) { AutoFlush = true };
        void Write(string? line)
        {
            if (line is null) return;
            lock (log) log.WriteLine(line);
        }
        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, log);
    }
}
