using System.Text.Json.Serialization;

namespace WideMinima.Ledger;

/// <summary>
/// Everything a sweep keeps about one finished run: stored as JSON in the ledger (<c>result_json</c>) and in
/// results.json. Plain data: the storage and report layers read it without TorchSharp.
/// </summary>
public sealed record RunRecord
{
    /// <summary>The run id.</summary>
    public required string RunId { get; init; }
    /// <summary>The schedule setting without the seed.</summary>
    public required string Setting { get; init; }
    /// <summary>The schedule's spelled name, e.g. <c>knee</c> or <c>cosine</c>.</summary>
    public required string Schedule { get; init; }
    /// <summary>The explore share, where the schedule has one.</summary>
    public double? ExploreFraction { get; init; }
    /// <summary>The seed.</summary>
    public required int Seed { get; init; }
    /// <summary>done or diverged.</summary>
    public required RunStatus Status { get; init; }
    /// <summary>The sweep definition the run belongs to (the full config).</summary>
    public required string ConfigJson { get; init; }
    /// <summary>The exact schedule that ran, with its budget.</summary>
    public required string ScheduleJson { get; init; }
    /// <summary>The stage of the sweep: <c>final</c> (scored on the test set) or <c>calibration</c> (on the validation split).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public RunPhase Phase { get; init; }
    /// <summary>The run's budget as a share of the sweep's epochs (1: the full budget).</summary>
    public double Budget { get; init; } = 1;
    /// <summary>The peak learning rate the run trained with.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? PeakLr { get; init; }
    /// <summary>Test accuracy in [0, 1] (final runs; calibration runs never touch the test set).</summary>
    public double? TestAccuracy { get; init; }
    /// <summary>Accuracy on the validation split carved from the training data, in [0, 1] (calibration runs).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? ValidationAccuracy { get; init; }
    /// <summary>Mean test cross-entropy (or the validation split's, for a calibration run).</summary>
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
    /// <summary>Per-epoch metrics (the evaluation set: the test set for final runs, the validation split for calibration runs).</summary>
    public required IReadOnlyList<EpochRecord> Epochs { get; init; }
    /// <summary>Torch threads the run used.</summary>
    public required int Threads { get; init; }
    /// <summary>The epoch of the checkpoint this attempt resumed from; null when it trained from scratch.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? ResumedFromEpoch { get; init; }
    /// <summary>The optimizer step of that checkpoint.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? ResumedFromStep { get; init; }
    /// <summary>
    /// The run this one was forked from by fork-and-decay (the Knee run of the largest explore share at the same peak and
    /// seed), which trained the steps up to <see cref="ForkedAtStep"/> for it; null when it trained its own first steps.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ForkedFrom { get; init; }
    /// <summary>The step it was forked at (its knee; also when a later attempt resumed from its own checkpoint).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? ForkedAtStep { get; init; }
    /// <summary>The run's budget in optimizer steps (recorded with <see cref="ForkedFrom"/>: the share it trained is 1 - fork step / total).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? TotalSteps { get; init; }
    /// <summary>The share of its budget this run trained itself: 1, or for a forked run the steps after the fork.</summary>
    [JsonIgnore]
    public double TrainedShare => ForkedFrom is not null && ForkedAtStep is long k && TotalSteps is long t && t > 0 ? 1 - (double)k / t : 1;
    /// <summary>Checkpoints found missing or corrupted (or not fitting the run) and discarded, with the reason.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? DiscardedCheckpoints { get; init; }
}

/// <summary>One epoch of a run as the ledger keeps it.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Epochs">Epochs in the budget.</param>
/// <param name="TrainLoss">Mean training loss over the epoch's steps.</param>
/// <param name="LearningRate">The learning rate of the epoch's last step.</param>
/// <param name="ValidationAccuracy">Accuracy on the run's evaluation set (see <see cref="RunRecord.Epochs"/>).</param>
/// <param name="ValidationLoss">Mean cross-entropy on that set.</param>
/// <param name="Seconds">Wall time of the epoch, evaluation included.</param>
public sealed record EpochRecord(int Epoch, int Epochs, double TrainLoss, double LearningRate, double? ValidationAccuracy, double? ValidationLoss, double Seconds);

/// <summary>The parts of a width report a sweep keeps.</summary>
public sealed record WidthSummary(double Sharpness, double InitialLoss, double MaxLoss, double FinalLoss, int Steps, bool Converged, double Seconds);

/// <summary>The parts of a Hessian report a sweep keeps (null: not asked).</summary>
public sealed record HessianSummary(double? TopEigenvalue, double? Trace, double? TraceStandardError, int Iterations, bool Converged, double Seconds);

/// <summary>The parts of an adaptive-sharpness report a sweep keeps.</summary>
public sealed record AdaptiveSummary(double Sharpness, double InitialLoss, double MaxLoss, int Steps, double Seconds);

/// <summary>
/// The measures of minima width a sweep can record per run. In config files and column headers they are spelled
/// <c>keskar</c>, <c>hessian_top</c>, <c>hessian_trace</c> and <c>adaptive</c>. For every one, lower means flatter.
/// </summary>
public enum WidthMetric
{
    /// <summary>Keskar et al.'s ε-sharpness (the core's <c>KeskarWidth</c>).</summary>
    [JsonStringEnumMemberName("keskar")] Keskar,
    /// <summary>The Hessian's top eigenvalue (the core's <c>HessianSpectrum</c>).</summary>
    [JsonStringEnumMemberName("hessian_top")] HessianTop,
    /// <summary>The Hessian's trace by Hutchinson's estimator (the core's <c>HessianSpectrum</c>).</summary>
    [JsonStringEnumMemberName("hessian_trace")] HessianTrace,
    /// <summary>Adaptive sharpness (the core's <c>AdaptiveSharpness</c>).</summary>
    [JsonStringEnumMemberName("adaptive")] Adaptive,
}

/// <summary>How reports describe a <see cref="WidthMetric"/>.</summary>
public static class WidthMetrics
{
    /// <summary>The name a metric has in config files and column headers (its spelled name).</summary>
    public static string Name(this WidthMetric metric) => EnumNames.Name(metric);

    /// <summary>How a metric is described in reports and plots.</summary>
    public static string Label(this WidthMetric metric) => metric switch
    {
        WidthMetric.Keskar => "Keskar sharpness",
        WidthMetric.HessianTop => "Hessian top eigenvalue",
        WidthMetric.HessianTrace => "Hessian trace",
        WidthMetric.Adaptive => "Adaptive sharpness",
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "is not a known metric"),
    };
}
