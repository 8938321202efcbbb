using System.Collections.Concurrent;
using WideMinima.Sweeps.Execution;
using WideMinima.Ledger;

namespace WideMinima.Tests.Scale;

/// <summary>
/// The worker's claim, heartbeat, reclaim and fencing logic with a fake executor and a manual clock, on the SQLite
/// ledger: milliseconds per test, and no timing luck (every wait is on an event, never on a sleep).
/// </summary>
[TestClass]
public sealed class SweepWorkerTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static WorkerOptions Options(string name, ConcurrentQueue<string> log) => new()
    {
        Name = name,
        Lease = Lease,
        HeartbeatInterval = TimeSpan.FromHours(1), // only the epoch ends renew the lease: the test decides when
        IsWorkerAlive = _ => true,
        Log = log.Enqueue,
    };

    [TestMethod]
    public void A_worker_runs_every_run_once_and_records_each()
    {
        var (ledger, plan, _) = Ledgers.New("sqlite");
        using var _l = ledger;
        var log = new ConcurrentQueue<string>();
        var executor = FakeExecutor.Done();
        int recorded = new SweepWorker(ledger, executor, Options("w", log)).Run(CancellationToken.None);
        Assert.AreEqual(plan.Count, recorded);
        Assert.AreEqual(plan.Count, executor.Executed);
        Assert.IsTrue(ledger.Runs().All(r => r.Status == RunStatus.Done && r.Attempts == 1 && r.TestAccuracy == 0.5 + r.Seed / 1000.0));
    }

    [TestMethod]
    public void A_worker_waits_while_the_sweep_is_held_open_runs_what_is_added_and_exits_when_it_is_closed_or_its_holder_goes_quiet()
    {
        var clock = new ManualClock();
        var (ledger, plan, _) = Ledgers.New("sqlite", clock: clock);
        using var _l = ledger;
        Assert.IsFalse(ledger.IsOpen(), "a planned sweep is not held open");
        ledger.HoldOpen(Lease);
        Assert.IsTrue(ledger.IsOpen());
        var log = new ConcurrentQueue<string>();
        var executor = FakeExecutor.Done();
        var options = Options("w", log) with { IdlePoll = TimeSpan.FromMilliseconds(5) };
        var worker = Task.Run(() => new SweepWorker(ledger, executor, options).Run(CancellationToken.None));
        Assert.IsTrue(SpinWait.SpinUntil(() => log.Any(l => l.Contains("waiting while the sweep is held open", StringComparison.Ordinal)), Wait), "the worker ran the plan and waits");
        Assert.IsFalse(worker.IsCompleted, "an open sweep keeps its idle worker");

        ledger.CreateSweep(ledger.ReadSweep()!, [plan[0] with { RunId = "added-1", Ordinal = plan.Count }]);
        Assert.IsTrue(SpinWait.SpinUntil(() => ledger.Runs().Single(r => r.RunId == "added-1").Status == RunStatus.Done, Wait), "a run added while the sweep is open is claimed and run");
        Assert.IsFalse(worker.IsCompleted);
        ledger.Close();
        Assert.IsTrue(worker.Wait(Wait), "a closed sweep lets its idle worker exit");
        Assert.AreEqual(plan.Count + 1, worker.Result);

        // The holder (a tuning's coordinator) stops renewing: once its hold lapses, idle workers exit instead of waiting forever.
        ledger.HoldOpen(Lease);
        log.Clear();
        var second = Task.Run(() => new SweepWorker(ledger, executor, options).Run(CancellationToken.None));
        Assert.IsTrue(SpinWait.SpinUntil(() => !log.IsEmpty, Wait));
        Assert.IsFalse(second.IsCompleted);
        clock.Advance(Lease + TimeSpan.FromSeconds(1));
        Assert.IsTrue(second.Wait(Wait), "a hold that lapsed lets the worker exit");
        Assert.AreEqual(0, second.Result);
    }

    [TestMethod]
    public void An_idle_worker_calls_WhileIdle_before_it_asks_whether_the_sweep_is_open_so_a_renewed_hold_keeps_it()
    {
        // A growing sweep's idle worker replans there: the hold it renews outlives the lease, and the close it makes ends the worker.
        var clock = new ManualClock();
        var (ledger, plan, _) = Ledgers.New("sqlite", clock: clock);
        using var _l = ledger;
        ledger.HoldOpen(Lease);
        var log = new ConcurrentQueue<string>();
        int idle = 0;
        bool closeNext = false;
        var options = Options("w", log) with
        {
            IdlePoll = TimeSpan.FromMilliseconds(5),
            WhileIdle = () =>
            {
                Interlocked.Increment(ref idle);
                if (Volatile.Read(ref closeNext)) ledger.Close();
                else ledger.HoldOpen(Lease);
            },
        };
        var worker = Task.Run(() => new SweepWorker(ledger, FakeExecutor.Done(), options).Run(CancellationToken.None));
        Assert.IsTrue(SpinWait.SpinUntil(() => Volatile.Read(ref idle) > 0, Wait), "idle: WhileIdle is called");
        // Past the first hold by half a lease three times, with renewals in between (a step shorter than the lease, as
        // real time runs: one jump past the lease could fall between a renewal and the worker's look at the hold).
        // Without the renewals in WhileIdle the worker would have left after the second step.
        for (int step = 0; step < 3; step++)
        {
            int seen = Volatile.Read(ref idle);
            clock.Advance(Lease / 2);
            Assert.IsTrue(SpinWait.SpinUntil(() => Volatile.Read(ref idle) > seen + 2, Wait), $"step {step}: still idle and renewing");
        }
        Assert.IsFalse(worker.IsCompleted, "the hold WhileIdle renewed keeps the idle worker");
        Volatile.Write(ref closeNext, true);
        Assert.IsTrue(worker.Wait(Wait), "the close WhileIdle made ends it");
        Assert.AreEqual(plan.Count, worker.Result);
    }

    [TestMethod]
    public void A_run_whose_lease_expired_is_taken_over_and_the_old_workers_late_result_is_refused()
    {
        var clock = new ManualClock();
        var (ledger, plan, target) = Ledgers.New("sqlite", clock: clock);
        using var _l = ledger;
        var logA = new ConcurrentQueue<string>();
        using var started = new ManualResetEventSlim();
        using var finish = new ManualResetEventSlim();
        string? stuck = null;
        // Worker A takes the first run and goes silent (a network cut, a stalled node) until told to finish.
        var slow = new FakeExecutor((run, _, _) =>
        {
            if (stuck is null)
            {
                stuck = run.RunId;
                started.Set();
                Assert.IsTrue(finish.Wait(Wait, CancellationToken.None));
            }
            return FakeExecutor.Outcome(run);
        });
        using var ledgerA = target.Open(clock);
        var a = Task.Run(() => new SweepWorker(ledgerA, slow, Options("A", logA)).Run(CancellationToken.None));
        Assert.IsTrue(started.Wait(Wait));

        clock.Advance(Lease + TimeSpan.FromSeconds(1));
        var logB = new ConcurrentQueue<string>();
        int recordedB = new SweepWorker(ledger, FakeExecutor.Done(), Options("B", logB)).Run(CancellationToken.None);
        Assert.AreEqual(plan.Count, recordedB, "B ran every run, the one A held included");

        finish.Set();
        Assert.IsTrue(a.Wait(Wait));
        Assert.AreEqual(0, a.Result, "A recorded nothing");
        Assert.IsTrue(logA.Any(l => l.Contains($"the result of {stuck} was refused", StringComparison.Ordinal)), string.Join("\n", logA));
        var runs = ledger.Runs();
        Assert.IsTrue(runs.All(r => r.Status == RunStatus.Done && r.Worker == "B"), "exactly one recorded outcome per run, all B's");
        Assert.AreEqual(2, runs.Single(r => r.RunId == stuck).Attempts);
    }

    [TestMethod]
    public void Heartbeats_at_each_epoch_keep_a_long_run_and_a_lost_lease_stops_it()
    {
        var clock = new ManualClock();
        var (ledger, _, target) = Ledgers.New("sqlite", clock: clock);
        using var _l = ledger;
        var log = new ConcurrentQueue<string>();
        using var epochReported = new AutoResetEvent(false);
        using var next = new AutoResetEvent(false);
        string? first = null;
        bool sawCancel = false;
        var executor = new FakeExecutor((run, onEpoch, ct) =>
        {
            if (first is not null) return FakeExecutor.Outcome(run);
            first = run.RunId;
            for (int epoch = 1; epoch <= 100; epoch++)
            {
                onEpoch!(epoch, 100);
                epochReported.Set();
                // Wait for the test to move the clock; a lost lease cancels us.
                while (!next.WaitOne(10))
                {
                    if (ct.IsCancellationRequested)
                    {
                        sawCancel = true;
                        ct.ThrowIfCancellationRequested();
                    }
                }
            }
            return FakeExecutor.Outcome(run);
        });
        using var ledgerA = target.Open(clock);
        var a = Task.Run(() => new SweepWorker(ledgerA, executor, Options("A", log)).Run(CancellationToken.None));

        // Three epochs of 8 s each: 24 s in all, longer than the 10 s lease, yet the run stays A's.
        for (int i = 1; i <= 3; i++)
        {
            Assert.IsTrue(epochReported.WaitOne(Wait));
            WaitFor(() => LedgerContractTests.LedgerRow(ledger, first!).Progress == $"epoch {i}/100", "the heartbeat of epoch " + i);
            clock.Advance(TimeSpan.FromSeconds(8));
            Assert.AreEqual(0, ledger.RecoverOrphans(_ => true), "a renewed lease is not taken");
            next.Set();
        }
        Assert.IsTrue(epochReported.WaitOne(Wait));
        WaitFor(() => LedgerContractTests.LedgerRow(ledger, first!).Progress == "epoch 4/100", "the heartbeat of epoch 4");

        // Then A falls silent past its lease; B takes the run over; A's next heartbeat finds the lease lost and stops.
        clock.Advance(Lease + TimeSpan.FromSeconds(1));
        var taken = ledger.Claim("B", Lease, _ => true)!;
        Assert.AreEqual(first, taken.RunId);
        next.Set();
        Assert.IsTrue(epochReported.WaitOne(Wait), "epoch 5 ends; its heartbeat is refused");
        Assert.IsTrue(a.Wait(Wait));
        Assert.IsTrue(sawCancel, "the executor was told to stop");
        Assert.IsTrue(log.Any(l => l.Contains($"lost the lease on {first}", StringComparison.Ordinal)), string.Join("\n", log));
        Assert.AreEqual(RunStatus.Running, LedgerContractTests.LedgerRow(ledger, first!).Status, "still B's, untouched by A");
        Assert.AreEqual("B", LedgerContractTests.LedgerRow(ledger, first!).Worker);
    }

    [TestMethod]
    public void A_stopped_worker_puts_its_run_back_to_pending()
    {
        var (ledger, _, _) = Ledgers.New("sqlite");
        using var _l = ledger;
        using var cancel = new CancellationTokenSource();
        using var started = new ManualResetEventSlim();
        var executor = new FakeExecutor((run, _, ct) =>
        {
            started.Set();
            ct.WaitHandle.WaitOne(Wait);
            ct.ThrowIfCancellationRequested();
            return FakeExecutor.Outcome(run);
        });
        var log = new ConcurrentQueue<string>();
        var worker = Task.Run(() => new SweepWorker(ledger, executor, Options("w", log)).Run(cancel.Token));
        Assert.IsTrue(started.Wait(Wait));
        cancel.Cancel();
        Assert.IsTrue(worker.Wait(Wait));
        Assert.AreEqual(0, worker.Result);
        Assert.AreEqual(1, executor.Executed, "no further run was claimed");
        Assert.IsTrue(ledger.Runs().All(r => r.Status == RunStatus.Pending));
        Assert.AreEqual(1, ledger.Runs()[0].Attempts);
    }

    [TestMethod]
    public void Data_that_cannot_be_loaded_fails_the_run_in_hand_and_stops_the_worker()
    {
        var (ledger, _, _) = Ledgers.New("sqlite");
        using var _l = ledger;
        var log = new ConcurrentQueue<string>();
        int recorded = new SweepWorker(ledger, new BrokenData(), Options("w", log)).Run(CancellationToken.None);
        Assert.AreEqual(0, recorded);
        var runs = ledger.Runs();
        Assert.AreEqual("loading the data failed: no such file", runs[0].Error);
        Assert.AreEqual(RunStatus.Failed, runs[0].Status);
        Assert.IsTrue(runs.Skip(1).All(r => r.Status == RunStatus.Pending));
    }

    [TestMethod]
    public void The_retrying_ledger_backs_off_logs_and_carries_on_then_gives_up_after_its_limit()
    {
        var clock = new ManualClock();
        var (inner, _, _) = Ledgers.New("sqlite");
        var flaky = new FlakyLedger(inner) { FailuresLeft = 3 };
        var sleeps = new List<TimeSpan>();
        var log = new List<string>();
        var options = new RetryOptions { Sleep = d => { sleeps.Add(d); clock.Advance(d); }, GiveUpAfter = TimeSpan.FromSeconds(20), MaxDelay = TimeSpan.FromSeconds(4) };
        using var ledger = new RetryingLedger(flaky, options, log.Add, clock);
        var run = ledger.Claim("w", Lease, _ => true);
        Assert.IsNotNull(run);
        CollectionAssert.AreEqual(new[] { 0.5, 1.0, 2.0 }, sleeps.Select(s => s.TotalSeconds).ToArray());
        Assert.HasCount(4, log);
        StringAssert.Contains(log[0], "retrying in 0.5 s");
        StringAssert.Contains(log[3], "reachable again");

        flaky.FailuresLeft = int.MaxValue;
        sleeps.Clear();
        Assert.ThrowsExactly<LedgerUnavailableException>(() => ledger.Complete(run.Lease, FakeExecutor.Outcome(run)));
        CollectionAssert.AreEqual(new[] { 0.5, 1.0, 2.0, 4.0, 4.0, 4.0, 4.0 }, sleeps.Select(s => s.TotalSeconds).ToArray(), "capped at 4 s, stopping before 20 s");
        StringAssert.Contains(log[^1], "giving up");
    }

    private static void WaitFor(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out waiting for {what}");
            Thread.Sleep(2);
        }
    }

    private sealed class BrokenData : IRunExecutor
    {
        public void Prepare() => throw new WorkerSetupException("loading the data failed: no such file");

        public RunOutcome Execute(LedgerRun run, Action<int, int>? onEpoch, CancellationToken ct) => throw new InvalidOperationException("never");
    }

    /// <summary>A ledger whose server is unreachable for the next <see cref="FailuresLeft"/> calls.</summary>
    private sealed class FlakyLedger(IRunLedger inner) : IRunLedger
    {
        public int FailuresLeft { get; set; }
        public string Description => inner.Description;
        private T Call<T>(Func<T> f)
        {
            if (FailuresLeft > 0)
            {
                FailuresLeft--;
                throw new LedgerUnavailableException("connection refused");
            }
            return f();
        }
        public string? Sweep => Call(() => inner.Sweep);
        public SweepHeader? ReadSweep() => Call(inner.ReadSweep);
        public void CreateSweep(SweepHeader header, IReadOnlyList<NewRun> runs) => Call(() => { inner.CreateSweep(header, runs); return 0; });
        public void AddRuns(IReadOnlyList<NewRun> runs) => Call(() => { inner.AddRuns(runs); return 0; });
        public bool Record(NewRun run, RunOutcome outcome) => Call(() => inner.Record(run, outcome));
        public string? ArchiveSweep() => Call(inner.ArchiveSweep);
        public IReadOnlyList<string> SweepNames() => Call(inner.SweepNames);
        public void HoldOpen(TimeSpan lease) => Call(() => { inner.HoldOpen(lease); return 0; });
        public void Close() => Call(() => { inner.Close(); return 0; });
        public bool IsOpen() => Call(inner.IsOpen);
        public int RecoverOrphans(Func<string, bool> isWorkerAlive) => Call(() => inner.RecoverOrphans(isWorkerAlive));
        public LedgerRun? Claim(string worker, TimeSpan lease, Func<string, bool> isWorkerAlive) => Call(() => inner.Claim(worker, lease, isWorkerAlive));
        public bool Heartbeat(RunLease lease, string? progress) => Call(() => inner.Heartbeat(lease, progress));
        public bool Complete(RunLease lease, RunOutcome outcome) => Call(() => inner.Complete(lease, outcome));
        public void Release(RunLease lease) => Call(() => { inner.Release(lease); return 0; });
        public int ResetFailed() => Call(inner.ResetFailed);
        public IReadOnlyList<LedgerRun> Runs() => Call(inner.Runs);
        public void RecordCheckpoint(CheckpointRow checkpoint) => Call(() => { inner.RecordCheckpoint(checkpoint); return 0; });
        public IReadOnlyList<CheckpointRow> Checkpoints(string runId) => Call(() => inner.Checkpoints(runId));
        public bool ForgetCheckpoint(string runId, string path) => Call(() => inner.ForgetCheckpoint(runId, path));
        public void Dispose() => inner.Dispose();
    }
}
