using System.Collections.Concurrent;
using System.Globalization;
using WideMinima.Tuning;

namespace WideMinima.Tests.Tuning;

/// <summary>The search with several jobs in flight on a dispatcher (the workers' side is faked): milliseconds, no training.</summary>
[TestClass]
public sealed class ParallelSearchTests
{
    /// <summary>Best near lr 0.1; lr above 0.5 diverges; Knee branches cost the fork's 3.5 runs for five shares.</summary>
    private static JobResult Train(TrialJob job) =>
        new([.. job.Trials.Select(t => t.Settings.PeakLearningRate > 0.5
            ? new TrialOutcome(t.Id, TrialOutcomeStatus.Diverged, double.NaN)
            : new TrialOutcome(t.Id, TrialOutcomeStatus.Done, 0.9 - 0.05 * Math.Abs(Math.Log10(t.Settings.PeakLearningRate / 0.1)) + 0.01 * (t.Settings.ExploreShare ?? 0) - 0.1 / job.Epochs))],
            Cost(job), 1);

    private static double Cost(TrialJob job) => job.Epochs * (job.Trials.Count == 1 ? 1
        : job.Trials.Max(t => t.Settings.ExploreShare ?? 0) + job.Trials.Sum(t => 1 - (t.Settings.ExploreShare ?? 0)));

    private sealed class Pricer : ITrialRunner
    {
        public double Cost(TrialJob job) => ParallelSearchTests.Cost(job);

        public JobResult Run(TrialJob job, CancellationToken cancellationToken) => throw new AssertFailedException("a search with a dispatcher never trains in process");
    }

    /// <summary>
    /// A dispatcher that keeps its books across searches (as a ledger does across restarts): what was submitted, what
    /// finished, how many were in flight at most. It trains a job when it is waited for, or throws on the n-th wait.
    /// </summary>
    private sealed class BookDispatcher : ITrialDispatcher
    {
        public Dictionary<string, TrialJob> Submitted { get; } = [];
        public Dictionary<string, JobResult> Finished { get; } = [];
        public List<string> SubmissionOrder { get; } = [];
        public int MaxInFlight { get; private set; }
        public int? CrashOnWait { get; set; }
        public Func<TrialJob, JobResult> Trainer { get; init; } = Train;
        public int Waits { get; private set; }
        /// <summary>Jobs looked at as new and not submitted (they did not fit), then looked at again later.</summary>
        public int PutBacks => PutBackRungs.Count;
        public List<int> PutBackRungs { get; } = [];
        private readonly HashSet<string> _lookedAt = [];

        public TrialJobState State(TrialJob job)
        {
            var state = Finished.ContainsKey(job.Key) ? TrialJobState.Finished : Submitted.ContainsKey(job.Key) ? TrialJobState.Submitted : TrialJobState.New;
            if (state == TrialJobState.New && !_lookedAt.Add(job.Key)) PutBackRungs.Add(job.Rung);
            return state;
        }

        public void Submit(TrialJob job)
        {
            _lookedAt.Remove(job.Key);
            Assert.IsTrue(Submitted.TryAdd(job.Key, job), $"job {job.Key} was submitted twice");
            SubmissionOrder.Add(job.Key);
            MaxInFlight = Math.Max(MaxInFlight, Submitted.Keys.Count(k => !Finished.ContainsKey(k)));
        }

        public JobResult Wait(TrialJob job, CancellationToken cancellationToken)
        {
            if (++Waits == CrashOnWait) throw new InvalidOperationException("coordinator killed");
            Assert.IsTrue(Submitted.TryGetValue(job.Key, out var submitted), $"job {job.Key} was waited for but never submitted");
            Assert.AreEqual(Describe(submitted), Describe(job), "a restarted search decides the same job under the same key");
            if (!Finished.TryGetValue(job.Key, out var result)) Finished[job.Key] = result = Trainer(job);
            return result;
        }
    }

    /// <summary>Workers on threads that finish in a seeded random order, not the order the jobs were submitted in.</summary>
    private sealed class ThreadedDispatcher(int seed) : ITrialDispatcher
    {
        private readonly ConcurrentDictionary<string, Task<JobResult>> _jobs = new();
        private readonly Random _delays = new(seed);
        public ConcurrentQueue<string> FinishOrder { get; } = new();

        public TrialJobState State(TrialJob job) => _jobs.ContainsKey(job.Key) ? TrialJobState.Submitted : TrialJobState.New;

        public void Submit(TrialJob job)
        {
            int delay = _delays.Next(0, 8);
            _jobs[job.Key] = Task.Run(() =>
            {
                Thread.Sleep(delay);
                var result = Train(job);
                FinishOrder.Enqueue(job.Key);
                return result;
            });
        }

        public JobResult Wait(TrialJob job, CancellationToken cancellationToken) => _jobs[job.Key].Result;
    }

    private static TuningSearch Search(ITrialDispatcher dispatcher, int parallelism, double epochs = 200) =>
        new(new RandomTuner(new TuningSpace(), seed: 7), new Asha(9, 1, 3), new Pricer(), new TuningBudget(epochs, null), () => TimeSpan.Zero, seed: 1)
        {
            Dispatcher = dispatcher,
            Parallelism = parallelism,
            ReservedEpochs = 9,
        };

    private static string Describe(TrialJob job) => job.Key + " " + string.Join(";", job.Trials.Select(t => t.Settings.Label));

    private static string Fingerprint(TuningOutcome o) => string.Join("\n", o.Trials.Select(t =>
        string.Create(CultureInfo.InvariantCulture, $"{t.Trial.Id} {t.Trial.Settings.Label} rung {t.Rung} {t.ValidationAccuracy:R} {t.Status}")))
        + string.Create(CultureInfo.InvariantCulture, $"\nspent {o.SpentEpochs:R}, jobs {o.Jobs}, stop: {o.StopReason}");

    [TestMethod]
    public void At_most_parallelism_jobs_are_in_flight_every_submitted_job_is_taken_in_and_the_budget_holds()
    {
        var dispatcher = new BookDispatcher();
        var outcome = Search(dispatcher, parallelism: 3).Run();
        Assert.AreEqual(3, dispatcher.MaxInFlight, "three jobs in flight at once, never more");
        Assert.AreEqual(dispatcher.Submitted.Count, dispatcher.Finished.Count, "the search stops only once every job it submitted is in");
        Assert.AreEqual(dispatcher.Submitted.Count, outcome.Jobs);
        Assert.AreEqual(dispatcher.Submitted.Values.Sum(Cost), outcome.SpentEpochs, 1e-9);
        Assert.IsTrue(outcome.SpentEpochs <= 200 - 9 + 1e-9, $"spent {outcome.SpentEpochs} of a search budget of 191 epochs, counting jobs in flight");
        StringAssert.Contains(outcome.StopReason, "compute budget");
        Assert.AreEqual(2, outcome.Best!.Rung, "the best trial reached the top rung");
        Assert.IsTrue(outcome.Trials.Any(t => t.Status == TrialStatus.Stopped), "successive halving still stops trials with jobs in flight");
    }

    [TestMethod]
    public void Decisions_do_not_depend_on_which_worker_finishes_first()
    {
        var first = new ThreadedDispatcher(seed: 1);
        var second = new ThreadedDispatcher(seed: 2);
        string a = Fingerprint(Search(first, parallelism: 4).Run());
        string b = Fingerprint(Search(second, parallelism: 4).Run());
        Assert.AreEqual(a, b, "the same seed and parallelism give the same search whatever order the workers finish in");
        Assert.IsFalse(first.FinishOrder.SequenceEqual(second.FinishOrder), "the two runs' workers really finished in different orders");
    }

    [TestMethod]
    public void Parallelism_one_on_a_dispatcher_decides_as_the_search_in_one_process_does()
    {
        string inProcess = Fingerprint(new TuningSearch(new RandomTuner(new TuningSpace(), seed: 7), new Asha(9, 1, 3), new InProcessRunner(), new TuningBudget(200, null), () => TimeSpan.Zero, seed: 1) { ReservedEpochs = 9 }.Run());
        Assert.AreEqual(inProcess, Fingerprint(Search(new BookDispatcher(), parallelism: 1).Run()));
    }

    private sealed class InProcessRunner : ITrialRunner
    {
        public double Cost(TrialJob job) => ParallelSearchTests.Cost(job);

        public JobResult Run(TrialJob job, CancellationToken cancellationToken) => Train(job);
    }

    [TestMethod]
    public void A_restarted_search_takes_in_its_submitted_and_finished_jobs_submits_none_twice_and_ends_as_an_uninterrupted_one()
    {
        string reference = Fingerprint(Search(new BookDispatcher(), parallelism: 3).Run());

        var books = new BookDispatcher { CrashOnWait = 7 };
        Assert.ThrowsExactly<InvalidOperationException>(() => Search(books, parallelism: 3).Run());
        int unfinished = books.Submitted.Keys.Count(k => !books.Finished.ContainsKey(k));
        Assert.AreEqual(3, unfinished, "the coordinator died with three jobs in flight");
        Assert.AreEqual(6, books.Finished.Count);

        books.CrashOnWait = null;
        var resumed = Search(books, parallelism: 3).Run();
        Assert.AreEqual(reference, Fingerprint(resumed), "the restarted search replays the finished jobs, waits for the ones in flight, and goes on as if never stopped");
    }

    [TestMethod]
    public void A_proposal_put_back_for_the_budget_is_the_one_used_later_and_a_restart_replays_it()
    {
        // Jobs that spend less than priced (as a fork-and-decay fallback or an early divergence may) free budget once
        // they are in, so a proposal that did not fit while they were in flight can fit after.
        static JobResult Cheaper(TrialJob job) => Train(job) with { ComputeEpochs = Cost(job) * 0.6 };
        // The budget at which, with three jobs in flight, a new proposal is first put back and later used.
        var budget = Enumerable.Range(0, 60).Select(i => 120.0 + 5 * i)
            .First(epochs =>
            {
                var probe = new BookDispatcher { Trainer = Cheaper };
                Search(probe, parallelism: 3, epochs).Run();
                return probe.PutBackRungs.Contains(0);
            });
        var reference = new BookDispatcher { Trainer = Cheaper };
        string expected = Fingerprint(Search(reference, parallelism: 3, budget).Run());

        // A coordinator killed at any point of the search, then restarted.
        for (int crash = 1; crash < reference.Waits; crash++)
        {
            var books = new BookDispatcher { Trainer = Cheaper, CrashOnWait = crash };
            Assert.ThrowsExactly<InvalidOperationException>(() => Search(books, parallelism: 3, budget).Run());
            books.CrashOnWait = null;
            Assert.AreEqual(expected, Fingerprint(Search(books, parallelism: 3, budget).Run()),
                $"budget {budget}, killed at wait {crash}: the restarted search decides the same jobs under the same ids (BookDispatcher checks each one) and ends as the uninterrupted one");
        }
    }

    [TestMethod]
    public void More_parallelism_changes_the_order_of_decisions_but_each_is_reproducible()
    {
        var four = new BookDispatcher();
        string outcome = Fingerprint(Search(four, parallelism: 4).Run());
        var again = new BookDispatcher();
        Assert.AreEqual(outcome, Fingerprint(Search(again, parallelism: 4).Run()));
        CollectionAssert.AreEqual(four.SubmissionOrder, again.SubmissionOrder);
        var one = new BookDispatcher();
        Search(one, parallelism: 1).Run();
        CollectionAssert.AreNotEqual(one.SubmissionOrder, four.SubmissionOrder,
            "with four jobs in flight each decision sees three results fewer, so jobs are decided in another order than in the sequential search");
    }

    [TestMethod]
    public void A_parallelism_below_one_is_refused_naming_it()
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Search(new BookDispatcher(), parallelism: 0).Run());
        StringAssert.Contains(e.Message, "Parallelism");
    }
}
