using WideMinima.Ledger;
using WideMinima.Reports;
using WideMinima.Sweeps.Config;
using WideMinima.Sweeps.Planning;
using WideMinima.Tuning;

namespace WideMinima.Tests.Sweeps;

/// <summary>The pure planner of issue 14: calibration (coarse, then fine), budgets, seed rounds, from the ledger's results.</summary>
[TestClass]
public sealed class FairPlannerTests
{
    private static SweepConfig Calibrated(int points = 5, IReadOnlyList<double>? budgets = null, SeedCount? seeds = null) => new()
    {
        ExploreFractions = [0.5],
        Baselines = [ScheduleFamily.Cosine],
        Epochs = 10,
        PeakLr = new PeakRate { Calibrate = new PeakCalibration { Min = 0.01, Max = 1, Points = points } },
        Budgets = budgets,
        Seeds = seeds ?? 2,
    };

    /// <summary>Finishes every unfinished planned run with <paramref name="outcome"/>.</summary>
    private static List<RunResult> Finish(IEnumerable<PlannedRun> plan, List<RunResult> done, Func<PlannedRun, (RunStatus Status, double? Accuracy)> outcome)
    {
        var results = new List<RunResult>(done);
        foreach (var r in plan.Where(r => !done.Any(d => d.RunId == r.RunId)))
        {
            var (status, accuracy) = outcome(r);
            bool cal = r.Phase == RunPhase.Calibration;
            results.Add(new RunResult(r.RunId, status, r.Phase, r.Setting, r.Budget, r.ScheduleOptions.PeakLearningRate, r.Seed,
                cal ? accuracy : null, cal ? null : accuracy));
        }
        return results;
    }

    /// <summary>Plans and finishes until the plan is final and finished; returns the last plan and the results.</summary>
    private static (SweepPlan Plan, List<RunResult> Results, int Steps) RunToEnd(SweepConfig config, Func<PlannedRun, (RunStatus, double?)> outcome)
    {
        var results = new List<RunResult>();
        for (int step = 0; step < 100; step++)
        {
            var plan = SweepPlanner.Plan(config, results);
            if (plan.Final && plan.Runs.All(r => results.Any(d => d.RunId == r.RunId))) return (plan, results, step);
            results = Finish(plan.Runs, results, outcome);
        }
        throw new AssertFailedException("the plan never completed");
    }

    [TestMethod]
    public void With_fork_and_decay_a_smaller_shares_calibration_point_waits_for_the_trunks()
    {
        var config = Calibrated(points: 3) with { ExploreFractions = [0.25, 0.9, 0.5] };
        var first = SweepPlanner.Plan(config, []);
        CollectionAssert.AreEquivalent(
            new[] { "cal-knee-e0.9-b1-lr0.01", "cal-knee-e0.9-b1-lr1", "cal-cosine-b1-lr0.01", "cal-cosine-b1-lr1" },
            first.Runs.Select(r => r.RunId).ToArray(), "first the trunk's coarse points (the largest share) and the baseline's");
        Assert.IsFalse(first.Final, "the held-back branches are still to come");

        // The trunk's first point finished: its branches at that point follow; the other point's still wait.
        var trunkDone = new List<RunResult> { new("cal-knee-e0.9-b1-lr0.01", RunStatus.Done, RunPhase.Calibration, "knee-e0.9", 1, 0.01, 1, 0.5, null) };
        var second = SweepPlanner.Plan(config, trunkDone).Runs.Select(r => r.RunId).ToList();
        CollectionAssert.IsSubsetOf(new[] { "cal-knee-e0.25-b1-lr0.01", "cal-knee-e0.5-b1-lr0.01" }, second, "branches of a finished trunk are planned");
        CollectionAssert.DoesNotContain(second, "cal-knee-e0.25-b1-lr1", "a branch of an unfinished trunk waits");
        Assert.AreEqual(SweepPlanner.Plan(config with { ForkAndDecay = false }, []).Runs.Single(r => r.RunId == "cal-knee-e0.25-b1-lr0.01").Ordinal,
            SweepPlanner.Plan(config, trunkDone).Runs.Single(r => r.RunId == "cal-knee-e0.25-b1-lr0.01").Ordinal, "holding back keeps the run's ordinal");

        // A trunk that diverged still releases its branches (they fork from what it saved, or train on their own).
        var diverged = new List<RunResult> { trunkDone[0] with { Status = RunStatus.Diverged, ValidationAccuracy = null } };
        CollectionAssert.Contains(SweepPlanner.Plan(config, diverged).Runs.Select(r => r.RunId).ToList(), "cal-knee-e0.5-b1-lr0.01");

        // Without fork-and-decay every coarse point is planned at once; in the end both plans hold the same runs.
        Assert.HasCount(8, SweepPlanner.Plan(config with { ForkAndDecay = false }, []).Runs, "4 settings x 2 coarse points at once");
        var ids = RunToEnd(config, r => (RunStatus.Done, 0.5 + r.Ordinal % 3 / 10.0)).Plan.Runs.Select(r => r.RunId).ToArray();
        var plain = RunToEnd(config with { ForkAndDecay = false }, r => (RunStatus.Done, 0.5 + r.Ordinal % 3 / 10.0)).Plan.Runs.Select(r => r.RunId).ToArray();
        CollectionAssert.AreEqual(plain, ids, "fork-and-decay changes the order runs are planned in, never which");

        // Roles: the trunk saves the smaller shares' knees; a branch names its trunk at the same point; others have none.
        var (trunk, shares) = SweepPlanner.ForkRole(config, "cal-knee-e0.9-b1-lr0.1", "knee-e0.9", RunPhase.Calibration);
        Assert.IsNull(trunk);
        CollectionAssert.AreEquivalent(new[] { 0.25, 0.5 }, shares.ToArray());
        Assert.AreEqual("cal-knee-e0.9-b1-lr0.1", SweepPlanner.ForkRole(config, "cal-knee-e0.25-b1-lr0.1", "knee-e0.25", RunPhase.Calibration).TrunkId);
        Assert.AreEqual((null, 0), Role(SweepPlanner.ForkRole(config, "cal-cosine-b1-lr0.1", "cosine", RunPhase.Calibration)), "baselines have no part");
        Assert.AreEqual((null, 0), Role(SweepPlanner.ForkRole(config with { ForkAndDecay = false }, "cal-knee-e0.25-b1-lr0.1", "knee-e0.25", RunPhase.Calibration)));
        Assert.IsFalse(SweepPlanner.Forks(config with { ExploreFractions = [0.5] }), "one share has nothing to share");
        // Share 0 without warmup decays from step 0: nothing to share, so it neither waits nor forks.
        var zero = config with { ExploreFractions = [0, 0.5], WarmupFraction = 0 };
        CollectionAssert.Contains(SweepPlanner.Plan(zero, []).Runs.Select(r => r.RunId).ToList(), "cal-knee-e0-b1-lr0.01");
        Assert.AreEqual((null, 0), Role(SweepPlanner.ForkRole(zero, "cal-knee-e0.5-b1-lr0.01", "knee-e0.5", RunPhase.Calibration)));
        Assert.AreEqual((null, 0), Role(SweepPlanner.ForkRole(zero, "cal-knee-e0-b1-lr0.01", "knee-e0", RunPhase.Calibration)));
        Assert.AreEqual("cal-knee-e0.5-b1-lr0.01",
            SweepPlanner.ForkRole(zero with { WarmupFraction = 0.05 }, "cal-knee-e0-b1-lr0.01", "knee-e0", RunPhase.Calibration).TrunkId, "with warmup, share 0 shares the warmup");
        Assert.IsFalse(SweepPlanner.Forks(new SweepConfig { ExploreFractions = [0.25, 0.5] }), "a shared peak: the plan is fixed at registration, runs train on their own");
    }

    [TestMethod]
    public void With_fork_and_decay_a_final_run_at_the_trunks_peak_waits_for_the_trunks_run_of_its_seed()
    {
        var config = Calibrated(points: 3) with { ExploreFractions = [0.25, 0.9], Baselines = [ScheduleFamily.Cosine] };
        // Every point scores the same: every setting chooses the smallest peak, so the two shares share it.
        var results = Calibrate(config, _ => 0.5);
        var finals = SweepPlanner.Plan(config, results).Runs.Where(r => r.Phase == RunPhase.Final).Select(r => r.RunId).ToList();
        CollectionAssert.AreEquivalent(new[] { "knee-e0.9-s1", "knee-e0.9-s2", "cosine-s1", "cosine-s2" }, finals, "knee-e0.25 waits for the trunk's seeds");
        var trunkS1 = Finish(SweepPlanner.Plan(config, results).Runs.Where(r => r.RunId == "knee-e0.9-s1"), results, _ => (RunStatus.Done, 0.8));
        var next = SweepPlanner.Plan(config, trunkS1).Runs.Select(r => r.RunId).ToList();
        CollectionAssert.Contains(next, "knee-e0.25-s1", "the trunk's seed 1 finished: its branch follows");
        CollectionAssert.DoesNotContain(next, "knee-e0.25-s2", "seed 2's trunk has not finished");
        Assert.AreEqual("knee-e0.9-s1", SweepPlanner.ForkRole(config, "knee-e0.25-s1", "knee-e0.25", RunPhase.Final).TrunkId);
        Assert.AreEqual("knee-e0.9-b0.5-s2", SweepPlanner.ForkRole(config, "knee-e0.25-b0.5-s2", "knee-e0.25", RunPhase.Final).TrunkId);

        // While the trunk's peak is unknown a branch's finals wait, so that no planned run ever leaves the plan: here the
        // branch (best at the smallest peak) has finished its calibration, the trunk (best at the largest) has not.
        var five = Calibrated(points: 5) with { ExploreFractions = [0.25, 0.9], Baselines = [ScheduleFamily.Cosine] };
        double Score(PlannedRun r) => r.Setting == "knee-e0.25" ? 1 - r.Ordinal % 5 / 10.0 : 0.5 + r.Ordinal % 5 / 10.0;
        var partial = new List<RunResult>();
        for (int i = 0; i < 6; i++)
            partial = Finish(SweepPlanner.Plan(five, partial).Runs.Where(r => r.Phase == RunPhase.Calibration && r.RunId != "cal-knee-e0.9-b1-lr0.3162"), partial, r => (RunStatus.Done, Score(r)));
        Assert.IsTrue(partial.Any(r => r.RunId == "cal-knee-e0.25-b1-lr0.03162"), "the branch's fine point ran: its calibration is complete");
        Assert.IsFalse(SweepPlanner.Plan(five, partial).Runs.Any(r => r.Setting == "knee-e0.25" && r.Phase == RunPhase.Final), "its finals wait for the trunk's peak");

        // Different peaks: nothing to share, so nothing waits.
        var apart = Calibrate(config, r => r.Setting == "knee-e0.25" ? r.ScheduleOptions.PeakLearningRate : 1 - r.ScheduleOptions.PeakLearningRate);
        CollectionAssert.IsSubsetOf(new[] { "knee-e0.25-s1", "knee-e0.25-s2", "knee-e0.9-s1" },
            SweepPlanner.Plan(config, apart).Runs.Select(r => r.RunId).ToArray(), "at another peak a share's finals run at once");
    }

    /// <summary>Finishes calibration runs (validation accuracy from <paramref name="accuracy"/>) until none is left to plan.</summary>
    private static List<RunResult> Calibrate(SweepConfig config, Func<PlannedRun, double> accuracy)
    {
        var results = new List<RunResult>();
        for (int i = 0; i < 20; i++)
        {
            var open = SweepPlanner.Plan(config, results).Runs.Where(r => r.Phase == RunPhase.Calibration && !results.Any(d => d.RunId == r.RunId)).ToList();
            if (open.Count == 0) return results;
            results = Finish(open, results, r => (RunStatus.Done, accuracy(r)));
        }
        throw new AssertFailedException("the calibration never completed");
    }

    private static (string?, int) Role((string? TrunkId, IReadOnlyList<double> BranchShares) role) => (role.TrunkId, role.BranchShares.Count);

    [TestMethod]
    public void Without_calibration_budgets_or_rounds_the_plan_is_todays_and_final()
    {
        var config = new SweepConfig { ExploreFractions = [0, 0.5], Baselines = [ScheduleFamily.Cosine, ScheduleFamily.Step], Seeds = 2, FirstSeed = 3 };
        var plan = SweepPlanner.Plan(config, []);
        CollectionAssert.AreEqual(
            new[] { "knee-e0-s3", "knee-e0.5-s3", "cosine-s3", "step-s3", "knee-e0-s4", "knee-e0.5-s4", "cosine-s4", "step-s4" },
            plan.Runs.Select(r => r.RunId).ToArray(), "the ids and the order of earlier versions");
        CollectionAssert.AreEqual(Enumerable.Range(0, 8).ToArray(), plan.Runs.Select(r => r.Ordinal).ToArray());
        Assert.IsTrue(plan.Final, "nothing can be added to a plain sweep");
        Assert.IsTrue(plan.Runs.All(r => r.Phase == RunPhase.Final && r.Budget == 1 && r.ScheduleOptions.PeakLearningRate == 0.1));
        var quick = SweepPlanner.Plan(Presets.Quick.Config, []).Runs;
        CollectionAssert.AreEqual(SweepPlanner.Plan(Presets.Quick.Config).Select(r => r.ToNewRun()).ToArray(), quick.Select(r => r.ToNewRun()).ToArray());
        Assert.AreEqual("knee-e0-s1", quick[0].RunId);
    }

    [TestMethod]
    public void Calibration_plans_the_coarse_points_first_then_the_neighbours_of_the_best()
    {
        var config = Calibrated(points: 5);
        var first = SweepPlanner.Plan(config, []);
        Assert.IsFalse(first.Final);
        var knee = first.Runs.Where(r => r.Setting == "knee-e0.5").ToList();
        CollectionAssert.AreEqual(new[] { "cal-knee-e0.5-b1-lr0.01", "cal-knee-e0.5-b1-lr0.1", "cal-knee-e0.5-b1-lr1" }, knee.Select(r => r.RunId).ToArray(),
            "the even-indexed points of 0.01, 0.0316, 0.1, 0.316, 1");
        Assert.IsTrue(first.Runs.All(r => r.Phase == RunPhase.Calibration && r.Seed == config.FirstSeed), "no final run before calibration, one seed");
        Assert.HasCount(6, first.Runs);

        // Knee is best at 0.1 (coarse); cosine at 1.
        double Accuracy(PlannedRun r) => r.Setting == "cosine" ? r.ScheduleOptions.PeakLearningRate : 1 - Math.Abs(Math.Log10(r.ScheduleOptions.PeakLearningRate) + 1) / 10;
        var results = Finish(first.Runs, [], r => (RunStatus.Done, Accuracy(r)));
        var second = SweepPlanner.Plan(config, results);
        var fine = second.Runs.Where(r => !results.Any(d => d.RunId == r.RunId)).Select(r => r.RunId).ToArray();
        CollectionAssert.AreEquivalent(new[] { "cal-knee-e0.5-b1-lr0.03162", "cal-knee-e0.5-b1-lr0.3162", "cal-cosine-b1-lr0.3162" }, fine,
            "the two neighbours of knee's best (0.1) and the one neighbour of cosine's (1, the grid's end)");
        Assert.IsFalse(second.Final);

        results = Finish(second.Runs, results, r => (RunStatus.Done, Accuracy(r)));
        var third = SweepPlanner.Plan(config, results);
        var finals = third.Runs.Where(r => r.Phase == RunPhase.Final).ToList();
        CollectionAssert.AreEqual(new[] { "knee-e0.5-s1", "cosine-s1", "knee-e0.5-s2", "cosine-s2" }, finals.Select(r => r.RunId).ToArray());
        Assert.AreEqual(0.1, finals[0].ScheduleOptions.PeakLearningRate, 1e-12, "knee's final runs at its best peak");
        Assert.AreEqual(1.0, finals[1].ScheduleOptions.PeakLearningRate, "cosine's at its own");
        Assert.IsTrue(third.Final, "fixed seeds: nothing more to add");
        Assert.IsTrue(third.Runs.Select(r => r.Ordinal).Distinct().Count() == third.Runs.Count, "ordinals are unique");
        foreach (var r in first.Runs) Assert.AreEqual(r.Ordinal, third.Runs.Single(t => t.RunId == r.RunId).Ordinal, $"{r.RunId} keeps its ordinal as the plan grows");
    }

    [TestMethod]
    public void The_best_point_counts_a_diverged_or_failed_run_as_worst_and_breaks_ties_to_the_smaller_peak()
    {
        var config = Calibrated(points: 3) with { Baselines = [] };
        // Coarse: 0.01 and 1. The larger one diverges; the smaller has an accuracy: the fine point is 0.1, whatever.
        var results = Finish(SweepPlanner.Plan(config, []).Runs, [], r => r.ScheduleOptions.PeakLearningRate == 1 ? (RunStatus.Diverged, null) : (RunStatus.Done, 0.2));
        var plan = SweepPlanner.Plan(config, results);
        // 0.1 ties with 0.01: the smaller peak wins.
        results = Finish(plan.Runs, results, _ => (RunStatus.Done, 0.2));
        var final = SweepPlanner.Plan(config, results).Runs.Where(r => r.Phase == RunPhase.Final).ToList();
        Assert.AreEqual(0.01, final[0].ScheduleOptions.PeakLearningRate, "a tie goes to the smaller peak");

        // A failed run is the worst too: 0.01 fails, 1 has 0.1: the best coarse is 1, fine 0.1, which scores 0.3.
        var results2 = Finish(SweepPlanner.Plan(config, []).Runs, [], r => r.ScheduleOptions.PeakLearningRate == 0.01 ? (RunStatus.Failed, null) : (RunStatus.Done, 0.1));
        results2 = Finish(SweepPlanner.Plan(config, results2).Runs, results2, _ => (RunStatus.Done, 0.3));
        var final2 = SweepPlanner.Plan(config, results2).Runs.Where(r => r.Phase == RunPhase.Final).ToList();
        Assert.AreEqual(0.1, final2[0].ScheduleOptions.PeakLearningRate, 1e-12, "the failed point lost; the best fine point won");
    }

    [TestMethod]
    public void Each_budget_calibrates_its_own_peak_and_names_its_runs()
    {
        var config = Calibrated(points: 3, budgets: [0.5, 1.0]) with { Baselines = [] };
        // At budget 0.5 the best peak is 1; at budget 1 it is 0.01.
        var (plan, _, _) = RunToEnd(config, r => (RunStatus.Done, r.Budget == 0.5 ? r.ScheduleOptions.PeakLearningRate : 1 - r.ScheduleOptions.PeakLearningRate));
        var finals = plan.Runs.Where(r => r.Phase == RunPhase.Final).ToList();
        CollectionAssert.AreEqual(new[] { "knee-e0.5-b0.5-s1", "knee-e0.5-s1", "knee-e0.5-b0.5-s2", "knee-e0.5-s2" }, finals.Select(r => r.RunId).ToArray());
        Assert.AreEqual(1.0, finals[0].ScheduleOptions.PeakLearningRate);
        Assert.AreEqual(0.01, finals[1].ScheduleOptions.PeakLearningRate);
        Assert.IsTrue(plan.Runs.Any(r => r.RunId == "cal-knee-e0.5-b0.5-lr0.01"));
        Assert.AreEqual(0.5, finals[0].Budget);
    }

    [TestMethod]
    public void Budgets_without_calibration_run_at_the_shared_peak()
    {
        var config = new SweepConfig { ExploreFractions = [0.5], Baselines = [ScheduleFamily.Cosine], PeakLr = 0.05, Budgets = [0.5, 1.0], Seeds = 1 };
        var plan = SweepPlanner.Plan(config, []);
        CollectionAssert.AreEqual(new[] { "knee-e0.5-b0.5-s1", "cosine-b0.5-s1", "knee-e0.5-s1", "cosine-s1" }, plan.Runs.Select(r => r.RunId).ToArray());
        Assert.IsTrue(plan.Runs.All(r => r.ScheduleOptions.PeakLearningRate == 0.05));
        Assert.IsTrue(plan.Final);
    }

    [TestMethod]
    public void Seed_rounds_add_seeds_to_the_best_knee_and_the_best_baseline_until_the_rule_stops()
    {
        var config = new SweepConfig
        {
            ExploreFractions = [0.25, 0.5],
            Baselines = [ScheduleFamily.Cosine, ScheduleFamily.Step],
            Seeds = new SeedCount { Rounds = new SeedRounds { Min = 2, Max = 6, TargetCi = 1e-9 } },
        };
        var first = SweepPlanner.Plan(config, []);
        Assert.HasCount(8, first.Runs);
        Assert.IsFalse(first.Final, "rounds may still add seeds");
        // knee-e0.5 beats knee-e0.25 and step beats cosine; noisy accuracies, so a tiny target is never reached.
        double Accuracy(PlannedRun r) => (r.Setting switch { "knee-e0.5" => 0.9, "knee-e0.25" => 0.8, "step" => 0.85, _ => 0.7 }) + 0.01 * (r.Seed % 3);
        var (plan, results, _) = RunToEnd(config, r => (RunStatus.Done, Accuracy(r)));
        var seedsBySetting = plan.Runs.GroupBy(r => r.Setting).ToDictionary(g => g.Key, g => g.Count());
        Assert.AreEqual(6, seedsBySetting["knee-e0.5"], "the best knee setting runs up to max");
        Assert.AreEqual(6, seedsBySetting["step"], "the best baseline runs up to max");
        Assert.AreEqual(2, seedsBySetting["knee-e0.25"], "the others keep min");
        Assert.AreEqual(2, seedsBySetting["cosine"]);
        Assert.IsTrue(plan.Final);
        CollectionAssert.AreEqual(new[] { 1, 2, 3, 4, 5, 6 }, plan.Runs.Where(r => r.Setting == "step").Select(r => r.Seed).ToArray());
        Assert.AreEqual("step-s6", plan.Runs[^1].RunId);

        // A reachable target stops the rounds at once: identical accuracies make the interval's width 0.
        var (flat, _, _) = RunToEnd(config, _ => (RunStatus.Done, 0.5));
        Assert.HasCount(8, flat.Runs, "target reached with min seeds: no round added");
    }

    [TestMethod]
    public void Seed_rounds_wait_for_every_setting_at_the_full_budget()
    {
        var config = new SweepConfig { ExploreFractions = [0.5], Baselines = [ScheduleFamily.Cosine], Seeds = new SeedCount { Rounds = new SeedRounds { Min = 2, Max = 4, TargetCi = 1e-9 } } };
        var plan = SweepPlanner.Plan(config, []);
        // All but one finished: no round yet.
        var results = Finish(plan.Runs.Take(3), [], r => (RunStatus.Done, 0.5 + 0.01 * r.Seed));
        var next = SweepPlanner.Plan(config, results);
        Assert.HasCount(4, next.Runs);
        Assert.IsFalse(next.Final);
    }

    [TestMethod]
    public void The_fair_preset_plans_within_three_times_the_default_grid()
    {
        var fair = Presets.Fair.Config;
        SweepConfigValidator.Validate(fair);
        Assert.AreEqual(DatasetKind.FashionMnist, fair.Dataset.Kind);
        Assert.IsNotNull(fair.PeakLr.Calibrate);
        long worst = SweepPlanner.WorstCaseEpochs(fair);
        Assert.IsLessThanOrEqualTo(1440L, worst, $"worst case {worst} epochs");
        Assert.AreEqual(1406L, worst, "the arithmetic documented in Presets.Fair");

        // Simulated to the end with noisy results that never reach the target: the epochs planned match the worst case at most.
        var (plan, _, _) = RunToEnd(fair, r => (RunStatus.Done, 0.8 + 0.001 * ((r.RunId.GetHashCode(StringComparison.Ordinal) & 0xff) % 17)));
        long epochs = plan.Runs.Sum(r => (long)SweepConfigValidator.BudgetEpochs(r.Budget, fair.Epochs));
        Assert.IsLessThanOrEqualTo(worst, epochs, $"simulated {epochs} epochs");
    }

    [TestMethod]
    public void Worst_case_epochs_count_calibration_finals_and_rounds()
    {
        // 2 settings; budgets 0.5 and 1 of 10 epochs: 15 per setting. Calibration 5 points: at most 3 coarse + 2 fine.
        var config = Calibrated(points: 5, budgets: [0.5, 1.0], seeds: new SeedCount { Rounds = new SeedRounds { Min = 2, Max = 5, TargetCi = 0.1 } });
        Assert.AreEqual(2 * 15 * 5 + 2 * 15 * 2 + 2 * 3 * 10, SweepPlanner.WorstCaseEpochs(config));
        Assert.AreEqual(2 * 10 * 3, SweepPlanner.WorstCaseEpochs(new SweepConfig { ExploreFractions = [0.5], Baselines = [ScheduleFamily.Cosine], Epochs = 10, Seeds = 3 }));
    }

    [TestMethod]
    public void An_even_grid_tries_both_ends_of_the_range_in_the_coarse_pass()
    {
        var config = Calibrated(points: 4) with { Baselines = [] };
        var coarse = SweepPlanner.Plan(config, []).Runs.Select(r => r.RunId).ToArray();
        CollectionAssert.AreEqual(new[] { "cal-knee-e0.5-b1-lr0.01", "cal-knee-e0.5-b1-lr0.2154", "cal-knee-e0.5-b1-lr1" }, coarse,
            "0.01, 0.0464, 0.215, 1: the even indices and the last one, so the top of the range is tried");
        // Best coarse point is the top: its neighbour 0.215 is coarse already, so nothing fine is added and the peak is 1.
        var results = Finish(SweepPlanner.Plan(config, []).Runs, [], r => (RunStatus.Done, r.ScheduleOptions.PeakLearningRate));
        var plan = SweepPlanner.Plan(config, results);
        Assert.AreEqual(1.0, plan.Runs.First(r => r.Phase == RunPhase.Final).ScheduleOptions.PeakLearningRate);
        Assert.AreEqual(3, plan.Runs.Count(r => r.Phase == RunPhase.Calibration), "no fine point: the best one's neighbours were tried");
        // Best coarse point 0.01: the fine point 0.0464 is added.
        var low = Finish(SweepPlanner.Plan(config, []).Runs, [], r => (RunStatus.Done, 1 - r.ScheduleOptions.PeakLearningRate));
        Assert.IsTrue(SweepPlanner.Plan(config, low).Runs.Any(r => r.RunId == "cal-knee-e0.5-b1-lr0.04642"), "the neighbour of 0.01");
        Assert.AreEqual(4L * 10 * 1 + 2L * 10, SweepPlanner.WorstCaseEpochs(config), "3 coarse + 1 fine at most (the bound counts 2 fine: min(points, coarse + 2))");
    }

    [TestMethod]
    public void A_setting_whose_every_calibration_point_fails_gets_no_final_runs_and_the_sweep_still_ends()
    {
        var config = Calibrated(points: 3) with { Seeds = new SeedCount { Rounds = new SeedRounds { Min = 2, Max = 3, TargetCi = 1e-9 } } };
        // Cosine diverges at every peak; Knee trains.
        var (plan, _, _) = RunToEnd(config, r => r.Setting == "cosine" ? (RunStatus.Diverged, null) : (RunStatus.Done, 0.5 + 0.01 * r.Seed));
        Assert.IsTrue(plan.Final, "the sweep ends");
        Assert.IsFalse(plan.Runs.Any(r => r.Setting == "cosine" && r.Phase == RunPhase.Final), "no peak, no finals (not the grid's first peak)");
        Assert.AreEqual(2, plan.Runs.Count(r => r.Setting == "knee-e0.5" && r.Phase == RunPhase.Final), "no baseline to compare: no rounds");
        Assert.AreEqual(2, plan.Runs.Count(r => r.Setting == "cosine"), "the two coarse points only: with none scored there is no best point to refine");
    }

    [TestMethod]
    public void The_summary_names_the_pair_the_planner_chose_by_the_first_seeds()
    {
        // Knee-e0.25 leads on the first 2 seeds, so the rounds go to it; its later seeds fall behind knee-e0.5.
        var config = new SweepConfig
        {
            ExploreFractions = [0.25, 0.5],
            Baselines = [ScheduleFamily.Cosine],
            Seeds = new SeedCount { Rounds = new SeedRounds { Min = 2, Max = 4, TargetCi = 1e-9 } },
        };
        double Accuracy(PlannedRun r) => r.Setting switch
        {
            "knee-e0.25" => r.Seed <= 2 ? 0.91 + 0.001 * r.Seed : 0.70,
            "knee-e0.5" => 0.90 + 0.001 * r.Seed,
            _ => 0.85 + 0.001 * r.Seed,
        };
        var (plan, results, _) = RunToEnd(config, r => (RunStatus.Done, Accuracy(r)));
        Assert.AreEqual(4, plan.Runs.Count(r => r.Setting == "knee-e0.25"), "the planner's pair: knee-e0.25 by its first 2 seeds");
        var runs = plan.Runs.Select(r => new LedgerRun
        {
            RunId = r.RunId, Ordinal = r.Ordinal, Setting = r.Setting, Schedule = ConfigNames.Name(r.Schedule), ExploreFraction = r.ExploreFraction, Seed = r.Seed,
            PayloadJson = "{}", Status = RunStatus.Done, TestAccuracy = results.Single(x => x.RunId == r.RunId).TestAccuracy, Budget = r.Budget, Phase = r.Phase,
        }).ToList();
        var verdict = VerdictSummary.From(runs, SettingSummary.From(runs), new MatchOptions(), config.Seeds.Rounds, config.Epochs);
        Assert.IsNotNull(verdict.Seeds);
        Assert.AreEqual("knee-e0.25", verdict.Seeds.Knee, "the summary reports the pair the rounds ran, though knee-e0.5 now has the higher mean");
        Assert.AreEqual("cosine", verdict.Seeds.Baseline);
        Assert.AreEqual(4, verdict.Seeds.Decision.Seeds);
    }
}
