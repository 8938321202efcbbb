using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Spectre.Console;
using WideMinima.MLNet;
using WideMinima.Schedules;
using WideMinima.Sweeps.Config;
using WideMinima.Sweeps.Reports;
using WideMinima.Sweeps.Execution;
using WideMinima.Ledger;
using WideMinima.Reports;
using WideMinima.Sweeps.Terminal;
using WideMinima.Tuning;

namespace WideMinima.Sweeps.Commands;

/// <summary>
/// <c>tune</c>: validates everything, then searches with ASHA and fork-and-decay (resuming from the ledger), trains
/// the final fit(s) on the whole training set, scores them once on the test set, and writes the reports.
/// </summary>
internal sealed class TuneCommand : Spectre.Console.Cli.Command<TuneSettings>
{
    public override int Execute(Spectre.Console.Cli.CommandContext context, TuneSettings settings, CancellationToken cancellationToken)
    {
        if (settings.Workers is int w && w < 0) throw new SweepConfigException("--workers", w, "must be 0 (workers join with 'worker') or more");
        var config = settings.ResolveTune();
        SweepConfigValidator.Validate(config);
        TuneConfigValidator.Validate(config);
        SweepData.CheckExists(config.Dataset);
        string folder = settings.Folder;
        // Workers train the search when asked for: --workers other than 1, a shared --ledger, or parallel jobs.
        bool shared = settings.Location() is not null;
        Workers? workers = shared || settings.Workers is not (null or 1) || config.Tune!.ParallelJobs is > 1
            ? new Workers(settings.Target(config.Name), settings.Workers ?? config.Tune!.ParallelJobs ?? 1, settings.Lease)
            : null;
        if (workers is null && settings.LeaseSeconds is not null)
            throw new SweepConfigException("--lease-seconds", settings.LeaseSeconds, "applies to tune's workers only (--workers N other than 1, or --ledger)");
        config = Resolve(folder, config, workers, settings.Replace);
        SweepFolder.EnsureWritable(folder);

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        System.Console.CancelKeyPress += onCancel;
        try
        {
            // Like run: plain lines when the output is redirected, live progress bars on a terminal.
            if (System.Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
                return Run(folder, config, settings.Replace, System.Console.Out, budget => new TunePlainView(System.Console.Out, budget), cancel.Token, workers);
            int code = 0;
            using var lines = new AnsiLineWriter();
            AnsiConsole.Progress()
                .AutoClear(false)
                .HideCompleted(true)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(ctx => code = Run(folder, config, settings.Replace, lines, budget => new TuneLiveView(ctx, budget), cancel.Token, workers));
            return code;
        }
        catch (OperationCanceledException)
        {
            System.Console.WriteLine("Stopped; run the same command again to continue where it left off.");
            return 130;
        }
        catch (TuneJobFailedException e)
        {
            System.Console.Error.WriteLine($"Tuning stopped: {e.Message}");
            System.Console.Error.WriteLine("Every finished job is kept in the ledger; fix the cause and run the same command again to continue (the failed job runs again).");
            return ExitCodes.SomeRunsFailed;
        }
        finally
        {
            System.Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>Where tune's workers are: the ledger they share, how many start on this machine, and their lease.</summary>
    /// <param name="Target">The sweep ledger the jobs go through (ledger.db in --out, or a sweep in PostgreSQL).</param>
    /// <param name="Local">Worker processes started on this machine (0: workers join with <c>worker</c>).</param>
    /// <param name="Lease">Their claims' lease, and how long the tuning holds its sweep open without renewing.</param>
    public sealed record Workers(LedgerTarget Target, int Local, TimeSpan Lease);

    /// <summary>
    /// Fixes what the definition needs before anything is written: the threads per run, and with workers the jobs in
    /// flight, taken from the tuning already recorded (a resume computes exactly as before; not when it is to be
    /// replaced) or else from the workers.
    /// </summary>
    private static SweepConfig Resolve(string folder, SweepConfig config, Workers? workers, bool replace)
    {
        var stored = new List<SweepConfig>();
        if (replace) return Defaults(config, workers, stored);
        string tunePath = Path.Combine(folder, TuneLedger.FileName);
        if (File.Exists(tunePath))
        {
            using var ledger = new TuneLedger(tunePath);
            if (ledger.ReadDefinition() is { } d) stored.Add(SweepConfigJson.Parse(d.Config, tunePath));
        }
        if (workers is null && stored.Count > 0 && stored[0].Tune?.ParallelJobs is int p && config.Tune?.ParallelJobs is null)
            throw new SweepConfigException("--workers", null, $"is needed: the tuning in --out '{folder}' trains on workers ({p} job(s) in flight); run it again as it was started (--workers, and --ledger if it had one), or pass --replace to start a new one here");
        if (workers is not null && (workers.Target.IsShared || File.Exists(workers.Target.SqlitePath)))
        {
            using var ledger = workers.Target.Open();
            if (ledger.ReadSweep() is { } header) stored.Add(SweepConfigJson.Parse(header.ConfigJson, ledger.Description));
        }
        return Defaults(config, workers, stored);
    }

    private static SweepConfig Defaults(SweepConfig config, Workers? workers, List<SweepConfig> stored)
    {
        var t = config.Tune!;
        if (workers is not null && t.ParallelJobs is null)
        {
            int? parallel = stored.Select(c => c.Tune?.ParallelJobs).FirstOrDefault(p => p is not null) ?? (workers.Local > 0 ? workers.Local : null);
            config = config with { Tune = t with { ParallelJobs = parallel ?? throw new SweepConfigException("tune.parallel_jobs", null, "must be set with --workers 0 (--parallel-jobs N: how many jobs the workers that join run at once)") } };
        }
        if (config.ThreadsPerRun == 0)
        {
            int threads = stored.Count > 0 ? stored[0].ThreadsPerRun
                : workers is null ? Math.Max(1, Environment.ProcessorCount) : SweepFolder.DefaultThreads(workers.Local);
            config = config with { ThreadsPerRun = threads };
        }
        return config;
    }

    /// <summary>The whole tuning into <paramref name="folder"/>; the config is already validated and resolved.</summary>
    /// <param name="folder">The output folder.</param>
    /// <param name="config">The validated config.</param>
    /// <param name="replace">Archive a different tuning already in the folder.</param>
    /// <param name="output">Where the lines that are not progress go.</param>
    /// <param name="view">Makes the progress display from the search's budget in epochs (null: no compute cap).</param>
    /// <param name="ct">Stops the tuning.</param>
    /// <param name="workers">Workers that train the search's jobs; null trains them in this process, one at a time.</param>
    public static int Run(string folder, SweepConfig config, bool replace, TextWriter output, Func<double?, IProgress<TuningProgress>> view, CancellationToken ct, Workers? workers = null)
    {
        var t = config.Tune!;
        string ledgerPath = Path.Combine(folder, TuneLedger.FileName);
        // The job ledger first: with --replace it archives the folder's plots as a whole, then the tuning's own files follow.
        if (workers is not null)
        {
            config = SweepFolder.Prepare(workers.Target, config, replace).Config;
            // Held open at once: a worker that joins while the data loads waits for the first job instead of exiting.
            using var jobs = workers.Target.Open();
            jobs.HoldOpen(workers.Lease);
        }
        config = PrepareLedger(folder, ledgerPath, config, replace);
        using var ledger = new TuneLedger(ledgerPath);

        var ml = new MLContext(seed: config.FirstSeed);
        var data = SweepData.Load(ml, config.Dataset);
        int finals = TuneConfigValidator.FinalFits(config);
        var progress = view(t.BudgetEpochs is double b ? b - finals * config.Epochs : null);
        var options = TuneJobs.TunerOptions(config, config.ThreadsPerRun, Path.Combine(folder, "scratch")); // trunk checkpoints while a Knee job runs
        options.Progress = progress;
        string budget = t.BudgetEpochs is double e ? string.Create(CultureInfo.InvariantCulture, $"{e:0.##} epochs") : "no compute cap";
        if (t.BudgetMinutes is double mm) budget += string.Create(CultureInfo.InvariantCulture, $", {mm:0.#} minutes");

        // With workers, the session holds the sweep open and keeps them until the final fits are done too.
        using var session = workers is null ? null : new TuneWorkerSession(folder, config, workers, budget, output);
        if (session is null)
        {
            options.Store = ledger;
            int resumed = ledger.JobCount();
            output.WriteLine($"Tuning '{config.Name}' in {folder}: budget {budget}, {config.ThreadsPerRun} thread(s){(resumed > 0 ? $"; resuming: {resumed} job(s) in the ledger" : "")}.");
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
            return ExitCodes.SomeRunsFailed;
        }

        // The final choice(s), on validation accuracy alone: the best, or with seeds > 1 the top distinct settings.
        var chosen = new List<TrialSummary>();
        foreach (var trial in outcome.Ranked)
        {
            if (chosen.Count >= (config.Seeds > 1 ? t.Top : 1)) break;
            if (chosen.All(c => c.Trial.Settings != trial.Trial.Settings)) chosen.Add(trial);
        }
        string modelPath = Path.Combine(folder, "best.wmmodel");
        var fits = new List<(TrialSummary Chosen, int Seed, bool IsBest)>();
        foreach (var c in chosen)
            for (int s = 0; s < config.Seeds; s++) fits.Add((c, config.FirstSeed + s, c == chosen[0] && s == 0));
        // With workers, every final fit but the best goes to them now; the best trains here meanwhile (it writes best.wmmodel).
        foreach (var (c, seed, isBest) in fits)
            if (session is not null && !isBest && ledger.FindFinal(c.Trial.Id, seed) is null) session.SubmitFinal(new FinalFitJob(c.Trial.Id, c.Trial.Settings, seed));
        var tuned = new List<TunedSetting>();
        double finalEpochs = 0;
        foreach (var c in chosen)
        {
            var seeds = new List<FinalFit>();
            foreach (var (_, seed, isBest) in fits.Where(f => f.Chosen == c))
            {
                var fit = ledger.FindFinal(c.Trial.Id, seed);
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
                    }
                    ledger.SaveFinal(fit);
                }
                finalEpochs += config.Epochs;
                seeds.Add(fit);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {c.Trial.Settings.Label}, seed {seed}: test accuracy {(fit.TestAccuracy is double a ? $"{a:P2}" : "diverged")}{(fit.Sharpness is double sh ? $", sharpness {sh:G4}" : "")}"));
            }
            tuned.Add(new TunedSetting(c.Trial.Id, c.Trial.Settings, c.ValidationAccuracy, c.RungEpochs, seeds));
        }
        session?.Complete();
        TuneReportWriter.Write(folder, new TuneReport(config, outcome, tuned, finalEpochs));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Best: {chosen[0].Trial.Settings.Label} (validation {chosen[0].ValidationAccuracy:P2}); compute {outcome.SpentEpochs + finalEpochs:0.#} epochs ({(outcome.SpentEpochs + finalEpochs) / config.Epochs:0.#} full runs)."));
        output.WriteLine($"Reports: {Path.Combine(folder, "best.json")}, best.wmmodel, trials.csv, summary.md, plots/tune_*.png");
        return ExitCodes.Success;
    }

    /// <summary>Opens the ledger and refuses a different tuning unless <paramref name="replace"/>.</summary>
    private static SweepConfig PrepareLedger(string folder, string path, SweepConfig config, bool replace)
    {
        (string Definition, string Config)? existing;
        using (var ledger = new TuneLedger(path)) existing = ledger.ReadDefinition();
        string definition = SweepConfigJson.TuningDefinition(config);
        if (existing is { } old && old.Definition != definition)
        {
            if (!replace)
                throw new SweepConfigException($"--out '{folder}' already holds a different tuning ({SweepConfigJson.Parse(old.Config, path).Name}); use a new --out folder, or pass --replace to archive it and start this one.");
            string archive = Path.Combine(folder, $"archive-{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}");
            Directory.CreateDirectory(archive);
            foreach (var name in new[] { TuneLedger.FileName, TuneLedger.FileName + "-wal", TuneLedger.FileName + "-shm", "best.json", "best.wmmodel", "trials.csv", "summary.md" })
                if (File.Exists(Path.Combine(folder, name))) File.Move(Path.Combine(folder, name), Path.Combine(archive, name));
            foreach (var plot in TuneReportWriter.Plots)
                if (File.Exists(Path.Combine(folder, plot))) { Directory.CreateDirectory(Path.Combine(archive, "plots")); File.Move(Path.Combine(folder, plot), Path.Combine(archive, plot)); }
        }
        using (var ledger = new TuneLedger(path)) ledger.WriteDefinition(definition, SweepConfigJson.Write(config));
        return config;
    }
}
