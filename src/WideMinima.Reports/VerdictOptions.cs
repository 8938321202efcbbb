namespace WideMinima.Reports;

/// <summary>
/// Compute to match: the reference every setting is compared with, and how far below it a setting may be and still
/// match. The reference is the mean test accuracy at the full budget (1.0) of <see cref="Reference"/>; a setting
/// matches at a budget when a one-sided Welch test at 95% confidence shows its mean is no more than
/// <see cref="Margin"/> points below (<see cref="NonInferiority"/>). The config's <c>match:</c> section.
/// </summary>
public sealed record MatchOptions
{
    /// <summary>The reference <see cref="Reference"/> names by default: the baseline with the best mean test accuracy at the full budget.</summary>
    public const string BestBaseline = "best-baseline";

    /// <summary>The default <see cref="Margin"/>: 0.1 accuracy points.</summary>
    public const double DefaultMargin = 0.1;

    /// <summary><c>best-baseline</c> (default), or the name of one baseline the sweep runs (e.g. <c>cosine</c>).</summary>
    public string Reference { get; init; } = BestBaseline;

    /// <summary>The non-inferiority margin in accuracy points (0.1 = 0.1%), at least 0. Default <see cref="DefaultMargin"/>.</summary>
    public double Margin { get; init; } = DefaultMargin;
}

/// <summary>
/// Seeds in rounds: every final setting starts with <see cref="Min"/> seeds; rounds of seeds are then added to the best
/// Knee setting and the best baseline (at the full budget) until the 95% confidence interval of their difference is
/// narrower than <see cref="TargetCi"/> points, or they have <see cref="Max"/> seeds (<see cref="SeedsRule"/>).
/// The config's <c>seeds: {min, max, target_ci}</c>.
/// </summary>
public sealed record SeedRounds
{
    /// <summary>The default <see cref="Min"/>: 3.</summary>
    public const int DefaultMin = 3;

    /// <summary>The default <see cref="Max"/>: 20.</summary>
    public const int DefaultMax = 20;

    /// <summary>The default <see cref="TargetCi"/>: 0.15 accuracy points.</summary>
    public const double DefaultTargetCi = 0.15;

    /// <summary>Seeds every final setting runs (at least 2). Default <see cref="DefaultMin"/>.</summary>
    public int Min { get; init; } = DefaultMin;

    /// <summary>The most seeds the compared pair runs (at least <see cref="Min"/>). Default <see cref="DefaultMax"/>.</summary>
    public int Max { get; init; } = DefaultMax;

    /// <summary>The width of the difference's 95% CI, in accuracy points, that stops the rounds (&gt; 0). Default <see cref="DefaultTargetCi"/>.</summary>
    public double TargetCi { get; init; } = DefaultTargetCi;
}

/// <summary>What a run at a share of the budget trains.</summary>
public static class Budgets
{
    /// <summary>The epochs a run at <paramref name="share"/> of <paramref name="epochs"/> trains: the share rounded to whole epochs (halves up), at least 1.</summary>
    public static int Epochs(double share, int epochs) => Math.Max(1, (int)Math.Round(share * epochs, MidpointRounding.AwayFromZero));
}
