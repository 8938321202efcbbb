using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using TorchSharp;
using TorchSharp.Modules;
using WideMinima.Models;
using WideMinima.Optim;
using WideMinima.Schedules;
using static TorchSharp.torch;

namespace WideMinima.Training.Checkpoints;

/// <summary>
/// The live training state the loop hands to a checkpoint, and gets back from one: the network (parameters and
/// buffers, e.g. BatchNorm running statistics), the optimizer's per-parameter state, the scheduler's position, the
/// three random generators (shuffling, augmentation, libtorch's global one used by dropout), the running loss, the
/// learning rates so far and the per-epoch history. A Schedule-Free optimizer is saved in train mode: the network's
/// parameters are y, and z, x, the second moment (AdamW) and each group's step count, largest rate and weight sum
/// are the optimizer's tensors, all stored as raw bytes.
/// </summary>
internal sealed class TrainingState
{
    public required nn.Module<Tensor, Tensor> Model { get; init; }
    public required optim.Optimizer Optimizer { get; init; }
    public required ScheduledLR Scheduler { get; init; }
    public required Generator Shuffle { get; init; }
    public required ImageAugmenter? Augmenter { get; init; }
    public required Tensor LossSum { get; init; }
    public required float[] LearningRates { get; init; }
    public required List<EpochReport> Epochs { get; init; }
    public required CheckpointRun Run { get; init; }
    public required Device Device { get; init; }

    private const string ModelPrefix = "model/";

    /// <summary>What identifies a run for a checkpoint: everything but the schedule, the training data by its SHA-256.</summary>
    public static CheckpointRun Identify(ClassifierData train, TrainingOptions options, NetworkSpec spec, int seed, int stepsPerEpoch)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(MemoryMarshal.AsBytes(train.Features.AsSpan()));
        hash.AppendData(MemoryMarshal.AsBytes(train.Labels.AsSpan()));
        return new CheckpointRun
        {
            Seed = seed,
            DataSha256 = Convert.ToHexStringLower(hash.GetHashAndReset()),
            TrainingExamples = train.Count,
            BatchSize = options.BatchSize,
            StepsPerEpoch = stepsPerEpoch,
            Epochs = options.Epochs,
            Model = string.Create(CultureInfo.InvariantCulture,
                $"{spec.Kind} in {spec.InputSize} out {spec.ClassCount} hidden [{string.Join(',', spec.HiddenSizes)}] image {spec.ImageShape} standardized {spec.Standardized}"),
            Optimizer = options.Optimizer,
            Momentum = options.Momentum,
            WeightDecay = options.WeightDecay,
            Augmentation = options.Augmentation,
            GradientClipNorm = options.GradientClipNorm,
        };
    }

    /// <summary>Writes the state at <paramref name="position"/> to <paramref name="path"/>; <paramref name="order"/> is the epoch's data order when mid-epoch.</summary>
    public (string Sha256, long Bytes) Save(string path, CheckpointPosition position, Tensor? order, double trainSeconds)
    {
        if (Optimizer is ScheduleFreeOptimizer { IsTraining: false })
            throw new InvalidOperationException("A Schedule-Free optimizer is saved in train mode (the parameters holding y); call Train() before saving.");
        using var scope = NewDisposeScope();
        var tensors = new List<(string, Tensor)>();
        foreach (var (name, tensor) in Model.state_dict()) tensors.Add((ModelPrefix + name, tensor));
        var steps = new List<long>();
        var states = OptimizerStates();
        for (int i = 0; i < states.Count; i++)
        {
            switch (states[i])
            {
                case SGD.State sgd:
                    if (sgd.momentum_buffer is not null) tensors.Add(($"optimizer/{i}/momentum_buffer", sgd.momentum_buffer));
                    break;
                case AdamW.State adam:
                    steps.Add(adam.step);
                    tensors.Add(($"optimizer/{i}/exp_avg", adam.exp_avg));
                    tensors.Add(($"optimizer/{i}/exp_avg_sq", adam.exp_avg_sq));
                    if (adam.max_exp_avg_sq is not null) tensors.Add(($"optimizer/{i}/max_exp_avg_sq", adam.max_exp_avg_sq));
                    break;
                case ScheduleFreeOptimizer.State free:
                    tensors.Add(($"optimizer/{i}/z", free.Z));
                    tensors.Add(($"optimizer/{i}/x", free.X));
                    if (free.ExpAvgSq is not null) tensors.Add(($"optimizer/{i}/exp_avg_sq", free.ExpAvgSq));
                    break;
                default:
                    throw new NotSupportedException($"Checkpoints cannot save the state of {states[i].GetType().FullName}.");
            }
        }
        if (Optimizer is ScheduleFreeOptimizer scheduleFree)
        {
            var groups = scheduleFree.GroupOptions;
            for (int g = 0; g < groups.Count; g++)
            {
                tensors.Add(($"optimizer/group/{g}/step", tensor(groups[g].Step)));
                tensors.Add(($"optimizer/group/{g}/lr_max", tensor(groups[g].LearningRateMax)));
                tensors.Add(($"optimizer/group/{g}/weight_sum", tensor(groups[g].WeightSum)));
            }
        }
        tensors.Add(("rng/shuffle", Shuffle.get_state()));
        if (Augmenter is not null) tensors.Add(("rng/augment", Augmenter.GetState()));
        tensors.Add(("rng/global", random.get_rng_state()));
        tensors.Add(("train/loss_sum", LossSum));
        tensors.Add(("train/learning_rates", tensor(LearningRates[..(int)position.Step])));
        if (order is not null) tensors.Add(("data/order", order));
        var manifest = new CheckpointManifest
        {
            FormatVersion = CheckpointFile.FormatVersion,
            Run = Run,
            Step = position.Step,
            EpochsCompleted = position.EpochsCompleted,
            BatchInEpoch = position.BatchInEpoch,
            ScheduleJson = ScheduleJson.Serialize(Scheduler.Schedule),
            Epochs = [.. Epochs],
            OptimizerSteps = steps,
            TrainSeconds = trainSeconds,
            Tensors = [],
        };
        return CheckpointFile.Write(path, manifest, tensors);
    }

    /// <summary>
    /// Puts <paramref name="checkpoint"/> into this state. Returns the epoch's data order (on the device) when the
    /// checkpoint was taken mid-epoch, else null.
    /// </summary>
    /// <exception cref="CheckpointException">The checkpoint belongs to another run, or (fork) its schedule's rates differ.</exception>
    public Tensor? Restore(LoadedCheckpoint checkpoint, bool fork)
    {
        var m = checkpoint.Manifest;
        string path = checkpoint.Path;
        var differences = m.Run.Differences(Run);
        if (differences.Count > 0) throw new CheckpointException(path, "it was saved by a different run: " + string.Join("; ", differences) + ".");
        long total = LearningRates.Length;
        if (m.Step < 0 || m.Step > total || m.BatchInEpoch < 0 || m.BatchInEpoch >= m.Run.StepsPerEpoch
            || m.Step != (long)m.EpochsCompleted * m.Run.StepsPerEpoch + m.BatchInEpoch || m.Epochs.Count != m.EpochsCompleted)
            throw new CheckpointException(path, $"its position (step {m.Step}, epoch {m.EpochsCompleted}, batch {m.BatchInEpoch}, {m.Epochs.Count} epoch reports) is inconsistent.");
        CheckSchedule(path, m, fork);

        using (no_grad())
        {
            var own = Model.state_dict();
            foreach (var (name, tensor) in own) CopyInto(path, tensor, checkpoint.Get(ModelPrefix + name), ModelPrefix + name);
            var extra = checkpoint.Tensors.Keys.Where(k => k.StartsWith(ModelPrefix, StringComparison.Ordinal) && !own.ContainsKey(k[ModelPrefix.Length..])).ToList();
            if (extra.Count > 0) throw new CheckpointException(path, $"it holds network tensors this network lacks: {string.Join(", ", extra)}.");
            RestoreOptimizer(checkpoint);
            LossSum.copy_(checkpoint.Get("train/loss_sum"));
        }
        Shuffle.set_state(checkpoint.Get("rng/shuffle"));
        Augmenter?.SetState(checkpoint.Get("rng/augment"));
        random.set_rng_state(checkpoint.Get("rng/global"));
        var rates = checkpoint.Get("train/learning_rates");
        if (rates.numel() != m.Step) throw new CheckpointException(path, $"it holds {rates.numel()} learning rates for {m.Step} steps.");
        if (m.Step > 0) rates.data<float>().CopyTo(LearningRates.AsSpan(0, (int)m.Step));
        Epochs.Clear();
        Epochs.AddRange(m.Epochs);
        Scheduler.LoadStateDict(new ScheduledLRState(m.Step + 1, [.. Scheduler.GroupScales], ScheduleJson.Serialize(Scheduler.Schedule)));
        return m.AtEpochBoundary ? null : OnDevice(checkpoint.Get("data/order"));
    }

    /// <summary>
    /// A resume needs the very same schedule; a fork one whose rate equals the saved schedule's at every step up to
    /// the checkpoint, so the branch's trajectory so far is exactly the one the checkpoint holds.
    /// </summary>
    private void CheckSchedule(string path, CheckpointManifest m, bool fork)
    {
        string mine = ScheduleJson.Serialize(Scheduler.Schedule);
        if (!fork)
        {
            if (m.ScheduleJson != mine)
                throw new CheckpointException(path, $"it was saved under schedule {m.ScheduleJson}, but this run follows {mine} (fork from it instead).");
            return;
        }
        var saved = ScheduleJson.Deserialize(m.ScheduleJson);
        for (long s = 1; s <= m.Step; s++)
        {
            double then = saved.LearningRate(s), now = Scheduler.Schedule.LearningRate(s);
            if (BitConverter.DoubleToInt64Bits(then) != BitConverter.DoubleToInt64Bits(now))
                throw new CheckpointException(path, string.Create(CultureInfo.InvariantCulture,
                    $"cannot fork: at step {s} its schedule ({saved.Description}) gave rate {then:R}, but this run's ({Scheduler.Schedule.Description}) gives {now:R}."));
        }
    }

    private void RestoreOptimizer(LoadedCheckpoint checkpoint)
    {
        var states = OptimizerStates();
        var m = checkpoint.Manifest;
        int adam = 0;
        for (int i = 0; i < states.Count; i++)
        {
            switch (states[i])
            {
                case SGD.State sgd:
                    sgd.momentum_buffer = Replace(checkpoint, sgd.momentum_buffer, $"optimizer/{i}/momentum_buffer");
                    break;
                case AdamW.State state:
                    if (adam >= m.OptimizerSteps.Count) throw new CheckpointException(checkpoint.Path, $"it holds {m.OptimizerSteps.Count} AdamW step counters for {states.Count} parameters.");
                    state.step = m.OptimizerSteps[adam++];
                    CopyInto(checkpoint.Path, state.exp_avg, checkpoint.Get($"optimizer/{i}/exp_avg"), $"optimizer/{i}/exp_avg");
                    CopyInto(checkpoint.Path, state.exp_avg_sq, checkpoint.Get($"optimizer/{i}/exp_avg_sq"), $"optimizer/{i}/exp_avg_sq");
                    state.max_exp_avg_sq = Replace(checkpoint, state.max_exp_avg_sq, $"optimizer/{i}/max_exp_avg_sq");
                    break;
                case ScheduleFreeOptimizer.State free:
                    CopyInto(checkpoint.Path, free.Z, checkpoint.Get($"optimizer/{i}/z"), $"optimizer/{i}/z");
                    CopyInto(checkpoint.Path, free.X, checkpoint.Get($"optimizer/{i}/x"), $"optimizer/{i}/x");
                    if (free.ExpAvgSq is not null) CopyInto(checkpoint.Path, free.ExpAvgSq, checkpoint.Get($"optimizer/{i}/exp_avg_sq"), $"optimizer/{i}/exp_avg_sq");
                    break;
                default:
                    throw new NotSupportedException($"Checkpoints cannot restore the state of {states[i].GetType().FullName}.");
            }
        }
        if (Optimizer is ScheduleFreeOptimizer scheduleFree)
        {
            var groups = scheduleFree.GroupOptions;
            for (int g = 0; g < groups.Count; g++)
            {
                var step = Scalar(checkpoint, $"optimizer/group/{g}/step", ScalarType.Int64);
                var lrMax = Scalar(checkpoint, $"optimizer/group/{g}/lr_max", ScalarType.Float64);
                var weightSum = Scalar(checkpoint, $"optimizer/group/{g}/weight_sum", ScalarType.Float64);
                groups[g].Restore(step.ToInt64(), lrMax.ToDouble(), weightSum.ToDouble());
            }
        }
    }

    /// <summary>A one-value tensor of the checkpoint, checked for its type and size.</summary>
    private static Tensor Scalar(LoadedCheckpoint checkpoint, string name, ScalarType type)
    {
        var saved = checkpoint.Get(name);
        if (saved.dtype != type || saved.numel() != 1)
            throw new CheckpointException(checkpoint.Path, $"tensor '{name}' is {saved.dtype} [{string.Join(", ", saved.shape)}], but a single {type} is expected.");
        return saved;
    }

    /// <summary>An optional optimizer tensor: copied into the live one, created on the device, or dropped when the checkpoint has none.</summary>
    private Tensor? Replace(LoadedCheckpoint checkpoint, Tensor? live, string name)
    {
        if (!checkpoint.Tensors.TryGetValue(name, out var saved))
        {
            live?.Dispose();
            return null;
        }
        if (live is not null)
        {
            CopyInto(checkpoint.Path, live, saved, name);
            return live;
        }
        return OnDevice(saved);
    }

    /// <summary>A copy of <paramref name="saved"/> on the training device, owned by the caller.</summary>
    private Tensor OnDevice(Tensor saved)
    {
        using var scope = NewDisposeScope();
        return saved.to(Device).clone().DetachFromDisposeScope();
    }

    private static void CopyInto(string path, Tensor live, Tensor saved, string name)
    {
        if (live.dtype != saved.dtype || !live.shape.SequenceEqual(saved.shape))
            throw new CheckpointException(path, $"tensor '{name}' is {saved.dtype} [{string.Join(", ", saved.shape)}], but this run's is {live.dtype} [{string.Join(", ", live.shape)}].");
        live.copy_(saved);
    }

    private List<OptimizerState> OptimizerStates() => Optimizer is OptimizerHelper helper
        ? helper.state_dict().State
        : throw new NotSupportedException($"Checkpoints cannot save the state of optimizer {Optimizer.GetType().FullName}.");
}
