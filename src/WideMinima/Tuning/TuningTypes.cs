namespace WideMinima.Tuning;

/// <summary>A trial: settings, the proposal it came from, and its seed.</summary>
/// <param name="Id">0-based, in the order proposed.</param>
/// <param name="Group">The proposal (Knee branches of one proposal share it).</param>
/// <param name="Settings">What it trains.</param>
/// <param name="Seed">Its seed.</param>
public sealed record Trial(int Id, int Group, TrialSettings Settings, int Seed);

/// <summary>What a trial runner trains at once: trials of one proposal at one rung.</summary>
/// <param name="Rung">The rung's index.</param>
/// <param name="Epochs">The rung's budget in epochs: each trial's whole schedule is fitted into it.</param>
/// <param name="Trials">One trial, or Knee branches of one proposal (trained by fork-and-decay where the runner can).</param>
public sealed record TrialJob(int Rung, int Epochs, IReadOnlyList<Trial> Trials)
{
    /// <summary>The job's identity in a ledger: rung and trial ids.</summary>
    public string Key => $"r{Rung}:{string.Join(',', Trials.Select(t => t.Id))}";
}

/// <summary>How a trial's training at a rung ended.</summary>
public enum TrialOutcomeStatus
{
    /// <summary>Trained; validation accuracy measured.</summary>
    Done,

    /// <summary>The loss became NaN or infinite: the peak rate is too high. Never promoted.</summary>
    Diverged,

    /// <summary>An error; recorded, never promoted.</summary>
    Failed,
}

/// <summary>One trial's result at a rung.</summary>
/// <param name="TrialId">The trial.</param>
/// <param name="Status">How it ended.</param>
/// <param name="ValidationAccuracy">Accuracy on the validation split (NaN unless done).</param>
/// <param name="Error">The error of a failed trial.</param>
public sealed record TrialOutcome(int TrialId, TrialOutcomeStatus Status, double ValidationAccuracy, string? Error = null);

/// <summary>A job's results and what it cost.</summary>
/// <param name="Outcomes">One per trial of the job.</param>
/// <param name="ComputeEpochs">Compute spent, in epochs of the whole training set (fork-and-decay counts the shared trunk once).</param>
/// <param name="Seconds">Wall time.</param>
public sealed record JobResult(IReadOnlyList<TrialOutcome> Outcomes, double ComputeEpochs, double Seconds);

/// <summary>Trains jobs: the tuning core's only contact with training (inject a fake in tests).</summary>
public interface ITrialRunner
{
    /// <summary>The compute a job will spend, in epochs of the whole training set, known before it runs.</summary>
    double Cost(TrialJob job);

    /// <summary>Trains the job's trials and measures their validation accuracy; the test set is never touched.</summary>
    JobResult Run(TrialJob job, CancellationToken cancellationToken);
}

/// <summary>Where finished jobs are kept, so a tuning resumes after a crash by replaying them (a ledger).</summary>
public interface ITrialStore
{
    /// <summary>The stored result of a job, or null.</summary>
    JobResult? Find(TrialJob job);

    /// <summary>Records a finished job (atomically).</summary>
    void Save(TrialJob job, JobResult result);
}

/// <summary>Where a job stands with an <see cref="ITrialDispatcher"/>.</summary>
public enum TrialJobState
{
    /// <summary>Never submitted.</summary>
    New,

    /// <summary>Submitted (before a restart, or just now) and not finished yet.</summary>
    Submitted,

    /// <summary>Finished: its result is kept.</summary>
    Finished,
}

/// <summary>
/// Hands jobs out to be trained asynchronously, for a search that keeps several jobs in flight (workers sharing a ledger). The search
/// submits jobs in the order it decides them and waits for them oldest first, so its decisions do not depend on which
/// worker finishes first. Submitting is idempotent: a restarted search submits the same jobs again and finds them.
/// </summary>
public interface ITrialDispatcher
{
    /// <summary>Where the job stands: a job submitted before a restart skips the budget check, as it passed it then.</summary>
    TrialJobState State(TrialJob job);

    /// <summary>Submits the job; one already submitted or finished is left as it is.</summary>
    void Submit(TrialJob job);

    /// <summary>Waits until the job has finished and returns its result; throws <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> stops the wait.</summary>
    JobResult Wait(TrialJob job, CancellationToken cancellationToken);
}

/// <summary>A budget for tuning: compute in epochs of the whole training set and/or wall time; at least one.</summary>
/// <param name="Epochs">Compute cap, final fits included.</param>
/// <param name="WallTime">Wall-time cap for the search (checked before each job; a job in progress finishes).</param>
public sealed record TuningBudget(double? Epochs, TimeSpan? WallTime);

/// <summary>How a trial stands after tuning.</summary>
public enum TrialStatus
{
    /// <summary>Reached the top rung (the full budget).</summary>
    Completed,

    /// <summary>Stopped by successive halving below the top rung (or by the budget before its promotion).</summary>
    Stopped,

    /// <summary>Diverged at its last rung.</summary>
    Diverged,

    /// <summary>Failed at its last rung.</summary>
    Failed,
}

/// <summary>A trial after tuning: one row of trials.csv.</summary>
/// <param name="Trial">The trial.</param>
/// <param name="Rung">The highest rung it has a result at (index).</param>
/// <param name="RungEpochs">That rung's budget in epochs.</param>
/// <param name="EpochsTrained">Epochs its models trained, over all its rungs (a fork-and-decay branch counts its whole schedule).</param>
/// <param name="ValidationAccuracy">Its validation accuracy at that rung (NaN if diverged or failed).</param>
/// <param name="Status">Its status.</param>
/// <param name="RungAccuracies">Its validation accuracy at each rung it ran, by rung index.</param>
public sealed record TrialSummary(Trial Trial, int Rung, int RungEpochs, int EpochsTrained, double ValidationAccuracy, TrialStatus Status, IReadOnlyList<double> RungAccuracies);

/// <summary>What happened at a point of the tuning.</summary>
public enum TuningEventKind
{
    /// <summary>A job starts.</summary>
    JobStarted,

    /// <summary>A job finished (or was replayed from the ledger).</summary>
    JobFinished,

    /// <summary>The search stopped.</summary>
    Stopped,
}

/// <summary>Progress of a tuning, reported through <see cref="IProgress{T}"/>.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Job">The job, for job events.</param>
/// <param name="Result">Its result, when finished.</param>
/// <param name="Replayed">True when the result came from the ledger.</param>
/// <param name="SpentEpochs">Compute spent so far.</param>
/// <param name="BudgetEpochs">The compute budget for the search (final fits excluded), if any.</param>
/// <param name="Best">The best trial so far.</param>
/// <param name="Message">A line for a log.</param>
public sealed record TuningProgress(TuningEventKind Kind, TrialJob? Job, JobResult? Result, bool Replayed, double SpentEpochs, double? BudgetEpochs, TrialSummary? Best, string Message);

/// <summary>A point of the best-so-far curve.</summary>
/// <param name="SpentEpochs">Compute spent when the job finished.</param>
/// <param name="BestValidationAccuracy">The best trial's validation accuracy then.</param>
/// <param name="BestRung">That trial's rung.</param>
public sealed record BestSoFar(double SpentEpochs, double BestValidationAccuracy, int BestRung);

/// <summary>The result of a search.</summary>
/// <param name="Trials">Every trial, in id order.</param>
/// <param name="Rungs">The rungs' budgets in epochs.</param>
/// <param name="SpentEpochs">Compute spent on the search.</param>
/// <param name="Jobs">Jobs run (or replayed).</param>
/// <param name="StopReason">Why the search stopped.</param>
/// <param name="History">Best so far after each job.</param>
public sealed record TuningOutcome(IReadOnlyList<TrialSummary> Trials, IReadOnlyList<int> Rungs, double SpentEpochs, int Jobs, string StopReason, IReadOnlyList<BestSoFar> History)
{
    /// <summary>Trials ranked for the final choice: highest rung first, then validation accuracy; diverged and failed trials last.</summary>
    public IReadOnlyList<TrialSummary> Ranked =>
        [.. Trials.Where(t => !double.IsNaN(t.ValidationAccuracy)).OrderByDescending(t => t.Rung).ThenByDescending(t => t.ValidationAccuracy).ThenBy(t => t.Trial.Id)];

    /// <summary>The chosen trial, or null when none finished.</summary>
    public TrialSummary? Best => Ranked is { Count: > 0 } ranked ? ranked[0] : null;
}
