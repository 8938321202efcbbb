using WideMinima.Schedules;

namespace WideMinima.Tests.Schedules;

[TestClass]
public sealed class ScheduleValidationTests
{
    private static void AssertRejects(Action create, string parameter, string value)
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(create);
        Assert.AreEqual(parameter, e.ParamName);
        StringAssert.Contains(e.Message, parameter);
        StringAssert.Contains(e.Message, value);
    }

    [TestMethod]
    public void Peak_must_be_finite_and_positive()
    {
        AssertRejects(() => _ = new KneeSchedule(double.NaN, 10, 5), "peakLearningRate", "NaN");
        AssertRejects(() => _ = new KneeSchedule(double.PositiveInfinity, 10, 5), "peakLearningRate", "Infinity");
        AssertRejects(() => _ = new CosineSchedule(-0.1, 10), "peakLearningRate", "-0.1");
        AssertRejects(() => _ = new ConstantSchedule(0, 10), "peakLearningRate", "0");
    }

    [TestMethod]
    public void Budget_and_phases_must_fit()
    {
        AssertRejects(() => _ = new KneeSchedule(0.1, 0, 0), "totalSteps", "0");
        AssertRejects(() => _ = new KneeSchedule(0.1, -5, 0), "totalSteps", "-5");
        AssertRejects(() => _ = new KneeSchedule(0.1, 10, 8, 3), "exploreSteps", "8");
        AssertRejects(() => _ = new KneeSchedule(0.1, 10, -1), "exploreSteps", "-1");
        AssertRejects(() => _ = new KneeSchedule(0.1, 10, 0, -2), "warmupSteps", "-2");
        AssertRejects(() => _ = new LinearSchedule(0.1, 10, 11), "warmupSteps", "11");
    }

    [TestMethod]
    public void Fractions_must_lie_in_zero_one()
    {
        AssertRejects(() => KneeSchedule.FromExploreFraction(0.1, 10, 1.5), "exploreFraction", "1.5");
        AssertRejects(() => KneeSchedule.FromExploreFraction(0.1, 10, -0.1), "exploreFraction", "-0.1");
        AssertRejects(() => KneeSchedule.FromExploreFraction(0.1, 10, double.NaN), "exploreFraction", "NaN");
        AssertRejects(() => _ = new ExploreStepSchedule(0.1, 10, 2), "exploreFraction", "2");
        AssertRejects(() => _ = new OneCycleSchedule(0.1, 10, riseFraction: 1.2), "riseFraction", "1.2");
        AssertRejects(() => StepSchedule.AtFractions(0.1, 10, [0.5, 1.5]), "milestoneFractions[1]", "1.5");
    }

    [TestMethod]
    public void Floor_must_be_below_the_peak_and_not_negative()
    {
        AssertRejects(() => _ = new KneeSchedule(0.1, 10, 5, floorLearningRate: 0.2), "floorLearningRate", "0.2");
        AssertRejects(() => _ = new CosineSchedule(0.1, 10, floorLearningRate: -1), "floorLearningRate", "-1");
        AssertRejects(() => _ = new LinearSchedule(0.1, 10, floorLearningRate: double.NaN), "floorLearningRate", "NaN");
    }

    [TestMethod]
    public void Milestones_must_be_sorted_distinct_and_inside_the_budget()
    {
        AssertRejects(() => _ = new StepSchedule(0.1, 100, [75, 50]), "milestones[1]", "50");
        AssertRejects(() => _ = new StepSchedule(0.1, 100, [50, 50]), "milestones[1]", "50");
        AssertRejects(() => _ = new StepSchedule(0.1, 100, [0]), "milestones[0]", "0");
        AssertRejects(() => _ = new StepSchedule(0.1, 100, [101]), "milestones[0]", "101");
        AssertRejects(() => _ = new StepSchedule(0.1, 100, [50], factor: 0), "factor", "0");
        AssertRejects(() => _ = new StepSchedule(0.1, 100, [50], factor: 2), "factor", "2");
    }

    [TestMethod]
    public void Steps_are_one_based()
    {
        AssertRejects(() => new KneeSchedule(0.1, 10, 5).LearningRate(0), "step", "0");
    }

    [TestMethod]
    public void Bad_decay_shape_is_rejected()
    {
        AssertRejects(() => _ = new KneeSchedule(0.1, 10, 5, decayShape: (DecayShape)42), "decayShape", "42");
    }

    [TestMethod]
    public void Malformed_or_invalid_json_fails_with_the_reason()
    {
        Assert.ThrowsExactly<System.Text.Json.JsonException>(() => ScheduleJson.Deserialize("{\"kind\":\"warp\",\"peakLearningRate\":0.1}"));
        Assert.ThrowsExactly<System.Text.Json.JsonException>(() => ScheduleJson.Deserialize("{not json"));
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            ScheduleJson.Deserialize("{\"kind\":\"knee\",\"peakLearningRate\":0.1,\"totalSteps\":10,\"exploreSteps\":20}"));
        Assert.AreEqual("exploreSteps", e.ParamName);
    }
}
