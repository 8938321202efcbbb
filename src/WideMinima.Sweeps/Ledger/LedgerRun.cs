namespace WideMinima.Sweeps.Ledger;

/// <summary>One run's row in the ledger.</summary>
public sealed record LedgerRun
{
    /// <summary>The stable run id.</summary>
    public required string RunId { get; init; }
    /// <summary>Plan order.</summary>
    public required int Ordinal { get; init; }
    /// <summary>The schedule setting without the seed.</summary>
    public required string Setting { get; init; }
    /// <summary>The schedule (stored as its config name, e.g. <c>knee</c>).</summary>
    public required Config.SweepSchedule Schedule { get; init; }
    /// <summary>The explore share, where the schedule has one.</summary>
    public double? ExploreFraction { get; init; }
    /// <summary>The seed.</summary>
    public required int Seed { get; init; }
    /// <summary>The run's budget-independent schedule, as JSON.</summary>
    public required string ScheduleOptionsJson { get; init; }
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
    /// <summary>The full run record as JSON (see <c>RunRecord</c>).</summary>
    public string? ResultJson { get; init; }
    /// <summary>When the current lease ends unless renewed, Unix ms (running runs only).</summary>
    public long? LeaseExpiresAt { get; init; }

    /// <summary>The lease of the worker holding this run: the fencing token of the claim that returned this row.</summary>
    public RunLease Lease => new(RunId, Worker ?? throw new InvalidOperationException($"Run '{RunId}' is held by no worker."), Attempts);
}
