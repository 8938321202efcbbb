namespace WideMinima.Reports;

/// <summary>
/// The special functions behind Student's t distribution: log-gamma, log-beta and the regularized incomplete beta
/// function, each written to keep about 1e-15 relative accuracy where the t distribution needs it (small and very
/// large shape parameters alike). Pure.
/// </summary>
internal static class SpecialFunctions
{
    private const double HalfLogTwoPi = 0.91893853320467274178; // ln(2π) / 2

    /// <summary>
    /// <c>ln(1 + x)</c>, accurate for small <paramref name="x"/> (the rounding error of <c>1 + x</c> is corrected:
    /// <c>ln(u) x / (u - 1)</c> with <c>u = 1 + x</c>).
    /// </summary>
    public static double Log1P(double x)
    {
        double u = 1 + x;
        if (u == 1) return x;
        if (double.IsPositiveInfinity(u)) return Math.Log(x);
        return Math.Log(u) * x / (u - 1);
    }

    /// <summary>
    /// The remainder of Stirling's series, <c>ln Γ(x) - ((x - 1/2) ln x - x + ln(2π)/2)</c>, for <c>x &gt;= 10</c>:
    /// <c>1/(12x) - 1/(360x³) + 1/(1260x⁵) - 1/(1680x⁷) + 1/(1188x⁹) - 691/(360360x¹¹)</c>, whose first omitted term
    /// is below 7e-16 at <c>x = 10</c>.
    /// </summary>
    public static double StirlingCorrection(double x)
    {
        double r = 1 / x, r2 = r * r;
        return r * (1.0 / 12 - r2 * (1.0 / 360 - r2 * (1.0 / 1260 - r2 * (1.0 / 1680 - r2 * (1.0 / 1188 - r2 * (691.0 / 360360))))));
    }

    /// <summary>
    /// <c>ln Γ(x)</c> for <c>x &gt; 0</c>: Stirling's series with <see cref="StirlingCorrection"/> at <c>x &gt;= 10</c>;
    /// below, shifted up by the recurrence <c>Γ(x) = Γ(x + k) / (x (x + 1) ... (x + k - 1))</c>.
    /// </summary>
    public static double LogGamma(double x)
    {
        if (x >= 10) return (x - 0.5) * Math.Log(x) - x + HalfLogTwoPi + StirlingCorrection(x);
        double product = 1;
        while (x < 10) product *= x++;
        return LogGamma(x) - Math.Log(product);
    }

    /// <summary>
    /// <c>ln B(a, b) = ln Γ(a) + ln Γ(b) - ln Γ(a + b)</c> for <c>a, b &gt; 0</c>. When the larger argument is 10 or more,
    /// the leading Stirling terms are combined by hand (with <see cref="Log1P"/>) so that the large logarithms cancel
    /// exactly instead of in floating point; this keeps the result accurate for degrees of freedom in the millions.
    /// </summary>
    public static double LogBeta(double a, double b)
    {
        double p = Math.Min(a, b), q = Math.Max(a, b), ratio = p / (p + q);
        if (p >= 10)
        {
            double correction = StirlingCorrection(p) + StirlingCorrection(q) - StirlingCorrection(p + q);
            return -0.5 * Math.Log(q) + HalfLogTwoPi + correction + (p - 0.5) * Math.Log(ratio) + q * Log1P(-ratio);
        }
        if (q >= 10)
        {
            double correction = StirlingCorrection(q) - StirlingCorrection(p + q);
            return LogGamma(p) + correction + p - p * Math.Log(p + q) + (q - 0.5) * Log1P(-ratio);
        }
        return LogGamma(p) + LogGamma(q) - LogGamma(p + q);
    }

    /// <summary>
    /// The regularized incomplete beta function <c>I_x(a, b)</c>, given <paramref name="x"/>, <paramref name="y"/> = 1 - x
    /// and their logarithms, so that a caller who knows them more precisely than <c>1 - x</c> or <c>ln x</c> of a rounded
    /// <c>x</c> keeps that precision (and an <c>x</c> that underflows still has its logarithm). Evaluated by the
    /// continued fraction of <c>I_x(a, b)</c> (modified Lentz's method) when <c>x &lt; (a + 1) / (a + b + 2)</c>, where
    /// it converges fast, and as <c>1 - I_y(b, a)</c> otherwise; the prefactor <c>x^a y^b / B(a, b)</c> is formed in logs.
    /// </summary>
    public static double RegularizedBeta(double x, double y, double logX, double logY, double a, double b)
    {
        if (double.IsNegativeInfinity(logX)) return 0;
        if (double.IsNegativeInfinity(logY)) return 1;
        double logFront = a * logX + b * logY - LogBeta(a, b);
        if (x < (a + 1) / (a + b + 2)) return Math.Exp(logFront) * BetaContinuedFraction(x, a, b) / a;
        return 1 - Math.Exp(logFront) * BetaContinuedFraction(y, b, a) / b;
    }

    /// <summary>
    /// The continued fraction <c>1 / (1 + d₁ / (1 + d₂ / (1 + ...)))</c> of the incomplete beta function, with
    /// <c>d₂ₘ₊₁ = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1))</c> and <c>d₂ₘ = m (b - m) x / ((a + 2m - 1)(a + 2m))</c>,
    /// evaluated by the modified Lentz method until a step changes it by less than 4e-16 relative.
    /// </summary>
    private static double BetaContinuedFraction(double x, double a, double b)
    {
        const double Tiny = 1e-300, Epsilon = 4e-16; // two units in the last place
        // Convergence takes O(sqrt(max(a, b))) steps; the bound leaves a wide margin for every df up to 1e10.
        int maxSteps = 1000 + (int)Math.Min(1e7, 50 * Math.Sqrt(Math.Max(a, b)));
        double c = 1, d = 1 - (a + b) * x / (a + 1);
        if (Math.Abs(d) < Tiny) d = Tiny;
        d = 1 / d;
        double h = d;
        for (int m = 1; m <= maxSteps; m++)
        {
            int m2 = 2 * m;
            double numerator = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
            d = 1 + numerator * d;
            if (Math.Abs(d) < Tiny) d = Tiny;
            c = 1 + numerator / c;
            if (Math.Abs(c) < Tiny) c = Tiny;
            d = 1 / d;
            h *= d * c;
            numerator = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
            d = 1 + numerator * d;
            if (Math.Abs(d) < Tiny) d = Tiny;
            c = 1 + numerator / c;
            if (Math.Abs(c) < Tiny) c = Tiny;
            d = 1 / d;
            double delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < Epsilon) return h;
        }
        return h; // not reached for the shapes the t distribution uses (see maxSteps); the best estimate so far
    }
}
