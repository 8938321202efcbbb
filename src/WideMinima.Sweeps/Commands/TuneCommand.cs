using System.Globalization;
using System.Text.Json;
using Microsoft.ML;
using WideMinima.MLNet;
using WideMinima.Schedules;
using WideMinima.Sweeps.Config;
using WideMinima.Sweeps.Execution;
using WideMinima.Sweeps.Ledger;
using WideMinima.Sweeps.Reports;
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
            return Run(folder, config, settings.Replace, System.Console.Out, cancel.Token);
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
    public static int Run(string folder, SweepConfig config, bool replace, TextWriter output, CancellationToken ct)
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
        var view = new TuneView(output, t.BudgetEpochs is double b ? b - finals * config.Epochs : null);
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
            Progress = view,
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

    /// <summary>Progress lines: each finished job with the compute spent and the best so far.</summary>
    private sealed class TuneView(TextWriter output, double? searchBudget) : IProgress<TuningProgress>
    {
        public void Report(TuningProgress value)
        {
            if (value.Kind == TuningEventKind.JobStarted) return;
            if (value.Kind == TuningEventKind.Stopped) return;
            string budget = searchBudget is double b ? string.Create(CultureInfo.InvariantCulture, $"/{b:0.#}") : "";
            string best = value.Best is { } t ? string.Create(CultureInfo.InvariantCulture, $" | best {t.ValidationAccuracy:P2} ({t.Trial.Settings.Label}, rung {t.Rung})") : "";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{value.SpentEpochs,6:0.0}{budget} ep{(value.Replayed ? ", ledger" : "")}] {value.Message}{best}"));
        }
    }
}
