using System.Globalization;
using System.Text;

namespace WideMinima.Reports;

/// <summary>
/// Number text for reports and the console, in the invariant culture. Rules:
/// <list type="bullet">
/// <item>Rounding: the value's shortest round-trip decimal form (what <c>double.ToString("R")</c> prints, the number a
/// reader sees) is rounded half away from zero, so <c>0.003305</c> reads <c>0.00331</c> and <c>-2.5</c> to no decimals
/// reads <c>-3</c>, whatever the binary value just below or above.</item>
/// <item>Significant digits (<see cref="Significant"/>): the value rounded to <c>digits</c> significant digits decides
/// the notation. In <c>[1e-4, 1e6)</c> it is fixed-point with <c>max(0, digits - 1 - exponent)</c> decimals, trailing
/// zeros kept because they are significant (<c>1.30</c>, <c>0.00100</c>); integer digits are never hidden, so a value
/// of 1000 or more shows more than <c>digits</c> digits and no decimals (<c>1234.5</c> reads <c>1235</c>). Outside, it
/// is scientific, <c>1.23e-05</c> or <c>1.00e+06</c>.</item>
/// <item>Special values: NaN reads <c>n/a</c>, infinities <c>inf</c> and <c>-inf</c>, zero <c>0</c>; a value that
/// rounds to zero is printed without a minus sign.</item>
/// </list>
/// Pure.
/// </summary>
public static class NumberFormat
{
    /// <summary>The text of a missing value (NaN).</summary>
    public const string Missing = "n/a";

    /// <summary>The default number of significant digits.</summary>
    public const int DefaultDigits = 3;

    /// <summary>The value with <paramref name="digits"/> significant digits for its scale (see the class rules).</summary>
    /// <param name="value">The value.</param>
    /// <param name="digits">Significant digits, 1 to 15; default <see cref="DefaultDigits"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="digits"/> is outside 1 to 15.</exception>
    public static string Significant(double value, int digits = DefaultDigits) => SignificantWithDecimals(value, digits).Text;

    /// <summary>The value with exactly <paramref name="decimals"/> decimals, fixed-point, rounded as the class rules say.</summary>
    /// <param name="value">The value.</param>
    /// <param name="decimals">Decimals, 0 to 30.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="decimals"/> is outside 0 to 30.</exception>
    public static string Fixed(double value, int decimals)
    {
        if (decimals < 0 || decimals > 30) throw new ArgumentOutOfRangeException(nameof(decimals), decimals, $"The decimals must be between 0 and 30; it is {decimals}.");
        if (value == 0) return FixedText(false, "", 0, decimals);
        if (Special(value) is { } text) return text;
        var (d, e) = ShortestDigits(Math.Abs(value));
        var (rd, re) = Round(d, e, e + 1 + decimals);
        return FixedText(value < 0, rd, re, decimals);
    }

    /// <summary>
    /// A mean and its standard deviation, <c>"0.00312 ± 0.00014"</c>: the mean with <paramref name="digits"/>
    /// significant digits (<see cref="Significant"/>) and the standard deviation with the same number of decimals as
    /// the mean, so both read at the same precision. A mean of exactly 0 takes the decimals of the standard deviation's
    /// significant form; a mean in scientific notation gives a standard deviation in its own significant form. NaN mean:
    /// <c>n/a</c>; NaN standard deviation (one seed): <c>"0.00312 ± n/a"</c>.
    /// </summary>
    /// <param name="mean">The mean.</param>
    /// <param name="standardDeviation">The standard deviation.</param>
    /// <param name="digits">Significant digits of the mean, 1 to 15; default <see cref="DefaultDigits"/>.</param>
    public static string MeanStd(double mean, double standardDeviation, int digits = DefaultDigits)
    {
        var (meanText, decimals) = SignificantWithDecimals(mean, digits);
        if (double.IsNaN(mean)) return Missing;
        if (mean == 0 && SignificantWithDecimals(standardDeviation, digits).Decimals is { } stdDecimals)
        {
            decimals = stdDecimals;
            meanText = Fixed(0, stdDecimals);
        }
        string stdText = decimals is { } d && double.IsFinite(standardDeviation)
            ? Fixed(standardDeviation, d)
            : Significant(standardDeviation, digits);
        return $"{meanText} ± {stdText}";
    }

    /// <summary>The significant form and, when it is fixed-point, its number of decimals (null for scientific or special values).</summary>
    private static (string Text, int? Decimals) SignificantWithDecimals(double value, int digits)
    {
        if (digits < 1 || digits > 15) throw new ArgumentOutOfRangeException(nameof(digits), digits, $"The significant digits must be between 1 and 15; it is {digits}.");
        if (Special(value) is { } text) return (text, value == 0 ? 0 : null);
        var (d, e) = ShortestDigits(Math.Abs(value));
        var (sd, se) = Round(d, e, digits);
        if (se < -4 || se >= 6) return (ScientificText(value < 0, sd, se, digits), null);
        int decimals = Math.Max(0, digits - 1 - se);
        var (fd, fe) = Round(d, e, e + 1 + decimals);
        return (FixedText(value < 0, fd, fe, decimals), decimals);
    }

    private static string? Special(double value) =>
        double.IsNaN(value) ? Missing
        : double.IsPositiveInfinity(value) ? "inf"
        : double.IsNegativeInfinity(value) ? "-inf"
        : value == 0 ? "0"
        : null;

    /// <summary>
    /// The significant digits of a positive finite value's shortest round-trip form, without leading or trailing zeros,
    /// and the decimal exponent of the first: value = d₀.d₁d₂… × 10^exponent.
    /// </summary>
    private static (string Digits, int Exponent) ShortestDigits(double positive)
    {
        string s = positive.ToString("R", CultureInfo.InvariantCulture);
        int ePos = s.IndexOfAny(['E', 'e']);
        int exponent = ePos < 0 ? 0 : int.Parse(s.AsSpan(ePos + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        string mantissa = ePos < 0 ? s : s[..ePos];
        int point = mantissa.IndexOf('.', StringComparison.Ordinal);
        if (point < 0) point = mantissa.Length;
        string all = mantissa.Replace(".", "", StringComparison.Ordinal);
        int leading = all.Length - all.TrimStart('0').Length;
        return (all.Trim('0'), point - 1 - leading + exponent);
    }

    /// <summary>
    /// Rounds digits d₀d₁… (exponent e) half away from zero to <paramref name="keep"/> significant digits; a carry
    /// out of the first digit raises the exponent. <c>keep &lt;= 0</c> rounds at or above the first digit's place: to
    /// one unit of the place <c>10^(e + 1 - keep)</c> or to zero (empty digits).
    /// </summary>
    private static (string Digits, int Exponent) Round(string digits, int exponent, int keep)
    {
        if (digits.Length <= keep) return (digits, exponent);
        if (keep < 0) return ("", exponent);
        if (keep == 0) return digits[0] >= '5' ? ("1", exponent + 1) : ("", exponent);
        char[] kept = digits[..keep].ToCharArray();
        if (digits[keep] >= '5')
        {
            int i = keep - 1;
            while (i >= 0 && kept[i] == '9') kept[i--] = '0';
            if (i < 0) return ("1", exponent + 1);
            kept[i]++;
        }
        return (new string(kept).TrimEnd('0'), exponent);
    }

    private static string FixedText(bool negative, string digits, int exponent, int decimals)
    {
        var sb = new StringBuilder();
        if (negative && digits.Length > 0) sb.Append('-');
        if (digits.Length == 0)
        {
            sb.Append('0');
        }
        else if (exponent >= 0)
        {
            for (int i = 0; i <= exponent; i++) sb.Append(i < digits.Length ? digits[i] : '0');
        }
        else
        {
            sb.Append('0');
        }
        if (decimals == 0) return sb.ToString();
        sb.Append('.');
        // Decimal place k (1-based) holds the digit with index exponent + k, or a zero outside the digits.
        for (int k = 1; k <= decimals; k++)
        {
            int index = exponent + k;
            sb.Append(digits.Length > 0 && index >= 0 && index < digits.Length ? digits[index] : '0');
        }
        return sb.ToString();
    }

    private static string ScientificText(bool negative, string digits, int exponent, int count)
    {
        var sb = new StringBuilder();
        if (negative) sb.Append('-');
        sb.Append(digits[0]);
        if (count > 1)
        {
            sb.Append('.');
            for (int i = 1; i < count; i++) sb.Append(i < digits.Length ? digits[i] : '0');
        }
        sb.Append(exponent < 0 ? "e-" : "e+").Append(Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture));
        return sb.ToString();
    }
}
