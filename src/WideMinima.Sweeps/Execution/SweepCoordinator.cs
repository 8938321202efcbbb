using System.Diagnostics;
using System.Globalization;
using WideMinima.Sweeps.Config;
using WideMinima.Sweeps.Ledger;
using WideMinima.Sweeps.Reports;

namespace WideMinima.Sweeps.Execution;

/// <summary>
/// Runs a prepared sweep folder to completion: starts the workers (in this process for one worker, child
/// processes for several, each with its share of the cores) and reports progress from the ledger until
/// they are done.
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

    /// <summary>Runs the sweep; returns the number of failed runs in the ledger at the end.</summary>
    /// <param name="folder">The prepared sweep folder.</param>
    /// <param name="config">The sweep as stored in its ledger.</param>
    /// <param name="view">The progress display.</param>
    /// <param name="ct">Stops the sweep; runs in flight go back to the queue.</param>
    /// <param name="checkpointFolder">Where runs' checkpoints go (<c>--checkpoints</c>); null: <c>checkpoints/</c> in the sweep folder.</param>
    public static int Run(string folder, SweepConfig config, IView view, CancellationToken ct, string? checkpointFolder = null)
    {
        checkpointFolder ??= SweepWorker.DefaultCheckpointFolder(folder);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(view);
        string path = Path.Combine(folder, SqliteRunLedger.FileName);
        using (var ledger = new SqliteRunLedger(path))
        {
            int recovered = ledger.RecoverOrphans(WorkerIdentity.IsAlive, SweepWorker.StaleAfter);
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
                string name = WorkerIdentity.Current();
                inProcess = Task.Run(() => SweepWorker.Run(folder, name, config.ThreadsPerRun, null, ct, checkpointFolder, view.Log), CancellationToken.None);
                workers.Add(() => !inProcess.IsCompleted);
            }
            else
            {
                Directory.CreateDirectory(Path.Combine(folder, "logs"));
                for (int i = 0; i < config.Workers; i++)
                {
                    var (process, log) = StartWorkerProcess(folder, i, config.ThreadsPerRun, checkpointFolder);
                    processes.Add(process);
                    logs.Add(log);
                    workers.Add(() => !process.HasExited);
                }
            }

            var seen = new HashSet<string>();
            using (var ledger = new SqliteRunLedger(path))
            {
                foreach (var r in ledger.Runs()) if (r.Status.IsFinished()) seen.Add(r.RunId);
                var refresh = Stopwatch.StartNew();
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
                    ct.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(100));
                    if (ct.IsCancellationRequested) break;
                }
            }
            inProcess?.Wait(CancellationToken.None);
            foreach (var p in processes)
            {
                p.WaitForExit();
                if (p.ExitCode != 0) view.Log($"worker {processes.IndexOf(p)} exited with code {p.ExitCode}; see logs/worker-{processes.IndexOf(p)}.log");
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

        using var final = new SqliteRunLedger(path);
        ReportWriter.TryWriteAll(folder, final, view.Log);
        return final.Runs().Count(r => r.Status == RunStatus.Failed);
    }

    private static (Process, StreamWriter) StartWorkerProcess(string folder, int index, int threads, string checkpointFolder)
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
        foreach (var a in new[] { "worker", "--out", folder, "--threads", threads.ToString(CultureInfo.InvariantCulture), "--exit-with-parent",
                     "--name-suffix", "#" + index.ToString(CultureInfo.InvariantCulture), "--checkpoints", checkpointFolder })
            info.ArgumentList.Add(a);
        var process = Process.Start(info) ?? throw new InvalidOperationException("A worker process did not start.");
        var log = new StreamWriter(Path.Combine(folder, "logs", $"worker-{index}.log"), append: true) { AutoFlush = true };
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
