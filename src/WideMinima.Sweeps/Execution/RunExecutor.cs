using Microsoft.ML;
using WideMinima.MLNet;
using WideMinima.Models;
using WideMinima.Schedules;
using WideMinima.Sharpness;
using WideMinima.Sweeps.Config;
using WideMinima.Sweeps.Planning;
using WideMinima.Ledger;
using WideMinima.Training;
using WideMinima.Training.Checkpoints;
using WideMinima.Tuning;

namespace WideMinima.Sweeps.Execution;

/// <summary>Trains and measures one run of a sweep. A diverged run is an outcome; any other error a failed run.</summary>
public static class RunExecutor
{
    /// <summary>
    /// The trainer options a run uses: the config's training settings as they are (a sweep config is a
    /// <see cref="TrainingOptions"/>), with the run's schedule, seed and threads, the optimizer its family trains with, and
    /// the width measures its metrics ask for (each a copy, so nothing a run does reaches the config; a measure's seed 0 becomes the run's).
    /// </summary>
    public static WideMinimaTrainer.Options TrainerOptions(SweepConfig config, string scheduleOptionsJson, ScheduleFamily family, int seed, int threads)
    {
        ArgumentNullException.ThrowIfNull(config);
        var metrics = SweepMetrics.Of(config);
        var schedule = System.Text.Json.JsonSerializer.Deserialize<ScheduleOptions>(scheduleOptionsJson, ScheduleJson.Options)
            ?? throw new InvalidOperationException("The run's schedule is missing from the ledger.");
        bool top = metrics.Contains(WidthMetric.HessianTop), trace = metrics.Contains(WidthMetric.HessianTrace);
        HessianOptions? hessian = null;
        if (top || trace)
        {
            hessian = (config.Hessian ?? HessianOptions.Fast()).Clone();
            (hessian.TopEigenvalue, hessian.Trace) = (top, trace);
            if (hessian.Seed == 0) hessian.Seed = seed;
        }
        KeskarWidthOptions? width = null;
        if (metrics.Contains(WidthMetric.Keskar))
        {
            width = (config.Width ?? KeskarWidthOptions.Fast()).Clone();
            if (width.Seed == 0) width.Seed = seed;
        }
        AdaptiveSharpnessOptions? adaptive = null;
        if (metrics.Contains(WidthMetric.Adaptive))
        {
            adaptive = (config.Adaptive ?? new AdaptiveSharpnessOptions()).Clone();
            if (adaptive.Seed == 0) adaptive.Seed = seed;
        }
        return new WideMinimaTrainer.Options(config)
        {
            Optimizer = family.Optimizer(config.Optimizer),
            Schedule = schedule,
            Seed = seed,
            Threads = threads,
            OnDivergence = DivergenceAction.Stop,
            Width = width,
            Hessian = hessian,
            Adaptive = adaptive,
        };
    }

    /// <summary>Runs <paramref name="run"/> on <paramref name="data"/>; <paramref name="onEpoch"/> sees each epoch.</summary>
    /// <param name="config">The sweep definition.</param>
    /// <param name="configJson">The definition as recorded, stored with the result.</param>
    /// <param name="run">The run, as claimed from the ledger.</param>
    /// <param name="scheduleOptionsJson">The run's schedule options.</param>
    /// <param name="data">Train and test data.</param>
    /// <param name="threads">Torch threads.</param>
    /// <param name="onEpoch">Sees each epoch's report, on the training thread.</param>
    /// <param name="ct">Stops training between steps.</param>
    /// <param name="tensorboardDirectory">Where to write TensorBoard scalars for this run; null writes none.</param>
    /// <param name="checkpoints">The run's checkpoints: saved as the config asks, and the newest good one resumed from; null uses none.</param>
    /// <param name="modelPath">Where to save the trained model (WideMinimaModel.Save); null saves none.</param>
    public static RunOutcome Execute(SweepConfig config, string configJson, LedgerRun run, string scheduleOptionsJson, SweepData data,
        int threads, Action<EpochReport>? onEpoch, CancellationToken ct, string? tensorboardDirectory = null, RunCheckpoints? checkpoints = null,
        string? modelPath = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(data);
        try
        {
            var ml = new MLContext(seed: run.Seed);
            var options = TrainerOptions(config, scheduleOptionsJson, ConfigNames.Parse<ScheduleFamily>("schedule", run.Schedule), run.Seed, threads);
            // A budget below 1 lays the schedule out over its own, shorter run (the schedule options are budget-independent).
            options.Epochs = SweepConfigValidator.BudgetEpochs(run.Budget, config.Epochs);
            bool calibration = run.Phase == RunPhase.Calibration;
            if (calibration)
            {
                // Scored on a validation split of the training data, never the test set; no width is measured, no model kept.
                var split = config.PeakLr.Calibrate ?? throw new InvalidOperationException($"Run '{run.RunId}' is a calibration run, but the sweep's peak_lr is not calibrated.");
                data = data.CalibrationSplit(ml, split.ValidationShare, config.FirstSeed);
                (options.Width, options.Hessian, options.Adaptive) = (null, null, null);
                modelPath = null;
            }
            options.ValidationSet = data.Test;
            var board = tensorboardDirectory is null ? null : TorchSharp.torch.utils.tensorboard.SummaryWriter(tensorboardDirectory);
            options.Progress = new Inline<EpochReport>(e =>
            {
                board?.add_scalar("train/loss", (float)e.TrainLoss, e.Epoch);
                board?.add_scalar("train/learning_rate", (float)e.LearningRate, e.Epoch);
                if (e.ValidationAccuracy is double a) board?.add_scalar("test/accuracy", (float)a, e.Epoch);
                if (e.ValidationLoss is double l) board?.add_scalar("test/loss", (float)l, e.Epoch);
                onEpoch?.Invoke(e);
            });
            var resumeFrom = checkpoints?.FindResumePoint();
            var fork = checkpoints is null ? default : ForkOf(config, run, options, data, checkpoints);
            if (checkpoints is not null && (checkpoints.EveryEpochs > 0 || fork.SaveAt.Count > 0))
                options.Checkpoints = new CheckpointPlan { EveryEpochs = checkpoints.EveryEpochs, AtSteps = fork.SaveAt, Sink = checkpoints };
            // A run resumes its own checkpoint first; a branch without one forks from its trunk's at its knee.
            var forkPoint = resumeFrom is null && fork.TrunkId is not null ? checkpoints!.FindForkPoint(fork.TrunkId, fork.Knee) : null;
            options.ResumeFrom = resumeFrom is not null ? new CheckpointSource(resumeFrom.Path, resumeFrom.Sha256)
                : forkPoint is not null ? new CheckpointSource(forkPoint.Path, forkPoint.Sha256, Fork: true) : null;
            if (forkPoint is not null) checkpoints!.RememberFork(fork.TrunkId!, forkPoint.Step);
            WideMinimaTransformer fitted;
            try
            {
                fitted = new WideMinimaTrainer(ml, options).Fit(data.Train, ct);
            }
            catch (Exception e) when ((e is CheckpointException && (resumeFrom is not null || forkPoint is not null))
                || (e is IOException or UnauthorizedAccessException && resumeFrom is null && forkPoint is not null))
            {
                // Read and checked before any training: a checkpoint that does not fit this run is dropped (a trunk's is
                // left to its owner, and may have been deleted since it was found), and the run starts over.
                if (resumeFrom is not null) checkpoints!.Discard(resumeFrom, e.Message);
                else
                {
                    checkpoints!.Log($"{run.RunId}: cannot fork from {fork.TrunkId}'s checkpoint at step {fork.Knee}; it trains on its own: {e.Message}");
                    checkpoints.ForgetFork();
                }
                (resumeFrom, forkPoint, options.ResumeFrom) = (null, null, null);
                fitted = new WideMinimaTrainer(ml, options).Fit(data.Train, ct);
            }
            // The fork this run's training began with: this attempt's, or (resumed from its own checkpoint) an earlier one's.
            (string TrunkId, long Step)? forked = forkPoint is not null ? (fork.TrunkId!, forkPoint.Step) : resumeFrom is not null ? checkpoints!.RememberedFork() : null;
            if (fork.TrunkId is not null) checkpoints!.ReleaseFork(fork.TrunkId, fork.Knee);
            using var model = fitted;
            var report = model.TrainingReport;
            RunStatus status = report.Diverged ? RunStatus.Diverged : RunStatus.Done;
            double? accuracy = null, loss = null;
            double? validation = null;
            if (!report.Diverged && calibration) validation = model.Evaluate(data.Test).Accuracy;
            else if (!report.Diverged) (accuracy, loss) = model.Evaluate(data.Test);
            if (report.Width is { } measured) board?.add_scalar("width/sharpness", (float)measured.Sharpness, report.Epochs.Count);
            if (modelPath is not null && !report.Diverged)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(modelPath)!);
                string temporary = modelPath + ".tmp";
                WideMinimaModel.Save(ml, model, data.Train.Schema, temporary);
                File.Move(temporary, modelPath, overwrite: true);
            }
            var schedule = ScheduleJson.Deserialize(report.ScheduleJson);
            var record = new RunRecord
            {
                RunId = run.RunId,
                Setting = run.Setting,
                Schedule = run.Schedule,
                ExploreFraction = run.ExploreFraction,
                Seed = run.Seed,
                Status = status,
                Phase = run.Phase,
                Budget = run.Budget,
                PeakLr = schedule.PeakLearningRate,
                ValidationAccuracy = validation,
                ConfigJson = configJson,
                ScheduleJson = report.ScheduleJson,
                TestAccuracy = accuracy,
                TestLoss = loss,
                TrainLoss = report.FinalTrainLoss,
                Width = report.Width is { } w ? new WidthSummary(w.Sharpness, w.InitialLoss, w.MaxLoss, w.FinalLoss, w.Steps, w.Converged, w.Elapsed.TotalSeconds) : null,
                TrainSeconds = report.TrainSeconds,
                WidthSeconds = report.WidthSeconds,
                Hessian = report.Hessian is { } h ? new HessianSummary(h.TopEigenvalue, h.Trace, h.TraceStandardError, h.Iterations, h.Converged, h.Elapsed.TotalSeconds) : null,
                Adaptive = report.Adaptive is { } a ? new AdaptiveSummary(a.Sharpness, a.InitialLoss, a.MaxLoss, a.Steps, a.Elapsed.TotalSeconds) : null,
                LearningRateCurve = [.. schedule.Sample(200).Select(p => new[] { p.Step, p.LearningRate })],
                Epochs = [.. report.Epochs.Select(e => new EpochRecord(e.Epoch, e.Epochs, e.TrainLoss, e.LearningRate, e.ValidationAccuracy, e.ValidationLoss, e.Seconds))],
                Threads = report.Threads,
                ResumedFromEpoch = resumeFrom?.Epoch ?? forkPoint?.Epoch,
                ResumedFromStep = resumeFrom?.Step ?? forkPoint?.Step,
                ForkedFrom = forked?.TrunkId,
                ForkedAtStep = forked?.Step,
                TotalSteps = forked is null ? null : fork.TotalSteps,
                DiscardedCheckpoints = checkpoints is { Discarded.Count: > 0 } ? [.. checkpoints.Discarded] : null,
            };
            checkpoints?.Finish();
            return new RunOutcome(status, record, report.Diverged ? "the training loss became NaN or infinite" : null);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
#pragma warning disable CA1031 // A failed run is recorded with its error; it must never stop the sweep.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return new RunOutcome(RunStatus.Failed, null, $"{e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>
    /// A run's part in fork-and-decay (<see cref="SweepPlanner.ForkRole"/>), in steps of its own budget: the trunk
    /// saves a checkpoint at each smaller share's knee (<c>SaveAt</c>, kept for the branches); a branch at the trunk's
    /// peak looks for its trunk's checkpoint at its own knee. Nothing for other runs.
    /// </summary>
    private static (IReadOnlyList<long> SaveAt, string? TrunkId, long Knee, long TotalSteps) ForkOf(SweepConfig config, LedgerRun run,
        WideMinimaTrainer.Options options, SweepData data, RunCheckpoints checkpoints)
    {
        var (trunkId, shares) = SweepPlanner.ForkRole(config, run.RunId, run.Setting, run.Phase);
        if ((trunkId is null && shares.Count == 0) || options.Schedule is not KneeScheduleOptions knee) return ([], null, 0, 0);
        long total = ForkAndDecay.TotalSteps(checked((int)data.TrainRows), options);
        long own = ForkAndDecay.KneeStep(knee, knee.ExploreFraction, total);
        // A final run's chosen peak may differ from its trunk's: then there is nothing to share.
        if (trunkId is not null) return checkpoints.PeakOf(trunkId) == knee.PeakLearningRate ? ([], trunkId, own, total) : ([], null, 0, 0);
        // A knee at step 0 has nothing to share; a knee at the trunk's own is its own run.
        long[] knees = [.. shares.Select(s => ForkAndDecay.KneeStep(knee, s, total)).Where(k => k > 0 && k < own).Distinct()];
        checkpoints.KeepForForks(knees);
        return (knees, null, own, total);
    }

    /// <summary>An IProgress that reports on the training thread, so the ledger sees epochs as they end.</summary>
    private sealed class Inline<T>(Action<T> action) : IProgress<T>
    {
        public void Report(T value) => action(value);
    }
}
