using System.Globalization;
using System.Text.Json.Serialization;

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
/// optionally the warmup share and the weight decay (log-uniform). In config files this is the <c>tune:</c> section's
/// space (<c>families</c>, <c>peak_lr</c>, <c>explore_shares</c>, <c>warmup</c>, <c>weight_decay</c>).
/// </summary>
/// <remarks>
/// The explore share is searched on a set of shares rather than drawn at random: every share at one peak rate and
/// seed shares the explore trajectory up to its knee, so a Knee proposal trains the trunk once and branches each
/// share's decay from it (fork-and-decay; 3.5 run-equivalents for the five default shares instead of 5).
/// </remarks>
public record TuningSpace
{
    /// <summary>The families compared. Default knee, cosine, step and one-cycle (<see cref="ScheduleFamilies.DefaultTuned"/>).</summary>
    public IReadOnlyList<ScheduleFamily> Families { get; set; } = ScheduleFamilies.DefaultTuned;

    /// <summary>Peak learning rate bounds, drawn log-uniformly. Default [1e-3, 1] (SGD; use about [1e-5, 1e-2] for AdamW).</summary>
    [JsonPropertyName("peak_lr")]
    public ValueRange PeakLearningRate { get; set; } = new(1e-3, 1);

    /// <summary>Knee's explore shares, each in [0, 0.9]. Default 0, 0.25, 0.5, 0.75, 0.9.</summary>
    public IReadOnlyList<double> ExploreShares { get; set; } = [0, 0.25, 0.5, 0.75, 0.9];

    /// <summary>Warmup share bounds (uniform) within [0, 0.5]; null means no warmup.</summary>
    [JsonPropertyName("warmup")]
    public ValueRange? WarmupShare { get; set; }

    /// <summary>Weight decay bounds (log-uniform, positive); null keeps the training options' weight decay.</summary>
    public ValueRange? WeightDecay { get; set; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> (see <see cref="Settings"/>) naming the first invalid setting and its value.</summary>
    public virtual void Validate()
    {
        if (Families is null || Families.Count == 0) throw Fail(nameof(Families), "[]", "must name at least one schedule family");
        foreach (var f in Families)
        {
            if (!Enum.IsDefined(f)) throw Fail(nameof(Families), f, $"must hold schedule families ({string.Join(", ", ScheduleFamilies.Every.Select(x => x.Name()))})");
            if (f == ScheduleFamily.ExploreStep) throw Fail(nameof(Families), f.Name(), "must not hold explore-step: it is the paper's measuring protocol, searched as Knee's explore shares");
        }
        if (Families.Distinct().Count() != Families.Count) throw Fail(nameof(Families), string.Join(",", Families.Select(f => f.Name())), "must not repeat a family");
        CheckRange(PeakLearningRate, nameof(PeakLearningRate), 0, double.PositiveInfinity, positive: true);
        if (Families.Contains(ScheduleFamily.Knee))
        {
            if (ExploreShares is null || ExploreShares.Count == 0) throw Fail(nameof(ExploreShares), "[]", "must hold at least one explore share when knee is searched");
            foreach (var s in ExploreShares)
                if (!double.IsFinite(s) || s < 0 || s > 0.9) throw Fail(nameof(ExploreShares), s, "must hold shares in [0, 0.9]");
            if (ExploreShares.Distinct().Count() != ExploreShares.Count) throw Fail(nameof(ExploreShares), string.Join(",", ExploreShares), "must not repeat a share");
        }
        if (WarmupShare is { } w) CheckRange(w, nameof(WarmupShare), 0, 0.5, positive: false);
        if (WeightDecay is { } d) CheckRange(d, nameof(WeightDecay), 0, double.PositiveInfinity, positive: true);
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

/// <summary>
/// A search: its space, its rungs, its validation split and its budget. The one home of these settings:
/// <c>WideMinimaTuner.Options</c> derives from it, and the sweep console's <c>tune:</c> section binds to it.
/// </summary>
public record TuningOptions : TuningSpace
{
    /// <summary>The smallest rung in epochs. Default 1.</summary>
    public int GracePeriod { get; set; } = 1;

    /// <summary>Successive halving's η, at least 2. Default 3.</summary>
    public int ReductionFactor { get; set; } = 3;

    /// <summary>The share of the training data held out for validation, in (0, 0.5]. Default 0.1.</summary>
    public double ValidationShare { get; set; } = 0.1;

    /// <summary>Seeds the tuner and the validation split. Default 1.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>Compute cap in epochs of the whole training set, the final fits included; null: no compute cap.</summary>
    public double? BudgetEpochs { get; set; }

    /// <summary>Wall-time cap of the search, in minutes; null: no time cap. One of the two caps is needed.</summary>
    public double? BudgetMinutes { get; set; }

    /// <summary>Train the Knee shares of a proposal by fork-and-decay. Default true.</summary>
    public bool ForkAndDecay { get; set; } = true;

    /// <summary>The wall-time cap as a span, or null.</summary>
    [JsonIgnore]
    public TimeSpan? BudgetTime => BudgetMinutes is double m ? TimeSpan.FromMinutes(m) : null;

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        if (GracePeriod < 1) throw Fail(nameof(GracePeriod), GracePeriod, "must be at least 1");
        if (ReductionFactor < 2) throw Fail(nameof(ReductionFactor), ReductionFactor, "must be at least 2");
        StratifiedSplit.CheckShare(ValidationShare, nameof(ValidationShare));
        if (BudgetEpochs is null && BudgetMinutes is null) throw Fail(nameof(BudgetEpochs), null, "or a wall-time budget in minutes must be set: tuning needs a budget");
        if (BudgetMinutes is double m && (!double.IsFinite(m) || m <= 0)) throw Fail(nameof(BudgetMinutes), m, "must be a positive number of minutes");
        if (BudgetEpochs is double b && (!double.IsFinite(b) || b <= 0)) throw Fail(nameof(BudgetEpochs), b, "must be a positive number of epochs");
    }
}
