using WideMinima.Models;
using System.Diagnostics;
using System.Security.Cryptography;
using WideMinima.Sweeps.Config;
using WideMinima.Ledger;
using WideMinima.Tests.Sweeps;
using WideMinima.Tuning;

namespace WideMinima.Tests.Scale;

/// <summary>The console with a shared PostgreSQL ledger, run as a user (or a job launcher) runs it: child processes and a real server.</summary>
[TestClass]
public sealed class ScaleCliTests
{
    private static readonly string[] TimingColumns = ["train_seconds", "width_seconds"];

    internal static IReadOnlyList<LedgerRun> Runs(LedgerTarget target)
    {
        using var ledger = target.Open();
        return ledger.Runs();
    }

    /// <summary>results.csv without the columns that measure time: what must agree wherever a run ran.</summary>
    internal static List<string> Numbers(string folder)
    {
        var lines = File.ReadAllLines(Path.Combine(folder, "results.csv"));
        var header = lines[0].Split(',');
        var keep = Enumerable.Range(0, header.Length).Where(i => !TimingColumns.Contains(header[i])).ToArray();
        return [.. lines.Select(l => string.Join(',', keep.Select(i => l.Split(',')[i])))];
    }

    internal static Dictionary<string, string> Env(LedgerLocation location, string sweep) => new()
    {
        [LedgerLocation.EnvironmentVariable] = location.Display,
        ["WIDEMINIMA_SWEEP"] = sweep,
    };

    /// <summary>
    /// Runs <paramref name="config"/> to the end in a local folder (SQLite), then registers the same config on a new
    /// PostgreSQL database without starting workers; returns the folder, the database and what registering printed.
    /// </summary>
    private static (string Local, LedgerLocation Location, string RegisterOutput) LocalThenRegistered(SweepConfig config)
    {
        string file = TinySweep.WriteConfig(config, TinySweep.NewFolder("cfg"));
        string local = TinySweep.NewFolder(config.Name + "-sqlite");
        var (code, output, error) = TinySweep.Run("run", "--config", file, "--out", local);
        Assert.AreEqual(0, code, output + error);
        var location = PostgresServer.Shared.NewDatabase();
        var (registered, registerOut, registerError) = TinySweep.Run("run", "--config", file, "--ledger", location.Display, "--workers", "0");
        Assert.AreEqual(0, registered, registerOut + registerError);
        return (local, location, registerOut);
    }

    /// <summary>
    /// Starts <paramref name="count"/> <c>worker</c> processes on the sweep through the environment, as a job launcher
    /// starts them, and waits for each to exit 0 (3 minutes at most); returns their standard outputs.
    /// </summary>
    private static List<string> RunWorkers(LedgerLocation location, string sweep, int count)
    {
        var workers = Enumerable.Range(0, count).Select(_ => TinySweep.StartWith(Env(location, sweep), "worker", "--threads", "1")).ToList();
        var outputs = workers.Select(w => (Out: w.StandardOutput.ReadToEndAsync(), Err: w.StandardError.ReadToEndAsync())).ToList();
        foreach (var (w, i) in workers.Select((w, i) => (w, i)))
        {
            Assert.IsTrue(w.WaitForExit(TimeSpan.FromMinutes(3)), "worker finished");
            Assert.AreEqual(0, w.ExitCode, outputs[i].Out.Result + outputs[i].Err.Result);
            w.Dispose();
        }
        return [.. outputs.Select(o => o.Out.Result)];
    }

    [TestMethod]
    public void The_same_sweep_on_sqlite_and_on_postgresql_with_3_workers_gives_the_same_numbers_run_for_run()
    {
        string data = TinySweep.Dataset(train: 240, test: 90);
        var config = TinySweep.Config(data, workers: 3, seeds: 1, epochs: 2) with { Name = "same" };
        // On PostgreSQL as on a cluster: register only, then three workers join through the environment, as a job launcher starts them.
        var (local, location, registerOut) = LocalThenRegistered(config);
        StringAssert.Contains(registerOut, "4 pending");
        StringAssert.Contains(registerOut, $"worker --ledger {location.Display} --sweep same");
        var target = LedgerTarget.Postgres(location, "same", null);
        Assert.IsTrue(Runs(target).All(r => r.Status == RunStatus.Pending), "nothing ran");

        foreach (string workerOutput in RunWorkers(location, "same", 3)) StringAssert.Contains(workerOutput, "worker finished");

        string shared = TinySweep.NewFolder("same-pg-report");
        var (reported, reportOut, reportError) = TinySweep.Run("report", "--ledger", location.Display, "--sweep", "same", "--out", shared);
        Assert.AreEqual(0, reported, reportOut + reportError);
        var runs = Runs(target);
        Assert.IsTrue(runs.All(r => r.Status == RunStatus.Done && r.Attempts == 1), string.Join("; ", runs.Select(r => $"{r.RunId}:{r.Status}:{r.Attempts}:{r.Error}")));
        CollectionAssert.AreEqual(Numbers(local), Numbers(shared), "results.csv agrees run for run (times aside)");
        Assert.AreEqual(5, Numbers(shared).Count);

        var (statusCode, statusOut, _) = TinySweep.RunWith(Env(location, "same"), "status");
        Assert.AreEqual(0, statusCode);
        StringAssert.Contains(statusOut.Replace("\n", "", StringComparison.Ordinal), "4 runs: 4 done");
    }

    [TestMethod]
    public void A_calibrated_sweep_grows_on_postgresql_as_workers_finish_its_calibration_and_matches_the_local_run()
    {
        // Issue 14 on a shared ledger: registering plans only the coarse calibration points; the workers that join add
        // the fine points, then the finals at each setting's own peak, as the earlier stage completes.
        string data = TinySweep.Dataset(train: 240, test: 90);
        var config = TinySweep.Config(data, workers: 2, seeds: 2, epochs: 2) with
        {
            Name = "grow",
            ExploreFractions = [0.5],
            Baselines = [ScheduleFamily.Cosine],
            PeakLr = new PeakRate { Calibrate = new PeakCalibration { Min = 0.01, Max = 0.5, Points = 3, ValidationShare = 0.2 } },
        };
        var (local, location, _) = LocalThenRegistered(config);
        var target = LedgerTarget.Postgres(location, "grow", null);
        var planned = Runs(target);
        Assert.IsTrue(planned.All(r => r.Phase == RunPhase.Calibration && r.Status == RunStatus.Pending), "registering plans the coarse calibration only");
        Assert.HasCount(4, planned, "2 settings x 2 coarse points (0.01 and 0.5)");

        RunWorkers(location, "grow", 2);
        var runs = Runs(target);
        Assert.IsTrue(runs.All(r => r.Status == RunStatus.Done), string.Join("; ", runs.Select(r => $"{r.RunId}:{r.Status}:{r.Error}")));
        Assert.HasCount(4, runs.Where(r => r.Phase == RunPhase.Final).ToList(), "the workers added each setting's finals (2 seeds)");
        string shared = TinySweep.NewFolder("grow-pg-report");
        var (reported, reportOut, reportError) = TinySweep.Run("report", "--ledger", location.Display, "--sweep", "grow", "--out", shared);
        Assert.AreEqual(0, reported, reportOut + reportError);
        CollectionAssert.AreEqual(Numbers(local).Order().ToArray(), Numbers(shared).Order().ToArray(), "the same peaks and numbers as the local run (times aside)");
    }

    [TestMethod]
    public void Run_with_a_shared_ledger_starts_local_workers_and_a_killed_worker_process_loses_its_run_to_the_other()
    {
        string data = TinySweep.Dataset(train: 3000, test: 90);
        var config = TinySweep.Config(data, workers: 2, seeds: 1, epochs: 6) with
        {
            Name = "kill-pg", Width = null, Model = ModelKind.Mlp, HiddenSizes = [256, 256], CheckpointEveryEpochs = 1,
        };
        string file = TinySweep.WriteConfig(config, TinySweep.NewFolder("cfg"));
        var location = PostgresServer.Shared.NewDatabase();
        var target = LedgerTarget.Postgres(location, "kill-pg", null);
        string folder = TinySweep.NewFolder("kill-pg");

        // 'run' with the shared ledger starts two local worker processes; kill -9 the one holding a run in its first epochs.
        using var sweep = TinySweep.Start("run", "--config", file, "--ledger", location.Display, "--out", folder);
        var output = sweep.StandardOutput.ReadToEndAsync();
        var error = sweep.StandardError.ReadToEndAsync();
        var deadline = DateTime.UtcNow.AddMinutes(3);
        LedgerRun? held = null;
        while (held is null)
        {
            Assert.IsTrue(DateTime.UtcNow < deadline && !sweep.HasExited, "a run was seen mid-run");
            held = Runs(target).FirstOrDefault(r => r.Status == RunStatus.Running && r.Progress is "epoch 2/6" or "epoch 3/6");
            Thread.Sleep(20);
        }
        int pid = int.Parse(held.Worker!.Split('/')[1], System.Globalization.CultureInfo.InvariantCulture);
        using (var victim = Process.GetProcessById(pid)) victim.Kill(); // SIGKILL of that worker process only
        Assert.IsTrue(sweep.WaitForExit(TimeSpan.FromMinutes(3)));
        Assert.AreEqual(0, sweep.ExitCode, output.Result + error.Result);
        StringAssert.Contains(output.Result, "exited with code 137");

        var runs = Runs(target);
        Assert.HasCount(4, runs);
        Assert.IsTrue(runs.All(r => r.Status == RunStatus.Done), "exactly one done row per run");
        var taken = runs.Single(r => r.RunId == held.RunId);
        Assert.AreEqual(2, taken.Attempts, "the killed worker's run ran again, on the other worker, at once (its process is gone)");
        Assert.AreNotEqual(held.Worker, taken.Worker);
        // Checkpoints every epoch, recorded in the PostgreSQL ledger: the other worker resumed the run from the last one.
        var record = taken.Record()!;
        Assert.IsNotNull(record.ResumedFromEpoch, "the run resumed from a checkpoint");
        Assert.IsGreaterThanOrEqualTo(1, record.ResumedFromEpoch.Value, "epochs finished before the kill were kept");
        Assert.HasCount(5, File.ReadAllLines(Path.Combine(folder, "results.csv")), "run wrote the reports into --out");
    }

    [TestMethod]
    public void A_garbage_sqlite_ledger_and_foreign_or_newer_postgresql_databases_exit_2_naming_them_and_stay_untouched()
    {
        string data = TinySweep.Dataset(30, 12);
        string file = TinySweep.WriteConfig(TinySweep.Config(data), TinySweep.NewFolder("cfg"));
        string folder = TinySweep.NewFolder("garbage");
        string ledger = Path.Combine(folder, SqlLedger.FileName);
        File.WriteAllBytes(ledger, [.. Enumerable.Range(0, 8192).Select(i => (byte)(i * 31 % 253))]);
        string before = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(ledger)));
        foreach (var args in new[] { new[] { "run", "--config", file, "--out", folder }, ["status", "--out", folder], ["report", "--out", folder] })
        {
            var (code, output, error) = TinySweep.Run(args);
            Assert.AreEqual(2, code, $"{args[0]}: {output}{error}");
            StringAssert.Contains(error, ledger, args[0]);
            Assert.DoesNotContain("   at ", error, "no stack trace");
        }
        Assert.AreEqual(before, Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(ledger))));
        Assert.IsFalse(File.Exists(Path.Combine(folder, "results.csv")));

        var server = PostgresServer.Shared;
        var foreign = server.NewDatabase();
        server.Sql(foreign.Database, "CREATE TABLE invoices (id integer PRIMARY KEY);");
        var newer = server.NewDatabase();
        Ledgers.Postgres(newer, "tiny").Dispose();
        server.Sql(newer.Database, "UPDATE schema_version SET version = 99;");
        foreach (var location in new[] { foreign, newer })
        {
            foreach (var args in new[] { new[] { "run", "--config", file, "--ledger", location.Display },
                         ["status", "--ledger", location.Display, "--sweep", "tiny"], ["report", "--ledger", location.Display, "--sweep", "tiny", "--out", TinySweep.NewFolder("r")],
                         ["worker", "--ledger", location.Display, "--sweep", "tiny"] })
            {
                var (code, output, error) = TinySweep.Run(args);
                Assert.AreEqual(2, code, $"{args[0]}: {output}{error}");
                StringAssert.Contains(error, location.Display, args[0]);
                Assert.DoesNotContain("   at ", error, "no stack trace");
            }
        }
        Assert.AreEqual(1L, server.Scalar(foreign.Database, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public';"));
        Assert.AreEqual(99, server.Scalar(newer.Database, "SELECT version FROM schema_version;"));

        // A sweep name the database does not hold, and a password in the URI: exit 2, and the password is never echoed.
        var empty = server.NewDatabase();
        var (missing, _, missingError) = TinySweep.Run("status", "--ledger", empty.Display, "--sweep", "nope");
        Assert.AreEqual(2, missing);
        StringAssert.Contains(missingError, "--sweep");
        var (secret, secretOut, secretError) = TinySweep.Run("status", "--ledger", $"postgresql://postgres:hunter2@127.0.0.1:{server.Port}/{empty.Database}", "--sweep", "x");
        Assert.AreEqual(2, secret);
        StringAssert.Contains(secretError, "PGPASSWORD");
        Assert.DoesNotContain("hunter2", secretOut + secretError);
    }
}
