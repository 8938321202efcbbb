using WideMinima.Reports;

namespace WideMinima.Tests.Reports;

[TestClass]
public sealed class SeedsRuleTests
{
    // Both sides have s = 1 and n = 3: SE = sqrt(2/3), Welch df = 4, t(0.975, 4) = 2.7764451051977935 (mpmath 1.2.1).
    private static readonly double[] Knee = [1, 2, 3];
    private static readonly double[] Baseline = [2, 3, 4];
    private static readonly double Width = 2 * 2.7764451051977935 * Math.Sqrt(2.0 / 3);

    [TestMethod]
    public void Current_width_is_the_full_95_percent_welch_interval()
    {
        Assert.AreEqual(Width, SeedsRule.CurrentWidth(Knee, Baseline), 1e-10);
        Assert.AreEqual(2 * WelchComparison.Of(Knee, Baseline).HalfWidth(), SeedsRule.CurrentWidth(Knee, Baseline));
        Assert.IsTrue(double.IsNaN(SeedsRule.CurrentWidth([1.0], Baseline)));
        Assert.AreEqual(0, SeedsRule.CurrentWidth([1.0, 1.0], [2.0, 2.0]));
    }

    [TestMethod]
    public void Below_the_minimum_it_continues_to_the_minimum()
    {
        var d = SeedsRule.Decide(Knee, Baseline, targetWidth: 100, minSeeds: 5, maxSeeds: 10);
        Assert.AreEqual(new SeedsDecision(SeedsDecisionKind.Continue, 5, d.Width), d, "even a target already met waits for the minimum");
        Assert.IsFalse(d.Stop);
        Assert.AreEqual(SeedsDecisionKind.Continue, SeedsRule.Decide([1.0], [2.0], 1, 2, 10).Kind);
        Assert.AreEqual(2, SeedsRule.Decide([1.0], [2.0], 1, 2, 10).Seeds);
    }

    [TestMethod]
    public void Stops_exactly_at_the_target()
    {
        double w = SeedsRule.CurrentWidth(Knee, Baseline);
        var d = SeedsRule.Decide(Knee, Baseline, targetWidth: w, minSeeds: 3, maxSeeds: 10);
        Assert.AreEqual(SeedsDecisionKind.TargetReached, d.Kind);
        Assert.IsTrue(d.Stop);
        Assert.AreEqual(3, d.Seeds);
        Assert.AreEqual(w, d.Width);
        Assert.AreEqual(SeedsDecisionKind.TargetReached, SeedsRule.Decide(Knee, Baseline, w * 1.01, 3, 10).Kind);
        Assert.AreEqual(SeedsDecisionKind.Continue, SeedsRule.Decide(Knee, Baseline, Math.BitDecrement(w), 3, 10).Kind);
        Assert.AreEqual(SeedsDecisionKind.TargetReached, SeedsRule.Decide([90.0, 90.0], [91.0, 91.0], 0.01, 2, 10).Kind, "no spread: width 0");
    }

    [TestMethod]
    public void Stops_at_the_maximum_when_the_target_is_not_reached()
    {
        var d = SeedsRule.Decide(Knee, Baseline, targetWidth: 1, minSeeds: 2, maxSeeds: 3);
        Assert.AreEqual(new SeedsDecision(SeedsDecisionKind.MaxSeedsReached, 3, d.Width), d);
        Assert.IsTrue(d.Stop);
        // Reaching the target at the maximum says target reached.
        Assert.AreEqual(SeedsDecisionKind.TargetReached, SeedsRule.Decide(Knee, Baseline, 5, 2, 3).Kind);
        // Counts beyond the maximum also stop.
        Assert.AreEqual(SeedsDecisionKind.MaxSeedsReached, SeedsRule.Decide([1.0, 2.0, 3.0, 4.0], [2.0, 3.0, 4.0, 5.0, 7.0], 0.1, 2, 3).Kind);
    }

    [TestMethod]
    public void Next_count_projects_the_seeds_for_the_target()
    {
        double w = SeedsRule.CurrentWidth(Knee, Baseline);
        // Twice too wide: n (w / target)² = 3 · 4 = 12 seeds.
        Assert.AreEqual(new SeedsDecision(SeedsDecisionKind.Continue, 12, w), SeedsRule.Decide(Knee, Baseline, w / 2, 3, 20));
        // A whole-number projection is not pushed up by rounding noise: 3 · (√3)² = 9, not 10.
        Assert.AreEqual(9, SeedsRule.Decide(Knee, Baseline, w / Math.Sqrt(3), 3, 20).Seeds);
        // 3 · 1.1² = 3.63 -> 4.
        Assert.AreEqual(4, SeedsRule.Decide(Knee, Baseline, w / 1.1, 3, 20).Seeds);
        // Just too wide: at least one more seed.
        Assert.AreEqual(4, SeedsRule.Decide(Knee, Baseline, w / 1.0001, 3, 20).Seeds);
        // Capped at the maximum.
        Assert.AreEqual(new SeedsDecision(SeedsDecisionKind.Continue, 10, w), SeedsRule.Decide(Knee, Baseline, w / 2, 3, 10));
        Assert.AreEqual(10, SeedsRule.Decide(Knee, Baseline, w / 1e12, 3, 10).Seeds, "no overflow for a far target");
        // Unequal counts: n is the smaller one (3 here), and the width uses every value.
        double[] longer = [2, 3, 4, 3, 3];
        double w2 = SeedsRule.CurrentWidth(Knee, longer);
        Assert.AreEqual((int)Math.Ceiling(3 * 4 * (1 - 1e-9)), SeedsRule.Decide(Knee, longer, w2 / 2, 3, 50).Seeds);
    }

    [TestMethod]
    public void Is_deterministic_and_more_seeds_shrink_the_projection()
    {
        var first = SeedsRule.Decide(Knee, Baseline, 2, 3, 30);
        Assert.AreEqual(first, SeedsRule.Decide(Knee, Baseline, 2, 3, 30));
        // Running the projected seeds with the same spread roughly meets the target: rerun with 4x the seeds.
        double[] knee12 = [.. Enumerable.Repeat(Knee, 4).SelectMany(x => x)];
        double[] base12 = [.. Enumerable.Repeat(Baseline, 4).SelectMany(x => x)];
        double w = SeedsRule.CurrentWidth(Knee, Baseline);
        var after = SeedsRule.Decide(knee12, base12, w / 2, 3, 30);
        Assert.AreEqual(SeedsDecisionKind.TargetReached, after.Kind, $"width {after.Width} vs target {w / 2}: the projection ignores the shrinking t, so it overshoots");
    }

    [TestMethod]
    public void Bad_settings_and_values_are_named()
    {
        Assert.AreEqual("targetWidth", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SeedsRule.Decide(Knee, Baseline, 0, 3, 10)).ParamName);
        Assert.AreEqual("targetWidth", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SeedsRule.Decide(Knee, Baseline, double.NaN, 3, 10)).ParamName);
        Assert.AreEqual("minSeeds", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SeedsRule.Decide(Knee, Baseline, 1, 1, 10)).ParamName);
        Assert.AreEqual("maxSeeds", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SeedsRule.Decide(Knee, Baseline, 1, 5, 4)).ParamName);
        var e = Assert.ThrowsExactly<ArgumentException>(() => SeedsRule.Decide(Knee, [2.0, double.NaN, 3.0], 1, 3, 10));
        Assert.AreEqual("b", e.ParamName);
        StringAssert.Contains(e.Message, "b[1] is NaN");
    }
}
