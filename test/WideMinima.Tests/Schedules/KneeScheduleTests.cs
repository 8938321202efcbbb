using System.Globalization;
using System.Text.Json;
using WideMinima.Schedules;

namespace WideMinima.Tests.Schedules;

[TestClass]
public sealed class KneeScheduleTests
{
    private sealed record GoldenCase(double Peak, long Warmup, long Explore, long Total, string[] Lrs);

    private static List<GoldenCase> Golden() =>
        JsonSerializer.Deserialize<List<GoldenCase>>(
            File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", "knee_reference.json")),
            WebJson)!;

    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    [TestMethod]
    public void Matches_the_reference_sequence_bit_for_bit_including_steps_past_the_budget()
    {
        var cases = Golden();
        Assert.HasCount(7, cases);
        foreach (var c in cases)
        {
            var knee = new KneeSchedule(c.Peak, c.Total, c.Explore, c.Warmup);
            for (int i = 0; i < c.Lrs.Length; i++)
            {
                double expected = double.Parse(c.Lrs[i], CultureInfo.InvariantCulture);
                Assert.AreEqual(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(knee.LearningRate(i + 1)),
                    $"{knee.Description}: step {i + 1} should be {expected:R} but was {knee.LearningRate(i + 1):R}");
            }
        }
    }

    [TestMethod]
    public void Values_at_and_around_every_phase_boundary()
    {
        // W=4, E=6, D=10, T=20, peak 1.
        var knee = new KneeSchedule(1.0, 20, 6, 4);
        Assert.AreEqual(0.25, knee.LearningRate(1));
        Assert.AreEqual(0.75, knee.LearningRate(3));
        Assert.AreEqual(1.0, knee.LearningRate(4), "the last warmup step reaches the peak");
        Assert.AreEqual(1.0, knee.LearningRate(5), "the first explore step");
        Assert.AreEqual(1.0, knee.LearningRate(10), "the last explore step");
        Assert.AreEqual(0.9, knee.LearningRate(11), 1e-15, "the first decay step");
        Assert.AreEqual(0.1, knee.LearningRate(19), 1e-15);
        Assert.AreEqual(0.0, knee.LearningRate(20), "the budget's last step reaches 0, as in the reference");
        Assert.AreEqual(0.0, knee.LearningRate(21), "past the budget the rate holds at 0");
        Assert.AreEqual(0.0, knee.LearningRate(1_000_000));
    }

    [TestMethod]
    public void Without_warmup_the_first_step_is_already_at_the_peak()
    {
        var knee = new KneeSchedule(0.1, 10, 5);
        Assert.AreEqual(0.1, knee.LearningRate(1));
        Assert.AreEqual(0.1, knee.LearningRate(5));
        Assert.IsLessThan(0.1, knee.LearningRate(6));
    }

    [TestMethod]
    public void When_explore_fills_the_budget_it_holds_the_peak_then_the_floor_instead_of_dividing_by_zero()
    {
        var knee = new KneeSchedule(0.1, 10, 8, 2);
        Assert.AreEqual(0L, knee.DecaySteps);
        Assert.AreEqual(0.1, knee.LearningRate(10));
        Assert.AreEqual(0.0, knee.LearningRate(11));
        var floored = new KneeSchedule(0.1, 10, 10, floorLearningRate: 0.01);
        Assert.AreEqual(0.01, floored.LearningRate(11));
    }

    [TestMethod]
    public void A_floor_stops_the_linear_decay_and_is_reached_at_the_last_step()
    {
        var knee = new KneeSchedule(1.0, 10, 0, floorLearningRate: 0.1);
        Assert.AreEqual(0.91, knee.LearningRate(1), 1e-12);
        Assert.AreEqual(0.1, knee.LearningRate(10), 1e-12);
        Assert.AreEqual(0.1, knee.LearningRate(50), 1e-12);
    }

    [TestMethod]
    [DataRow(0.0, 0L)]
    [DataRow(0.5, 50L)]
    [DataRow(1.0, 100L)]
    [DataRow(0.25, 25L)]
    [DataRow(0.333, 33L)]
    public void Explore_fraction_is_a_share_of_the_budget_after_warmup(double fraction, long expectedExplore)
    {
        var knee = KneeSchedule.FromExploreFraction(0.1, 110, fraction, warmupSteps: 10);
        Assert.AreEqual(expectedExplore, knee.ExploreSteps);
        Assert.AreEqual(expectedExplore / 100.0, knee.ExploreFraction, 1e-12);
    }

    [TestMethod]
    public void Default_explore_fraction_is_the_papers_half()
    {
        Assert.AreEqual(50L, KneeSchedule.FromExploreFraction(0.1, 100).ExploreSteps);
    }

    [TestMethod]
    public void Cosine_and_one_minus_sqrt_decay_shapes()
    {
        var cosine = new KneeSchedule(1.0, 14, 4, decayShape: DecayShape.Cosine); // D = 10
        Assert.AreEqual(1.0, cosine.LearningRate(4));
        Assert.AreEqual(0.5, cosine.LearningRate(9), 1e-12, "half way through the decay a cosine is at half the peak");
        Assert.AreEqual(0.5 * (1 + Math.Cos(Math.PI * 0.1)), cosine.LearningRate(5), 1e-12);
        Assert.AreEqual(0.0, cosine.LearningRate(14), 1e-12);

        var sqrt = new KneeSchedule(1.0, 14, 4, decayShape: DecayShape.OneMinusSqrt);
        Assert.AreEqual(1 - Math.Sqrt(0.3), sqrt.LearningRate(7), 1e-12);
        Assert.AreEqual(1 - Math.Sqrt(0.5), sqrt.LearningRate(9), 1e-12);
        Assert.AreEqual(0.0, sqrt.LearningRate(14), 1e-12);
        Assert.AreEqual(0.0, sqrt.LearningRate(99), 1e-12);
    }
}
