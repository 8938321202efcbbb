using WideMinima.Reports;

namespace WideMinima.Tests.Reports;

[TestClass]
public sealed class WelchComparisonTests
{
    [TestMethod]
    public void Difference_standard_error_degrees_of_freedom_and_intervals_by_hand()
    {
        double[] a = [10, 12, 14], b = [1, 2, 3, 4];
        var c = WelchComparison.Of(a, b);
        // By hand: s_a² = 4, s_b² = 5/3, so v_a = 4/3, v_b = 5/12, SE = sqrt(21/12) = sqrt(1.75);
        // df = 1.75² / ((4/3)²/2 + (5/12)²/3) = 3.0625 / (8/9 + 25/432) = 3.234718826405868.
        Assert.AreEqual(9.5, c.Difference, 1e-12);
        Assert.AreEqual(Math.Sqrt(1.75), c.StandardError, 1e-14);
        Assert.AreEqual(3.0625 / (8.0 / 9 + 25.0 / 432), c.DegreesOfFreedom, 1e-12);
        Assert.AreEqual(3.234718826405868, c.DegreesOfFreedom, 1e-12);
        // t quantiles at that df (mpmath 1.2.1, 50 digits): t(0.975) = 3.0557127104258971, t(0.95) = 2.2853520671608896,
        // t(0.90) = 1.6061849542284479.
        double se = Math.Sqrt(1.75);
        Assert.AreEqual(3.0557127104258971 * se, c.HalfWidth(), 1e-10);
        var (lower, upper) = c.ConfidenceInterval();
        Assert.AreEqual(9.5 - 3.0557127104258971 * se, lower, 1e-10);
        Assert.AreEqual(9.5 + 3.0557127104258971 * se, upper, 1e-10);
        Assert.AreEqual(9.5 - 2.2853520671608896 * se, c.LowerBound(), 1e-10, "one-sided 95% bound");
        Assert.AreEqual(9.5 - 1.6061849542284479 * se, c.LowerBound(0.10), 1e-10, "one-sided 90% bound");
        Assert.AreEqual(c.LowerBound(0.10), c.ConfidenceInterval(0.20).Lower, 1e-12, "a one-sided 1-α bound is the two-sided 1-2α interval's end");
        // The existing table-based Difference agrees on the difference; its half-width interpolates the table linearly
        // between df = 3 and 4 (3.182 -> 2.776), which at df = 3.23 is 1% above the exact quantile.
        var (d, h) = Statistics.Difference(a, b);
        Assert.AreEqual(d, c.Difference, 1e-12);
        Assert.AreEqual(h, c.HalfWidth(), 0.02 * h);
        Assert.IsTrue(h > c.HalfWidth());
    }

    [TestMethod]
    public void Summary_constructor_matches_the_samples()
    {
        double[] a = [90.1, 90.3, 90.2, 90.4, 89.9], b = [90.2, 90.6, 90.3];
        var fromSamples = WelchComparison.Of(a, b);
        var fromSummary = new WelchComparison(Statistics.Mean(a), Statistics.StandardDeviation(a), 5, Statistics.Mean(b), Statistics.StandardDeviation(b), 3);
        Assert.AreEqual(fromSamples, fromSummary);
        Assert.AreEqual(5, fromSamples.CountA);
        Assert.AreEqual(3, fromSamples.CountB);
    }

    [TestMethod]
    public void Fewer_than_two_values_give_NaN_and_constant_sides_are_exact()
    {
        var single = WelchComparison.Of([90.0], [88.0, 90.0]);
        Assert.AreEqual(1.0, single.Difference, 1e-12);
        Assert.IsTrue(double.IsNaN(single.StandardError));
        Assert.IsTrue(double.IsNaN(single.DegreesOfFreedom));
        Assert.IsTrue(double.IsNaN(single.HalfWidth()));
        Assert.IsTrue(double.IsNaN(single.LowerBound()));
        Assert.IsTrue(double.IsNaN(WelchComparison.Of([], [1.0, 2.0]).Difference));

        var constant = WelchComparison.Of([90.0, 90.0, 90.0], [89.5, 89.5]);
        Assert.AreEqual(0.5, constant.Difference);
        Assert.AreEqual(0, constant.StandardError);
        Assert.IsTrue(double.IsNaN(constant.DegreesOfFreedom), "0/0");
        Assert.AreEqual((0.5, 0.5), constant.ConfidenceInterval());
        Assert.AreEqual(0.5, constant.LowerBound());

        // One constant side: df is the other side's n - 1.
        var oneConstant = WelchComparison.Of([90.0, 90.0, 90.0], [89.0, 90.0, 91.0, 92.0]);
        Assert.AreEqual(3, oneConstant.DegreesOfFreedom, 1e-12);
    }

    [TestMethod]
    public void Bad_input_is_named()
    {
        var c = WelchComparison.Of([1.0, 2.0], [1.0, 3.0]);
        Assert.AreEqual("alpha", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => c.HalfWidth(0)).ParamName);
        Assert.AreEqual("alpha", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => c.LowerBound(1)).ParamName);
        Assert.AreEqual("standardDeviationB", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new WelchComparison(0, 1, 3, 0, -1, 3)).ParamName);
        Assert.AreEqual("countA", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new WelchComparison(0, 1, -1, 0, 1, 3)).ParamName);
    }

    [TestMethod]
    public void Minimum_detectable_difference_by_the_formula()
    {
        // s = 1 on both sides, n = 5 each: SE = sqrt(2/5), Welch df = 8;
        // t(0.975, 8) = 2.3060041352041661, t(0.8, 8) = 0.88888951776701997 (mpmath 1.2.1, 50 digits).
        double expected = (2.3060041352041661 + 0.88888951776701997) * Math.Sqrt(2.0 / 5); // 2.0206281650809057
        Assert.AreEqual(expected, WelchComparison.MinimumDetectableDifference(1, 5, 1, 5), 1e-10);
        var c = WelchComparison.Of([1.0, 2.0, 3.0, 4.0, 5.0], [2.0, 3.0, 4.0, 5.0, 6.0]);
        Assert.AreEqual(WelchComparison.MinimumDetectableDifference(c.StandardDeviationA, 5, c.StandardDeviationB, 5), c.MinimumDetectableDifference(), 1e-14);
        // More power or a stricter α needs a larger difference.
        Assert.IsTrue(WelchComparison.MinimumDetectableDifference(1, 5, 1, 5, power: 0.9) > expected);
        Assert.IsTrue(WelchComparison.MinimumDetectableDifference(1, 5, 1, 5, alpha: 0.01) > expected);
        Assert.AreEqual(0, WelchComparison.MinimumDetectableDifference(0, 5, 0, 5));
        Assert.IsTrue(double.IsNaN(WelchComparison.MinimumDetectableDifference(1, 1, 1, 5)));
        Assert.AreEqual("power", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => WelchComparison.MinimumDetectableDifference(1, 5, 1, 5, power: 1)).ParamName);
    }

    [TestMethod]
    public void Minimum_detectable_difference_shrinks_with_more_seeds()
    {
        double previous = double.PositiveInfinity;
        for (int n = 2; n <= 60; n++)
        {
            double mdd = WelchComparison.MinimumDetectableDifference(0.3, n, 0.2, n);
            Assert.IsTrue(mdd < previous, $"n = {n}: {mdd} is not below {previous}");
            previous = mdd;
        }
        // Large n: about (1.96 + 0.8416) sqrt(0.13 / n).
        Assert.AreEqual((1.959963984540054 + 0.8416212335729143) * Math.Sqrt(0.13 / 100000), WelchComparison.MinimumDetectableDifference(0.3, 100000, 0.2, 100000), 1e-7);
    }
}
