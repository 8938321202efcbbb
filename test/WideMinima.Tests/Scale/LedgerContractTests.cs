using WideMinima.Ledger;

namespace WideMinima.Tests.Scale;

/// <summary>
/// The meaning both ledgers share, checked on each (SQLite in a temporary folder, PostgreSQL on the tests' private
/// server): claims, leases, heartbeats, reclaim and fencing, with a manual clock so nothing waits.
/// </summary>
[TestClass]
public sealed class LedgerContractTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(10);
    private static bool Alive(string _) => true;

    [TestMethod]
    [DataRow("sqlite")]
    [DataRow("postgres")]
    public void Claims_in_plan_order_and_never_hands_out_a_run_twice(string kind)
    {
        var (ledger, plan, _) = Ledgers.New(kind);
        using var _l = ledger;
        var claimed = new List<string>();
        while (ledger.Claim("w", Lease, Alive) is { } run) claimed.Add(run.RunId);
        CollectionAssert.AreEqual(plan.Select(r => r.RunId).ToArray(), claimed.ToArray());
        Assert.IsTrue(ledger.Runs().All(r => r.Status == RunStatus.Running && r.Attempts == 1));
    }

    [TestMethod]
    [DataRow("sqlite")]
    [DataRow("postgres")]
    public void A_sweep_held_open_takes_added_jobs_keeps_their_text_and_closes_or_lapses(string kind)
    {
        var clock = new ManualClock();
        var (ledger, plan, _) = Ledgers.New(kind, clock: clock);
        using var _l = ledger;
        Assert.IsFalse(ledger.IsOpen(), "a planned sweep is not held open");
        ledger.HoldOpen(Lease);
        Assert.IsTrue(ledger.IsOpen());
        clock.Advance(Lease - TimeSpan.FromSeconds(1));
        Assert.IsTrue(ledger.IsOpen(), "the hold lasts its lease");
        ledger.HoldOpen(Lease);
        clock.Advance(Lease - TimeSpan.FromSeconds(1));
        Assert.IsTrue(ledger.IsOpen(), "renewed");
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.IsFalse(ledger.IsOpen(), "lapsed");
        ledger.HoldOpen(Lease);
        ledger.Close();
        Assert.IsFalse(ledger.IsOpen(), "closed");

        // A job added later is queued after the plan, and its text and result come back as written.
        const string job = """{"rung":1,"epochs":3,"trials":[{"id":4}]}""";
        ledger.AddRuns([plan[0].ToNewRun() with { RunId = "tune-r1-t4", Ordinal = plan.Count, PayloadJson = job, Kind = RunKind.TuneJob }]);
        Assert.AreEqual(plan.Count + 1, ledger.Runs().Count);
        while (ledger.Claim("w", Lease, Alive) is { } run)
        {
            if (run.RunId != "tune-r1-t4") continue;
            Assert.AreEqual(job, run.PayloadJson);
            Assert.IsTrue(ledger.Complete(run.Lease, new RunOutcome(RunStatus.Done, null, null, """{"outcomes":[],"computeEpochs":2.7}""")));
        }
        var added = ledger.Runs().Single(r => r.RunId == "tune-r1-t4");
        Assert.AreEqual(RunStatus.Done, added.Status);
        Assert.AreEqual("""{"outcomes":[],"computeEpochs":2.7}""", added.ResultJson);
        Assert.AreEqual(plan.Count, added.Ordinal);
    }

    [TestMethod]
    [DataRow("sqlite")]
    [DataRow("postgres")]
    public void A_reclaimed_run_cannot_be_completed_or_renewed_by_its_old_claim_even_under_the_same_worker_name(string kind)
    {
        var clock = new ManualClock();
        var (ledger, _, _) = Ledgers.New(kind, clock: clock);
        using var _l = ledger;
        var first = ledger.Claim("w", Lease, Alive)!;
        Assert.IsTrue(ledger.Heartbeat(first.Lease, "epoch 1/3"), "the holder renews its lease");

        clock.Advance(Lease + TimeSpan.FromSeconds(1));
        var again = ledger.Claim("w", Lease, Alive)!; // the same name, e.g. the same host and pid after a network cut
        Assert.AreEqual(first.RunId, again.RunId, "an expired lease is taken over before pending runs further down");
        Assert.AreEqual(2, again.Attempts);

        Assert.IsFalse(ledger.Heartbeat(first.Lease, "epoch 2/3"), "the old claim's heartbeat is refused");
        Assert.IsFalse(ledger.Complete(first.Lease, FakeExecutor.Outcome(first)), "the old claim's late result is refused");
        Assert.IsFalse(LedgerRow(ledger, first.RunId).Status == RunStatus.Done);
        Assert.IsTrue(ledger.Complete(again.Lease, FakeExecutor.Outcome(again)));
        Assert.IsTrue(ledger.Complete(again.Lease, FakeExecutor.Outcome(again)), "a retried Complete of a recorded outcome is true");
        var row = LedgerRow(ledger, first.RunId);
        Assert.AreEqual(RunStatus.Done, row.Status);
        Assert.AreEqual(2, row.Attempts);
        Assert.IsFalse(ledger.Complete(first.Lease, new RunOutcome(RunStatus.Failed, null, "late")), "nor after the new claim finished");
        Assert.AreEqual(RunStatus.Done, LedgerRow(ledger, first.RunId).Status);
    }

    [TestMethod]
    [DataRow("sqlite")]
    [DataRow("postgres")]
    public void Heartbeats_keep_a_lease_and_silence_loses_it(string kind)
    {
        var clock = new ManualClock();
        var (ledger, plan, _) = Ledgers.New(kind, clock: clock);
        using var _l = ledger;
        var held = ledger.Claim("a", Lease, Alive)!;
        for (int i = 0; i < 5; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(8));
            Assert.IsTrue(ledger.Heartbeat(held.Lease, $"epoch {i}/5"));
            Assert.AreEqual(0, ledger.RecoverOrphans(Alive), "a renewed lease is not an orphan");
        }
        // 40 s after the claim, renewed every 8 s: still held. Another worker gets the next run instead.
        var other = ledger.Claim("b", Lease, Alive)!;
        Assert.AreNotEqual(held.RunId, other.RunId);
        Assert.AreEqual(clock.GetUtcNow().ToUnixTimeMilliseconds() + 10_000, LedgerRow(ledger, other.RunId).LeaseExpiresAt);

        clock.Advance(TimeSpan.FromSeconds(11));
        Assert.AreEqual(2, ledger.RecoverOrphans(Alive), "both leases ran out");
        Assert.HasCount(plan.Count, ledger.Runs().Where(r => r.Status == RunStatus.Pending));
    }

    [TestMethod]
    [DataRow("sqlite")]
    [DataRow("postgres")]
    public void A_dead_worker_on_this_machine_loses_its_run_at_once_without_waiting_for_its_lease(string kind)
    {
        var (ledger, _, _) = Ledgers.New(kind);
        using var _l = ledger;
        var run = ledger.Claim("dead", TimeSpan.FromHours(1), Alive)!;
        var again = ledger.Claim("new", Lease, w => w != "dead")!;
        Assert.AreEqual(run.RunId, again.RunId);
        Assert.AreEqual(2, again.Attempts);
        Assert.IsFalse(ledger.Complete(run.Lease, new RunOutcome(RunStatus.Failed, null, "late")));
        Assert.IsTrue(ledger.Complete(again.Lease, new RunOutcome(RunStatus.Failed, null, "x")));
    }

    [TestMethod]
    [DataRow("sqlite")]
    [DataRow("postgres")]
    public void Released_and_failed_runs_go_back_to_the_queue_and_recreating_keeps_what_is_recorded(string kind)
    {
        var (ledger, plan, _) = Ledgers.New(kind);
        using var _l = ledger;
        var a = ledger.Claim("w", Lease, Alive)!;
        var b = ledger.Claim("w", Lease, Alive)!;
        ledger.Release(a.Lease);
        Assert.AreEqual(RunStatus.Pending, LedgerRow(ledger, a.RunId).Status);
        Assert.IsTrue(ledger.Complete(b.Lease, new RunOutcome(RunStatus.Failed, null, "boom")));
        ledger.CreateSweep(ledger.ReadSweep()!, plan);
        Assert.HasCount(plan.Count, ledger.Runs());
        Assert.AreEqual("boom", LedgerRow(ledger, b.RunId).Error);
        Assert.AreEqual(1, ledger.ResetFailed());
        Assert.AreEqual(RunStatus.Pending, LedgerRow(ledger, b.RunId).Status);
        Assert.AreEqual(a.RunId, ledger.Claim("w", Lease, Alive)!.RunId, "plan order again");
    }

    [TestMethod]
    [DataRow("sqlite")]
    [DataRow("postgres")]
    public void Eight_workers_claiming_200_runs_at_once_lose_none_and_duplicate_none(string kind)
    {
        var config = Ledgers.Config(seeds: 50, explore: [0, 0.25, 0.5]); // 4 settings x 50 seeds
        var (ledger, plan, target) = Ledgers.New(kind, config);
        ledger.Dispose();
        Assert.HasCount(200, plan);
        var claims = new System.Collections.Concurrent.ConcurrentBag<string>();
        var errors = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        using var start = new Barrier(8);
        var threads = Enumerable.Range(0, 8).Select(i => new Thread(() =>
        {
            try
            {
                using var mine = target.Open();
                start.SignalAndWait();
                string worker = $"w{i}";
                while (mine.Claim(worker, Lease, Alive) is { } run)
                {
                    claims.Add(run.RunId);
                    Assert.IsTrue(mine.Heartbeat(run.Lease, "epoch 1/1"));
                    Assert.IsTrue(mine.Complete(run.Lease, FakeExecutor.Outcome(run)));
                }
            }
            catch (Exception e) { errors.Add(e); }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.IsEmpty(errors, string.Join("; ", errors.Select(e => e.Message)));
        Assert.HasCount(200, claims);
        Assert.AreEqual(200, claims.Distinct().Count());
        using var check = target.Open();
        var runs = check.Runs();
        Assert.IsTrue(runs.All(r => r.Status == RunStatus.Done && r.Attempts == 1));
    }

    [TestMethod]
    [DataRow("sqlite")]
    [DataRow("postgres")]
    public void Checkpoints_are_recorded_newest_first_replaced_by_path_and_forgotten(string kind)
    {
        var (ledger, _, _) = Ledgers.New(kind);
        using var _l = ledger;
        var run = ledger.Claim("w", Lease, Alive)!;
        ledger.RecordCheckpoint(new CheckpointRow(run.RunId, 1, 10, 1, "/a", "aa", 5, 100));
        ledger.RecordCheckpoint(new CheckpointRow(run.RunId, 1, 30, 3, "/c", "cc", 5, 300));
        ledger.RecordCheckpoint(new CheckpointRow(run.RunId, 1, 20, 2, "/b", "bb", 5, 200));
        ledger.RecordCheckpoint(new CheckpointRow(run.RunId, 2, 20, 2, "/b", "b2", 6, 250)); // the same path again: replaced
        CollectionAssert.AreEqual(new[] { "/c", "/b", "/a" }, ledger.Checkpoints(run.RunId).Select(c => c.Path).ToArray());
        Assert.AreEqual(new CheckpointRow(run.RunId, 2, 20, 2, "/b", "b2", 6, 250), ledger.Checkpoints(run.RunId)[1]);
        Assert.IsTrue(ledger.ForgetCheckpoint(run.RunId, "/c"));
        Assert.IsFalse(ledger.ForgetCheckpoint(run.RunId, "/c"));
        Assert.HasCount(2, ledger.Checkpoints(run.RunId));
        Assert.IsEmpty(ledger.Checkpoints("other"));
    }

    internal static LedgerRun LedgerRow(IRunLedger ledger, string runId) => ledger.Runs().Single(r => r.RunId == runId);
}
