using System.Diagnostics;
using System.Text.Json;
using WideMinima.Ledger;
using WideMinima.Sweeps.Config;
using WideMinima.Tests.Scale;
using WideMinima.Tests.Sweeps;

namespace WideMinima.Tests.Tuning;

/// <summary>
/// <c>tune</c> with its jobs on workers, end to end with real processes: the worker processes it starts on SQLite, and
/// workers that join a PostgreSQL ledger from elsewhere. The search's own logic with several jobs in flight is unit-tested
/// in <see cref="ParallelSearchTests"/>.
/// </summary>
[TestClass]
public sealed class TuneWorkersTests
{
    private readonly OwnedFolders _folders = new();

    private string Folder(string name) => _folders.New(name);

    [TestCleanup]
    public void RemoveFolders() => _folders.RemoveAll();

    private string Config()
    {
        string data = TinySweep.Dataset(1500, 150); // jobs long enough that a kill lands mid-search
        _folders.Own(data);
        string path = Path.Combine(Folder("tune-workers-cfg"), "tune.yaml");
        File.WriteAllText(path, TuneCliTests.Yaml(data, TuneCliTests.GoodTune));
        return path;
    }

    private static List<LedgerRun> Jobs(string folder)
    {
        string path = Path.Combine(folder, SqlLedger.FileName);
        if (!File.Exists(path)) return [];
        using var ledger = SqlLedger.Sqlite(path);
        return ledger.Runs().Where(r => r.Kind == RunKind.TuneJob).ToList();
    }

    private static List<LedgerRun> Finals(string folder)
    {
        using var ledger = SqlLedger.Sqlite(Path.Combine(folder, SqlLedger.FileName));
        return ledger.Runs().Where(r => r.Kind == RunKind.FinalFit).ToList();
    }

    private static double TestAccuracy(string folder) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "best.json"))).RootElement.GetProperty("best").GetProperty("test_accuracy").GetDouble();

    /// <summary>
    /// Starts <c>tune</c> on PostgreSQL with no worker of its own and two jobs in flight, and returns once it has
    /// registered its sweep and holds it open (workers that join before that find no sweep), with its output being read.
    /// </summary>
    internal static (Process Process, Task<string> Output, Task<string> Error) StartCoordinator(string config, string folder, LedgerLocation location)
    {
        var coordinator = TinySweep.Start("tune", "--config", config, "--out", folder, "--ledger", location.Display, "--workers", "0", "--parallel-jobs", "2");
        var output = coordinator.StandardOutput.ReadToEndAsync();
        var error = coordinator.StandardError.ReadToEndAsync();
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline && !coordinator.HasExited)
        {
            using var ledger = Ledgers.Postgres(location, "tiny-tune");
            if (ledger.ReadSweep() is not null && ledger.IsOpen()) break;
            Thread.Sleep(100);
        }
        Assert.IsFalse(coordinator.HasExited, "the coordinator waits for its workers");
        return (coordinator, output, error);
    }

    [TestMethod]
    public void Tune_on_two_worker_processes_trains_every_job_there_reproduces_itself_and_survives_kill_9_of_its_coordinator()
    {
        string config = Config();
        string reference = Folder("tune-w2-ref");
        var (code, output, error) = TinySweep.Run("tune", "--config", config, "--out", reference, "--workers", "2");
        Assert.AreEqual(0, code, output + error);
        StringAssert.Contains(output, "2 in flight");
        var jobs = Jobs(reference);
        Assert.IsTrue(jobs.Count >= 3, $"{jobs.Count} jobs");
        Assert.IsTrue(jobs.All(j => j.RunId.StartsWith("tune-r", StringComparison.Ordinal) && j.Status == RunStatus.Done), "every job is a finished run of the sweep ledger");
        Assert.IsTrue(jobs.All(j => j.Worker!.EndsWith("#0", StringComparison.Ordinal) || j.Worker.EndsWith("#1", StringComparison.Ordinal)), "the worker processes trained them, not the coordinator");
        Assert.IsTrue(File.Exists(Path.Combine(reference, "logs", "worker-0.log")) && File.Exists(Path.Combine(reference, "logs", "worker-1.log")));
        Assert.IsTrue(File.Exists(Path.Combine(reference, "best.wmmodel")));

        // status shows the jobs; report refuses to write a sweep's reports over the tuning's own.
        var status = TinySweep.Run("status", "--out", reference);
        Assert.AreEqual(0, status.ExitCode, status.Output + status.Error);
        StringAssert.Contains(status.Output, "a tuning, closed");
        StringAssert.Contains(status.Output, "tune-r0-t");
        string summary = File.ReadAllText(Path.Combine(reference, "summary.md"));
        var report = TinySweep.Run("report", "--out", reference);
        Assert.AreEqual(2, report.ExitCode, report.Output + report.Error);
        StringAssert.Contains(report.Error, "holds a tuning's jobs");
        Assert.DoesNotContain("   at ", report.Error, "no stack trace");
        Assert.AreEqual(summary, File.ReadAllText(Path.Combine(reference, "summary.md")), "the tuning's summary is left alone");
        Assert.IsFalse(File.Exists(Path.Combine(reference, "results.csv")));

        // The same command in another folder decides the same jobs and gets the same bits.
        string again = Folder("tune-w2-again");
        Assert.AreEqual(0, TinySweep.Run("tune", "--config", config, "--out", again, "--workers", "2").ExitCode);
        Assert.AreEqual(File.ReadAllText(Path.Combine(reference, "trials.csv")), File.ReadAllText(Path.Combine(again, "trials.csv")));
        CollectionAssert.AreEqual(jobs.Select(j => j.RunId).ToArray(), Jobs(again).Select(j => j.RunId).ToArray(), "the same jobs in the same order");

        // kill -9 of the coordinator once two jobs are done: its workers exit with it; the same command again goes on.
        string folder = Folder("tune-w2-kill");
        using (var process = TinySweep.Start("tune", "--config", config, "--out", folder, "--workers", "2"))
        {
            var deadline = DateTime.UtcNow.AddMinutes(3);
            while (DateTime.UtcNow < deadline && !process.HasExited && Jobs(folder).Count(j => j.Status == RunStatus.Done) < 2) Thread.Sleep(50);
            Assert.IsFalse(process.HasExited, "the tuning should still be running when it is killed");
            process.Kill(); // SIGKILL of the coordinator alone
            process.WaitForExit();
        }
        int doneAtKill = Jobs(folder).Count(j => j.Status == RunStatus.Done);
        Assert.IsTrue(doneAtKill >= 2 && doneAtKill < jobs.Count, $"killed with {doneAtKill} of {jobs.Count} jobs done");
        (code, output, error) = TinySweep.Run("tune", "--config", config, "--out", folder, "--workers", "2");
        Assert.AreEqual(0, code, output + error);
        StringAssert.Contains(output, "resuming");
        Assert.AreEqual(File.ReadAllText(Path.Combine(reference, "trials.csv")), File.ReadAllText(Path.Combine(folder, "trials.csv")),
            "the resumed tuning ends exactly as the uninterrupted one");
        Assert.AreEqual(TestAccuracy(reference), TestAccuracy(folder));
        Assert.IsTrue(Jobs(folder).All(j => j.Status == RunStatus.Done));
    }

    [TestMethod]
    public void With_several_seeds_the_workers_train_every_final_fit_but_the_best_and_the_numbers_reproduce()
    {
        string config = Config();
        string first = Folder("tune-w2-seeds"), second = Folder("tune-w2-seeds-again");
        foreach (var folder in new[] { first, second })
        {
            var (code, output, error) = TinySweep.Run("tune", "--config", config, "--out", folder, "--workers", "2", "--seeds", "2", "--top", "2", "--budget-epochs", "24");
            Assert.AreEqual(0, code, output + error);
        }
        var all = Finals(first);
        Assert.IsTrue(all.All(f => f.RunId.StartsWith("tune-final-", StringComparison.Ordinal) && f.Status == RunStatus.Done));
        Assert.AreEqual(4, all.Count, "2 settings x 2 seeds, each a final-fit run of the one ledger");
        var finals = all.Where(f => f.Worker is { } w && w.Contains('#', StringComparison.Ordinal)).ToList();
        Assert.AreEqual(3, finals.Count, "the worker processes trained all but the best's first seed, which the coordinator trains (it saves best.wmmodel)");
        var top = JsonDocument.Parse(File.ReadAllText(Path.Combine(first, "best.json"))).RootElement.GetProperty("top");
        Assert.AreEqual(2, top.GetArrayLength());
        foreach (var f in finals)
        {
            var fit = JsonSerializer.Deserialize<FinalFit>(f.ResultJson!, WideMinima.Sweeps.Config.SweepConfigJson.Options)!;
            var setting = top.EnumerateArray().Single(t => t.GetProperty("trial_id").GetInt32() == fit.TrialId);
            var seed = setting.GetProperty("seeds").EnumerateArray().Single(s => s.GetProperty("seed").GetInt32() == fit.Seed);
            Assert.AreEqual(fit.TestAccuracy!.Value, seed.GetProperty("test_accuracy").GetDouble(), $"best.json reports the fit {f.RunId} trained on a worker");
        }
        Assert.AreEqual(File.ReadAllText(Path.Combine(first, "trials.csv")), File.ReadAllText(Path.Combine(second, "trials.csv")));
        var status = TinySweep.Run("status", "--out", first);
        Assert.AreEqual(0, status.ExitCode, status.Output + status.Error);
        StringAssert.Contains(status.Output, "tune-final-t");
        StringAssert.Contains(status.Output, "test ");
        static string[] Scores(JsonElement top) => [.. top.EnumerateArray().SelectMany(t => t.GetProperty("seeds").EnumerateArray().Select(s =>
            $"{t.GetProperty("trial_id").GetInt32()}/{s.GetProperty("seed").GetInt32()}: {s.GetProperty("test_accuracy").GetDouble():R} {s.GetProperty("sharpness").GetDouble():R}"))];
        CollectionAssert.AreEqual(Scores(top), Scores(JsonDocument.Parse(File.ReadAllText(Path.Combine(second, "best.json"))).RootElement.GetProperty("top")),
            "every final fit gives the same numbers again, whichever worker trained it");
    }

    [TestMethod]
    public void A_tuning_on_postgres_whose_workers_join_from_elsewhere_decides_and_scores_as_on_sqlite()
    {
        string config = Config();
        string reference = Folder("tune-pg-ref");
        Assert.AreEqual(0, TinySweep.Run("tune", "--config", config, "--out", reference, "--workers", "2").ExitCode);

        var location = PostgresServer.Shared.NewDatabase();
        string folder = Folder("tune-pg");
        var (coordinator, coordinatorOutput, coordinatorError) = StartCoordinator(config, folder, location);
        using var _c = coordinator;
        var workers = new List<(Process Process, Task<string> Output, Task<string> Error)>();
        try
        {
            for (int i = 0; i < 2; i++)
            {
                var w = TinySweep.Start("worker", "--ledger", location.Display, "--sweep", "tiny-tune", "--threads", "1", "--lease-seconds", "30");
                workers.Add((w, w.StandardOutput.ReadToEndAsync(), w.StandardError.ReadToEndAsync()));
            }
            if (!coordinator.WaitForExit(TimeSpan.FromMinutes(4)))
            {
                coordinator.Kill(entireProcessTree: true);
                Assert.Fail("the tuning did not finish in 4 minutes");
            }
            string output = coordinatorOutput.Result, error = coordinatorError.Result;
            Assert.AreEqual(0, coordinator.ExitCode, output + error);
            // The hint names the program as it was started: here `dotnet .../wideminima-sweeps.dll`, as the installed tool `wideminima`.
            StringAssert.Contains(output, "Start workers anywhere with: dotnet ");
            StringAssert.Contains(output, "wideminima-sweeps.dll worker --ledger");
            foreach (var (w, workerOutput, workerError) in workers)
            {
                Assert.IsTrue(w.WaitForExit(TimeSpan.FromMinutes(1)), "a closed tuning lets its workers exit");
                Assert.AreEqual(0, w.ExitCode, workerOutput.Result + workerError.Result);
            }
        }
        finally
        {
            foreach (var (w, _, _) in workers)
            {
                if (!w.HasExited) w.Kill(entireProcessTree: true);
                w.Dispose();
            }
        }
        Assert.AreEqual(File.ReadAllText(Path.Combine(reference, "trials.csv")), File.ReadAllText(Path.Combine(folder, "trials.csv")),
            "two jobs in flight decide the same search on PostgreSQL with joining workers as on SQLite with local ones");
        Assert.AreEqual(TestAccuracy(reference), TestAccuracy(folder));
        using var shared = Ledgers.Postgres(location, "tiny-tune");
        Assert.IsFalse(shared.IsOpen(), "the finished tuning closed its sweep");
        Assert.IsTrue(shared.Runs().All(r => r.Status == RunStatus.Done && !r.Worker!.Contains('#', StringComparison.Ordinal)), "the joining workers trained every job");
    }
}
