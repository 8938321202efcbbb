using WideMinima.Reports;

namespace WideMinima.Tests.Reports;

[TestClass]
public sealed class StudentTTests
{
    // Reference values: mpmath 1.2.1 at 50 digits (CDF = 1 - I_x(df/2, 1/2)/2 via mpmath.betainc; quantiles by
    // mpmath.findroot on that CDF), printed to 17 significant digits. The first four quantiles are also the published
    // table values t(0.95,10) = 1.812461, t(0.975,5) = 2.570582, t(0.8,20) = 0.859964, t(0.975,1) = 12.7062.
    [TestMethod]
    [DataRow(-40.0, 1.0, 0.0079560899120258133)]
    [DataRow(-3.5, 2.5, 0.026172773480160169)]
    [DataRow(-1.0, 10.0, 0.17044656615102994)]
    [DataRow(-0.1, 3.0, 0.46332617440040291)]
    [DataRow(0.3, 1.5, 0.59976390159820757)]
    [DataRow(1.0, 1.0, 0.75)]
    [DataRow(2.5, 7.3, 0.98017488266719976)]
    [DataRow(10.0, 4.0, 0.999718998188642)]
    [DataRow(1000.0, 1.0, 0.99968169021991944)]
    [DataRow(-6.0, 30.0, 6.9713843836023714e-7)]
    [DataRow(2.0, 100.0, 0.97589391063443316)]
    [DataRow(0.5, 1e4, 0.69145696033838329)]
    [DataRow(-4.0, 1e6, 3.1673517005024052e-5)]
    [DataRow(1.5, 1e8, 0.93319279715264624)]
    [DataRow(-25.0, 15.0, 6.088424198473946e-14)]
    public void Cdf_matches_high_precision_references(double t, double df, double expected)
    {
        // Relative accuracy, so that the small tails (down to 6e-14) are checked digit for digit too. Up to 1e4
        // degrees of freedom the error stays below 1e-12; with millions the continued fraction loses about
        // 1e-16 df / t² (measured: 2e-11 at df = 1e6, 4e-10 at 1e7).
        Assert.AreEqual(expected, Statistics.TCdf(t, df), (df <= 1e4 ? 1e-13 : 1e-10) * expected, $"t = {t}, df = {df}");
    }

    [TestMethod]
    [DataRow(0.95, 10.0, 1.8124611228116759)]
    [DataRow(0.975, 5.0, 2.5705818356363148)]
    [DataRow(0.8, 20.0, 0.85996443973238624)]
    [DataRow(0.975, 1.0, 12.706204736174693)]
    [DataRow(1e-12, 3.0, -10331.108244292486)]
    [DataRow(1e-6, 1.5, -5219.469324706946)]
    [DataRow(0.001, 2.0, -22.327124770119875)]
    [DataRow(0.025, 9.7, -2.2375151237001057)]
    [DataRow(0.05, 1.0, -6.3137515146750427)]
    [DataRow(0.2, 4.0, -0.94096457723518112)]
    [DataRow(0.5001, 12.0, 0.00025593362884942321)]
    [DataRow(0.9, 1e4, 1.2816362297304777)]
    [DataRow(0.999, 50.0, 3.2614090557983179)]
    [DataRow(1 - 1e-9, 6.0, 56.801430908541172)]
    [DataRow(0.975, 1e6, 1.9599663568141067)]
    [DataRow(0.3, 1e8, -0.52440051437956208)]
    [DataRow(1e-300, 1.0, -3.1830988618379066e+299)] // also the Cauchy closed form -1 / tan(π 1e-300)
    [DataRow(0.99, 1.05, 27.253261230412268)]
    public void Quantile_matches_high_precision_references(double p, double df, double expected)
    {
        Assert.AreEqual(expected, Statistics.TQuantile(p, df), (df <= 1e4 ? 1e-12 : 1e-10) * Math.Abs(expected), $"p = {p}, df = {df}");
    }

    [TestMethod]
    public void Quantile_matches_the_closed_forms_for_one_and_two_degrees_of_freedom()
    {
        // df = 1 is the Cauchy distribution, t = tan(π (p - 1/2)); df = 2 has t = (2p - 1) / sqrt(2 p (1 - p)).
        foreach (double p in new[] { 0.01, 0.1, 0.3, 0.55, 0.8, 0.975, 0.999 })
        {
            double cauchy = Math.Tan(Math.PI * (p - 0.5));
            Assert.AreEqual(cauchy, Statistics.TQuantile(p, 1), 1e-12 * Math.Abs(cauchy), $"df = 1, p = {p}");
            double two = (2 * p - 1) / Math.Sqrt(2 * p * (1 - p));
            Assert.AreEqual(two, Statistics.TQuantile(p, 2), 1e-12 * Math.Abs(two), $"df = 2, p = {p}");
        }
    }

    [TestMethod]
    public void Cdf_is_symmetric_and_the_quantile_inverts_it()
    {
        foreach (double df in new[] { 1, 1.3, 2, 4.5, 9, 30, 250, 1e5 })
        {
            Assert.AreEqual(0.5, Statistics.TCdf(0, df), 1e-15);
            foreach (double x in new[] { 0.01, 0.4, 1, 2.2, 7, 60 })
            {
                Assert.AreEqual(1, Statistics.TCdf(x, df) + Statistics.TCdf(-x, df), 1e-14, $"symmetry at x = {x}, df = {df}");
                // The lower tail keeps full relative precision, so the round trip is exact to 1e-10 at every x...
                double lower = Statistics.TCdf(-x, df);
                if (lower > 0) Assert.AreEqual(-x, Statistics.TQuantile(lower, df), 1e-10 * x, $"quantile(cdf(-x)) at x = {x}, df = {df}");
                else Assert.IsTrue(x > 30 && df > 1000, $"only a tail beyond double range underflows (x = {x}, df = {df})");
                // ...while a CDF near 1 keeps only the digits of 1 - p that a double holds: round trip where it is well conditioned.
                if (x <= 2.2) Assert.AreEqual(x, Statistics.TQuantile(Statistics.TCdf(x, df), df), 1e-10 * x, $"quantile(cdf(x)) at x = {x}, df = {df}");
            }
            double previous = double.NegativeInfinity;
            foreach (double p in new[] { 1e-9, 0.01, 0.2, 0.5, 0.7, 0.99, 1 - 1e-9 })
            {
                double q = Statistics.TQuantile(p, df);
                Assert.AreEqual(p, Statistics.TCdf(q, df), 1e-12 * Math.Min(p, 1 - p), $"cdf(quantile(p)) at p = {p}, df = {df}");
                Assert.IsGreaterThan(previous, q, "the quantile increases with p");
                previous = q;
            }
        }
    }

    [TestMethod]
    public void Quantile_approaches_the_normal_and_agrees_with_the_summary_table_to_its_digits()
    {
        Assert.AreEqual(1.959963984540054, Statistics.TQuantile(0.975, 1e9), 1e-8, "z(0.975)");
        // TQuantile975 is a three-decimal table; at whole df up to 30 it is the exact quantile rounded.
        for (int df = 1; df <= 30; df++)
            Assert.AreEqual(Statistics.TQuantile975(df), Statistics.TQuantile(0.975, df), 0.0005 + 1e-12, $"df = {df}");
    }

    [TestMethod]
    public void Edges_and_bad_input()
    {
        Assert.AreEqual(double.NegativeInfinity, Statistics.TQuantile(0, 3));
        Assert.AreEqual(double.PositiveInfinity, Statistics.TQuantile(1, 3));
        Assert.AreEqual(0, Statistics.TQuantile(0.5, 3));
        Assert.AreEqual(0, Statistics.TCdf(double.NegativeInfinity, 3));
        Assert.AreEqual(1, Statistics.TCdf(double.PositiveInfinity, 3));
        Assert.IsTrue(double.IsNaN(Statistics.TCdf(double.NaN, 3)));
        Assert.IsTrue(double.IsNaN(Statistics.TCdf(1, double.NaN)));
        Assert.IsTrue(double.IsNaN(Statistics.TQuantile(0.9, double.NaN)));
        Assert.IsTrue(double.IsNaN(Statistics.TQuantile(double.NaN, 3)));
        Assert.AreEqual("df", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Statistics.TCdf(1, 0)).ParamName);
        Assert.AreEqual("df", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Statistics.TQuantile(0.9, -2)).ParamName);
        Assert.AreEqual("df", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Statistics.TQuantile(0.9, double.PositiveInfinity)).ParamName);
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Statistics.TQuantile(1.5, 3));
        Assert.AreEqual("p", e.ParamName);
        Assert.Contains("1.5", e.Message);
    }
}
