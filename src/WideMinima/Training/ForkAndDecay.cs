using WideMinima.Internal;
using WideMinima.Models;
using WideMinima.Schedules;
using WideMinima.Training.Checkpoints;
using static TorchSharp.torch;

namespace WideMinima.Training;

/// <summary>
/// Fork-and-decay for the Knee schedule. At one peak rate and seed, every explore share follows the same trajectory
/// up to its knee: the same warmup, then the peak rate, step for step. So the trunk is trained once, with the
/// largest share, checkpointed at each share's knee and stopped at the last one; each share then branches from its
/// knee's checkpoint with its own schedule and decays to the end of the budget. On the CPU a branch ends bit-identical
/// to an independent run of that share (the fork refuses a checkpoint whose rates up to the knee differ in any bit).
/// </summary>
internal static class ForkAndDecay
{
    /// <summary>One share's starting point: its knee and the trunk's checkpoint there.</summary>
    /// <param name="ExploreFraction">The explore share.</param>
    /// <param name="KneeStep">The last step at the peak rate (warmup plus explore steps).</param>
    /// <param name="Checkpoint">The trunk's checkpoint after <paramref name="KneeStep"/> steps.</param>
    public sealed record Branch(double ExploreFraction, long KneeStep, SavedCheckpoint Checkpoint);

    /// <summary><paramref name="knee"/> with explore share <paramref name="share"/>; every other setting kept.</summary>
    public static KneeScheduleOptions WithShare(KneeScheduleOptions knee, double share)
    {
        ArgumentNullException.ThrowIfNull(knee);
        return new KneeScheduleOptions
        {
            PeakLearningRate = knee.PeakLearningRate,
            WarmupFraction = knee.WarmupFraction,
            ExploreFraction = Guard.Fraction(share, nameof(share)),
            FloorLearningRate = knee.FloorLearningRate,
            DecayShape = knee.DecayShape,
        };
    }

    /// <summary>The knee of share <paramref name="share"/>: warmup plus explore steps of its schedule for <paramref name="totalSteps"/>.</summary>
    public static long KneeStep(KneeScheduleOptions knee, double share, long totalSteps)
    {
        var schedule = (KneeSchedule)WithShare(knee, share).Build(totalSteps);
        return schedule.WarmupSteps + schedule.ExploreSteps;
    }

    /// <summary>
    /// Compute of fork-and-decay in full-run equivalents, from the shares: the trunk runs to the largest knee,
    /// <c>w + (1 - w) max(s)</c>, and each distinct share decays from its knee to the end, <c>(1 - w)(1 - s)</c>, with
    /// warmup share <c>w</c>. Independent runs cost one each. For {0, 0.25, 0.5, 0.75, 0.9}: 0.9 + 2.6 = 3.5 instead of 5.
    /// </summary>
    public static double RunEquivalents(IEnumerable<double> shares, double warmupFraction = 0)
    {
        ArgumentNullException.ThrowIfNull(shares);
        Guard.Fraction(warmupFraction, nameof(warmupFraction));
        var distinct = shares.Select(s => Guard.Fraction(s, nameof(shares))).Distinct().ToList();
        if (distinct.Count == 0) throw new ArgumentException("At least one explore share is needed.", nameof(shares));
        double trunk = warmupFraction + (1 - warmupFraction) * distinct.Max();
        return trunk + distinct.Sum(s => (1 - warmupFraction) * (1 - s));
    }

    /// <summary>
    /// The same count in steps, exactly as trained: the trunk's steps to the largest knee plus each distinct knee's
    /// remaining steps, over the budget <paramref name="totalSteps"/>.
    /// </summary>
    public static double RunEquivalents(long totalSteps, IEnumerable<long> kneeSteps)
    {
        Guard.Positive(totalSteps, nameof(totalSteps));
        ArgumentNullException.ThrowIfNull(kneeSteps);
        var knees = kneeSteps.Distinct().ToList();
        if (knees.Count == 0) throw new ArgumentException("At least one knee is needed.", nameof(kneeSteps));
        foreach (long k in knees)
            if (k < 0 || k > totalSteps) throw Guard.Fail(nameof(kneeSteps), k, $"must lie in [0, {totalSteps}]");
        return (knees.Max() + knees.Sum(k => totalSteps - k)) / (double)totalSteps;
    }

    /// <summary>
    /// Trains the trunk: the Knee schedule of <paramref name="options"/> at the largest of <paramref name="shares"/>,
    /// saving a checkpoint through <paramref name="sink"/> at each share's knee and stopping at the last knee.
    /// Returns one branch per share, in the order given.
    /// </summary>
    public static IReadOnlyList<Branch> TrainTrunk(ClassifierData train, ClassifierData? validation, TrainingOptions options,
        IReadOnlyList<double> shares, NetworkSpec spec, int seed, Device device, ICheckpointSink sink, Action<string> log, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(shares);
        ArgumentNullException.ThrowIfNull(sink);
        var knee = KneeOf(options);
        if (shares.Count == 0) throw new ArgumentException("At least one explore share is needed.", nameof(shares));
        foreach (double share in shares) Guard.Fraction(share, nameof(shares));
        long total = TotalSteps(train.Count, options);
        var knees = shares.Select(s => KneeStep(knee, s, total)).ToArray();
        var saved = new Dictionary<long, SavedCheckpoint>();
        var trunk = options with
        {
            Schedule = WithShare(knee, shares.Max()),
            Checkpoints = new CheckpointPlan { AtSteps = [.. knees.Distinct()], Sink = new Collecting(sink, saved) },
            ResumeFrom = null,
            StopAfterStep = knees.Max(),
            Width = null,
        };
        log($"fork-and-decay trunk: knee schedule at share {shares.Max()}, checkpoints at steps {string.Join(", ", knees.Distinct())} of {total}");
        var result = ClassifierTraining.Train(train, validation, trunk, spec, seed, device, log, ct);
        result.Model.Dispose();
        return [.. shares.Select((s, i) => new Branch(s, knees[i], saved.TryGetValue(knees[i], out var c) ? c
            : throw new InvalidOperationException($"The trunk stopped before the knee of share {s} (step {knees[i]}); it diverged or was stopped.")))];
    }

    /// <summary>Trains <paramref name="branch"/> from its knee to the end of the budget with its own Knee schedule.</summary>
    public static ClassifierTraining.Result TrainBranch(ClassifierData train, ClassifierData? validation, TrainingOptions options,
        Branch branch, NetworkSpec spec, int seed, Device device, Action<string> log, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(branch);
        var own = options with
        {
            Schedule = WithShare(KneeOf(options), branch.ExploreFraction),
            ResumeFrom = new CheckpointSource(branch.Checkpoint.Path, branch.Checkpoint.Sha256, Fork: true),
        };
        return ClassifierTraining.Train(train, validation, own, spec, seed, device, log, ct);
    }

    /// <summary>What <see cref="Train"/> returns: one result per share, and the compute spent.</summary>
    /// <param name="Results">One trained model and report per share, in the order the shares were given.</param>
    /// <param name="StepsTrained">Optimizer steps trained in all: the trunk's plus every branch's.</param>
    /// <param name="TotalSteps">One full run's steps (the budget of each share).</param>
    public sealed record Outcome(IReadOnlyList<ClassifierTraining.Result> Results, long StepsTrained, long TotalSteps) : IDisposable
    {
        /// <summary>The compute in full-run equivalents: <see cref="StepsTrained"/> / <see cref="TotalSteps"/>.</summary>
        public double RunEquivalents => StepsTrained / (double)TotalSteps;

        /// <summary>Frees every result's network.</summary>
        public void Dispose()
        {
            foreach (var result in Results) result.Dispose();
        }
    }

    /// <summary>
    /// The whole of fork-and-decay: the trunk, then every branch in the order of <paramref name="shares"/>, with the
    /// trunk's checkpoints in <paramref name="checkpointDirectory"/> (deleted at the end). One result per share.
    /// </summary>
    public static IReadOnlyList<ClassifierTraining.Result> Train(ClassifierData train, ClassifierData? validation, TrainingOptions options,
        IReadOnlyList<double> shares, NetworkSpec spec, int seed, Device device, string checkpointDirectory, Action<string> log, CancellationToken ct) =>
        TrainCounted(train, validation, options, shares, spec, seed, device, checkpointDirectory, log, ct).Results;

    /// <summary>As <see cref="Train"/>, with the compute spent: the optimizer steps of the trunk and of every branch.</summary>
    public static Outcome TrainCounted(ClassifierData train, ClassifierData? validation, TrainingOptions options,
        IReadOnlyList<double> shares, NetworkSpec spec, int seed, Device device, string checkpointDirectory, Action<string> log, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(train);
        var sink = new CheckpointDirectory(checkpointDirectory, $"trunk-seed{seed}-");
        var results = new List<ClassifierTraining.Result>();
        try
        {
            var branches = TrainTrunk(train, validation, options, shares, spec, seed, device, sink, log, ct);
            long total = TotalSteps(train.Count, options);
            long steps = branches.Max(b => b.KneeStep);
            foreach (var branch in branches)
            {
                results.Add(TrainBranch(train, validation, options, branch, spec, seed, device, log, ct));
                steps += total - branch.KneeStep;
            }
            return new Outcome(results, steps, total);
        }
        catch
        {
            foreach (var result in results) result.Dispose();
            throw;
        }
        finally
        {
            foreach (var checkpoint in sink.Saved) File.Delete(checkpoint.Path);
        }
    }

    private static KneeScheduleOptions KneeOf(TrainingOptions options) => options.Schedule as KneeScheduleOptions
        ?? throw new ArgumentException($"Fork-and-decay needs the Knee schedule, but the schedule is {options.Schedule?.GetType().Name ?? "null"}.", nameof(options));

    /// <summary>The budget in steps, as the training loop computes it.</summary>
    public static long TotalSteps(int examples, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        int batch = Math.Min(options.BatchSize, examples);
        return (long)((examples + batch - 1) / batch) * options.Epochs;
    }

    /// <summary>Passes checkpoints on and keeps them by step.</summary>
    private sealed class Collecting(ICheckpointSink inner, Dictionary<long, SavedCheckpoint> saved) : ICheckpointSink
    {
        public string PathFor(CheckpointPosition position) => inner.PathFor(position);

        public void Saved(SavedCheckpoint checkpoint)
        {
            saved[checkpoint.Step] = checkpoint;
            inner.Saved(checkpoint);
        }
    }
}
