using WideMinima.Tuning;

namespace WideMinima.Tests.Tuning;

[TestClass]
public sealed class TuningSearchTests
{
    /// <summary>A runner whose validation accuracy is a known function of the settings and the rung; counts what it trains.</summary>
    private sealed class FakeRunner(bool fork = true) : ITrialRunner
    {
        public List<TrialJob> Ran { get; } = [];

        public double Cost(TrialJob job) => job.Epochs * (fork ? ForkCost(job) : job.Trials.Count);

        private static double ForkCost(TrialJob job) => job.Trials.Count == 1 ? 1
            : job.Trials.Max(t => t.Settings.ExploreShare ?? 0) + job.Trials.Sum(t => 1 - (t.Settings.ExploreShare ?? 0));

        public JobResult Run(TrialJob job, CancellationToken cancellationToken)
        {
            Ran.Add(job);
            return new JobResult([.. job.Trials.Select(t => t.Settings.PeakLearningRate > 0.5
                ? new TrialOutcome(t.Id, TrialOutcomeStatus.Diverged, double.NaN)
                : new TrialOutcome(t.Id, TrialOutcomeStatus.Done, Score(t.Settings, job.Epochs)))], Cost(job), 1);
        }

        /// <summary>Best near lr 0.1, knee slightly better with more explore; longer budgets score higher.</summary>
        public static double Score(TrialSettings s, int epochs) =>
            0.9 - 0.05 * Math.Abs(Math.Log10(s.PeakLearningRate / 0.1)) + 0.01 * (s.ExploreShare ?? 0) - 0.1 / epochs;
    }

    private sealed class MemoryStore : ITrialStore
    {
        public Dictionary<string, JobResult> Jobs { get; } = [];

        public JobResult? Find(TrialJob job) => Jobs.GetValueOrDefault(job.Key);

        public void Save(TrialJob job, JobResult result) => Jobs[job.Key] = result;
    }

    private static TuningSearch Search(ITrialRunner runner, double? epochs, ITrialStore? store = null, Func<TimeSpan>? clock = null, TimeSpan? wall = null) =>
        new(new RandomTuner(new TuningSpace(), seed: 7), new Asha(9, 1, 3), runner, new TuningBudget(epochs, wall), clock ?? (() => TimeSpan.Zero), seed: 1)
        {
            Store = store,
            ReservedEpochs = 9,
        };

    [TestMethod]
    public void The_search_stays_within_the_compute_budget_and_ranks_the_top_rung_first()
    {
        var runner = new FakeRunner();
        var outcome = Search(runner, 200).Run();
        Assert.IsTrue(outcome.SpentEpochs <= 200 - 9 + 1e-9, $"spent {outcome.SpentEpochs}");
        Assert.AreEqual(runner.Ran.Sum(runner.Cost), outcome.SpentEpochs, 1e-9);
        StringAssert.Contains(outcome.StopReason, "compute budget");
        var best = outcome.Best!;
        Assert.AreEqual(TrialStatus.Completed, best.Status);
        Assert.AreEqual(2, best.Rung);
        Assert.AreEqual(outcome.Trials.Where(t => t.Rung == 2 && !double.IsNaN(t.ValidationAccuracy)).Max(t => t.ValidationAccuracy), best.ValidationAccuracy);
        Assert.IsTrue(outcome.Trials.Any(t => t.Status == TrialStatus.Stopped));
        Assert.IsTrue(outcome.Trials.Any(t => t.Status == TrialStatus.Diverged), "lr > 0.5 diverges in the fake, and the space reaches 1");
        Assert.IsFalse(outcome.Trials.Any(t => t.Status == TrialStatus.Diverged && t.Rung > 0), "a diverged trial is never promoted");
        // best-so-far never gets worse at the same rung and compute grows
        for (int i = 1; i < outcome.History.Count; i++) Assert.IsTrue(outcome.History[i].SpentEpochs >= outcome.History[i - 1].SpentEpochs);
        Assert.IsTrue(outcome.Trials.Count(t => t.Rung == 0) > outcome.Trials.Count(t => t.Rung == 2), "fewer trials reach the top rung than stop at the first");
    }

    [TestMethod]
    public void A_resumed_search_replays_the_ledger_and_ends_exactly_where_an_uninterrupted_one_does()
    {
        var reference = Search(new FakeRunner(), 150).Run();

        var store = new MemoryStore();
        var crashing = new CrashingRunner(new FakeRunner(), crashAfter: 5);
        Assert.ThrowsExactly<InvalidOperationException>(() => Search(crashing, 150, store).Run());
        Assert.AreEqual(5, store.Jobs.Count);

        var second = new FakeRunner();
        var resumed = Search(second, 150, store).Run();
        Assert.AreEqual(reference.Jobs - 5, second.Ran.Count, "only the missing jobs train again");
        Assert.AreEqual(reference.SpentEpochs, resumed.SpentEpochs, 1e-9);
        CollectionAssert.AreEqual(reference.Trials.Select(t => (t.Trial, t.Rung, t.Status)).ToArray(), resumed.Trials.Select(t => (t.Trial, t.Rung, t.Status)).ToArray());
    }

    private sealed class CrashingRunner(FakeRunner inner, int crashAfter) : ITrialRunner
    {
        private int _runs;

        public double Cost(TrialJob job) => inner.Cost(job);

        public JobResult Run(TrialJob job, CancellationToken cancellationToken) =>
            ++_runs > crashAfter ? throw new InvalidOperationException("killed") : inner.Run(job, cancellationToken);
    }

    [TestMethod]
    public void The_wall_time_budget_stops_the_search_with_the_final_fit_reserved()
    {
        var now = TimeSpan.Zero;
        var runner = new TickingRunner(() => now += TimeSpan.FromSeconds(10), new FakeRunner());
        var outcome = Search(runner, null, clock: () => now, wall: TimeSpan.FromMinutes(5)).Run();
        StringAssert.Contains(outcome.StopReason, "wall-time");
        // 1 s of fake time per epoch of cost is what the runner reports; the search stops before the next job plus the 9-epoch final fit pass 5 minutes
        Assert.IsTrue(now <= TimeSpan.FromMinutes(5), $"elapsed {now}");
        Assert.IsTrue(outcome.Jobs > 3);
    }

    private sealed class TickingRunner(Action tick, FakeRunner inner) : ITrialRunner
    {
        public double Cost(TrialJob job) => inner.Cost(job);

        public JobResult Run(TrialJob job, CancellationToken cancellationToken)
        {
            tick();
            return inner.Run(job, cancellationToken) with { Seconds = 10 };
        }
    }

    [TestMethod]
    public void Knee_proposals_are_one_job_per_peak_rate_costing_3_5_runs_for_the_five_shares()
    {
        var runner = new FakeRunner();
        Search(runner, 100).Run();
        var knee = runner.Ran.First(j => j.Trials[0].Settings.Family == ScheduleFamily.Knee && j.Rung == 0);
        CollectionAssert.AreEqual(new double?[] { 0, 0.25, 0.5, 0.75, 0.9 }, knee.Trials.Select(t => t.Settings.ExploreShare).ToArray());
        Assert.AreEqual(1, knee.Trials.Select(t => t.Settings.PeakLearningRate).Distinct().Count());
        Assert.AreEqual(3.5 * knee.Epochs, runner.Cost(knee), 1e-12);
    }

    [TestMethod]
    public void The_same_seed_proposes_the_same_trials_and_another_seed_does_not()
    {
        var space = new TuningSpace { WarmupShare = new ValueRange(0, 0.1), WeightDecay = new ValueRange(1e-5, 1e-3) };
        var a = new RandomTuner(space, 3);
        var b = new RandomTuner(space, 3);
        var c = new RandomTuner(space, 4);
        var pa = Enumerable.Range(0, 20).SelectMany(_ => a.Propose()).ToArray();
        var pb = Enumerable.Range(0, 20).SelectMany(_ => b.Propose()).ToArray();
        var pc = Enumerable.Range(0, 20).SelectMany(_ => c.Propose()).ToArray();
        CollectionAssert.AreEqual(pa, pb);
        CollectionAssert.AreNotEqual(pa, pc);
        Assert.IsTrue(pa.All(s => s.PeakLearningRate is >= 1e-3 and <= 1 && s.WarmupShare is >= 0 and <= 0.1 && s.WeightDecay is >= 1e-5 and <= 1e-3));
        Assert.IsTrue(ScheduleFamilies.DefaultTuned.All(f => pa.Any(s => s.Family == f)), "20 proposals reach every family");
    }

    [TestMethod]
    public void Random_proposals_take_every_family_in_turn_and_spread_each_familys_peaks_over_the_log_range()
    {
        var space = new TuningSpace { PeakLearningRate = new ValueRange(1e-3, 1) };
        var tuner = new RandomTuner(space, 11);
        var first = Enumerable.Range(0, 16).Select(_ => tuner.Propose()[0]).ToArray();
        for (int round = 0; round < 4; round++)
            CollectionAssert.AreEquivalent(ScheduleFamilies.DefaultTuned.ToArray(), first.Skip(4 * round).Take(4).Select(p => p.Family).ToArray(),
                $"round {round} proposes each of the four families once");
        double decades = Math.Log10(1 / 1e-3);
        foreach (var family in ScheduleFamilies.DefaultTuned)
        {
            // Where each of the family's four peaks sits on the log range, as a share of it.
            var q = first.Where(p => p.Family == family).Select(p => Math.Log10(p.PeakLearningRate / 1e-3) / decades).ToArray();
            Assert.HasCount(4, q);
            Assert.AreEqual(0.5, Frac(q[1] - q[0]), 1e-9, $"{family}: the second peak is half the range from the first");
            var quarters = q.Select(x => (int)Math.Floor(Frac(x - q[0]) * 4 + 1e-9)).Order().ToArray();
            CollectionAssert.AreEqual(new[] { 0, 1, 2, 3 }, quarters, $"{family}: the first four peaks sit one in each quarter of the range from the first");
        }
        Assert.AreEqual(4, first.Select(p => p.PeakLearningRate).Distinct().Count() / 4, "the families' offsets differ");
    }

    private static double Frac(double x) => x - Math.Floor(x);

    [TestMethod]
    public void The_van_der_corput_sequence_halves_the_gaps_in_turn()
    {
        CollectionAssert.AreEqual(new[] { 0, 0.5, 0.25, 0.75, 0.125, 0.625, 0.375, 0.875 }, Enumerable.Range(0, 8).Select(RandomTuner.VanDerCorput).ToArray());
    }

    [TestMethod]
    public void Refinement_samples_around_the_best_result()
    {
        var tuner = new RandomTuner(new TuningSpace { Families = [ScheduleFamily.Cosine, ScheduleFamily.Step] }, 1) { RandomProposals = 0 };
        tuner.Update(new TrialSettings(ScheduleFamily.Step, 0.05, null, 0, null), 9, 0.9);
        var proposals = Enumerable.Range(0, 200).Select(_ => tuner.Propose()[0]).ToArray();
        int near = proposals.Count(p => p.Family == ScheduleFamily.Step && Math.Abs(Math.Log10(p.PeakLearningRate / 0.05)) < 1);
        Assert.IsTrue(near > 100, $"{near} of 200 near the best");
    }
}
