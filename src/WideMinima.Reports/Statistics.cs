using WideMinima.Ledger;

namespace WideMinima.Reports;

/// <summary>Summary statistics for sweep reports: mean, sample standard deviation, Student-t 95% intervals, Student's t distribution.</summary>
public static class Statistics
{
    /// <summary>The mean, or NaN for no values.</summary>
    public static double Mean(IReadOnlyList<double> values) => values.Count == 0 ? double.NaN : values.Average();

    /// <summary>The sample standard deviation (n - 1), or NaN for fewer than two values.</summary>
    public static double StandardDeviation(IReadOnlyList<double> values)
    {
        if (values.Count < 2) return double.NaN;
        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }

    /// <summary>Half-width of the 95% confidence interval of the mean, <c>t(0.975, n-1) s / sqrt(n)</c>; NaN for n &lt; 2.</summary>
    public static double ConfidenceHalfWidth(IReadOnlyList<double> values) =>
        values.Count < 2 ? double.NaN : TQuantile975(values.Count - 1) * StandardDeviation(values) / Math.Sqrt(values.Count);

    /// <summary>
    /// The difference of means <c>a - b</c> and the half-width of its 95% confidence interval (Welch's t, unequal
    /// variances, Welch-Satterthwaite degrees of freedom); NaN half-width when either side has fewer than two values.
    /// </summary>
    public static (double Difference, double HalfWidth) Difference(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        double difference = Mean(a) - Mean(b);
        if (a.Count < 2 || b.Count < 2) return (difference, double.NaN);
        double va = Math.Pow(StandardDeviation(a), 2) / a.Count;
        double vb = Math.Pow(StandardDeviation(b), 2) / b.Count;
        double se = Math.Sqrt(va + vb);
        if (se == 0) return (difference, 0);
        double df = (va + vb) * (va + vb) / (va * va / (a.Count - 1) + vb * vb / (b.Count - 1));
        return (difference, TQuantile975(df) * se);
    }

    /// <summary>
    /// Spearman's rank correlation of paired values: the Pearson correlation of their ranks, ties sharing the mean
    /// rank. NaN for fewer than two pairs or when either side is constant.
    /// </summary>
    public static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count) throw new ArgumentException($"x has {x.Count} values but y has {y.Count}.", nameof(y));
        if (x.Count < 2) return double.NaN;
        return Pearson(Ranks(x), Ranks(y));
    }

    /// <summary>Ranks from 1, ties sharing the mean of the ranks they span.</summary>
    public static double[] Ranks(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Count];
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && values[order[end + 1]] == values[order[start]]) end++;
            double rank = (start + end) / 2.0 + 1;
            for (int k = start; k <= end; k++) ranks[order[k]] = rank;
            start = end + 1;
        }
        return ranks;
    }

    /// <summary>Pearson's correlation; NaN when either side is constant.</summary>
    public static double Pearson(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Count; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxx == 0 || syy == 0 ? double.NaN : sxy / Math.Sqrt(sxx * syy);
    }

    /// <summary>
    /// The cumulative distribution function of Student's t with <paramref name="df"/> degrees of freedom,
    /// <c>P(T &lt;= t)</c>, for any real <c>df &gt; 0</c> (the reports use <c>df &gt;= 1</c>). Rule: the tail beyond
    /// <c>|t|</c> is <c>I_x(df/2, 1/2) / 2</c> with <c>x = df / (df + t²)</c>, the regularized incomplete beta function
    /// by its continued fraction (Lentz's method); <c>x</c>, <c>1 - x</c> and their logs are formed without
    /// cancellation or underflow, so small tails keep their relative accuracy (down to 1e-300). Accuracy, measured
    /// against mpmath at 40 digits over t in [-1e6, 30]: relative error below 1e-12 for <c>df &lt;= 1e4</c> (1e-14 for
    /// <c>df &lt;= 1000</c>), below 3e-11 up to <c>df = 1e6</c>; with more degrees of freedom the fraction loses about
    /// <c>1e-16 df / t²</c> (4e-10 at 1e7, 1e-9 at 1e8). A tail below the smallest double reads 0. NaN in, NaN out.
    /// </summary>
    /// <param name="t">The point; ±∞ give 0 and 1.</param>
    /// <param name="df">Degrees of freedom: positive and finite, or NaN.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="df"/> is zero, negative or infinite.</exception>
    public static double TCdf(double t, double df)
    {
        CheckDegreesOfFreedom(df);
        if (double.IsNaN(t) || double.IsNaN(df)) return double.NaN;
        double tail = TTail(Math.Abs(t), df);
        return t < 0 ? tail : 1 - tail;
    }

    /// <summary>
    /// The quantile (inverse CDF) of Student's t with <paramref name="df"/> degrees of freedom: the <c>t</c> with
    /// <c>P(T &lt;= t) = p</c>, for any real <c>df &gt; 0</c> and any <c>p</c> in (0, 1). Rule: the tail
    /// <c>min(p, 1 - p)</c> is bracketed by doubling <c>t</c> from 1, then solved by Newton's method on the log of the
    /// tail (<see cref="TCdf"/>), falling back to bisection whenever a step would leave the bracket; the sign follows
    /// <c>p - 1/2</c>. Accuracy (relative, in t, measured against mpmath for p from 1e-300 to 1 - 1e-10): below 1e-13
    /// for <c>df &lt;= 1e4</c>, below 6e-11 up to <c>df = 1e7</c>. NaN in, NaN out. This is the exact quantile;
    /// <see cref="TQuantile975"/> stays the summary's table so that its printed intervals do not move.
    /// </summary>
    /// <param name="p">The probability, in [0, 1]; 0 and 1 give -∞ and +∞.</param>
    /// <param name="df">Degrees of freedom: positive and finite, or NaN.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> is outside [0, 1], or <paramref name="df"/> is zero, negative or infinite.</exception>
    public static double TQuantile(double p, double df)
    {
        CheckDegreesOfFreedom(df);
        if (p < 0 || p > 1) throw new ArgumentOutOfRangeException(nameof(p), p, $"The probability p must be between 0 and 1; it is {p}.");
        if (double.IsNaN(p) || double.IsNaN(df)) return double.NaN;
        if (p == 0) return double.NegativeInfinity;
        if (p == 1) return double.PositiveInfinity;
        if (p == 0.5) return 0;
        double q = p < 0.5 ? p : 1 - p; // exact for p >= 0.5
        double t = SolveTail(q, df);
        return p < 0.5 ? -t : t;
    }

    private static void CheckDegreesOfFreedom(double df)
    {
        if (df <= 0 || double.IsInfinity(df))
            throw new ArgumentOutOfRangeException(nameof(df), df, $"The degrees of freedom df must be positive and finite; it is {df}.");
    }

    /// <summary><c>P(T &gt;= t)</c> for <c>t &gt;= 0</c>: <c>I_x(df/2, 1/2) / 2</c> with <c>x = df / (df + t²)</c>.</summary>
    private static double TTail(double t, double df)
    {
        if (double.IsPositiveInfinity(t)) return 0;
        // x = 1 / (1 + s) and y = 1 - x = s / (1 + s) with s = t² / df, and their logs, without cancellation,
        // overflow or underflow: through s when s <= 1, through r = 1 / s = df / t² otherwise.
        double s = t / df * t, x, y, logX, logY;
        if (s <= 1)
        {
            x = 1 / (1 + s);
            y = s / (1 + s);
            logX = -SpecialFunctions.Log1P(s);
            logY = Math.Log(s) + logX;
        }
        else
        {
            double r = df / t / t;
            x = r / (1 + r);
            y = 1 / (1 + r);
            logY = -SpecialFunctions.Log1P(r);
            logX = Math.Log(df) - 2 * Math.Log(t) + logY;
        }
        return 0.5 * SpecialFunctions.RegularizedBeta(x, y, logX, logY, df / 2, 0.5);
    }

    /// <summary>ln of the density of Student's t at <c>t &gt;= 0</c>: <c>-ln B(df/2, 1/2) - ln(df)/2 - (df + 1)/2 ln(1 + t²/df)</c>.</summary>
    private static double TLogDensity(double t, double df)
    {
        double s = t / df * t;
        double log1PlusS = s <= 1 ? SpecialFunctions.Log1P(s) : 2 * Math.Log(t) - Math.Log(df) + SpecialFunctions.Log1P(1 / s);
        return -SpecialFunctions.LogBeta(df / 2, 0.5) - 0.5 * Math.Log(df) - (df + 1) / 2 * log1PlusS;
    }

    /// <summary>The <c>t &gt; 0</c> with <c>P(T &gt;= t) = q</c>, for <c>0 &lt; q &lt; 1/2</c> (see <see cref="TQuantile"/>).</summary>
    private static double SolveTail(double q, double df)
    {
        double lo = 0, hi = 1, logQ = Math.Log(q);
        while (TTail(hi, df) > q)
        {
            lo = hi;
            hi *= 2;
            if (double.IsPositiveInfinity(hi)) return hi;
        }
        double t = lo == 0 ? hi / 2 : Math.Sqrt(lo) * Math.Sqrt(hi);
        for (int step = 0; step < 400; step++)
        {
            double tail = TTail(t, df);
            if (tail == q) return t;
            if (tail > q) lo = t;
            else hi = t;
            // Newton on g(t) = ln tail(t) - ln q, whose derivative is -density(t) / tail(t).
            double next = t + (Math.Log(tail) - logQ) * Math.Exp(Math.Log(tail) - TLogDensity(t, df));
            if (!(next > lo && next < hi)) next = lo == 0 || hi < 4 * lo ? lo + (hi - lo) / 2 : Math.Sqrt(lo) * Math.Sqrt(hi);
            if (Math.Abs(next - t) <= 1e-15 * t || hi - lo <= 4e-16 * hi) return next;
            t = next;
        }
        return t;
    }

    /// <summary>The 97.5% quantile of Student's t with <paramref name="df"/> degrees of freedom (table, interpolated).</summary>
    public static double TQuantile975(double df)
    {
        if (!(df >= 1)) return double.NaN;
        ReadOnlySpan<double> table =
        [
            12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
            2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
            2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
        ];
        if (df >= 120) return 1.980 + (1.960 - 1.980) * Math.Min(1, (df - 120) / 880);
        if (df >= 30) return 2.042 + (1.980 - 2.042) * (df - 30) / 90;
        int lo = (int)Math.Floor(df); // 1..29: interpolate between the df = lo and df = lo + 1 rows
        return table[lo - 1] + (df - lo) * (table[lo] - table[lo - 1]);
    }
}
