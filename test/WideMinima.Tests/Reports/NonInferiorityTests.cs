using WideMinima.Reports;

namespace WideMinima.Tests.Reports;

[TestClass]
public sealed class NonInferiorityTests
{
    // a is 0.1 point below b with the same spread: both standard deviations sqrt(1/60) = 0.1291, SE = 0.091287, df = 6.
    private static readonly double[] A = [90.1, 90.3, 90.2, 90.4];
    private static readonly double[] B = [90.2, 90.4, 90.3, 90.5];

    [TestMethod]
    public void Non_inferior_within_a_wide_margin()
    {
        var r = NonInferiority.Test(A, B, margin: 0.5);
        Assert.AreEqual(NonInferiorityDecision.NonInferior, r.Decision);
        Assert.AreEqual(-0.1, r.Difference, 1e-12);
        Assert.AreEqual(6, r.DegreesOfFreedom, 1e-9);
        // Lower bound -0.1 - t(0.95, 6) SE with t(0.95, 6) = 1.9431802805153026; p = P(T6 >= 0.4 / SE) = 0.0023296074719969672
        // (mpmath 1.2.1, 50 digits).
        Assert.AreEqual(-0.27738727882290794, r.LowerBound, 1e-10);
        Assert.AreEqual(0.0023296074719969672, r.PValue, 1e-10);
        Assert.AreEqual(0.5, r.Margin);
        Assert.AreEqual(0.05, r.Alpha);
        Assert.AreEqual((4, 4), (r.CountA, r.CountB));
    }

    [TestMethod]
    public void Not_shown_within_a_narrow_margin()
    {
        var r = NonInferiority.Test(A, B, margin: 0.2);
        Assert.AreEqual(NonInferiorityDecision.NotShown, r.Decision);
        Assert.AreEqual(-0.27738727882290794, r.LowerBound, 1e-10, "the bound does not depend on the margin");
        Assert.AreEqual(0.15766679810061487, r.PValue, 1e-10);
        // A looser α (one-sided 80%) moves the bound up past -0.2: t(0.8, 6) SE = 0.0829, bound -0.183.
        Assert.AreEqual(NonInferiorityDecision.NonInferior, NonInferiority.Test(A, B, margin: 0.2, alpha: 0.2).Decision);
    }

    [TestMethod]
    public void The_bound_and_the_p_value_agree_at_the_boundary()
    {
        // A margin equal to minus the lower bound puts H0's edge exactly at the bound: the p-value is then α.
        var rng = new Random(7);
        for (int trial = 0; trial < 20; trial++)
        {
            double[] a = [.. Enumerable.Range(0, 3 + trial % 5).Select(_ => 90 + rng.NextDouble())];
            double[] b = [.. Enumerable.Range(0, 2 + trial % 4).Select(_ => 90.5 + rng.NextDouble())];
            double bound = WelchComparison.Of(a, b).LowerBound(0.05);
            if (bound >= 0) continue;
            var atEdge = NonInferiority.Test(a, b, margin: -bound);
            Assert.AreEqual(0.05, atEdge.PValue, 1e-9, $"trial {trial}");
            foreach (double margin in new[] { 0.0, 0.1, 0.3, 0.6, 1.0, 2.0 })
            {
                var r = NonInferiority.Test(a, b, margin);
                Assert.AreEqual(r.PValue < 0.05, r.Decision == NonInferiorityDecision.NonInferior, $"trial {trial}, margin {margin}: p = {r.PValue}, bound = {r.LowerBound}");
            }
        }
    }

    [TestMethod]
    public void Fewer_than_two_values_is_undecidable_without_an_exception()
    {
        var r = NonInferiority.Test([90.0], B, margin: 0.5);
        Assert.AreEqual(NonInferiorityDecision.Undecidable, r.Decision);
        Assert.AreEqual(90.0 - 90.35, r.Difference, 1e-12, "the difference is still reported");
        Assert.IsTrue(double.IsNaN(r.LowerBound));
        Assert.IsTrue(double.IsNaN(r.PValue));
        Assert.IsTrue(double.IsNaN(r.DegreesOfFreedom));
        Assert.AreEqual((1, 4), (r.CountA, r.CountB));
        Assert.AreEqual(NonInferiorityDecision.Undecidable, NonInferiority.Test([], [], margin: 0.5).Decision);
        Assert.AreEqual(NonInferiorityDecision.Undecidable, NonInferiority.Test([90.0, double.NaN], B, margin: 0.5).Decision);
    }

    [TestMethod]
    public void Zero_variance_is_decided_exactly()
    {
        double[] a = [90, 90, 90], b = [90.5, 90.5];
        var wide = NonInferiority.Test(a, b, margin: 0.75);
        Assert.AreEqual(NonInferiorityDecision.NonInferior, wide.Decision);
        Assert.AreEqual(-0.5, wide.LowerBound);
        Assert.AreEqual(0, wide.PValue);
        var edge = NonInferiority.Test(a, b, margin: 0.5);
        Assert.AreEqual(NonInferiorityDecision.NotShown, edge.Decision, "difference exactly -margin: H0 holds");
        Assert.AreEqual(1, edge.PValue);
        Assert.AreEqual(NonInferiorityDecision.NotShown, NonInferiority.Test(a, b, margin: 0.25).Decision);
        Assert.AreEqual(NonInferiorityDecision.NonInferior, NonInferiority.Test(b, a, margin: 0).Decision, "better by 0.5 exactly");
    }

    [TestMethod]
    public void Bad_margin_or_alpha_is_named()
    {
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => NonInferiority.Test(A, B, margin: -0.1));
        Assert.AreEqual("margin", e.ParamName);
        StringAssert.Contains(e.Message, "-0.1");
        Assert.AreEqual("margin", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => NonInferiority.Test(A, B, margin: double.NaN)).ParamName);
        Assert.AreEqual("alpha", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => NonInferiority.Test(A, B, margin: 0.5, alpha: 1.5)).ParamName);
    }
}
