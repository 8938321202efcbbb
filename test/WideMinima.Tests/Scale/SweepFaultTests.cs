using WideMinima.Models;
using WideMinima.Tuning;
using System.Diagnostics;
using WideMinima.Sweeps.Config;
using WideMinima.Ledger;
using WideMinima.Tests.Sweeps;

namespace WideMinima.Tests.Scale;

/// <summary>
/// Faults of a local 2-worker sweep (the presets' setup), with real processes: the coordinator killed, one worker process
/// killed, Ctrl+C; and the outcomes a sweep must tell apart: diverged runs (results) and failed runs (exit code 1).
/// </summary>
[TestClass]
public sealed class SweepFaultTests
{
    private static string? _reference;
    private static string? _config;

    /// <summary>A 4-run sweep of a few seconds per run, and its results uninterrupted (computed once).</summary>
    private static (string Config, string Reference) Uninterrupted()
    {
        if (_reference is not null) return (_config!, _reference);
        string data = TinySweep.Dataset(train: 12000, test: 90); // runs of a second or two: long enough to be caught mid-run on a fast machine
        var config = TinySweep.Config(data, workers: 2, seeds: 1, epochs: 6) with { Width = null, Model = ModelKind.Mlp, HiddenSizes = [256, 256] };
        _config = TinySweep.WriteConfig(config, TinySweep.NewFolder("cfg"));
        string folder = TinySweep.NewFolder("uninterrupted");
        var (code, output, error) = TinySweep.Run("run", "--config", _config, "--out", folder);
        Assert.AreEqual(0, code, output + error);
        _reference = folder;
        return (_config, folder);
    }

    /// <summary>results.csv without times and attempts: the numbers a run produced.</summary>
    private static List<string> Metrics(string folder)
    {
        var lines = File.ReadAllLines(Path.Combine(folder, "results.csv"));
        var header = lines[0].Split(',');
        var keep = Enumerable.Range(0, header.Length).Where(i => header[i] is not ("train_seconds" or "width_seconds" or "attempts")).ToArray();
        return [.. lines.Select(l => string.Join(',', keep.Select(i => l.Split(',')[i])))];
    }

    private static IReadOnlyList<LedgerRun> Runs(string folder) => ScaleCliTests.Runs(LedgerTarget.Sqlite(folder));

    /// <summary>Waits until a run is in its first epochs, so that a kill or a stop lands mid-run.</summary>
    private static LedgerRun WaitForMidRun(string folder, Process sweep)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        string path = Path.Combine(folder, SqlLedger.FileName);
        while (DateTime.UtcNow < deadline && !sweep.HasExited)
        {
            if (File.Exists(path) && Runs(folder).FirstOrDefault(r => r.Status == RunStatus.Running && r.Progress is "epoch 1/6" or "epoch 2/6") is { } run)
                return run;
            Thread.Sleep(20);
        }
        Assert.Fail("no run was seen mid-run");
        return null!;
    }

    [TestMethod]
    public void Killing_the_coordinator_of_a_2_worker_sweep_then_rerunning_gives_one_done_row_per_run_and_the_uninterrupted_metrics()
    {
        var (config, reference) = Uninterrupted();
        string folder = TinySweep.NewFolder("kill-coordinator");
        using (var sweep = TinySweep.Start("run", "--config", config, "--out", folder))
        {
            WaitForMidRun(folder, sweep);
            sweep.Kill(); // SIGKILL of the coordinator alone; its workers notice their parent is gone and exit
            sweep.WaitForExit();
        }
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Runs(folder).Any(r => r.Status == RunStatus.Running && WorkerIdentity(r).Alive) && DateTime.UtcNow < deadline) Thread.Sleep(50);
        Assert.IsTrue(Runs(folder).Any(r => r.Status == RunStatus.Running), "runs were left in flight");

        var (code, output, error) = TinySweep.Run("run", "--config", config, "--out", folder);
        Assert.AreEqual(0, code, output + error);
        StringAssert.Contains(output, "left in flight by a stopped process");
        var runs = Runs(folder);
        Assert.IsTrue(runs.All(r => r.Status == RunStatus.Done), "exactly one done row per run");
        Assert.IsTrue(runs.Any(r => r.Attempts == 2), "an interrupted run ran again");
        CollectionAssert.AreEqual(Metrics(reference), Metrics(folder));
    }

    [TestMethod]
    public void Killing_one_worker_process_of_a_2_worker_sweep_loses_nothing_and_the_metrics_equal_the_uninterrupted_sweeps()
    {
        var (config, reference) = Uninterrupted();
        string folder = TinySweep.NewFolder("kill-worker");
        using var sweep = TinySweep.Start("run", "--config", config, "--out", folder);
        var output = sweep.StandardOutput.ReadToEndAsync();
        var error = sweep.StandardError.ReadToEndAsync();
        var run = WaitForMidRun(folder, sweep);
        int pid = int.Parse(run.Worker!.Split('/')[1], System.Globalization.CultureInfo.InvariantCulture);
        using (var worker = Process.GetProcessById(pid)) worker.Kill(); // SIGKILL of that worker process only
        Assert.IsTrue(sweep.WaitForExit(TimeSpan.FromMinutes(3)));
        // The sweep finishes with the other worker; the killed worker's run is taken over at once (its pid is gone).
        Assert.AreEqual(0, sweep.ExitCode, output.Result + error.Result);
        StringAssert.Contains(output.Result, "exited with code 137");
        var runs = Runs(folder);
        Assert.IsTrue(runs.All(r => r.Status == RunStatus.Done), "exactly one done row per run");
        Assert.AreEqual(2, runs.Single(r => r.RunId == run.RunId).Attempts);
        CollectionAssert.AreEqual(Metrics(reference), Metrics(folder));
    }

    [TestMethod]
    public void Ctrl_c_exits_130_and_puts_the_runs_in_flight_back_to_pending()
    {
        var (config, _) = Uninterrupted();
        string folder = TinySweep.NewFolder("sigint");
        using var sweep = TinySweep.Start("run", "--config", config, "--out", folder);
        var output = sweep.StandardOutput.ReadToEndAsync();
        var error = sweep.StandardError.ReadToEndAsync();
        WaitForMidRun(folder, sweep);
        PostgresServer.Run("kill", "-INT", sweep.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.IsTrue(sweep.WaitForExit(TimeSpan.FromMinutes(1)), "stopped promptly");
        Assert.AreEqual(130, sweep.ExitCode, output.Result + error.Result);
        StringAssert.Contains(output.Result, "Stopped; run the same command again");
        var runs = Runs(folder);
        Assert.IsFalse(runs.Any(r => r.Status == RunStatus.Running), string.Join("; ", runs.Select(r => $"{r.RunId}:{r.Status}")));
        Assert.IsTrue(runs.Any(r => r.Status == RunStatus.Pending && r.Attempts == 1), "the interrupted run is pending again");
    }

    [TestMethod]
    public void A_worker_stopped_with_sigterm_as_slurm_and_kubernetes_stop_it_gives_its_run_back_and_exits_143()
    {
        var (config, _) = Uninterrupted();
        string folder = TinySweep.NewFolder("sigterm");
        Assert.AreEqual(0, TinySweep.Run("run", "--config", config, "--out", folder, "--workers", "0").ExitCode);
        using var worker = TinySweep.Start("worker", "--out", folder, "--threads", "1");
        var output = worker.StandardOutput.ReadToEndAsync();
        var error = worker.StandardError.ReadToEndAsync();
        var run = WaitForMidRun(folder, worker);
        PostgresServer.Run("kill", "-TERM", worker.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.IsTrue(worker.WaitForExit(TimeSpan.FromMinutes(1)));
        Assert.AreEqual(143, worker.ExitCode, output.Result + error.Result);
        StringAssert.Contains(output.Result, $"stopped during {run.RunId}; it will run again");
        var after = Runs(folder).Single(r => r.RunId == run.RunId);
        Assert.AreEqual(RunStatus.Pending, after.Status);
    }

    [TestMethod]
    public void A_diverging_peak_rate_marks_rows_diverged_which_retry_failed_leaves_alone_and_a_failed_run_exits_1()
    {
        string data = TinySweep.Dataset(train: 120, test: 30);
        var config = TinySweep.Config(data, workers: 1, seeds: 1, epochs: 2) with { PeakLr = 1e9, Width = null, ExploreFractions = [0.5], Baselines = [ScheduleFamily.Cosine] };
        string file = TinySweep.WriteConfig(config, TinySweep.NewFolder("cfg"));
        string folder = TinySweep.NewFolder("diverged");
        var (code, output, error) = TinySweep.Run("run", "--config", file, "--out", folder);
        Assert.AreEqual(0, code, "diverged runs are results, not failures: " + output + error);
        Assert.IsTrue(Runs(folder).All(r => r.Status == RunStatus.Diverged), string.Join("; ", Runs(folder).Select(r => $"{r.RunId}:{r.Status}:{r.Error}")));
        var (again, againOut, againError) = TinySweep.Run("run", "--config", file, "--out", folder, "--retry-failed");
        Assert.AreEqual(0, again, againOut + againError);
        Assert.IsTrue(Runs(folder).All(r => r.Status == RunStatus.Diverged && r.Attempts == 1), "--retry-failed leaves diverged runs alone");

        // Data that exists but cannot be read: since the data is checked once before any run (issue 14), the sweep is
        // refused with exit code 2, naming the file, and no run starts.
        string broken = TinySweep.Dataset(train: 30, test: 12);
        File.WriteAllBytes(Path.Combine(broken, "train-images.gz"), [1, 2, 3, 4]);
        string failing = TinySweep.WriteConfig(TinySweep.Config(broken, workers: 1, seeds: 1, epochs: 1), TinySweep.NewFolder("cfg"));
        string failFolder = TinySweep.NewFolder("failed");
        var (failed, failOut, failError) = TinySweep.Run("run", "--config", failing, "--out", failFolder);
        Assert.AreEqual(2, failed, failOut + failError);
        StringAssert.Contains(failError, "train-images.gz");
        Assert.DoesNotContain("   at ", failError, "no stack trace");
        Assert.IsFalse(Runs(failFolder).Any(r => r.Status != RunStatus.Pending), "no run started");
    }

    private static (bool Alive, string Name) WorkerIdentity(LedgerRun r) => (WideMinima.Sweeps.Execution.WorkerIdentity.IsAlive(r.Worker ?? ""), r.Worker ?? "");
}
