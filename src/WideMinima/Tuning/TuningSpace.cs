using System.Globalization;

namespace WideMinima.Tuning;

/// <summary>A closed interval [<see cref="Min"/>, <see cref="Max"/>].</summary>
/// <param name="Min">The lower bound.</param>
/// <param name="Max">The upper bound (equal to <paramref name="Min"/> fixes the value).</param>
public sealed record ValueRange(double Min, double Max)
{
    /// <summary>A value drawn uniformly.</summary>
    public double Uniform(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return Min + (Max - Min) * random.NextDouble();
    }

    /// <summary>A value drawn log-uniformly (both bounds must be positive).</summary>
    public double LogUniform(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return LogAt(random.NextDouble());
    }

    /// <summary>The value a share <paramref name="q"/> in [0, 1) of the way from <see cref="Min"/> to <see cref="Max"/> on a log scale.</summary>
    public double LogAt(double q) => Math.Exp(Math.Log(Min) + (Math.Log(Max) - Math.Log(Min)) * q);

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"[{Min:G4}, {Max:G4}]");
}

/// <summary>
/// What the tuner searches: the schedule family, the peak learning rate (log-uniform), Knee's explore shares, and
/// optionally the warmup share and the weight decay (log-uniform).
/// </summary>
/// <remarks>
/// The explore share is searched on a set of shares rather than drawn at random: every share at one peak rate and
/// seed shares the explore trajectory up to its knee, so a Knee proposal trains the trunk once and branches each
/// share's decay from it (fork-and-decay; 3.5 run-equivalents for the five default shares instead of 5).
/// </remarks>
public sealed class TuningSpace
{
    /// <summary>The families compared. Default all four.</summary>
    public IReadOnlyList<ScheduleFamily> Families { get; init; } = ScheduleFamilies.All;

    /// <summary>Peak learning rate bounds, drawn log-uniformly. Default [1e-3, 1] (SGD; use about [1e-5, 1e-2] for AdamW).</summary>
    public ValueRange PeakLearningRate { get; init; } = new(1e-3, 1);

    /// <summary>Knee's explore shares, each in [0, 0.9]. Default 0, 0.25, 0.5, 0.75, 0.9.</summary>
    public IReadOnlyList<double> ExploreShares { get; init; } = [0, 0.25, 0.5, 0.75, 0.9];

    /// <summary>Warmup share bounds (uniform) within [0, 0.5]; null means no warmup.</summary>
    public ValueRange? WarmupShare { get; init; }

    /// <summary>Weight decay bounds (log-uniform, positive); null keeps the training options' weight decay.</summary>
    public ValueRange? WeightDecay { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid field (as in the config's <c>tune:</c> section) and its value.</summary>
    /// <param name="prefix">Prepended to field names, e.g. <c>tune.</c>.</param>
    public void Validate(string prefix = "")
    {
        if (Families is null || Families.Count == 0) throw Fail(prefix + "families", "[]", "must name at least one schedule family (knee, cosine, step, one-cycle)");
        foreach (var f in Families)
            if (!Enum.IsDefined(f)) throw Fail(prefix + "families", f, "must be knee, cosine, step or one-cycle");
        if (Families.Distinct().Count() != Families.Count) throw Fail(prefix + "families", string.Join(",", Families.Select(f => f.Name())), "must not repeat a family");
        CheckRange(PeakLearningRate, prefix + "peak_lr", 0, double.PositiveInfinity, positive: true);
        if (Families.Contains(ScheduleFamily.Knee))
        {
            if (ExploreShares is null || ExploreShares.Count == 0) throw Fail(prefix + "explore_shares", "[]", "must hold at least one explore share when knee is searched");
            foreach (var s in ExploreShares)
                if (!double.IsFinite(s) || s < 0 || s > 0.9) throw Fail(prefix + "explore_shares", s, "must hold shares in [0, 0.9]");
            if (ExploreShares.Distinct().Count() != ExploreShares.Count) throw Fail(prefix + "explore_shares", string.Join(",", ExploreShares), "must not repeat a share");
        }
        if (WarmupShare is { } w) CheckRange(w, prefix + "warmup", 0, 0.5, positive: false);
        if (WeightDecay is { } d) CheckRange(d, prefix + "weight_decay", 0, double.PositiveInfinity, positive: true);
    }

    private static void CheckRange(ValueRange? range, string name, double lowest, double highest, bool positive)
    {
        if (range is null) throw Fail(name, "null", "must have min and max");
        if (!double.IsFinite(range.Min) || !double.IsFinite(range.Max)) throw Fail(name, range, "must have finite bounds");
        if (range.Min > range.Max) throw Fail(name, range, "is inverted: min must not exceed max");
        if (positive ? range.Min <= lowest : range.Min < lowest) throw Fail(name, range, positive ? "must have a positive min" : string.Create(CultureInfo.InvariantCulture, $"must have min >= {lowest}"));
        if (range.Max > highest) throw Fail(name, range, string.Create(CultureInfo.InvariantCulture, $"must have max <= {highest}"));
    }

    internal static ArgumentOutOfRangeException Fail(string name, object? value, string rule) => Internal.Guard.Fail(name, value, rule);
}
