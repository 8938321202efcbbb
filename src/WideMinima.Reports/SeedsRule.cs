namespace WideMinima.Reports;

/// <summary>What the seeds rule of an adaptive sweep says to do next.</summary>
public enum SeedsDecisionKind
{
    /// <summary>Run more seeds: up to <see cref="SeedsDecision.Seeds"/> per setting.</summary>
    Continue,

    /// <summary>Stop: the 95% interval of the difference is as narrow as the target, or narrower.</summary>
    TargetReached,

    /// <summary>Stop: the settings have the maximum number of seeds, and the target was not reached.</summary>
    MaxSeedsReached,
}

/// <summary>A decision of <see cref="SeedsRule.Decide"/>.</summary>
/// <param name="Kind">Continue or stop, and why.</param>
/// <param name="Seeds">For <see cref="SeedsDecisionKind.Continue"/>, the total number of seeds each setting should have after the next round; when stopping, the number it has (the smaller of the two).</param>
/// <param name="Width">The current full width of the 95% interval of the difference (NaN below two seeds).</param>
public sealed record SeedsDecision(SeedsDecisionKind Kind, int Seeds, double Width)
{
    /// <summary>Whether the sweep stops adding seeds.</summary>
    public bool Stop => Kind != SeedsDecisionKind.Continue;
}

/// <summary>
/// The seeds rule of an adaptive sweep: keep adding seeds to the two settings compared (the best Knee setting and the
/// best baseline) until the 95% confidence interval of their difference is no wider than a target, within a minimum
/// and a maximum number of seeds. Rule, with <c>n</c> the smaller of the two seed counts and <c>w</c> the full width
/// of the 95% Welch interval (<see cref="CurrentWidth"/>):
/// <list type="number">
/// <item><c>n &lt; min</c>: continue to <c>min</c> seeds (the width is not trusted, or not defined, below it);</item>
/// <item><c>w &lt;= target</c>: stop, target reached (exactly at the target counts as reached);</item>
/// <item><c>n &gt;= max</c>: stop, maximum reached;</item>
/// <item>otherwise continue to <c>ceil(n (w / target)²)</c> seeds, at least <c>n + 1</c> and at most <c>max</c>.</item>
/// </list>
/// The projection holds the standard deviations fixed and lets the standard error shrink as <c>1/sqrt(n)</c>; it leaves
/// out that the t quantile also shrinks with more degrees of freedom, so it asks for slightly more seeds than an exact
/// forecast would (the rule is applied again after each round). A relative tolerance of 1e-9 in the ceiling keeps
/// floating-point noise from adding a seed when the projection is a whole number. Pure and deterministic.
/// </summary>
public static class SeedsRule
{
    /// <summary>
    /// The full width of the two-sided 95% Welch confidence interval of <c>mean(a) - mean(b)</c>,
    /// <c>2 t(0.975, df) · SE</c> (<see cref="WelchComparison.HalfWidth"/>, exact t quantile); NaN when a side has
    /// fewer than two values, 0 when both are constant.
    /// </summary>
    public static double CurrentWidth(IReadOnlyList<double> a, IReadOnlyList<double> b) => 2 * WelchComparison.Of(a, b).HalfWidth(0.05);

    /// <summary>Decides whether to stop adding seeds or how many to have next (see the class rule).</summary>
    /// <param name="a">One setting's per-seed values, e.g. the best Knee setting's accuracies (points).</param>
    /// <param name="b">The other setting's per-seed values, e.g. the best baseline's.</param>
    /// <param name="targetWidth">The target full width of the 95% interval of the difference, in the values' unit; positive and finite.</param>
    /// <param name="minSeeds">The fewest seeds per setting before stopping, at least 2.</param>
    /// <param name="maxSeeds">The most seeds per setting, at least <paramref name="minSeeds"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A target, minimum or maximum outside its range.</exception>
    /// <exception cref="ArgumentException">A value is NaN or infinite (drop or replace diverged seeds first).</exception>
    public static SeedsDecision Decide(IReadOnlyList<double> a, IReadOnlyList<double> b, double targetWidth, int minSeeds, int maxSeeds)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (!(targetWidth > 0 && double.IsFinite(targetWidth)))
            throw new ArgumentOutOfRangeException(nameof(targetWidth), targetWidth, $"The target width must be positive and finite; it is {targetWidth}.");
        if (minSeeds < 2) throw new ArgumentOutOfRangeException(nameof(minSeeds), minSeeds, $"The minimum seeds must be at least 2; it is {minSeeds}.");
        if (maxSeeds < minSeeds) throw new ArgumentOutOfRangeException(nameof(maxSeeds), maxSeeds, $"The maximum seeds must be at least the minimum ({minSeeds}); it is {maxSeeds}.");
        CheckFinite(a, nameof(a));
        CheckFinite(b, nameof(b));

        int n = Math.Min(a.Count, b.Count);
        double width = CurrentWidth(a, b);
        if (n < minSeeds) return new SeedsDecision(SeedsDecisionKind.Continue, minSeeds, width);
        if (width <= targetWidth) return new SeedsDecision(SeedsDecisionKind.TargetReached, n, width);
        if (n >= maxSeeds) return new SeedsDecision(SeedsDecisionKind.MaxSeedsReached, n, width);
        double ratio = width / targetWidth;
        double projected = Math.Ceiling(n * ratio * ratio * (1 - 1e-9));
        int next = projected >= maxSeeds ? maxSeeds : Math.Max(n + 1, (int)projected);
        return new SeedsDecision(SeedsDecisionKind.Continue, next, width);
    }

    private static void CheckFinite(IReadOnlyList<double> values, string name)
    {
        for (int i = 0; i < values.Count; i++)
            if (!double.IsFinite(values[i]))
                throw new ArgumentException($"{name}[{i}] is {values[i]}: the seeds rule needs finite values; drop or replace diverged seeds first.", name);
    }
}
