using WideMinima.Sharpness;

namespace WideMinima.Tests.Sharpness;

[TestClass]
public sealed class ClimbTrackerTests
{
    private static ClimbTracker Feed(double initial, double tolerance, int patience, params double[] losses)
    {
        var tracker = new ClimbTracker(initial, tolerance, patience);
        foreach (double loss in losses) tracker.Record(loss);
        return tracker;
    }

    [TestMethod]
    public void Each_higher_loss_is_an_improvement_and_resets_the_count()
    {
        var t = new ClimbTracker(1.0, 0.01, 2);
        Assert.IsTrue(t.Record(1.5));
        Assert.IsTrue(t.Record(2.0));
        Assert.AreEqual(2.0, t.Maximum);
        Assert.AreEqual(0, t.SinceImprovement);
        Assert.IsFalse(t.ShouldStop);
        Assert.IsFalse(t.Record(1.9), "a lower loss is no improvement");
        Assert.AreEqual(1, t.SinceImprovement);
        Assert.IsTrue(t.Record(3.0), "a new maximum resets the count");
        Assert.AreEqual(0, t.SinceImprovement);
        Assert.AreEqual(4, t.Evaluations);
    }

    [TestMethod]
    public void A_plateau_stops_after_patience_evaluations_and_not_before()
    {
        var t = Feed(0.0, 0.01, 3, 1.0, 1.0, 1.0);
        Assert.AreEqual(2, t.SinceImprovement);
        Assert.IsFalse(t.ShouldStop, "two flat evaluations with patience 3");
        t.Record(1.0);
        Assert.IsTrue(t.ShouldStop, "the third flat evaluation runs out of patience");
        Assert.AreEqual(1.0, t.Maximum);
    }

    [TestMethod]
    public void Falling_losses_never_lower_the_maximum()
    {
        var t = Feed(0.5, 0, 0, 2.0, 1.0, 0.1, -3.0);
        Assert.AreEqual(2.0, t.Maximum);
        Assert.AreEqual(0.5, t.Initial);
        Assert.AreEqual(3, t.SinceImprovement);
    }

    [TestMethod]
    public void A_rise_within_the_tolerance_raises_the_maximum_but_does_not_count()
    {
        // Climb so far 1.0 (from 1 to 2); tolerance 10% needs more than 2.1 to count.
        var t = Feed(1.0, 0.1, 5, 2.0);
        Assert.IsFalse(t.Record(2.1), "exactly the tolerance is not more than it");
        Assert.AreEqual(2.1, t.Maximum, "the maximum is still the highest loss seen");
        Assert.AreEqual(1, t.SinceImprovement);
        // Climb now 1.1: the bar is 2.1 + 0.11 = 2.21.
        Assert.IsFalse(t.Record(2.2));
        Assert.AreEqual(2, t.SinceImprovement);
        Assert.AreEqual(2.2, t.Maximum);
        // Climb now 1.2: the bar is 2.2 + 0.12 = 2.32.
        Assert.IsFalse(t.Record(2.3));
        Assert.AreEqual(3, t.SinceImprovement);
        // Climb now 1.3: the bar is 2.3 + 0.13 = 2.43.
        Assert.IsTrue(t.Record(2.5), "beyond the tolerance counts");
        Assert.AreEqual(0, t.SinceImprovement);
        Assert.AreEqual(2.5, t.Maximum);
    }

    [TestMethod]
    public void With_no_climb_yet_any_rise_counts_whatever_the_tolerance()
    {
        var t = new ClimbTracker(1.0, 0.5, 1);
        Assert.IsTrue(t.Record(1.0 + 1e-12), "the bar is the climb so far times the tolerance: 0 before any climb");
        Assert.IsFalse(t.Record(1.0 + 1e-12), "an equal loss is no improvement");
        Assert.IsTrue(t.ShouldStop);
    }

    [TestMethod]
    public void A_loss_below_the_start_never_counts_and_the_climb_is_not_negative()
    {
        var t = Feed(2.0, 0.01, 2, 1.0);
        Assert.AreEqual(2.0, t.Maximum);
        Assert.AreEqual(1, t.SinceImprovement);
        Assert.IsTrue(t.Record(2.0 + 1e-9), "climb is max(max - initial, 0) = 0, so any rise above the start counts");
    }

    [TestMethod]
    public void Patience_zero_never_stops()
    {
        var t = Feed(1.0, 0.01, 0, Enumerable.Repeat(0.5, 1000).ToArray());
        Assert.AreEqual(1000, t.SinceImprovement);
        Assert.IsFalse(t.ShouldStop, "patience 0 means run every step");
        Assert.IsTrue(t.HasPlateaued(5), "it can still say that the maximum stopped moving");
    }

    [TestMethod]
    public void Patience_one_stops_at_the_first_flat_evaluation()
    {
        var t = Feed(0.0, 0.01, 1, 1.0);
        Assert.IsFalse(t.ShouldStop);
        t.Record(0.9);
        Assert.IsTrue(t.ShouldStop);
    }

    [TestMethod]
    public void Bad_settings_are_refused_with_their_name()
    {
        Assert.AreEqual("patience", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ClimbTracker(1, 0, -1)).ParamName);
        Assert.AreEqual("improvementTolerance", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ClimbTracker(1, -0.1, 1)).ParamName);
        Assert.AreEqual("improvementTolerance", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ClimbTracker(1, double.NaN, 1)).ParamName);
        Assert.AreEqual("initial", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ClimbTracker(double.PositiveInfinity, 0, 1)).ParamName);
    }
}
