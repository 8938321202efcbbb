using WideMinima.Ledger;

namespace WideMinima.Reports;

/// <summary>Summary statistics for sweep reports: mean, sample standard deviation, Student-t 95% intervals.</summary>
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
