using System.Text.Json;
using System.Text.Json.Serialization;

namespace WideMinima.Ledger;

/// <summary>What a ledger holds: a sweep that compares settings, or a tuning that decides its jobs as it goes.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SweepKind>))]
public enum SweepKind
{
    /// <summary><c>sweep</c>: planned runs (and, with calibration or seed rounds, runs added as earlier ones finish).</summary>
    [JsonStringEnumMemberName("sweep")] Sweep,
    /// <summary><c>tuning</c>: a <c>tune</c> search's jobs and final fits.</summary>
    [JsonStringEnumMemberName("tuning")] Tuning,
}

/// <summary>The sweep a ledger holds under a name.</summary>
/// <param name="Name">The sweep's name: its key in the ledger.</param>
/// <param name="Kind">A sweep or a tuning.</param>
/// <param name="DefinitionJson">What defines the runs' results (a ledger refuses a different one under the same name).</param>
/// <param name="ConfigJson">The full config as given, workers included.</param>
/// <param name="CreatedAt">When it was created, Unix ms.</param>
/// <param name="ToolVersion">The WideMinima version that created it.</param>
public sealed record SweepHeader(string Name, SweepKind Kind, string DefinitionJson, string ConfigJson, long CreatedAt, string ToolVersion);

/// <summary>A run to add to a sweep.</summary>
/// <param name="RunId">Stable id, e.g. <c>knee-e0.5-s2</c>: the same definition always plans the same ids.</param>
/// <param name="Setting">What reports group by, e.g. <c>knee-e0.5</c>.</param>
/// <param name="Schedule">The schedule's spelled name, e.g. <c>knee</c>.</param>
/// <param name="ExploreFraction">The explore share, for schedules that have one.</param>
/// <param name="Seed">The seed.</param>
/// <param name="PayloadJson">What the worker runs: a run's schedule, a tuning job, a final fit (JSON).</param>
public sealed record NewRun(string RunId, string Setting, string Schedule, double? ExploreFraction, int Seed, string PayloadJson)
{
    /// <summary>A sweep's run, a tuning's job or a final fit. Default <see cref="RunKind.Run"/>.</summary>
    public RunKind Kind { get; init; } = RunKind.Run;

    /// <summary>Queue position; null: after every run already in the sweep, in the order given.</summary>
    public int? Ordinal { get; init; }

    /// <summary>The sweep's stage. Default <see cref="RunPhase.Final"/>.</summary>
    public RunPhase Phase { get; init; } = RunPhase.Final;

    /// <summary>The budget as a share of the sweep's epochs. Default 1.</summary>
    public double Budget { get; init; } = 1;

    /// <summary>The peak learning rate, where the run has one.</summary>
    public double? PeakLr { get; init; }
}

/// <summary>One run's row in the ledger.</summary>
public sealed record LedgerRun
{
    /// <summary>The stable run id.</summary>
    public required string RunId { get; init; }
    /// <summary>Queue (plan) order.</summary>
    public required int Ordinal { get; init; }
    /// <summary>A sweep's run, a tuning's job or a final fit.</summary>
    public RunKind Kind { get; init; }
    /// <summary>The sweep's stage.</summary>
    public RunPhase Phase { get; init; }
    /// <summary>The budget as a share of the sweep's epochs.</summary>
    public double Budget { get; init; } = 1;
    /// <summary>The peak learning rate, where the run has one.</summary>
    public double? PeakLr { get; init; }
    /// <summary>The setting without the seed (what reports group by).</summary>
    public required string Setting { get; init; }
    /// <summary>The schedule's spelled name, e.g. <c>knee</c>.</summary>
    public required string Schedule { get; init; }
    /// <summary>The explore share, where the schedule has one.</summary>
    public double? ExploreFraction { get; init; }
    /// <summary>The seed.</summary>
    public required int Seed { get; init; }
    /// <summary>What the worker runs (see <see cref="NewRun.PayloadJson"/>).</summary>
    public required string PayloadJson { get; init; }
    /// <summary>See <see cref="RunStatus"/>.</summary>
    public required RunStatus Status { get; init; }
    /// <summary>How many times it was claimed.</summary>
    public int Attempts { get; init; }
    /// <summary>The worker that holds or finished it.</summary>
    public string? Worker { get; init; }
    /// <summary>Live progress text from its worker, e.g. <c>epoch 3/10</c>.</summary>
    public string? Progress { get; init; }
    /// <summary>When the worker last reported, Unix ms.</summary>
    public long? HeartbeatAt { get; init; }
    /// <summary>When the last attempt started, Unix ms.</summary>
    public long? StartedAt { get; init; }
    /// <summary>When it finished, Unix ms.</summary>
    public long? FinishedAt { get; init; }
    /// <summary>The error of a failed run.</summary>
    public string? Error { get; init; }
    /// <summary>Test accuracy in [0, 1].</summary>
    public double? TestAccuracy { get; init; }
    /// <summary>Validation accuracy in [0, 1] (calibration runs).</summary>
    public double? ValidationAccuracy { get; init; }
    /// <summary>Mean test cross-entropy.</summary>
    public double? TestLoss { get; init; }
    /// <summary>The last epoch's mean training loss.</summary>
    public double? TrainLoss { get; init; }
    /// <summary>Keskar sharpness.</summary>
    public double? Sharpness { get; init; }
    /// <summary>The width measurement's maximum loss.</summary>
    public double? WidthMaxLoss { get; init; }
    /// <summary>The width measurement's ascent steps.</summary>
    public int? WidthSteps { get; init; }
    /// <summary>Whether the width measurement converged.</summary>
    public bool? WidthConverged { get; init; }
    /// <summary>Training seconds.</summary>
    public double? TrainSeconds { get; init; }
    /// <summary>Width seconds.</summary>
    public double? WidthSeconds { get; init; }
    /// <summary>The result as JSON: a run's <see cref="RunRecord"/>, a job's or a final fit's result.</summary>
    public string? ResultJson { get; init; }
    /// <summary>When the current lease ends unless renewed, Unix ms (running runs only).</summary>
    public long? LeaseExpiresAt { get; init; }

    /// <summary>The lease of the worker holding this run: the fencing token of the claim that returned this row.</summary>
    public RunLease Lease => new(RunId, Worker ?? throw new InvalidOperationException($"Run '{RunId}' is held by no worker."), Attempts);

    /// <summary>The stored run record of a finished run of kind <see cref="RunKind.Run"/>; null when it has none.</summary>
    public RunRecord? Record() => Kind == RunKind.Run && ResultJson is not null ? JsonSerializer.Deserialize<RunRecord>(ResultJson, LedgerJson.Options) : null;
}

/// <summary>
/// A worker's claim on a run. <paramref name="Attempt"/> is the fencing token: every claim of a run increments it,
/// so a claim that was taken over can never write again, even under the same worker name.
/// </summary>
/// <param name="RunId">The run.</param>
/// <param name="Worker">The worker holding it.</param>
/// <param name="Attempt">The run's attempt number when claimed.</param>
public sealed record RunLease(string RunId, string Worker, int Attempt);

/// <summary>What a worker reports when a run ends.</summary>
/// <param name="Status">done, failed or diverged.</param>
/// <param name="Record">A run's full record (null when the run failed before training produced anything, and for jobs).</param>
/// <param name="Error">The error of a failed run.</param>
/// <param name="JobResultJson">A tuning job's or final fit's result (its JSON), stored in place of a record.</param>
public sealed record RunOutcome(RunStatus Status, RunRecord? Record, string? Error, string? JobResultJson = null)
{
    /// <summary>The text a ledger stores as the result: the job's result, or the record as JSON, or null.</summary>
    public string? ResultJson => JobResultJson ?? (Record is null ? null : JsonSerializer.Serialize(Record, LedgerJson.Options));
}

/// <summary>A checkpoint of a run, as the ledger records it.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Attempt">The run's attempt that wrote it.</param>
/// <param name="Step">Optimizer steps completed.</param>
/// <param name="Epoch">Whole epochs completed.</param>
/// <param name="Path">The file (on a file system every worker sees).</param>
/// <param name="Sha256">SHA-256 of the whole file, lowercase hex.</param>
/// <param name="Bytes">File size.</param>
/// <param name="CreatedAt">When it was recorded, Unix ms.</param>
public sealed record CheckpointRow(string RunId, int Attempt, long Step, int Epoch, string Path, string Sha256, long Bytes, long CreatedAt);

/// <summary>A final fit's recorded result: one setting trained on all the training data with one seed, scored once on the test set.</summary>
/// <param name="TrialId">The trial whose settings were fitted.</param>
/// <param name="Seed">The seed.</param>
/// <param name="TestAccuracy">Test accuracy (null when it diverged).</param>
/// <param name="TestLoss">Test loss.</param>
/// <param name="Sharpness">Keskar sharpness, when measured.</param>
/// <param name="Epochs">Epochs trained.</param>
/// <param name="Seconds">Training seconds.</param>
public sealed record FinalFit(int TrialId, int Seed, double? TestAccuracy, double? TestLoss, double? Sharpness, int Epochs, double Seconds);
