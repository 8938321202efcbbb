using WideMinima.Tuning;
using WideMinima.Schedules;
using WideMinima.Sweeps.Config;
using WideMinima.Sweeps.Planning;

namespace WideMinima.Tests.Sweeps;

[TestClass]
public sealed class SweepPlannerTests
{
    [TestMethod]
    public void Plans_every_setting_for_every_seed_with_stable_ids_seeds_outermost()
    {
        var config = new SweepConfig { ExploreFractions = [0, 0.5], Baselines = [ScheduleFamily.Cosine, ScheduleFamily.Step, ScheduleFamily.ExploreStep, ScheduleFamily.Linear, ScheduleFamily.OneCycle], Seeds = 2, FirstSeed = 7 };
        var plan = SweepPlanner.Plan(config);
        string[] settings = ["knee-e0", "knee-e0.5", "cosine", "step", "explore-step-e0", "explore-step-e0.5", "linear", "one-cycle"];
        Assert.HasCount(settings.Length * 2, plan);
        CollectionAssert.AreEqual(settings.Select(s => $"{s}-s7").Concat(settings.Select(s => $"{s}-s8")).ToArray(), plan.Select(r => r.RunId).ToArray());
        CollectionAssert.AreEqual(Enumerable.Range(0, plan.Count).ToArray(), plan.Select(r => r.Ordinal).ToArray());
        CollectionAssert.AreEqual(plan.Select(r => r.RunId).ToArray(), SweepPlanner.Plan(config).Select(r => r.RunId).ToArray(), "the same config plans the same runs");
        Assert.AreEqual(plan.Count, plan.Select(r => r.RunId).Distinct().Count());
    }

    [TestMethod]
    public void Settings_carry_their_schedule_explore_share_peak_and_warmup()
    {
        var config = new SweepConfig { ExploreFractions = [0.25], Baselines = [ScheduleFamily.Step, ScheduleFamily.ExploreStep, ScheduleFamily.Cosine], StepMilestones = [0.3, 0.6], PeakLr = 0.05, WarmupFraction = 0.1, Seeds = 1 };
        var plan = SweepPlanner.Plan(config);
        var knee = (KneeScheduleOptions)plan[0].ScheduleOptions;
        Assert.AreEqual(0.25, knee.ExploreFraction);
        Assert.AreEqual(0.25, plan[0].ExploreFraction);
        Assert.AreEqual(ScheduleFamily.Knee, plan[0].Schedule);
        var step = (StepScheduleOptions)plan[1].ScheduleOptions;
        CollectionAssert.AreEqual(new[] { 0.3, 0.6 }, step.MilestoneFractions.ToArray());
        Assert.IsNull(plan[1].ExploreFraction, "the classic step baseline has no explore share");
        Assert.AreEqual(0.25, ((ExploreStepScheduleOptions)plan[2].ScheduleOptions).ExploreFraction);
        Assert.AreEqual(0.25, plan[2].ExploreFraction);
        Assert.IsNull(plan[3].ExploreFraction);
        foreach (var r in plan)
        {
            Assert.AreEqual(0.05, r.ScheduleOptions.PeakLearningRate, r.RunId);
            Assert.AreEqual(0.1, r.ScheduleOptions.WarmupFraction, r.RunId);
        }
    }

    [TestMethod]
    public void Distinct_fractions_get_distinct_ids()
    {
        var plan = SweepPlanner.Plan(new SweepConfig { ExploreFractions = [0.125, 0.13], Baselines = [], Seeds = 1 });
        CollectionAssert.AreEqual(new[] { "knee-e0.125-s1", "knee-e0.13-s1" }, plan.Select(r => r.RunId).ToArray());
    }

    [TestMethod]
    public void Every_preset_that_runs_here_plans_and_the_paper_preset_says_why_not()
    {
        Assert.HasCount(5 * 4 + 2 * 4, SweepPlanner.Plan(Presets.Quick.Config));
        Assert.HasCount((6 + 1 + 1 + 6 + 1 + 1) * 3, SweepPlanner.Plan(Presets.Default.Config));
        Assert.IsNotNull(Presets.Paper.CannotRunHere);
        StringAssert.Contains(Presets.Paper.CannotRunHere, "CIFAR-10");
    }
}
