using WideMinima.Schedules;

namespace WideMinima.Tests.Schedules;

[TestClass]
public sealed class BaselineScheduleTests
{
    [TestMethod]
    public void Cosine_starts_near_the_peak_is_half_way_at_mid_budget_and_ends_on_the_floor()
    {
        var cosine = new CosineSchedule(1.0, 100, floorLearningRate: 0.1);
        Assert.AreEqual(0.1 + 0.9 * 0.5 * (1 + Math.Cos(Math.PI / 100)), cosine.LearningRate(1), 1e-12);
        Assert.AreEqual(0.55, cosine.LearningRate(50), 1e-12);
        Assert.AreEqual(0.1, cosine.LearningRate(100), 1e-12);
        Assert.AreEqual(0.1, cosine.LearningRate(150), 1e-12, "past the budget it holds the floor");
    }

    [TestMethod]
    public void Linear_equals_knee_without_explore()
    {
        var linear = new LinearSchedule(0.2, 30, warmupSteps: 5);
        var knee = new KneeSchedule(0.2, 30, 0, 5);
        for (long s = 1; s <= 35; s++) Assert.AreEqual(knee.LearningRate(s), linear.LearningRate(s), $"step {s}");
    }

    [TestMethod]
    public void Step_drops_by_the_factor_after_each_milestone()
    {
        var step = new StepSchedule(1.0, 100, [50, 75], 0.1);
        Assert.AreEqual(1.0, step.LearningRate(50), "milestone m means 'after m steps'");
        Assert.AreEqual(0.1, step.LearningRate(51), 1e-15);
        Assert.AreEqual(0.1, step.LearningRate(75), 1e-15);
        Assert.AreEqual(0.01, step.LearningRate(76), 1e-15);
        Assert.AreEqual(0.01, step.LearningRate(1000), 1e-15);
    }

    [TestMethod]
    public void Step_at_fractions_places_milestones_at_half_and_three_quarters()
    {
        var step = StepSchedule.AtFractions(0.1, 200, [0.5, 0.75]);
        CollectionAssert.AreEqual(new long[] { 100, 150 }, step.Milestones.ToArray());
    }

    [TestMethod]
    public void Step_at_fractions_keeps_every_drop_on_tiny_budgets()
    {
        // 0.5 * 3 and 0.75 * 3 both round to step 2: the second drop moves to step 3.
        CollectionAssert.AreEqual(new long[] { 2, 3 }, StepSchedule.AtFractions(0.1, 3, [0.5, 0.75]).Milestones.ToArray());
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => StepSchedule.AtFractions(0.1, 1, [0.5, 0.75]));
        Assert.AreEqual("totalSteps", e.ParamName);
    }

    [TestMethod]
    public void Explore_step_protocol_splits_the_rest_between_a_tenth_and_a_hundredth()
    {
        var s = new ExploreStepSchedule(1.0, 100, 0.3); // explore 30, then 35 at 0.1, 35 at 0.01
        Assert.AreEqual(1.0, s.LearningRate(30));
        Assert.AreEqual(0.1, s.LearningRate(31));
        Assert.AreEqual(0.1, s.LearningRate(65));
        Assert.AreEqual(0.01, s.LearningRate(66));
        Assert.AreEqual(0.01, s.LearningRate(100));

        var odd = new ExploreStepSchedule(1.0, 10, 0.0); // 10 left: 5 and 5
        Assert.AreEqual(0.1, odd.LearningRate(5));
        Assert.AreEqual(0.01, odd.LearningRate(6));
        var full = new ExploreStepSchedule(1.0, 10, 1.0);
        Assert.AreEqual(1.0, full.LearningRate(10));
    }

    [TestMethod]
    public void One_cycle_matches_pytorch_start_peak_and_end()
    {
        // PyTorch OneCycleLR(max_lr=1, total_steps=100, pct_start=0.3): step 0 at 1/25, the peak at
        // step 29 (0-based), 1/25/1e4 at step 99.
        var oc = new OneCycleSchedule(1.0, 100);
        Assert.AreEqual(1.0 / 25, oc.LearningRate(1), 1e-15);
        Assert.AreEqual(1.0, oc.LearningRate(30), 1e-12);
        Assert.AreEqual(1.0 / 25 / 1e4, oc.LearningRate(100), 1e-15);
        Assert.IsLessThan(oc.LearningRate(30), oc.LearningRate(29));
        Assert.IsLessThan(oc.LearningRate(30), oc.LearningRate(31));
        Assert.AreEqual(oc.LearningRate(100), oc.LearningRate(500), "past the budget it holds the end rate");
    }

    [TestMethod]
    public void Constant_is_the_peak_after_warmup()
    {
        var c = new ConstantSchedule(0.5, 10, 2);
        Assert.AreEqual(0.25, c.LearningRate(1));
        Assert.AreEqual(0.5, c.LearningRate(3));
        Assert.AreEqual(0.5, c.LearningRate(99));
    }

    public static IEnumerable<object[]> SchedulesWithWarmup()
    {
        yield return [new KneeSchedule(0.8, 100, 40, 10)];
        yield return [new CosineSchedule(0.8, 100, 10)];
        yield return [new LinearSchedule(0.8, 100, 10)];
        yield return [new StepSchedule(0.8, 100, [50, 75], 0.1, 10)];
        yield return [new ExploreStepSchedule(0.8, 100, 0.5, 10)];
        yield return [new OneCycleSchedule(0.8, 100, warmupSteps: 10)];
        yield return [new ConstantSchedule(0.8, 100, 10)];
    }

    [TestMethod]
    [DynamicData(nameof(SchedulesWithWarmup))]
    public void Every_schedule_warms_up_linearly_from_zero_to_the_peak(LearningRateSchedule schedule)
    {
        for (long s = 1; s <= 10; s++)
            Assert.AreEqual(0.8 * s / 10, schedule.LearningRate(s), $"{schedule.Kind} at warmup step {s}");
        Assert.AreEqual(0.8, schedule.LearningRate(10));
        Assert.IsLessThanOrEqualTo(0.8, schedule.LearningRate(11), $"{schedule.Kind}: after warmup the rate never exceeds the peak");
        foreach (var lr in schedule.Curve()) Assert.IsTrue(lr >= 0 && lr <= 0.8 && double.IsFinite(lr), $"{schedule.Kind}: {lr}");
    }

    [TestMethod]
    [DynamicData(nameof(SchedulesWithWarmup))]
    public void Every_schedule_round_trips_through_json(LearningRateSchedule schedule)
    {
        string json = ScheduleJson.Serialize(schedule);
        StringAssert.Contains(json, $"\"kind\":\"{schedule.Kind}\"");
        var back = ScheduleJson.Deserialize(json);
        Assert.AreEqual(schedule, back);
        Assert.AreEqual(schedule.GetType(), back.GetType());
        CollectionAssert.AreEqual(schedule.Curve(), back.Curve());
    }

    [TestMethod]
    public void Sample_compresses_the_curve_and_keeps_both_ends()
    {
        var knee = new KneeSchedule(0.1, 1000, 500);
        var points = knee.Sample(11);
        Assert.HasCount(11, points);
        Assert.AreEqual((1L, 0.1), points[0]);
        Assert.AreEqual(1000L, points[^1].Step);
        Assert.AreEqual(0.0, points[^1].LearningRate);
        Assert.HasCount(5, new KneeSchedule(0.1, 5, 1).Sample(100));
    }
}
