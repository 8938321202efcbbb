using WideMinima.Sweeps.Config;
using WideMinima.Sweeps.Execution;
using WideMinima.Sweeps.Ledger;
using WideMinima.Sweeps.Planning;

namespace WideMinima.Tests.Sweeps;

[TestClass]
public sealed class LedgerTests
{
    private static (SqliteRunLedger Ledger, IReadOnlyList<PlannedRun> Plan, string Folder) NewLedger()
    {
        string folder = TinySweep.NewFolder("ledger");
        var config = new SweepConfig { Seeds = 2, ExploreFractions = [0, 0.5], Baselines = [SweepSchedule.Cosine] };
        var plan = SweepPlanner.Plan(config);
        var ledger = new SqliteRunLedger(Path.Combine(folder, SqliteRunLedger.FileName));
        ledger.CreateSweep(new SweepHeader(SweepConfigJson.Definition(config), SweepConfigJson.Write(config), 1, "test"), plan);
        return (ledger, plan, folder);
    }

    private static readonly TimeSpan Stale = TimeSpan.FromMinutes(3);

    [TestMethod]
    public void Claims_in_plan_order_and_never_hands_out_a_run_twice()
    {
        var (ledger, plan, _) = NewLedger();
        using var _ledger = ledger;
        var claimed = new List<string>();
        while (ledger.Claim("w", _ => true, Stale) is { } run) claimed.Add(run.RunId);
        CollectionAssert.AreEqual(plan.Select(r => r.RunId).ToArray(), claimed.ToArray());
        Assert.IsTrue(ledger.Runs().All(r => r.Status == RunStatus.Running && r.Attempts == 1));
    }

    [TestMethod]
    public void Creating_the_same_sweep_again_keeps_what_is_recorded()
    {
        var (ledger, plan, _) = NewLedger();
        using var _ledger = ledger;
        var run = ledger.Claim("w", _ => true, Stale)!;
        Assert.IsTrue(ledger.Complete(run.RunId, "w", new RunOutcome(RunStatus.Failed, null, "boom")));
        ledger.CreateSweep(ledger.ReadSweep()!, plan);
        Assert.HasCount(plan.Count, ledger.Runs());
        Assert.AreEqual("boom", ledger.Runs().Single(r => r.RunId == run.RunId).Error);
        Assert.AreEqual(1, ledger.ResetFailed());
        Assert.AreEqual(RunStatus.Pending, ledger.Runs().Single(r => r.RunId == run.RunId).Status);
    }

    [TestMethod]
    public void Runs_of_dead_workers_go_back_to_pending_and_their_late_result_is_refused()
    {
        var (ledger, _, _) = NewLedger();
        using var _ledger = ledger;
        var run = ledger.Claim("dead-worker", _ => true, Stale)!;
        Assert.AreEqual(1, ledger.RecoverOrphans(w => w != "dead-worker", Stale));
        var again = ledger.Claim("new-worker", _ => true, Stale)!;
        Assert.AreEqual(run.RunId, again.RunId);
        Assert.AreEqual(2, again.Attempts);
        Assert.IsFalse(ledger.Complete(run.RunId, "dead-worker", new RunOutcome(RunStatus.Failed, null, "late")), "a reclaimed run is not the old worker's to finish");
        Assert.IsTrue(ledger.Complete(run.RunId, "new-worker", new RunOutcome(RunStatus.Failed, null, "x")));
    }

    [TestMethod]
    public void Silent_workers_are_recovered_after_the_stale_timeout()
    {
        var (ledger, _, _) = NewLedger();
        using var _ledger = ledger;
        ledger.Claim("w", _ => true, Stale);
        Assert.AreEqual(0, ledger.RecoverOrphans(_ => true, TimeSpan.FromMinutes(1)));
        Thread.Sleep(20);
        Assert.AreEqual(1, ledger.RecoverOrphans(_ => true, TimeSpan.FromMilliseconds(1)));
    }

    [TestMethod]
    public void Many_threads_with_their_own_connections_share_the_ledger_without_lock_errors_or_duplicates()
    {
        var (ledger, plan, folder) = NewLedger();
        ledger.Dispose();
        var claims = new System.Collections.Concurrent.ConcurrentBag<string>();
        var errors = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        var threads = Enumerable.Range(0, 6).Select(i => new Thread(() =>
        {
            try
            {
                using var mine = new SqliteRunLedger(Path.Combine(folder, SqliteRunLedger.FileName));
                string worker = $"w{i}";
                while (mine.Claim(worker, _ => true, Stale) is { } run)
                {
                    claims.Add(run.RunId);
                    mine.Heartbeat(run.RunId, worker, "epoch 1/1");
                    mine.Complete(run.RunId, worker, new RunOutcome(RunStatus.Failed, null, "test"));
                }
            }
            catch (Exception e) { errors.Add(e); }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.IsEmpty(errors, string.Join("; ", errors.Select(e => e.Message)));
        Assert.HasCount(plan.Count, claims);
        Assert.AreEqual(plan.Count, claims.Distinct().Count());
    }

    [TestMethod]
    public void A_different_definition_is_refused_unless_replaced_and_the_old_ledger_is_archived()
    {
        string data = TinySweep.Dataset(30, 12);
        string folder = TinySweep.NewFolder("refuse");
        var config = TinySweep.Config(data);
        SweepFolder.Prepare(folder, config, replace: false);
        SweepFolder.Prepare(folder, config with { Workers = 2 }, replace: false); // same definition: fine

        var e = Assert.ThrowsExactly<SweepConfigException>(() => SweepFolder.Prepare(folder, config with { Epochs = 9 }, replace: false));
        StringAssert.Contains(e.Message, "different sweep");
        StringAssert.Contains(e.Message, "epochs");
        StringAssert.Contains(e.Message, "--replace");

        var (stored, runs) = SweepFolder.Prepare(folder, config with { Epochs = 9 }, replace: true);
        Assert.AreEqual(9, stored.Epochs);
        Assert.AreEqual(8, runs);
        var archive = Directory.GetDirectories(folder, "archive-*").Single();
        Assert.IsTrue(File.Exists(Path.Combine(archive, SqliteRunLedger.FileName)), "the old ledger is kept, not deleted");
    }

    [TestMethod]
    public void Statuses_are_stored_as_the_same_lower_case_words()
    {
        foreach (var status in Enum.GetValues<RunStatus>())
        {
            string word = status.ToText();
            Assert.AreEqual(status.ToString().ToLowerInvariant(), word, $"{status} keeps its stored word");
            Assert.AreEqual(status, RunStatusText.Parse(word), word);
        }
        Assert.ThrowsExactly<InvalidDataException>(() => RunStatusText.Parse("Done"));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ((RunStatus)9).ToText());

        var (ledger, plan, folder) = NewLedger();
        using (ledger)
        {
            var run = ledger.Claim("w", _ => true, Stale)!;
            Assert.IsTrue(ledger.Complete(run.RunId, "w", new RunOutcome(RunStatus.Diverged, null, "nan")));
        }
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(folder, SqliteRunLedger.FileName)};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT status, COUNT(*) FROM runs GROUP BY status ORDER BY status;";
        using var reader = command.ExecuteReader();
        var stored = new List<string>();
        while (reader.Read()) stored.Add($"{reader.GetString(0)}={reader.GetInt64(1)}");
        CollectionAssert.AreEqual(new[] { "diverged=1", $"pending={plan.Count - 1}" }, stored.ToArray(), "the ledger file holds the same words as before");
    }

    [TestMethod]
    public void An_unwritable_output_folder_is_refused()
    {
        string file = Path.Combine(TinySweep.NewFolder("unwritable"), "a-file");
        File.WriteAllText(file, "");
        var e = Assert.ThrowsExactly<SweepConfigException>(() => SweepFolder.EnsureWritable(Path.Combine(file, "sub")));
        Assert.AreEqual("--out", e.Field);
    }
}
