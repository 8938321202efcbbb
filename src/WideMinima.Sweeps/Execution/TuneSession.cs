using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using WideMinima.Ledger;
using WideMinima.MLNet;
using WideMinima.Sweeps.Config;
using WideMinima.Sweeps.Reports;
using WideMinima.Tuning;

namespace WideMinima.Sweeps.Execution;

/// <summary>Where a tuning's workers are: the ledger they share, how many start on this machine, and their lease.</summary>
/// <param name="Target">The ledger the jobs go through (ledger.db in --out, or a sweep in PostgreSQL).</param>
/// <param name="Local">Worker processes started on this machine (0: workers join with <c>worker</c>).</param>
/// <param name="Lease">Their claims' lease, and how long the tuning holds its sweep open without renewing.</param>
public sealed record TuneWorkers(LedgerTarget Target, int Local, TimeSpan Lease);

/// <summary>How a tuning ended.</summary>
public enum TuneEnding
{
    /// <summary>The search and the final fits finished; the reports are written.</summary>
    Done,

    /// <summary>No trial finished within the budget.</summary>
    NoTrial,
}

/// <summary>
/// A whole tuning: the ledger (one <see cref="SqlLedger"/>, the same as <c>run</c>'s: the tuning's jobs and final fits
/// are its runs, of kinds <see cref="RunKind.TuneJob"/> and <see cref="RunKind.FinalFit"/>), the search with ASHA and
/// fork-and-decay (in this process, or on workers), the final fit(s) on the whole training set scored once on the test
/// set, and the reports. A tuning killed at any moment resumes by replaying the ledger: finished jobs are not trained
/// again. The command that starts it only parses its settings and renders what this returns.
/// </summary>
public static class TuneSession
{
    /// <summary>
    /// Fixes what the definition needs before anything is written: the threads per run, and with workers the jobs in
    /// flight, taken from the tuning already recorded in <paramref name="folder"/> or the workers' ledger (a resume
    /// computes exactly as before; not when it is to be replaced) or else from the workers.
    /// </summary>
    public static SweepConfig Resolve(string folder, SweepConfig config, TuneWorkers? workers, bool replace)
    {
        ArgumentNullException.ThrowIfNull(config);
        var t = config.Tune ?? throw new ArgumentException("The config has no tune section.", nameof(config));
        SweepConfig? stored = replace ? null : Stored(folder, workers);
        if (workers is null && stored?.Tune?.ParallelJobs is int p && t.ParallelJobs is null)
            throw new SweepConfigException("--workers", null, $"is needed: the tuning in --out '{folder}' trains on workers ({p} job(s) in flight); run it again as it was started (--workers, and --ledger if it had one), or pass --replace to start a new one here");
        if (workers is not null && t.ParallelJobs is null)
        {
            int? parallel = stored?.Tune?.ParallelJobs ?? (workers.Local > 0 ? workers.Local : null);
            config = config with { Tune = t with { ParallelJobs = parallel ?? throw new SweepConfigException("tune.parallel_jobs", null, "must be set with --workers 0 (--parallel-jobs N: how many jobs the workers that join run at once)") } };
        }
        if (config.Threads == 0)
            config = config with { Threads = stored?.Threads ?? (workers is null ? Math.Max(1, Environment.ProcessorCount) : SweepFolder.DefaultThreads(workers.Local)) };
        return config;
    }

    /// <summary>The tuning already recorded where this one would go (its ledger, or an earlier version's tune.db), or null.</summary>
    private static SweepConfig? Stored(string folder, TuneWorkers? workers)
    {
        var target = workers?.Target ?? LedgerTarget.Sqlite(folder);
        if (target.IsShared || File.Exists(target.SqlitePath))
        {
            using var ledger = target.Open();
            if (ledger.ReadSweep() is { } header) return SweepConfigJson.Parse(header.ConfigJson, ledger.Description);
        }
        string legacy = Path.Combine(folder, LegacyTuneDb.FileName);
        return File.Exists(legacy) ? LegacyTuneDb.ReadConfig(legacy) : null;
    }

    /// <summary>The whole tuning into <paramref name="folder"/>; the config is already validated and resolved.</summary>
    /// <param name="folder">The output folder (reports and best.wmmodel; ledger.db unless the workers' ledger is shared).</param>
    /// <param name="config">The validated config.</param>
    /// <param name="replace">Archive a different tuning already there.</param>
    /// <param name="output">Where the lines that are not progress go.</param>
    /// <param name="view">Makes the progress display from the search's budget in epochs (null: no compute cap).</param>
    /// <param name="ct">Stops the tuning; everything finished is kept.</param>
    /// <param name="workers">Workers that train the search's jobs; null trains them in this process, one at a time.</param>
    public static TuneEnding Run(string folder, SweepConfig config, bool replace, TextWriter output, Func<double?, IProgress<TuningProgress>> view,
        CancellationToken ct, TuneWorkers? workers = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(view);
        var t = config.Tune!;
        var target = workers?.Target ?? LedgerTarget.Sqlite(folder);
        SweepFolder.EnsureWritable(folder);
        LegacyTuneDb.ImportIfPresent(folder, target, output);
        config = SweepFolder.Prepare(target, config, replace).Config;
        using var ledger = new RetryingLedger(target.Open(), new RetryOptions(), output.WriteLine);
        // Held open at once: a worker that joins while the data loads waits for the first job instead of exiting.
        if (workers is not null) ledger.HoldOpen(workers.Lease);

        var ml = new MLContext(seed: config.FirstSeed);
        var data = SweepData.Load(ml, config.Dataset);
        int finals = TuneJobs.FinalFits(config);
        var progress = view(t.BudgetEpochs is double b ? b - finals * config.Epochs : null);
        var options = TuneJobs.TunerOptions(config, config.Threads, Path.Combine(folder, "scratch")); // trunk checkpoints while a Knee job runs
        options.Progress = progress;
        string budget = t.BudgetEpochs is double e ? string.Create(CultureInfo.InvariantCulture, $"{e:0.##} epochs") : "no compute cap";
        if (t.BudgetMinutes is double mm) budget += string.Create(CultureInfo.InvariantCulture, $", {mm:0.#} minutes");

        var store = new LedgerTrialStore(ledger);
        // With workers, the session holds the sweep open and keeps them until the final fits are done too.
        using var session = workers is null ? null : new TuneWorkerSession(folder, config, workers, ledger, budget, output);
        if (session is null)
        {
            options.Store = store;
            int resumed = store.JobCount();
            output.WriteLine($"Tuning '{config.Name}' in {folder}: budget {budget}, {config.Threads} thread(s){(resumed > 0 ? $"; resuming: {resumed} job(s) in the ledger" : "")}.");
        }
        else
        {
            options.Dispatcher = session.Dispatcher;
            options.Parallelism = t.ParallelJobs ?? 1;
        }
        var tuner = new WideMinimaTuner(ml, options);
        var outcome = tuner.Search(data.Train, ct);
        output.WriteLine($"Search stopped: {outcome.StopReason}");
        string scratch = Path.Combine(folder, "scratch");
        if (Directory.Exists(scratch) && !Directory.EnumerateFileSystemEntries(scratch).Any()) Directory.Delete(scratch);
        if (outcome.Best is null)
        {
            session?.Complete();
            TuneReportWriter.Write(folder, new TuneReport(config, outcome, [], 0));
            output.WriteLine("No trial finished: raise the budget.");
            return TuneEnding.NoTrial;
        }

        // The final choice(s), on validation accuracy alone: the best, or with seeds > 1 the top distinct settings.
        var chosen = new List<TrialSummary>();
        foreach (var trial in outcome.Ranked)
        {
            if (chosen.Count >= (config.Seeds > 1 ? t.Top : 1)) break;
            if (chosen.All(c => c.Trial.Settings != trial.Trial.Settings)) chosen.Add(trial);
        }
        string modelPath = Path.Combine(folder, TuneReportWriter.ModelFile);
        var fits = new List<(TrialSummary Chosen, int Seed, bool IsBest)>();
        foreach (var c in chosen)
            for (int s = 0; s < config.Seeds; s++) fits.Add((c, config.FirstSeed + s, c == chosen[0] && s == 0));
        // With workers, every final fit but the best goes to them now; the best trains here meanwhile (it writes best.wmmodel).
        foreach (var (c, seed, isBest) in fits)
            if (session is not null && !isBest && store.FindFinal(c.Trial.Id, seed) is null) session.SubmitFinal(new FinalFitJob(c.Trial.Id, c.Trial.Settings, seed));
        var tuned = new List<TunedSetting>();
        double finalEpochs = 0;
        foreach (var c in chosen)
        {
            var seeds = new List<FinalFit>();
            foreach (var (_, seed, isBest) in fits.Where(f => f.Chosen == c))
            {
                var fit = store.FindFinal(c.Trial.Id, seed);
                if (fit is null || (isBest && !File.Exists(modelPath)))
                {
                    ct.ThrowIfCancellationRequested();
                    if (session is not null && !isBest)
                    {
                        fit = session.WaitFinal(c.Trial.Id, seed, ct);
                    }
                    else
                    {
                        output.WriteLine($"Final fit on the whole training set: {c.Trial.Settings.Label}, seed {seed} ({config.Epochs} epochs)");
                        fit = TuneJobs.FitFinal(tuner, data, c.Trial.Id, c.Trial.Settings, seed,
                            isBest ? model => WideMinimaModel.Save(ml, model, data.Train.Schema, modelPath) : null, ct);
                        store.SaveFinal(new FinalFitJob(c.Trial.Id, c.Trial.Settings, seed), fit);
                    }
                }
                finalEpochs += config.Epochs;
                seeds.Add(fit);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {c.Trial.Settings.Label}, seed {seed}: test accuracy {(fit.TestAccuracy is double a ? $"{a:P2}" : "diverged")}{(fit.Sharpness is double sh ? $", sharpness {sh:G3}" : "")}"));
            }
            tuned.Add(new TunedSetting(c.Trial.Id, c.Trial.Settings, c.ValidationAccuracy, c.RungEpochs, seeds));
        }
        session?.Complete();
        TuneReportWriter.Write(folder, new TuneReport(config, outcome, tuned, finalEpochs));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Best: {chosen[0].Trial.Settings.Label} (validation {chosen[0].ValidationAccuracy:P2}); compute {outcome.SpentEpochs + finalEpochs:0.#} epochs ({(outcome.SpentEpochs + finalEpochs) / config.Epochs:0.#} full runs)."));
        output.WriteLine($"Reports: {Path.Combine(folder, "best.json")}, best.wmmodel, trials.csv, summary.md, plots/tune_*.png");
        return TuneEnding.Done;
    }
}

/// <summary>
/// A tuning's finished jobs and final fits, kept in its ledger: a job is a run of kind <see cref="RunKind.TuneJob"/>
/// (the job as its payload, its result as its result), a final fit one of kind <see cref="RunKind.FinalFit"/>. The
/// search replays what it finds here, so a tuning killed at any moment resumes without training anything twice.
/// </summary>
internal sealed class LedgerTrialStore(IRunLedger ledger) : ITrialStore
{
    /// <inheritdoc />
    public JobResult? Find(TrialJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var run = Run(TuneJobs.RunId(job));
        if (run is null || run.Status != RunStatus.Done) return null;
        // The same id must hold the same job: a ledger written by a version whose tuner proposed otherwise is refused, not credited to other settings.
        if (run.PayloadJson != JsonSerializer.Serialize(job, SweepConfigJson.Options))
            throw new LedgerException($"{ledger.Description} holds job {job.Key} with other settings than this tuning decides now (it was written by an earlier version, whose tuner proposed otherwise); it was left untouched. Use a new --out folder, or pass --replace to archive it and start again.");
        return TuneJobs.Result(job, run);
    }

    /// <inheritdoc />
    public void Save(TrialJob job, JobResult result) =>
        ledger.Record(TuneJobs.Plan(job), new RunOutcome(RunStatus.Done, null, null, JsonSerializer.Serialize(result, SweepConfigJson.Options)));

    /// <summary>Finished jobs.</summary>
    public int JobCount() => ledger.Runs().Count(r => r.Kind == RunKind.TuneJob && r.Status == RunStatus.Done);

    /// <summary>A recorded final fit of trial <paramref name="trialId"/> with seed <paramref name="seed"/>, or null.</summary>
    public FinalFit? FindFinal(int trialId, int seed) =>
        Run(TuneJobs.FinalRunId(trialId, seed)) is { Status: RunStatus.Done, ResultJson: { } json } ? JsonSerializer.Deserialize<FinalFit>(json, SweepConfigJson.Options) : null;

    /// <summary>Records a final fit trained in this process.</summary>
    public void SaveFinal(FinalFitJob job, FinalFit fit) =>
        ledger.Record(TuneJobs.Plan(job), new RunOutcome(RunStatus.Done, null, null, JsonSerializer.Serialize(fit, SweepConfigJson.Options)));

    private LedgerRun? Run(string id) => ledger.Runs().FirstOrDefault(r => r.RunId == id);
}
