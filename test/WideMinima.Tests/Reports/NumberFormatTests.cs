using System.Globalization;
using WideMinima.Reports;

namespace WideMinima.Tests.Reports;

[TestClass]
public sealed class NumberFormatTests
{
    [TestMethod]
    [DataRow(0.0029512, "0.00295")]
    [DataRow(0.003305, "0.00331")] // half away from zero on the printed digits (binary value 0.0033050000000000002)
    [DataRow(0.003225, "0.00323")] // away from zero, not to even (banker's would give 0.00322)
    [DataRow(1.2969, "1.30")] // the trailing zero is significant and kept
    [DataRow(90.2412, "90.2")]
    [DataRow(1234.5, "1235")] // integer digits are never hidden
    [DataRow(123456.7, "123457")]
    [DataRow(100.0, "100")]
    [DataRow(1.0, "1.00")]
    [DataRow(0.5, "0.500")]
    [DataRow(-0.0029512, "-0.00295")]
    [DataRow(-2.5, "-2.50")]
    [DataRow(9.996, "10.0")] // carry into a new digit: still three significant
    [DataRow(0.0009996, "0.00100")]
    [DataRow(0.0001, "0.000100")]
    [DataRow(0.00009996, "0.000100")] // rounds up into the fixed range
    [DataRow(0.00001234, "1.23e-05")]
    [DataRow(999999.4, "1.00e+06")] // three significant digits decide the notation
    [DataRow(2.5e7, "2.50e+07")]
    [DataRow(-3.14159e-9, "-3.14e-09")]
    [DataRow(1e300, "1.00e+300")]
    [DataRow(0.0, "0")]
    [DataRow(double.NaN, "n/a")]
    [DataRow(double.PositiveInfinity, "inf")]
    [DataRow(double.NegativeInfinity, "-inf")]
    public void Three_significant_digits_for_the_scale(double value, string expected)
    {
        Assert.AreEqual(expected, NumberFormat.Significant(value));
    }

    [TestMethod]
    public void Other_digit_counts()
    {
        Assert.AreEqual("0.0030", NumberFormat.Significant(0.0029512, 2));
        Assert.AreEqual("0.003", NumberFormat.Significant(0.0029512, 1));
        Assert.AreEqual("3e-05", NumberFormat.Significant(0.0000295, 1));
        Assert.AreEqual("1.234568", NumberFormat.Significant(1.2345678, 7));
        Assert.AreEqual("digits", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => NumberFormat.Significant(1, 0)).ParamName);
    }

    [TestMethod]
    public void The_sharpness_spread_reads_distinct()
    {
        // The spread of sharpness values, all of which an F3 or G1 format prints as 0.003.
        double[] values = [0.00295, 0.002981, 0.003012, 0.00305, 0.003087, 0.003123, 0.00318, 0.003241, 0.0033];
        string[] texts = [.. values.Select(v => NumberFormat.Significant(v))];
        CollectionAssert.AllItemsAreUnique(texts, string.Join(", ", texts));
        CollectionAssert.AreEqual(new[] { "0.00295", "0.00298", "0.00301", "0.00305", "0.00309", "0.00312", "0.00318", "0.00324", "0.00330" }, texts);
        // Their order survives as text.
        CollectionAssert.AreEqual(texts.OrderBy(t => t, StringComparer.Ordinal).ToArray(), texts);
    }

    [TestMethod]
    public void Fixed_decimals_round_the_printed_digits_half_away_from_zero()
    {
        Assert.AreEqual("2.68", NumberFormat.Fixed(2.675, 2), "2.675 is 2.67499999... in binary; the printed digits decide");
        Assert.AreEqual("-3", NumberFormat.Fixed(-2.5, 0));
        Assert.AreEqual("0.01", NumberFormat.Fixed(0.006, 2));
        Assert.AreEqual("0.00", NumberFormat.Fixed(-0.004, 2), "no minus sign on a zero");
        Assert.AreEqual("0.00", NumberFormat.Fixed(0.0004, 2));
        Assert.AreEqual("1000.0", NumberFormat.Fixed(999.96, 1));
        Assert.AreEqual("100000000000000000000", NumberFormat.Fixed(1e20, 0));
        Assert.AreEqual("0.00014", NumberFormat.Fixed(0.000143, 5));
        Assert.AreEqual("n/a", NumberFormat.Fixed(double.NaN, 2));
        Assert.AreEqual("decimals", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => NumberFormat.Fixed(1, -1)).ParamName);
    }

    [TestMethod]
    public void Mean_and_std_share_the_mean_decimals()
    {
        Assert.AreEqual("0.00312 ± 0.00014", NumberFormat.MeanStd(0.003123, 0.000143));
        Assert.AreEqual("1.30 ± 0.05", NumberFormat.MeanStd(1.2969, 0.0512));
        Assert.AreEqual("90.2 ± 0.3", NumberFormat.MeanStd(90.2412, 0.2861));
        Assert.AreEqual("90.2 ± 0.0", NumberFormat.MeanStd(90.2412, 0.0412), "the std at the mean's precision");
        Assert.AreEqual("1235 ± 12", NumberFormat.MeanStd(1234.5, 12.3));
        Assert.AreEqual("0.000 ± 0.500", NumberFormat.MeanStd(0, 0.5), "a zero mean takes the std's decimals");
        Assert.AreEqual("0 ± 0", NumberFormat.MeanStd(0, 0));
        Assert.AreEqual("1.23e-05 ± 2.00e-06", NumberFormat.MeanStd(1.234e-5, 2e-6), "a scientific mean: the std in its own form");
        Assert.AreEqual("0.00312 ± n/a", NumberFormat.MeanStd(0.003123, double.NaN));
        Assert.AreEqual("n/a", NumberFormat.MeanStd(double.NaN, 0.1));
    }

    [TestMethod]
    public void Text_is_culture_invariant()
    {
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            Assert.AreEqual("1,5", 1.5.ToString(CultureInfo.CurrentCulture), "the culture really is switched");
            Assert.AreEqual("1.30", NumberFormat.Significant(1.2969));
            Assert.AreEqual("1235", NumberFormat.Significant(1234.5));
            Assert.AreEqual("0.00312 ± 0.00014", NumberFormat.MeanStd(0.003123, 0.000143));
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }
}
