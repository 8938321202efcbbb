using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using Spectre.Console;
using WideMinima.MLNet;
using WideMinima.Schedules;
using WideMinima.Sweeps.Config;
using WideMinima.Sweeps.Execution;
using WideMinima.Sweeps.Ledger;
using WideMinima.Sweeps.Reports;
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
        // The shared-ledger options come with run's settings; the tuner keeps its own ledger in --out.
        if (settings.Ledger is not null) throw new SweepConfigException("--ledger", LedgerLocation.Redact(settings.Ledger), "is not supported by tune: it keeps its own ledger (tune.db) in --out");
        if (settings.Sweep is not null) throw new SweepConfigException("--sweep", settings.Sweep, "is not supported by tune");
        if (settings.LeaseSeconds is not null) throw new SweepConfigException("--lease-seconds", settings.LeaseSeconds, "is not supported by tune");
        if (settings.Workers is int workers && workers != 1)
            throw new SweepConfigException("--workers", workers, "is not supported by tune yet: it trains one job at a time in one process (run tunes with different --out folders to use more cores or machines)");
        var config = settings.ResolveTune();
        SweepConfigValidator.Validate(config);
        TuneConfigValidator.Validate(config);
        SweepData.CheckExists(config.Dataset);
        string folder = settings.Folder;
        SweepFolder.EnsureWritable(folder);

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        System.Console.CancelKeyPress += onCancel;
        try
        {
            // Like run: plain lines when the output is redirected, live progress bars on a terminal.
            if (System.Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
                return Run(folder, config, settings.Replace, System.Console.Out, budget => new TunePlainView(System.Console.Out, budget), cancel.Token);
            int code = 0;
            using var lines = new AnsiLineWriter();
            AnsiConsole.Progress()
                .AutoClear(false)
                .HideCompleted(true)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(ctx => code = Run(folder, config, settings.Replace, lines, budget => new TuneLiveView(ctx, budget), cancel.Token));
            return code;
        }
        catch (OperationCanceledException)
        {
            System.Console.WriteLine("Stopped; run the same command again to continue where it left off.");
            return 130;
        }
        finally
        {
            System.Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>The whole tuning into <paramref name="folder"/>; the config is already validated.</summary>
    /// <param name="folder">The output folder.</param>
    /// <param name="config">The validated config.</param>
    /// <param name="replace">Archive a different tuning already in the folder.</param>
    /// <param name="output">Where the lines that are not progress go.</param>
    /// <param name="view">Makes the progress display from the search's budget in epochs (null: no compute cap).</param>
    /// <param name="ct">Stops the tuning.</param>
    public static int Run(string folder, SweepConfig config, bool replace, TextWriter output, Func<double?, IProgress<TuningProgress>> view, CancellationToken ct)
    {
        var t = config.Tune!;
        string ledgerPath = Path.Combine(folder, TuneLedger.FileName);
        config = PrepareLedger(folder, ledgerPath, config, replace);
        using var ledger = new TuneLedger(ledgerPath);
        int resumed = ledger.JobCount();

        var ml = new MLContext(seed: config.FirstSeed);
        var data = SweepData.Load(ml, config.Dataset);
        var trainer = RunExecutor.TrainerOptions(config, JsonSerializer.Serialize<ScheduleOptions>(new KneeScheduleOptions(), ScheduleJson.Options), config.FirstSeed, config.ThreadsPerRun);
        int finals = TuneConfigValidator.FinalFits(config);
        var progress = view(t.BudgetEpochs is double b ? b - finals * config.Epochs : null);
        var tuner = new WideMinimaTuner(ml, new WideMinimaTuner.Options
        {
            Trainer = trainer,
            Space = t.Space,
            GracePeriod = t.GracePeriod,
            ReductionFactor = t.ReductionFactor,
            ValidationShare = t.ValidationShare,
            Seed = t.Seed,
            BudgetEpochs = t.BudgetEpochs,
            BudgetTime = t.BudgetMinutes is double m ? TimeSpan.FromMinutes(m) : null,
            FinalFits = finals,
            ForkAndDecay = t.ForkAndDecay,
            Progress = progress,
            Store = ledger,
            ScratchDirectory = Path.Combine(folder, "scratch"), // trunk checkpoints while a Knee job runs
        });
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Tuning '{config.Name}' in {folder}: budget {(t.BudgetEpochs is double e ? $"{e:0.##} epochs" : "no compute cap")}{(t.BudgetMinutes is double mm ? $", {mm:0.#} minutes" : "")}, {config.ThreadsPerRun} thread(s){(resumed > 0 ? $"; resuming: {resumed} job(s) in the ledger" : "")}."));

        var outcome = tuner.Search(data.Train, ct);
        output.WriteLine($"Search stopped: {outcome.StopReason}");
        string scratch = Path.Combine(folder, "scratch");
        if (Directory.Exists(scratch) && !Directory.EnumerateFileSystemEntries(scratch).Any()) Directory.Delete(scratch);
        if (outcome.Best is null)
        {
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
        var tuned = new List<TunedSetting>();
        double finalEpochs = 0;
        foreach (var c in chosen)
        {
            var fits = new List<FinalFit>();
            for (int s = 0; s < config.Seeds; s++)
            {
                int seed = config.FirstSeed + s;
                bool isBest = c == chosen[0] && s == 0;
                var fit = ledger.FindFinal(c.Trial.Id, seed);
                if (fit is null || (isBest && !File.Exists(modelPath)))
                {
                    ct.ThrowIfCancellationRequested();
                    output.WriteLine($"Final fit on the whole training set: {c.Trial.Settings.Label}, seed {seed} ({config.Epochs} epochs)");
                    using var model = tuner.FitFinal(data.Train, c.Trial.Settings, seed, ct);
                    var r = model.TrainingReport;
                    double? accuracy = null, loss = null;
                    if (!r.Diverged) (accuracy, loss) = model.Evaluate(data.Test);
                    if (isBest) WideMinimaModel.Save(ml, model, data.Train.Schema, modelPath);
                    fit = new FinalFit(c.Trial.Id, seed, accuracy, loss, r.Width?.Sharpness, r.Epochs.Count, r.TrainSeconds);
                    ledger.SaveFinal(fit);
                }
                finalEpochs += config.Epochs;
                fits.Add(fit);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {c.Trial.Settings.Label}, seed {seed}: test accuracy {(fit.TestAccuracy is double a ? $"{a:P2}" : "diverged")}{(fit.Sharpness is double sh ? $", sharpness {sh:G4}" : "")}"));
            }
            tuned.Add(new TunedSetting(c.Trial.Id, c.Trial.Settings, c.ValidationAccuracy, c.RungEpochs, fits));
        }
        TuneReportWriter.Write(folder, new TuneReport(config, outcome, tuned, finalEpochs));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Best: {chosen[0].Trial.Settings.Label} (validation {chosen[0].ValidationAccuracy:P2}); compute {outcome.SpentEpochs + finalEpochs:0.#} epochs ({(outcome.SpentEpochs + finalEpochs) / config.Epochs:0.#} full runs)."));
        output.WriteLine($"Reports: {Path.Combine(folder, "best.json")}, best.wmmodel, trials.csv, summary.md, plots/tune_*.png");
        return ExitCodes.Success;
    }

    /// <summary>Opens the ledger, fixes the thread count, and refuses a different tuning unless <paramref name="replace"/>.</summary>
    private static SweepConfig PrepareLedger(string folder, string path, SweepConfig config, bool replace)
    {
        (string Definition, string Config)? existing;
        using (var ledger = new TuneLedger(path)) existing = ledger.ReadDefinition();
        if (config.ThreadsPerRun == 0)
        {
            int threads = existing is { } e ? SweepConfigJson.Parse(e.Config, path).ThreadsPerRun : Math.Max(1, Environment.ProcessorCount);
            config = config with { ThreadsPerRun = threads };
        }
        string definition = Definition(config);
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

    /// <summary>What defines a tuning's results (workers and TensorBoard excluded).</summary>
    private static string Definition(SweepConfig config) =>
        JsonSerializer.Serialize(config with { Workers = 0, Tensorboard = false }, Compact);

    private static readonly JsonSerializerOptions Compact = new(SweepConfigJson.Options) { WriteIndented = false };
}
