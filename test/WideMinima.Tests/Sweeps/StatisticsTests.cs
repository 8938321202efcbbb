using WideMinima.Reports;

namespace WideMinima.Tests.Sweeps;

[TestClass]
public sealed class StatisticsTests
{
    [TestMethod]
    public void Mean_standard_deviation_and_confidence_interval()
    {
        double[] v = [1, 2, 3, 4, 5];
        Assert.AreEqual(3.0, Statistics.Mean(v));
        Assert.AreEqual(Math.Sqrt(2.5), Statistics.StandardDeviation(v), 1e-12);
        Assert.AreEqual(2.776 * Math.Sqrt(2.5) / Math.Sqrt(5), Statistics.ConfidenceHalfWidth(v), 1e-9);
        Assert.IsTrue(double.IsNaN(Statistics.StandardDeviation([1.0])));
        Assert.IsTrue(double.IsNaN(Statistics.ConfidenceHalfWidth([1.0])));
        Assert.IsTrue(double.IsNaN(Statistics.Mean([])));
    }

    [TestMethod]
    public void T_quantiles_follow_the_table_and_approach_the_normal()
    {
        Assert.AreEqual(12.706, Statistics.TQuantile975(1), 1e-9);
        Assert.AreEqual(2.228, Statistics.TQuantile975(10), 1e-9);
        Assert.AreEqual((2.228 + 2.201) / 2, Statistics.TQuantile975(10.5), 1e-9);
        Assert.AreEqual(2.042, Statistics.TQuantile975(30), 1e-9);
        Assert.AreEqual(1.98, Statistics.TQuantile975(120), 1e-9);
        Assert.AreEqual(1.96, Statistics.TQuantile975(1e6), 1e-9);
    }

    [TestMethod]
    public void Welch_difference_of_means()
    {
        double[] a = [10, 12, 14], b = [1, 2, 3, 4];
        var (d, h) = Statistics.Difference(a, b);
        Assert.AreEqual(12 - 2.5, d, 1e-12);
        double va = 4.0 / 3, vb = (5.0 / 3) / 4;
        double df = Math.Pow(va + vb, 2) / (va * va / 2 + vb * vb / 3);
        Assert.AreEqual(Statistics.TQuantile975(df) * Math.Sqrt(va + vb), h, 1e-12);
        Assert.IsTrue(double.IsNaN(Statistics.Difference([1.0], b).HalfWidth));
    }

    [TestMethod]
    public void Spearman_ranks_with_ties_and_matches_the_textbook_formula()
    {
        CollectionAssert.AreEqual(new[] { 1.0, 2.5, 2.5, 4 }, Statistics.Ranks([1, 5, 5, 7]));
        Assert.AreEqual(1.0, Statistics.Spearman([1, 2, 3, 4], [10, 20, 400, 8000]), 1e-12, "monotone, not linear");
        Assert.AreEqual(-1.0, Statistics.Spearman([1, 2, 3, 4], [4, 3, 2, 1]), 1e-12);
        // Without ties: 1 - 6 Σd² / (n (n² - 1)); here d = (0, -2, 1, 1, 0), Σd² = 6, n = 5.
        Assert.AreEqual(1 - 6.0 * 6 / (5 * 24), Statistics.Spearman([1, 2, 3, 4, 5], [1, 4, 2, 3, 5]), 1e-12);
        // With ties: the Pearson correlation of the mean ranks (1, 2.5, 2.5, 4) and (1, 2, 3, 4).
        Assert.AreEqual(Statistics.Pearson([1, 2.5, 2.5, 4], [1, 2, 3, 4]), Statistics.Spearman([1, 5, 5, 7], [1, 2, 3, 4]), 1e-12);
        Assert.IsTrue(double.IsNaN(Statistics.Spearman([1], [2])));
        Assert.IsTrue(double.IsNaN(Statistics.Spearman([1, 1, 1], [1, 2, 3])), "a constant side has no rank correlation");
        Assert.ThrowsExactly<ArgumentException>(() => Statistics.Spearman([1, 2], [1]));
    }
}
