using WideMinima.Tuning;

namespace WideMinima.Sweeps.Config;

/// <summary>
/// The <c>tune:</c> section of a config file: what <c>tune</c> searches and its budget. The rest of the file (data,
/// model, epochs, optimizer, width, seeds) is shared with <c>run</c>; <c>epochs</c> is the full budget of one trial.
/// </summary>
public sealed record TuneConfig
{
    /// <summary>Schedule families compared: <c>knee</c>, <c>cosine</c>, <c>step</c>, <c>one-cycle</c>.</summary>
    public IReadOnlyList<ScheduleFamily> Families { get; init; } = ScheduleFamilies.All;

    /// <summary>Peak learning rate bounds, drawn log-uniformly.</summary>
    public ValueRange PeakLr { get; init; } = new(1e-3, 1);

    /// <summary>Knee's explore shares, each in [0, 0.9], trained together by fork-and-decay at each peak rate.</summary>
    public IReadOnlyList<double> ExploreShares { get; init; } = [0, 0.25, 0.5, 0.75, 0.9];

    /// <summary>Warmup share bounds (uniform); null: no warmup.</summary>
    public ValueRange? Warmup { get; init; }

    /// <summary>Weight decay bounds (log-uniform); null: the config's <c>weight_decay</c>.</summary>
    public ValueRange? WeightDecay { get; init; }

    /// <summary>Compute cap in epochs of the whole training set, final fits included.</summary>
    public double? BudgetEpochs { get; init; }

    /// <summary>Wall-time cap of the search, in minutes.</summary>
    public double? BudgetMinutes { get; init; }

    /// <summary>The smallest rung in epochs.</summary>
    public int GracePeriod { get; init; } = 1;

    /// <summary>Successive halving's η (at least 2).</summary>
    public int ReductionFactor { get; init; } = 3;

    /// <summary>The share of the training data held out for validation, in (0, 0.5].</summary>
    public double ValidationShare { get; init; } = 0.1;

    /// <summary>Seeds the tuner and the validation split.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>With <c>seeds</c> &gt; 1, the number of top settings trained with every seed for confidence intervals.</summary>
    public int Top { get; init; } = 3;

    /// <summary>
    /// Jobs in flight at once when workers train the search (<c>tune --workers N</c> or <c>--ledger</c>); null: the
    /// number of local workers. The search's decisions depend on it (each waits for the results that are
    /// <c>parallel_jobs</c> jobs old), so it is part of the tuning's definition: a resumed tuning keeps its value.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public int? ParallelJobs { get; init; }

    /// <summary>Train Knee's shares of one peak rate by fork-and-decay.</summary>
    public bool ForkAndDecay { get; init; } = true;

    /// <summary>The search space.</summary>
    public TuningSpace Space => new() { Families = Families, PeakLearningRate = PeakLr, ExploreShares = ExploreShares, WarmupShare = Warmup, WeightDecay = WeightDecay };
}
