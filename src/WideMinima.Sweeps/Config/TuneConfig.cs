using WideMinima.Tuning;

namespace WideMinima.Sweeps.Config;

/// <summary>
/// The <c>tune:</c> section of a config file: the search (<see cref="TuningOptions"/>: families, <c>peak_lr</c>,
/// explore shares, warmup, weight decay, rungs, validation share, budget; declared and checked there) and what only the
/// console adds. The rest of the file (data, model, epochs, optimizer, width, seeds) is shared with <c>run</c>;
/// <c>epochs</c> is the full budget of one trial.
/// </summary>
public sealed record TuneConfig : TuningOptions
{
    /// <summary>With <c>seeds</c> &gt; 1, the number of top settings trained with every seed for confidence intervals.</summary>
    public int Top { get; init; } = 3;

    /// <summary>
    /// Jobs in flight at once when workers train the search (<c>tune --workers N</c> or <c>--ledger</c>); null: the
    /// number of local workers. The search's decisions depend on it (each waits for the results that are
    /// <c>parallel_jobs</c> jobs old), so it is part of the tuning's definition: a resumed tuning keeps its value.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public int? ParallelJobs { get; init; }
}
