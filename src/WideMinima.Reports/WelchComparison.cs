namespace WideMinima.Reports;

/// <summary>
/// Welch's comparison of two independent samples <c>a</c> and <c>b</c> (in the reports: per-seed accuracies of two
/// settings, in percentage points): the difference of means <c>mean(a) - mean(b)</c>, its standard error
/// <c>sqrt(s_a²/n_a + s_b²/n_b)</c> and the Welch–Satterthwaite degrees of freedom
/// <c>(v_a + v_b)² / (v_a²/(n_a - 1) + v_b²/(n_b - 1))</c> with <c>v = s²/n</c>; intervals use the exact Student-t
/// quantile (<see cref="Statistics.TQuantile"/>). Unequal variances are allowed; the samples are assumed independent
/// and roughly normal. Fewer than two values on a side: the standard error, the degrees of freedom and every interval
/// are NaN. Both sides constant: the difference is exact, the standard error is 0, the intervals collapse onto it and
/// the degrees of freedom are NaN (0/0). Pure.
/// </summary>
public sealed record WelchComparison
{
    /// <summary>A comparison from each side's summary (mean, sample standard deviation with n - 1, count).</summary>
    /// <param name="meanA">Mean of a.</param>
    /// <param name="standardDeviationA">Sample standard deviation of a: zero or more, NaN when <paramref name="countA"/> &lt; 2.</param>
    /// <param name="countA">Number of values in a, zero or more.</param>
    /// <param name="meanB">Mean of b.</param>
    /// <param name="standardDeviationB">Sample standard deviation of b: zero or more, NaN when <paramref name="countB"/> &lt; 2.</param>
    /// <param name="countB">Number of values in b, zero or more.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count or a standard deviation is negative.</exception>
    public WelchComparison(double meanA, double standardDeviationA, int countA, double meanB, double standardDeviationB, int countB)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(countA);
        ArgumentOutOfRangeException.ThrowIfNegative(countB);
        if (standardDeviationA < 0) throw new ArgumentOutOfRangeException(nameof(standardDeviationA), standardDeviationA, "A standard deviation cannot be negative.");
        if (standardDeviationB < 0) throw new ArgumentOutOfRangeException(nameof(standardDeviationB), standardDeviationB, "A standard deviation cannot be negative.");
        MeanA = meanA;
        StandardDeviationA = standardDeviationA;
        CountA = countA;
        MeanB = meanB;
        StandardDeviationB = standardDeviationB;
        CountB = countB;
        (StandardError, DegreesOfFreedom) = ErrorAndDegrees(standardDeviationA, countA, standardDeviationB, countB);
    }

    /// <summary>The comparison of two samples: <see cref="Statistics.Mean"/> and <see cref="Statistics.StandardDeviation"/> of each.</summary>
    public static WelchComparison Of(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return new WelchComparison(Statistics.Mean(a), Statistics.StandardDeviation(a), a.Count, Statistics.Mean(b), Statistics.StandardDeviation(b), b.Count);
    }

    /// <summary>Mean of a.</summary>
    public double MeanA { get; }

    /// <summary>Sample standard deviation of a.</summary>
    public double StandardDeviationA { get; }

    /// <summary>Number of values in a.</summary>
    public int CountA { get; }

    /// <summary>Mean of b.</summary>
    public double MeanB { get; }

    /// <summary>Sample standard deviation of b.</summary>
    public double StandardDeviationB { get; }

    /// <summary>Number of values in b.</summary>
    public int CountB { get; }

    /// <summary>The difference of means, <c>mean(a) - mean(b)</c>.</summary>
    public double Difference => MeanA - MeanB;

    /// <summary>The standard error of the difference, <c>sqrt(s_a²/n_a + s_b²/n_b)</c>; NaN when a side has fewer than two values.</summary>
    public double StandardError { get; }

    /// <summary>The Welch–Satterthwaite degrees of freedom; NaN when a side has fewer than two values or both are constant.</summary>
    public double DegreesOfFreedom { get; }

    /// <summary>
    /// Half the width of the two-sided <c>1 - alpha</c> confidence interval of the difference,
    /// <c>t(1 - alpha/2, df) · SE</c>; 0 when the standard error is 0, NaN when it is NaN.
    /// </summary>
    /// <param name="alpha">The two-sided error rate, in (0, 1); 0.05 gives the 95% interval.</param>
    public double HalfWidth(double alpha = 0.05) => Margin(StandardError, DegreesOfFreedom, 1 - CheckAlpha(alpha) / 2);

    /// <summary>The two-sided <c>1 - alpha</c> confidence interval of the difference, <c>Difference ± HalfWidth(alpha)</c>.</summary>
    /// <param name="alpha">The two-sided error rate, in (0, 1).</param>
    public (double Lower, double Upper) ConfidenceInterval(double alpha = 0.05)
    {
        double half = HalfWidth(alpha);
        return (Difference - half, Difference + half);
    }

    /// <summary>
    /// The one-sided <c>1 - alpha</c> lower confidence bound of the difference, <c>Difference - t(1 - alpha, df) · SE</c>:
    /// the true difference is above it with confidence <c>1 - alpha</c>.
    /// </summary>
    /// <param name="alpha">The one-sided error rate, in (0, 1).</param>
    public double LowerBound(double alpha = 0.05) => Difference - Margin(StandardError, DegreesOfFreedom, 1 - CheckAlpha(alpha));

    /// <summary>
    /// The minimum detectable difference at these counts and standard deviations:
    /// <see cref="MinimumDetectableDifference(double, int, double, int, double, double)"/> of this comparison's sides.
    /// </summary>
    public double MinimumDetectableDifference(double alpha = 0.05, double power = 0.8) =>
        MinimumDetectableDifference(StandardDeviationA, CountA, StandardDeviationB, CountB, alpha, power);

    /// <summary>
    /// The minimum detectable difference (MDD) of a two-sample comparison: the smallest true difference of means that a
    /// two-sided Welch test at level <paramref name="alpha"/> detects with probability <paramref name="power"/>.
    /// Rule: <c>MDD = (t(1 - alpha/2, df) + t(power, df)) · SE</c>, with <c>SE = sqrt(s_a²/n_a + s_b²/n_b)</c> and
    /// the Welch–Satterthwaite <c>df</c> of these standard deviations and counts. Assumptions: independent, roughly
    /// normal values; the true standard deviations equal the given ones; the noncentral t of the test statistic under
    /// the alternative is approximated by a shifted central t, and the far rejection tail is ignored (the usual
    /// normal-approximation formula with t quantiles in place of z). With equal counts n and standard deviations the
    /// exact (noncentral t) power at the MDD is 0.77 at n = 2, 0.79 at n = 3 and 0.80 from n = 5 (scipy.stats.nct),
    /// so at two or three seeds the formula is slightly optimistic. NaN when a count is below 2; 0 when both
    /// standard deviations are 0.
    /// </summary>
    /// <param name="standardDeviationA">Standard deviation of a, zero or more.</param>
    /// <param name="countA">Number of values in a.</param>
    /// <param name="standardDeviationB">Standard deviation of b, zero or more.</param>
    /// <param name="countB">Number of values in b.</param>
    /// <param name="alpha">Two-sided significance level, in (0, 1); default 0.05.</param>
    /// <param name="power">Probability of detection, 1 - β, in (0, 1); default 0.8.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count or standard deviation is negative, or alpha or power is outside (0, 1).</exception>
    public static double MinimumDetectableDifference(double standardDeviationA, int countA, double standardDeviationB, int countB, double alpha = 0.05, double power = 0.8)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(countA);
        ArgumentOutOfRangeException.ThrowIfNegative(countB);
        if (standardDeviationA < 0) throw new ArgumentOutOfRangeException(nameof(standardDeviationA), standardDeviationA, "A standard deviation cannot be negative.");
        if (standardDeviationB < 0) throw new ArgumentOutOfRangeException(nameof(standardDeviationB), standardDeviationB, "A standard deviation cannot be negative.");
        CheckAlpha(alpha);
        if (!(power > 0 && power < 1)) throw new ArgumentOutOfRangeException(nameof(power), power, $"The power must be between 0 and 1 (exclusive); it is {power}.");
        var (se, df) = ErrorAndDegrees(standardDeviationA, countA, standardDeviationB, countB);
        if (se == 0) return 0;
        if (double.IsNaN(se)) return double.NaN;
        return (Statistics.TQuantile(1 - alpha / 2, df) + Statistics.TQuantile(power, df)) * se;
    }

    private static (double StandardError, double DegreesOfFreedom) ErrorAndDegrees(double sa, int na, double sb, int nb)
    {
        if (na < 2 || nb < 2) return (double.NaN, double.NaN);
        double va = sa * sa / na, vb = sb * sb / nb;
        double se = Math.Sqrt(va + vb);
        double df = se == 0 ? double.NaN : (va + vb) * (va + vb) / (va * va / (na - 1) + vb * vb / (nb - 1));
        return (se, df);
    }

    /// <summary><c>t(p, df) · se</c>, exactly 0 for a zero standard error (whatever df).</summary>
    private static double Margin(double se, double df, double p) => se == 0 ? 0 : double.IsNaN(se) ? double.NaN : Statistics.TQuantile(p, df) * se;

    internal static double CheckAlpha(double alpha) =>
        alpha > 0 && alpha < 1 ? alpha : throw new ArgumentOutOfRangeException(nameof(alpha), alpha, $"The error rate alpha must be between 0 and 1 (exclusive); it is {alpha}.");
}
