using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using WideMinima.Training;
using WideMinima.Tuning;

namespace WideMinima.MLNet;

/// <summary>
/// Finds the peak learning rate, the explore share and the schedule family for your data and model within a budget,
/// then trains the final model with the chosen settings on all of the training data:
/// <c>new WideMinimaTuner(mlContext, options).Fit(trainData)</c>. It carves a seeded, stratified validation split out
/// of the training data, runs asynchronous successive halving over budget rungs (every rung is a whole, shorter
/// schedule, so decaying schedules are compared after their decay), and trains the Knee shares of one peak rate by
/// fork-and-decay. Progress goes to <see cref="Options.Progress"/> and to <c>MLContext.Log</c>.
/// </summary>
public sealed class WideMinimaTuner
{
    private readonly MLContext _mlContext;
    private readonly Options _options;

    /// <summary>Creates the tuner; the options are validated here.</summary>
    public WideMinimaTuner(MLContext mlContext, Options options)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _mlContext = mlContext;
        _options = options;
    }

    /// <summary>
    /// Options of <see cref="WideMinimaTuner"/>: the search (<see cref="TuningOptions"/>: space, rungs, validation split,
    /// budget; declared and defaulted there) plus the model's training and what the search talks to.
    /// </summary>
    public sealed record Options : TuningOptions
    {
        /// <summary>Options with every default.</summary>
        public Options()
        {
        }

        /// <summary>Options that search as <paramref name="search"/> says (a config's <c>tune:</c> section), with the defaults for the rest.</summary>
        public Options(TuningOptions search) : base(search)
        {
        }

        /// <summary>
        /// The model and its training (network, optimizer, batch size, columns, device, threads, width for the final
        /// model). <see cref="TrainingOptions.Epochs"/> is the full budget: the top rung and the final fit.
        /// Its schedule is replaced by each trial's; its seed (default 1) is every trial's seed.
        /// </summary>
        public WideMinimaTrainer.Options Trainer { get; set; } = new();

        /// <summary>Final fits the compute budget keeps back (each costs <c>Trainer.Epochs</c>). Default 1.</summary>
        public int FinalFits { get; set; } = 1;

        /// <summary>Where fork-and-decay keeps its trunk checkpoints while a job runs (deleted after it); null: the temporary folder.</summary>
        public string? ScratchDirectory { get; set; }

        /// <summary>Receives the search's progress.</summary>
        public IProgress<TuningProgress>? Progress { get; set; }

        /// <summary>Keeps finished jobs so a search resumes (the console's ledger); null keeps them in memory only.</summary>
        public ITrialStore? Store { get; set; }

        /// <summary>
        /// Hands the search's jobs to workers (the console's shared ledger) instead of training them in this process;
        /// the workers build their runner with <see cref="CreateTrialRunner(IDataView)"/> from the same data and options. Null:
        /// jobs train here, one at a time.
        /// </summary>
        public ITrialDispatcher? Dispatcher { get; set; }

        /// <summary>Jobs in flight at once on the <see cref="Dispatcher"/> (see <see cref="TuningSearch.Parallelism"/>). Default 1.</summary>
        public int Parallelism { get; set; } = 1;

        /// <summary>The elapsed-time clock of the wall-time budget; null uses a stopwatch.</summary>
        public Func<TimeSpan>? Clock { get; set; }

        /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option and its value.</summary>
        public override void Validate()
        {
            base.Validate();
            ArgumentNullException.ThrowIfNull(Trainer, nameof(Trainer));
            Trainer.Validate();
            Asha.BudgetRungs(Trainer.Epochs, GracePeriod, ReductionFactor);
            Internal.Guard.Positive(FinalFits, nameof(FinalFits));
            Internal.Guard.Positive(Parallelism, nameof(Parallelism));
            if (Parallelism > 1 && Dispatcher is null)
                throw Internal.Guard.Fail(nameof(Parallelism), Parallelism, "needs a Dispatcher: in one process jobs train one at a time");
            if (BudgetEpochs is double b)
            {
                double smallest = SmallestTrial(Trainer.Epochs, GracePeriod, ReductionFactor, ValidationShare);
                double needed = FinalFits * Trainer.Epochs + smallest;
                if (b < needed)
                    throw Internal.Guard.Fail(nameof(BudgetEpochs), b, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                        $"is too small to finish one trial: it needs at least {needed:0.##} epochs ({FinalFits} final fit(s) of {Trainer.Epochs} epochs and one trial of {smallest:0.##} at the first rung)"));
            }
        }

        /// <summary>The compute of the cheapest job: one trial at the first rung on the training part.</summary>
        public static double SmallestTrial(int epochs, int gracePeriod, int reductionFactor, double validationShare) =>
            Asha.BudgetRungs(epochs, gracePeriod, reductionFactor)[0] * (1 - validationShare);
    }

    /// <summary>Searches, then trains the chosen settings on all of <paramref name="trainData"/>.</summary>
    public WideMinimaTuningResult Fit(IDataView trainData, CancellationToken cancellationToken = default)
    {
        var outcome = Search(trainData, cancellationToken);
        var best = outcome.Best ?? throw new InvalidOperationException($"No trial finished ({outcome.StopReason}); raise the budget.");
        var model = FitFinal(trainData, best.Trial.Settings, best.Trial.Seed, cancellationToken);
        return new WideMinimaTuningResult(model, best, outcome);
    }

    /// <summary>The search alone: every trial and the ranking, on the validation split carved from <paramref name="trainData"/>.</summary>
    public TuningOutcome Search(IDataView trainData, CancellationToken cancellationToken = default)
    {
        var o = _options;
        var host = ((IHostEnvironment)_mlContext).Register(nameof(WideMinimaTuner));
        using var channel = host.Start("Tuning");
        void Log(string message) => channel.Info(MessageSensitivity.None, message);
        var runner = BuildRunner(trainData, Log, message => channel.Warning(MessageSensitivity.None, message));
        var asha = new Asha(o.Trainer.Epochs, o.GracePeriod, o.ReductionFactor);
        Log($"rungs (epochs): {string.Join(", ", asha.Rungs)}; reduction factor {o.ReductionFactor}{(o.Dispatcher is null ? "" : $"; {o.Parallelism} job(s) in flight on workers")}");
        var stopwatch = Stopwatch.StartNew();
        var search = new TuningSearch(new RandomTuner(o, o.Seed), asha, runner, new TuningBudget(o.BudgetEpochs, o.BudgetTime),
            o.Clock ?? (() => stopwatch.Elapsed), o.Trainer.Seed ?? 1)
        {
            ReservedEpochs = o.FinalFits * o.Trainer.Epochs,
            Store = o.Store,
            Dispatcher = o.Dispatcher,
            Parallelism = o.Parallelism,
            Progress = new Relay(p =>
            {
                if (p.Kind != TuningEventKind.JobStarted) Log(p.Message);
                o.Progress?.Report(p);
            }),
        };
        return search.Run(cancellationToken);
    }

    /// <summary>
    /// The runner that trains the search's jobs: the seeded, stratified validation split carved from
    /// <paramref name="trainData"/>, the trainer's network and options, fork-and-decay when enabled. A worker that
    /// trains a shared search's jobs builds the same runner from the same data and options, so a job trains the same
    /// wherever it runs.
    /// </summary>
    public ITrialRunner CreateTrialRunner(IDataView trainData) => BuildRunner(trainData, _ => { }, _ => { });

    private ClassifierTrialRunner BuildRunner(IDataView trainData, Action<string> log, Action<string> warn)
    {
        ArgumentNullException.ThrowIfNull(trainData);
        var o = _options;
        var t = o.Trainer;
        NativeWarnings.Quiet();
        var (_, dimensions) = TrainingDataReader.CheckFeatures(trainData.Schema, t.FeatureColumnName);
        TrainingDataReader.CheckLabelType(trainData.Schema, t.LabelColumnName);
        var (all, label) = TrainingDataReader.Read(trainData, t.FeatureColumnName, t.LabelColumnName, null, "training data");
        var (trainIndex, validationIndex) = StratifiedSplit.Carve(all.Labels, o.ValidationShare, o.Seed);
        var train = ClassifierTrialRunner.Subset(all, trainIndex);
        var validation = ClassifierTrialRunner.Subset(all, validationIndex);
        var spec = WideMinimaTrainer.Spec(t, all.FeatureCount, label.ClassCount, dimensions);
        var (device, warning) = TorchDevices.Resolve(t.Device);
        if (warning is not null) warn(warning);
        log($"tuning {spec.Kind} on {train.Count} training and {validation.Count} validation examples (share {o.ValidationShare}, seed {o.Seed}), device {device}");
        return new ClassifierTrialRunner(train, validation, t, spec, device, all.Count, _ => { },
            o.ForkAndDecay ? TuningForks.Trainer(o.ScratchDirectory) : null);
    }

    /// <summary>Trains <paramref name="settings"/> on all of <paramref name="trainData"/> for the full budget, with the trainer's width options.</summary>
    public WideMinimaTransformer FitFinal(IDataView trainData, TrialSettings settings, int seed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = _options.Trainer with
        {
            Schedule = settings.ToSchedule(),
            Optimizer = settings.Family.Optimizer(_options.Trainer.Optimizer),
            WeightDecay = settings.WeightDecay ?? _options.Trainer.WeightDecay,
            Seed = seed,
            ValidationSet = null,
        };
        return new WideMinimaTrainer(_mlContext, options).Fit(trainData, cancellationToken);
    }

    /// <summary>Reports on the search's thread.</summary>
    private sealed class Relay(Action<TuningProgress> action) : IProgress<TuningProgress>
    {
        public void Report(TuningProgress value) => action(value);
    }
}

/// <summary>What <see cref="WideMinimaTuner.Fit"/> returns.</summary>
/// <param name="Model">The final model: the chosen settings trained on all the training data.</param>
/// <param name="Best">The chosen trial (on validation accuracy).</param>
/// <param name="Outcome">Every trial, the rungs, the compute spent and why the search stopped.</param>
public sealed record WideMinimaTuningResult(WideMinimaTransformer Model, TrialSummary Best, TuningOutcome Outcome);
