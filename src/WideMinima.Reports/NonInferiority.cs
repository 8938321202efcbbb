namespace WideMinima.Reports;

/// <summary>What a non-inferiority test concluded.</summary>
public enum NonInferiorityDecision
{
    /// <summary>a is shown to be no more than the margin below b: the one-sided lower bound of <c>mean(a) - mean(b)</c> is above <c>-margin</c>.</summary>
    NonInferior,

    /// <summary>The data do not show it: the lower bound is at or below <c>-margin</c> (a may or may not be worse; more seeds may tell).</summary>
    NotShown,

    /// <summary>No test is possible: a side has fewer than two values, or a value is NaN.</summary>
    Undecidable,
}

/// <summary>The outcome of <see cref="NonInferiority.Test(IReadOnlyList{double}, IReadOnlyList{double}, double, double)"/>.</summary>
/// <param name="Difference">The observed difference of means, <c>mean(a) - mean(b)</c> (NaN when a side is empty).</param>
/// <param name="LowerBound">The one-sided <c>1 - Alpha</c> lower confidence bound of the difference (Welch); NaN when undecidable.</param>
/// <param name="DegreesOfFreedom">The Welch–Satterthwaite degrees of freedom; NaN when undecidable or when both sides are constant (exact).</param>
/// <param name="PValue">The one-sided p-value of H0: <c>difference &lt;= -Margin</c>; NaN when undecidable.</param>
/// <param name="Margin">The non-inferiority margin, in the values' unit (points).</param>
/// <param name="Alpha">The one-sided error rate.</param>
/// <param name="CountA">Number of values of a.</param>
/// <param name="CountB">Number of values of b.</param>
/// <param name="Decision">The conclusion.</param>
public sealed record NonInferiorityResult(
    double Difference,
    double LowerBound,
    double DegreesOfFreedom,
    double PValue,
    double Margin,
    double Alpha,
    int CountA,
    int CountB,
    NonInferiorityDecision Decision);

/// <summary>
/// Welch's one-sided non-inferiority test: is <c>mean(a)</c> no more than <c>margin</c> below <c>mean(b)</c>, at
/// one-sided confidence <c>1 - alpha</c>? Rule: a is non-inferior when the one-sided lower bound
/// <c>mean(a) - mean(b) - t(1 - alpha, df) · SE</c> is above <c>-margin</c> (<see cref="WelchComparison.LowerBound"/>),
/// which is the same as the p-value of H0: <c>difference &lt;= -margin</c>, <c>P(T_df &gt;= (difference + margin) / SE)</c>,
/// being below alpha. Both sides constant (SE = 0): the difference is exact; non-inferior when it is above
/// <c>-margin</c>, with p-value 0, else p-value 1. A side with fewer than two values, or NaN among the values:
/// <see cref="NonInferiorityDecision.Undecidable"/>, with NaN bound and p-value (no exception). Pure.
/// </summary>
public static class NonInferiority
{
    /// <summary>The default one-sided error rate: 0.05, a one-sided 95% bound.</summary>
    public const double DefaultAlpha = 0.05;

    /// <summary>Tests whether sample a is non-inferior to sample b within <paramref name="margin"/> (see the class rule).</summary>
    /// <param name="a">The candidate's values, e.g. the per-seed accuracies of the best Knee setting (points).</param>
    /// <param name="b">The reference's values, e.g. those of the best baseline (points).</param>
    /// <param name="margin">How far below b a may be and still count as non-inferior, zero or more, in the values' unit.</param>
    /// <param name="alpha">The one-sided error rate, in (0, 1); default <see cref="DefaultAlpha"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="margin"/> is negative, NaN or infinite, or <paramref name="alpha"/> is outside (0, 1).</exception>
    public static NonInferiorityResult Test(IReadOnlyList<double> a, IReadOnlyList<double> b, double margin, double alpha = DefaultAlpha) =>
        Test(WelchComparison.Of(a, b), margin, alpha);

    /// <summary>Tests a comparison already summarised (see the class rule).</summary>
    /// <param name="comparison">The comparison of a (candidate) with b (reference).</param>
    /// <param name="margin">How far below b a may be and still count as non-inferior, zero or more, in the values' unit.</param>
    /// <param name="alpha">The one-sided error rate, in (0, 1); default <see cref="DefaultAlpha"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="margin"/> is negative, NaN or infinite, or <paramref name="alpha"/> is outside (0, 1).</exception>
    public static NonInferiorityResult Test(WelchComparison comparison, double margin, double alpha = DefaultAlpha)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        if (!(margin >= 0 && double.IsFinite(margin)))
            throw new ArgumentOutOfRangeException(nameof(margin), margin, $"The non-inferiority margin must be zero or more and finite; it is {margin}.");
        WelchComparison.CheckAlpha(alpha);
        double d = comparison.Difference, se = comparison.StandardError, df = comparison.DegreesOfFreedom;
        NonInferiorityResult Result(double bound, double p, NonInferiorityDecision decision) =>
            new(d, bound, df, p, margin, alpha, comparison.CountA, comparison.CountB, decision);

        if (double.IsNaN(d) || double.IsNaN(se)) return Result(double.NaN, double.NaN, NonInferiorityDecision.Undecidable);
        if (se == 0) return d > -margin ? Result(d, 0, NonInferiorityDecision.NonInferior) : Result(d, 1, NonInferiorityDecision.NotShown);
        double bound = comparison.LowerBound(alpha);
        double p = Statistics.TCdf(-(d + margin) / se, df);
        return Result(bound, p, bound > -margin ? NonInferiorityDecision.NonInferior : NonInferiorityDecision.NotShown);
    }
}
