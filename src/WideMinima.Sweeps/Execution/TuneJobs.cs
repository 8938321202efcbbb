using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using WideMinima.MLNet;
using WideMinima.Schedules;
using WideMinima.Sweeps.Config;
using WideMinima.Ledger;
using WideMinima.Sweeps.Planning;
using WideMinima.Tuning;

namespace WideMinima.Sweeps.Execution;

/// <summary>
/// A tuning's jobs as runs of the sweep ledger, so that <c>tune</c>'s workers are <c>run</c>'s workers: the same
/// claims, leases, heartbeats, fencing and reclaims, on SQLite or PostgreSQL. A job's run holds the job as JSON in
/// place of a schedule, and its result as JSON in place of a run record.
/// </summary>
public static class TuneJobs
{
    /// <summary>A job's run id, e.g. <c>tune-r1-t3-5-7</c> (rung 1, trials 3, 5 and 7): the same job always has the same id.</summary>
    public static string RunId(TrialJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return string.Create(CultureInfo.InvariantCulture, $"tune-r{job.Rung}-t{string.Join('-', job.Trials.Select(t => t.Id))}");
    }

    /// <summary>The run that trains <paramref name="job"/>: kind <see cref="RunKind.TuneJob"/>, the job as its payload; queued after every run already there.</summary>
    public static NewRun Plan(TrialJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var first = job.Trials[0].Settings;
        string setting = job.Trials.Count == 1
            ? $"r{job.Rung} {first.Label}"
            : string.Create(CultureInfo.InvariantCulture, $"r{job.Rung} {first.Family.Name()} lr {first.PeakLearningRate:0.####} x{job.Trials.Count} shares");
        return new NewRun(RunId(job), setting, first.Family.Name(), job.Trials.Count == 1 ? first.ExploreShare : null, job.Trials[0].Seed,
            JsonSerializer.Serialize(job, SweepConfigJson.Options))
        {
            Kind = RunKind.TuneJob,
            PeakLr = job.Trials.Count == 1 ? first.PeakLearningRate : null,
        };
    }

    /// <summary>A final fit's run id, e.g. <c>tune-final-t3-s2</c> (trial 3's settings, seed 2).</summary>
    public static string FinalRunId(int trialId, int seed) => string.Create(CultureInfo.InvariantCulture, $"tune-final-t{trialId}-s{seed}");

    /// <summary>True for a final fit's run (else a search job's).</summary>
    public static bool IsFinal(LedgerRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.Kind == RunKind.FinalFit;
    }

    /// <summary>The run that trains a final fit: kind <see cref="RunKind.FinalFit"/>, the fit as its payload; queued after every run already there.</summary>
    public static NewRun Plan(FinalFitJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return new NewRun(FinalRunId(job.TrialId, job.Seed), $"final {job.Settings.Label}", job.Settings.Family.Name(), job.Settings.ExploreShare, job.Seed,
            JsonSerializer.Serialize(job, SweepConfigJson.Options))
        {
            Kind = RunKind.FinalFit,
            PeakLr = job.Settings.PeakLearningRate,
        };
    }

    /// <summary>
    /// Trains <paramref name="settings"/> on the whole training set for the full budget and scores it once on the test
    /// set: a final fit, the same wherever it runs. <paramref name="keep"/> sees the model before it is disposed (the
    /// coordinator saves the best one there).
    /// </summary>
    public static FinalFit FitFinal(WideMinimaTuner tuner, SweepData data, int trialId, TrialSettings settings, int seed, Action<WideMinimaTransformer>? keep, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tuner);
        ArgumentNullException.ThrowIfNull(data);
        using var model = tuner.FitFinal(data.Train, settings, seed, ct);
        var r = model.TrainingReport;
        double? accuracy = null, loss = null;
        if (!r.Diverged) (accuracy, loss) = model.Evaluate(data.Test);
        keep?.Invoke(model);
        return new FinalFit(trialId, seed, accuracy, loss, r.Width?.Sharpness, r.Epochs.Count, r.TrainSeconds);
    }

    /// <summary>The job a run trains.</summary>
    /// <exception cref="InvalidDataException">The run holds no job.</exception>
    public static TrialJob Job(LedgerRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        try
        {
            return JsonSerializer.Deserialize<TrialJob>(run.PayloadJson, SweepConfigJson.Options)
                ?? throw new InvalidDataException($"Run '{run.RunId}' holds no tuning job.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Run '{run.RunId}' holds no tuning job: {e.Message}", e);
        }
    }

    /// <summary>
    /// The result of a finished job's run. A run that failed as a whole (its worker could not train at all) is an
    /// error of the set-up, not a result: <see cref="TuneJobFailedException"/>, and the tuning stops with the ledger
    /// as it is (run again, and the job runs again).
    /// </summary>
    public static JobResult Result(TrialJob job, LedgerRun run)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(run);
        if (Failure(run) is { } failure) throw failure;
        var result = JsonSerializer.Deserialize<JobResult>(run.ResultJson!, SweepConfigJson.Options)
            ?? throw new InvalidDataException($"Run '{run.RunId}' holds no job result.");
        if (!result.Outcomes.Select(o => o.TrialId).SequenceEqual(job.Trials.Select(t => t.Id)))
            throw new InvalidDataException($"Run '{run.RunId}' holds the result of other trials than its job's.");
        return result;
    }

    /// <summary>The error of a finished job or final fit whose run failed as a whole (no result recorded); null when it is done.</summary>
    public static TuneJobFailedException? Failure(LedgerRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.Status == RunStatus.Done && run.ResultJson is not null ? null
            : new TuneJobFailedException($"{(IsFinal(run) ? "final fit" : "job")} {run.RunId} ({run.Setting}) {run.Status.ToText()} on worker {run.Worker ?? "?"}: {run.Error ?? "no result recorded"}");
    }

    /// <summary>The tuner's options for a config: the same for the coordinator and every worker, so a job trains the same anywhere.</summary>
    /// <param name="config">The tuning as stored in its ledger.</param>
    /// <param name="threads">Torch threads.</param>
    /// <param name="scratchDirectory">Where fork-and-decay keeps its trunk checkpoints while a job runs (null: the temporary folder).</param>
    public static WideMinimaTuner.Options TunerOptions(SweepConfig config, int threads, string? scratchDirectory)
    {
        ArgumentNullException.ThrowIfNull(config);
        var t = config.Tune ?? throw new ArgumentException("The config has no tune section.", nameof(config));
        var trainer = RunExecutor.TrainerOptions(config, JsonSerializer.Serialize<ScheduleOptions>(new KneeScheduleOptions(), ScheduleJson.Options), ScheduleFamily.Knee, config.FirstSeed, threads);
        return new WideMinimaTuner.Options(t)
        {
            Trainer = trainer,
            FinalFits = FinalFits(config),
            ScratchDirectory = scratchDirectory,
        };
    }

    /// <summary>Final fits on the whole training set: one, or the top settings times the seeds.</summary>
    public static int FinalFits(SweepConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Seeds > 1 ? (config.Tune?.Top ?? 3) * config.Seeds : 1;
    }
}

/// <summary>A final fit handed to a worker: the settings of trial <paramref name="TrialId"/>, trained with <paramref name="Seed"/>.</summary>
/// <param name="TrialId">The trial whose settings are fitted.</param>
/// <param name="Settings">Its settings.</param>
/// <param name="Seed">The seed.</param>
public sealed record FinalFitJob(int TrialId, TrialSettings Settings, int Seed);

/// <summary>A tuning job failed as a whole on its worker (not a trial that diverged or failed: those are results).</summary>
public sealed class TuneJobFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TuneJobFailedException() { }

    /// <summary>Creates the exception with a message.</summary>
    public TuneJobFailedException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public TuneJobFailedException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>
/// The search's side of the workers: submitting a job adds its run to the ledger (after every run already there),
/// waiting polls the ledger until the run has finished. Idempotent, so a restarted search finds what it submitted.
/// </summary>
/// <param name="ledger">The sweep's ledger.</param>
/// <param name="whileWaiting">Called on every poll while a job is awaited (the coordinator checks its workers there; it may throw to stop).</param>
/// <param name="poll">How often the ledger is read while waiting; default 100 ms.</param>
public sealed class LedgerTrialDispatcher(IRunLedger ledger, Action? whileWaiting = null, TimeSpan? poll = null) : ITrialDispatcher
{
    private readonly Dictionary<string, LedgerRun> _runs = [];

    /// <inheritdoc />
    public TrialJobState State(TrialJob job)
    {
        var run = Find(job, refresh: true);
        return run is null ? TrialJobState.New : run.Status.IsFinished() ? TrialJobState.Finished : TrialJobState.Submitted;
    }

    /// <inheritdoc />
    public void Submit(TrialJob job) => Add(TuneJobs.Plan(job));

    /// <inheritdoc />
    public JobResult Wait(TrialJob job, CancellationToken cancellationToken)
    {
        var run = WaitFor(TuneJobs.RunId(job), cancellationToken);
        if (run.PayloadJson != JsonSerializer.Serialize(job, SweepConfigJson.Options))
            throw new InvalidDataException($"{ledger.Description} holds job {run.RunId} with other settings than this tuning decided: it belongs to another tuning. Use another --sweep name or --out folder.");
        return TuneJobs.Result(job, run);
    }

    /// <summary>Adds <paramref name="run"/> after every run already queued, unless the ledger holds it already.</summary>
    public void Add(NewRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (Find(run.RunId, refresh: false) is not null) return;
        ledger.AddRuns([run]);
    }

    /// <summary>Polls the ledger until run <paramref name="runId"/> has finished (calling the wait hook on each poll) and returns it.</summary>
    public LedgerRun WaitFor(string runId, CancellationToken cancellationToken)
    {
        var interval = poll ?? TimeSpan.FromMilliseconds(100);
        while (true)
        {
            var run = Find(runId, refresh: true) ?? throw new InvalidOperationException($"Run {runId} was never submitted.");
            if (run.Status.IsFinished()) return run;
            whileWaiting?.Invoke();
            cancellationToken.WaitHandle.WaitOne(interval);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private LedgerRun? Find(TrialJob job, bool refresh) => Find(TuneJobs.RunId(job), refresh);

    private LedgerRun? Find(string id, bool refresh)
    {
        if (refresh || !_runs.ContainsKey(id))
        {
            var runs = ledger.Runs();
            _runs.Clear();
            foreach (var r in runs) _runs[r.RunId] = r;
        }
        return _runs.GetValueOrDefault(id);
    }
}

/// <summary>
/// Trains a tuning's jobs for a worker: the same runner as the coordinator's search (<see cref="WideMinimaTuner.CreateTrialRunner"/>
/// on the tuning's training data and options), built once per worker. A job that a worker gives up (stopped, or its lease
/// lost) trains again from its start on the next worker: a job is at most one rung of a few trials, and it trains the
/// same bits wherever it runs.
/// </summary>
/// <param name="config">The tuning as stored in the ledger.</param>
/// <param name="threads">Torch threads.</param>
/// <param name="scratchDirectory">Where fork-and-decay keeps its trunk checkpoints (null: the temporary folder).</param>
public sealed class TuneJobExecutor(SweepConfig config, int threads, string? scratchDirectory) : IRunExecutor
{
    private WideMinimaTuner? _tuner;
    private SweepData? _data;
    private ITrialRunner? _runner;

    /// <inheritdoc />
    public void Prepare()
    {
        if (_runner is not null) return;
        try
        {
            var ml = new MLContext(seed: config.FirstSeed);
            _data = SweepData.Load(ml, config.Dataset);
            _tuner = new WideMinimaTuner(ml, TuneJobs.TunerOptions(config, threads, scratchDirectory));
            _runner = _tuner.CreateTrialRunner(_data.Train);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or SweepConfigException or InvalidOperationException or UnauthorizedAccessException or ArgumentException)
        {
            throw new WorkerSetupException($"preparing the tuning's data failed: {e.Message}", e);
        }
    }

    /// <inheritdoc />
    public RunOutcome Execute(LedgerRun run, Action<int, int>? onEpoch, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(run);
        Prepare();
        string json;
        try
        {
            if (TuneJobs.IsFinal(run))
            {
                var job = JsonSerializer.Deserialize<FinalFitJob>(run.PayloadJson, SweepConfigJson.Options)
                    ?? throw new InvalidDataException($"Run '{run.RunId}' holds no final fit.");
                json = JsonSerializer.Serialize(TuneJobs.FitFinal(_tuner!, _data!, job.TrialId, job.Settings, job.Seed, null, ct), SweepConfigJson.Options);
            }
            else
            {
                json = JsonSerializer.Serialize(_runner!.Run(TuneJobs.Job(run), ct), SweepConfigJson.Options);
            }
        }
        catch (OperationCanceledException)
        {
            throw;
        }
#pragma warning disable CA1031 // A job that cannot train is recorded as failed with its error; the tuning reports it and stops.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return new RunOutcome(RunStatus.Failed, null, $"{e.GetType().Name}: {e.Message}");
        }
        ct.ThrowIfCancellationRequested();
        return new RunOutcome(RunStatus.Done, null, null, json);
    }
}
