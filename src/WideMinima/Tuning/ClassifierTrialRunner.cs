using System.Diagnostics;
using WideMinima.Models;
using WideMinima.Training;
using static TorchSharp.torch;

namespace WideMinima.Tuning;

/// <summary>
/// Trains tuning jobs with the classifier training loop on a training part and scores them on the validation part
/// carved from the training data. Knee branches of one proposal are trained by fork-and-decay when a fork trainer is
/// given; otherwise (and when a trunk fails) each share runs on its own, with the same numbers.
/// </summary>
internal sealed class ClassifierTrialRunner : ITrialRunner
{
    /// <summary>Trains Knee branches at several shares; result i is share i's model, bit-identical to an independent run.</summary>
    public delegate IReadOnlyList<ClassifierTraining.Result> ForkTrainer(ClassifierData train, ClassifierData validation, TrainingOptions options,
        IReadOnlyList<double> shares, NetworkSpec spec, int seed, Device device, Action<string> log, CancellationToken ct);

    private readonly ClassifierData _train;
    private readonly ClassifierData _validation;
    private readonly TrainingOptions _options;
    private readonly NetworkSpec _spec;
    private readonly Device _device;
    private readonly double _scale;
    private readonly Action<string> _log;
    private readonly ForkTrainer? _fork;

    /// <param name="train">The training part.</param>
    /// <param name="validation">The validation part: every decision is made on it.</param>
    /// <param name="options">Everything but the schedule, the epochs and the weight decay (which the trial sets when the space holds it).</param>
    /// <param name="spec">The network.</param>
    /// <param name="device">Where to train.</param>
    /// <param name="fullTrainingCount">Examples in the whole training set: compute is counted in epochs of it.</param>
    /// <param name="log">Training log lines.</param>
    /// <param name="fork">Fork-and-decay, or null to train every share on its own.</param>
    public ClassifierTrialRunner(ClassifierData train, ClassifierData validation, TrainingOptions options, NetworkSpec spec, Device device,
        int fullTrainingCount, Action<string> log, ForkTrainer? fork)
    {
        (_train, _validation, _options, _spec, _device, _log, _fork) = (train, validation, options, spec, device, log, fork);
        _scale = train.Count / (double)fullTrainingCount;
    }

    /// <inheritdoc />
    public double Cost(TrialJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return job.Epochs * _scale * RunEquivalents(job, _fork is not null);
    }

    /// <summary>
    /// Full runs a job costs: one per trial, or for Knee branches trained by fork-and-decay the trunk to the largest
    /// knee, <c>w + (1 - w) max(s)</c>, plus each branch's decay, <c>(1 - w)(1 - s)</c> (0.9 + 2.6 = 3.5 for the five default shares).
    /// </summary>
    public static double RunEquivalents(TrialJob job, bool fork)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (!fork || !IsFork(job)) return job.Trials.Count;
        double w = job.Trials[0].Settings.WarmupShare;
        var shares = job.Trials.Select(t => t.Settings.ExploreShare ?? 0).ToArray();
        return w + (1 - w) * shares.Max() + shares.Sum(s => (1 - w) * (1 - s));
    }

    private static bool IsFork(TrialJob job) => job.Trials.Count > 1 && job.Trials.All(t => t.Settings.Family == ScheduleFamily.Knee);

    /// <inheritdoc />
    public JobResult Run(TrialJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var clock = Stopwatch.StartNew();
        if (_fork is not null && IsFork(job))
        {
            var first = job.Trials[0];
            try
            {
                var results = _fork(_train, _validation, Options(first.Settings, job.Epochs), [.. job.Trials.Select(t => t.Settings.ExploreShare ?? 0)],
                    _spec, first.Seed, _device, _log, cancellationToken);
                var outcomes = job.Trials.Select((t, i) => Outcome(t, results[i])).ToArray();
                foreach (var r in results) r.Model.Dispose();
                return new JobResult(outcomes, Cost(job), clock.Elapsed.TotalSeconds);
            }
            catch (OperationCanceledException)
            {
                throw;
            }
#pragma warning disable CA1031 // A trunk that fails (it diverged before a knee) falls back to independent runs, which record each share's own outcome.
            catch (Exception e)
#pragma warning restore CA1031
            {
                _log($"fork-and-decay failed ({e.Message}); training each share on its own");
            }
        }
        var single = job.Trials.Select(t => RunOne(t, job.Epochs, cancellationToken)).ToArray();
        return new JobResult(single, job.Epochs * _scale * job.Trials.Count, clock.Elapsed.TotalSeconds);
    }

    private TrialOutcome RunOne(Trial trial, int epochs, CancellationToken ct)
    {
        try
        {
            var result = ClassifierTraining.Train(_train, _validation, Options(trial.Settings, epochs), _spec, trial.Seed, _device, _log, ct);
            using (result.Model) return Outcome(trial, result);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
#pragma warning disable CA1031 // A failed trial is recorded with its error; it must never stop the search.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return new TrialOutcome(trial.Id, TrialOutcomeStatus.Failed, double.NaN, $"{e.GetType().Name}: {e.Message}");
        }
    }

    private static TrialOutcome Outcome(Trial trial, ClassifierTraining.Result result) =>
        result.Report.Diverged || result.Report.Epochs.Count == 0 || result.Report.Epochs[^1].ValidationAccuracy is not double accuracy
            ? new TrialOutcome(trial.Id, TrialOutcomeStatus.Diverged, double.NaN)
            : new TrialOutcome(trial.Id, TrialOutcomeStatus.Done, accuracy);

    /// <summary>The training options of a trial: the base options with its schedule, budget and weight decay; no width, no progress, stop on divergence.</summary>
    public TrainingOptions Options(TrialSettings settings, int epochs) => With(_options, settings, epochs);

    internal static TrainingOptions With(TrainingOptions o, TrialSettings settings, int epochs) => o with
    {
        Optimizer = settings.Family.Optimizer(o.Optimizer),
        WeightDecay = settings.WeightDecay ?? o.WeightDecay,
        Epochs = epochs,
        Schedule = settings.ToSchedule(),
        Width = null,
        Hessian = null,
        Adaptive = null,
        OnDivergence = DivergenceAction.Stop,
        Progress = null,
        Checkpoints = null,
        ResumeFrom = null,
        StopAfterStep = null,
    };

    /// <summary>The rows of <paramref name="data"/> at <paramref name="indices"/>, in that order.</summary>
    public static ClassifierData Subset(ClassifierData data, IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(indices);
        int f = data.FeatureCount;
        var features = new float[(long)indices.Count * f];
        var labels = new long[indices.Count];
        for (int i = 0; i < indices.Count; i++)
        {
            Array.Copy(data.Features, (long)indices[i] * f, features, (long)i * f, f);
            labels[i] = data.Labels[indices[i]];
        }
        return new ClassifierData(features, labels, f, data.ClassCount);
    }
}
