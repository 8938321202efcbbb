using WideMinima.Training;

namespace WideMinima.Sweeps.Execution;

/// <summary>Everything a sweep keeps about one run (stored as JSON in the ledger and in results.json).</summary>
public sealed record RunRecord
{
    /// <summary>
    /// How records are written as JSON: the config's options, plus NaN and infinities as "NaN"/"Infinity"
    /// (a diverged run's losses are exactly that).
    /// </summary>
    public static System.Text.Json.JsonSerializerOptions JsonOptions { get; } = new(Config.SweepConfigJson.Options)
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The run id.</summary>
    public required string RunId { get; init; }
    /// <summary>The schedule setting without the seed.</summary>
    public required string Setting { get; init; }
    /// <summary>The schedule kind.</summary>
    public required Config.SweepSchedule Schedule { get; init; }
    /// <summary>The explore share, where the schedule has one.</summary>
    public double? ExploreFraction { get; init; }
    /// <summary>The seed.</summary>
    public required int Seed { get; init; }
    /// <summary>done or diverged.</summary>
    public required Ledger.RunStatus Status { get; init; }
    /// <summary>The sweep definition the run belongs to (the full config).</summary>
    public required string ConfigJson { get; init; }
    /// <summary>The exact schedule that ran, with its budget.</summary>
    public required string ScheduleJson { get; init; }
    /// <summary>Test accuracy in [0, 1].</summary>
    public double? TestAccuracy { get; init; }
    /// <summary>Mean test cross-entropy.</summary>
    public double? TestLoss { get; init; }
    /// <summary>The last epoch's mean training loss.</summary>
    public double? TrainLoss { get; init; }
    /// <summary>The Keskar width, when measured.</summary>
    public WidthSummary? Width { get; init; }
    /// <summary>Training seconds.</summary>
    public required double TrainSeconds { get; init; }
    /// <summary>Width seconds.</summary>
    public double WidthSeconds { get; init; }
    /// <summary>The Hessian measures, when the metrics asked for them.</summary>
    public HessianSummary? Hessian { get; init; }
    /// <summary>The adaptive sharpness, when the metrics asked for it.</summary>
    public AdaptiveSummary? Adaptive { get; init; }
    /// <summary>The LR curve, compressed to at most 200 (step, lr) points.</summary>
    public required IReadOnlyList<double[]> LearningRateCurve { get; init; }
    /// <summary>Per-epoch metrics (validation = the test split).</summary>
    public required IReadOnlyList<EpochReport> Epochs { get; init; }
    /// <summary>Torch threads the run used.</summary>
    public required int Threads { get; init; }
    /// <summary>The epoch of the checkpoint this attempt resumed from; null when it trained from scratch.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public int? ResumedFromEpoch { get; init; }
    /// <summary>The optimizer step of that checkpoint.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public long? ResumedFromStep { get; init; }
    /// <summary>Checkpoints found missing or corrupted (or not fitting the run) and discarded, with the reason.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? DiscardedCheckpoints { get; init; }
}

/// <summary>The parts of a width report a sweep keeps.</summary>
public sealed record WidthSummary(double Sharpness, double InitialLoss, double MaxLoss, double FinalLoss, int Steps, bool Converged, double Seconds);

/// <summary>The parts of a Hessian report a sweep keeps (null: not asked).</summary>
public sealed record HessianSummary(double? TopEigenvalue, double? Trace, double? TraceStandardError, int Iterations, bool Converged, double Seconds);

/// <summary>The parts of an adaptive-sharpness report a sweep keeps.</summary>
public sealed record AdaptiveSummary(double Sharpness, double InitialLoss, double MaxLoss, int Steps, double Seconds);
