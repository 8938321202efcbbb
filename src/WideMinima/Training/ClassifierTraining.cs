using System.Diagnostics;
using TorchSharp;
using WideMinima.Models;
using WideMinima.Schedules;
using WideMinima.Sharpness;
using WideMinima.Optim;
using WideMinima.Training.Checkpoints;
using static TorchSharp.torch;

namespace WideMinima.Training;

/// <summary>
/// The TorchSharp training loop behind the ML.NET trainer and the sweep console: data goes into tensors once,
/// each epoch shuffles with a seeded generator, each step runs forward, backward, optimizer and schedule.
/// With a Schedule-Free optimizer the steps are taken at y and everything that evaluates the network (each epoch's
/// validation, the width measures, the returned network and so what is tested and saved) sees the average x
/// (<see cref="ScheduleFreeEvaluation"/>).
/// </summary>
internal static class ClassifierTraining
{
    /// <summary>The trained network and the report. Disposing it frees the network (unless it was handed on).</summary>
    internal sealed record Result(nn.Module<Tensor, Tensor> Model, TrainingReport Report) : IDisposable
    {
        public void Dispose() => Model.Dispose();
    }

    /// <summary>How often (in steps) the running loss is checked for NaN; each check synchronises with the device.</summary>
    private const int DivergenceCheckInterval = 25;

    public static Result Train(ClassifierData train, ClassifierData? validation, TrainingOptions options,
        NetworkSpec spec, int seed, Device device, Action<string> log, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        if (options.Threads > 0) set_num_threads(options.Threads);
        manual_seed(seed);
        // Read (and check) the checkpoint before anything costly: a bad one fails at once.
        using var resume = options.ResumeFrom is { } source ? CheckpointFile.Read(source.Path, source.ExpectedSha256) : null;

        int n = train.Count;
        using var x = Features(train, device);
        using var y = Labels(train, device);
        using var validationX = validation is null ? null : Features(validation, device);
        using var validationY = validation is null ? null : Labels(validation, device);

        float[]? mean = null, std = null;
        if (spec.Standardized) (mean, std) = Statistics(x);
        var model = spec.Build(mean, std, options.ModelFactory);
        model.to(device);
        bool handedOver = false; // the network's native memory is freed here unless it is returned
        Tensor? order = null;
        try
        {
            int batch = Math.Min(options.BatchSize, n);
            int stepsPerEpoch = (n + batch - 1) / batch;
            long total = (long)stepsPerEpoch * options.Epochs;
            var schedule = options.Schedule.Build(total);
            var learningRates = new float[total];
            var epochs = new List<EpochReport>(options.Epochs);
            bool diverged = false;

            using var generator = new Generator((ulong)seed);
            using var augmenter = options.Augmentation == Augmentation.CropAndFlip
                ? new ImageAugmenter(spec.ImageShape ?? throw new InvalidOperationException("Augmentation CropAndFlip needs image-shaped features."), device, seed)
                : null;
            var parameters = model.parameters().Where(p => p.requires_grad).ToArray();
            using var optimizer = CreateOptimizer(options, parameters, schedule.PeakLearningRate);
            using var average = optimizer is ScheduleFreeOptimizer scheduleFree ? new ScheduleFreeEvaluation(model, scheduleFree, x, batch, seed) : null;
            var scheduler = new ScheduledLR(optimizer, schedule);
            var group = optimizer.ParamGroups.First(); // held once: reading its rate each step allocates nothing
            using var lossSum = zeros(1, dtype: float64, device: device);

            var plan = options.Checkpoints;
            var state = plan is null && resume is null ? null : new TrainingState
            {
                Model = model, Optimizer = optimizer, Scheduler = scheduler, Shuffle = generator, Augmenter = augmenter,
                LossSum = lossSum, LearningRates = learningRates, Epochs = epochs, Device = device,
                Run = TrainingState.Identify(train, options, spec, seed, stepsPerEpoch),
            };
            long step = 0;
            int firstEpoch = 1, firstBatch = 0;
            double secondsBefore = 0;
            if (resume is not null)
            {
                order = state!.Restore(resume, options.ResumeFrom!.Fork);
                var m = resume.Manifest;
                (step, firstEpoch, firstBatch, secondsBefore) = (m.Step, m.EpochsCompleted + 1, m.BatchInEpoch, m.TrainSeconds);
                log($"{(options.ResumeFrom.Fork ? "forked" : "resumed")} from checkpoint {resume.Path} at step {step} (epoch {m.EpochsCompleted}" + (firstBatch > 0 ? $", batch {firstBatch}" : "") + ")");
            }

            void Checkpoint(long atStep, int epochsCompleted, int batchInEpoch)
            {
                var watch = Stopwatch.StartNew();
                var position = new CheckpointPosition(atStep, epochsCompleted, batchInEpoch);
                string path = plan!.Sink.PathFor(position);
                var (sha, bytes) = state!.Save(path, position, batchInEpoch > 0 ? order : null, secondsBefore + clock.Elapsed.TotalSeconds);
                plan.Sink.Saved(new SavedCheckpoint(path, sha, position, bytes, watch.Elapsed.TotalSeconds));
                log($"checkpoint at step {atStep} (epoch {epochsCompleted}" + (batchInEpoch > 0 ? $", batch {batchInEpoch}" : "") + $"): {path}");
            }

            if (resume is null && plan is not null && plan.AtSteps.Contains(0)) Checkpoint(0, 0, 0);
            bool stopped = options.StopAfterStep == step;
            for (int epoch = firstEpoch; epoch <= options.Epochs && !diverged && !stopped; epoch++)
            {
                var epochClock = Stopwatch.StartNew();
                model.train();
                if (order is null || firstBatch == 0)
                {
                    // A fresh epoch; a resumed mid-epoch one keeps its order, position and running loss.
                    order?.Dispose();
                    lossSum.zero_();
                    order = randperm(n, generator: generator).to(device);
                }
                for (int b = firstBatch; b < stepsPerEpoch; b++)
                {
                    ct.ThrowIfCancellationRequested();
                    using (var scope = NewDisposeScope())
                    {
                        int start = b * batch, length = Math.Min(batch, n - start);
                        var index = order.narrow(0, start, length);
                        optimizer.zero_grad();
                        var inputs = x.index_select(0, index);
                        if (augmenter is not null) inputs = augmenter.Apply(inputs);
                        var loss = nn.functional.cross_entropy(model.call(inputs), y.index_select(0, index));
                        loss.backward();
                        if (options.GradientClipNorm is double clip) nn.utils.clip_grad_norm_(parameters, clip);
                        learningRates[step] = (float)group.LearningRate; // the rate this step really uses
                        optimizer.step();
                        scheduler.step();
                        step++;
                        lossSum.add_(loss.detach().to(float64), alpha: length);
                    }
                    if (step % DivergenceCheckInterval == 0 && lossSum.ToDouble() is var running && !double.IsFinite(running))
                    {
                        diverged = Diverge(options, epoch, step, learningRates[step - 1], running, log);
                        break;
                    }
                    if (b + 1 < stepsPerEpoch)
                    {
                        if (plan is not null && plan.IsDue(step, epoch, options.Epochs, atEpochEnd: false)) Checkpoint(step, epoch - 1, b + 1);
                        if (step == options.StopAfterStep) { stopped = true; break; }
                    }
                }
                firstBatch = 0;
                if (stopped) break;
                double trainLoss = lossSum.ToDouble() / n;
                if (!diverged && !double.IsFinite(trainLoss)) diverged = Diverge(options, epoch, step, learningRates[step - 1], trainLoss, log);

                double? accuracy = null, validationLoss = null;
                if (validationX is not null && validationY is not null && !diverged)
                {
                    using (average?.AtAverage()) // Schedule-Free: evaluated at x, then back to y, bit for bit
                        (accuracy, validationLoss) = Evaluate(model, validationX, validationY, options.EvaluationBatchSize);
                }
                var report = new EpochReport(epoch, options.Epochs, trainLoss, learningRates[step - 1], accuracy, validationLoss, epochClock.Elapsed.TotalSeconds);
                epochs.Add(report);
                log($"epoch {epoch}/{options.Epochs}: train loss {trainLoss:F4}, lr {report.LearningRate:G4}"
                    + (accuracy is double a ? $", validation accuracy {a:P2}" : "") + $" ({report.Seconds:F1} s)");
                options.Progress?.Report(report);
                if (diverged) break;
                if (plan is not null && plan.IsDue(step, epoch, options.Epochs, atEpochEnd: true)) Checkpoint(step, epoch, 0);
                if (step == options.StopAfterStep) stopped = true;
            }
            double trainSeconds = secondsBefore + clock.Elapsed.TotalSeconds;
            average?.Finish(); // Schedule-Free: from here on the network is x (BatchNorm statistics recomputed at x)

            WidthReport? width = null;
            if (options.Width is not null && !diverged && !stopped)
            {
                model.eval();
                width = KeskarWidth.Measure(model, (o, t) => nn.functional.cross_entropy(o, t), x, y, WithSeed(options.Width, seed), ct);
                log($"Keskar sharpness {width.Sharpness:G4} (loss {width.InitialLoss:G4} -> max {width.MaxLoss:G4} in {width.Steps} steps, {width.Elapsed.TotalSeconds:F1} s)");
            }
            HessianReport? hessian = null;
            AdaptiveSharpnessReport? adaptive = null;
            if (options.Hessian is not null && !diverged)
            {
                var o = options.Hessian.Clone();
                if (o.Seed == 0) o.Seed = seed;
                hessian = HessianSpectrum.Measure(model, (p, t) => nn.functional.cross_entropy(p, t), x, y, o, ct);
                log($"Hessian top eigenvalue {hessian.TopEigenvalue:G4}, trace {hessian.Trace:G4} ± {hessian.TraceStandardError:G3} ({hessian.Elapsed.TotalSeconds:F1} s)");
            }
            if (options.Adaptive is not null && !diverged)
            {
                var o = options.Adaptive.Clone();
                if (o.Seed == 0) o.Seed = seed;
                adaptive = AdaptiveSharpness.Measure(model, (p, t) => nn.functional.cross_entropy(p, t), x, y, o, ct);
                log($"adaptive sharpness {adaptive.Sharpness:G4} ({o.Norm}, rho {o.Rho:G3}, {adaptive.Elapsed.TotalSeconds:F1} s)");
            }
            model.eval();

            handedOver = true;
            return new Result(model, new TrainingReport
            {
                Seed = seed,
                ScheduleJson = ScheduleJson.Serialize(schedule),
                StepsPerEpoch = stepsPerEpoch,
                LearningRates = step < total ? learningRates[..(int)step] : learningRates,
                Epochs = epochs,
                Width = width,
                Hessian = hessian,
                Adaptive = adaptive,
                MeasureSeconds = (hessian?.Elapsed.TotalSeconds ?? 0) + (adaptive?.Elapsed.TotalSeconds ?? 0),
                Diverged = diverged,
                TrainSeconds = trainSeconds,
                WidthSeconds = width?.Elapsed.TotalSeconds ?? 0,
                Device = device.ToString(),
                Threads = get_num_threads(),
                TrainingExamples = n,
                ResumedFromStep = resume?.Manifest.Step ?? 0,
            });
        }
        finally
        {
            order?.Dispose();
            if (!handedOver) model.Dispose();
        }
    }

    /// <summary>Accuracy and mean cross-entropy of <paramref name="model"/> on <paramref name="data"/>, in eval mode.</summary>
    public static (double Accuracy, double Loss) Evaluate(nn.Module<Tensor, Tensor> model, ClassifierData data, Device device, int batchSize)
    {
        using var x = tensor(data.Features, [data.Count, data.FeatureCount]).to(device);
        using var y = tensor(data.Labels).to(device);
        return Evaluate(model, x, y, batchSize);
    }

    /// <summary>As above, on examples already in tensors (the validation set is copied into them once per fit).</summary>
    private static (double Accuracy, double Loss) Evaluate(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y, int batchSize)
    {
        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            long count = x.shape[0];
            var correct = zeros(1, dtype: int64, device: x.device);
            var lossSum = zeros(1, dtype: float64, device: x.device);
            for (long start = 0; start < count; start += batchSize)
            {
                using var inner = NewDisposeScope();
                long length = Math.Min(batchSize, count - start);
                var logits = model.call(x.narrow(0, start, length));
                var target = y.narrow(0, start, length);
                correct.add_(logits.argmax(1).eq(target).sum());
                lossSum.add_(nn.functional.cross_entropy(logits, target, reduction: nn.Reduction.Sum).to(float64));
            }
            return (correct.ToInt64() / (double)count, lossSum.ToDouble() / count);
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    private static bool Diverge(TrainingOptions options, int epoch, long step, double lr, double loss, Action<string> log)
    {
        if (options.OnDivergence == DivergenceAction.Throw) throw new TrainingDivergedException(epoch, step, lr, loss);
        log($"training diverged (loss {loss}) by step {step}, epoch {epoch}, at learning rate {lr}; stopping as OnDivergence = Stop asks");
        return true;
    }

    private static KeskarWidthOptions WithSeed(KeskarWidthOptions width, int seed)
    {
        var copy = width.Clone();
        if (copy.Seed == 0) copy.Seed = seed; // Tie the width sample to the run's seed unless one was chosen.
        return copy;
    }

    private static optim.Optimizer CreateOptimizer(TrainingOptions options, TorchSharp.Modules.Parameter[] parameters, double lr) => options.Optimizer switch
    {
        OptimizerKind.Sgd => optim.SGD(parameters, lr, momentum: options.Momentum, weight_decay: options.WeightDecay, nesterov: options.Momentum > 0),
        OptimizerKind.AdamW => optim.AdamW(parameters, lr, weight_decay: options.WeightDecay),
        // No built-in warmup: the schedule sets the group's rate every step, warmup included.
        OptimizerKind.ScheduleFreeSgd => new ScheduleFreeSgd(parameters, lr, momentum: options.Momentum, weightDecay: options.WeightDecay, warmupSteps: 0),
        OptimizerKind.ScheduleFreeAdamW => new ScheduleFreeAdamW(parameters, lr, beta1: options.Momentum, weightDecay: options.WeightDecay, warmupSteps: 0),
        _ => throw new InvalidOperationException($"Unknown optimizer {options.Optimizer}."),
    };

    /// <summary>
    /// The examples' features as a tensor on <paramref name="device"/>. On the CPU the tensor shares the array's memory
    /// (pinned while the tensor lives; training never writes to it): a copy of a 60,000-image set is 188 MB, and the
    /// first touch of that much fresh memory took half a second on the development machine.
    /// </summary>
    private static Tensor Features(ClassifierData data, Device device)
    {
        long size = (long)data.Count * data.FeatureCount;
        return device.type == DeviceType.CPU && data.Features.Length == size
            ? from_array(data.Features).view(data.Count, data.FeatureCount)
            : tensor(data.Features, [data.Count, data.FeatureCount]).to(device);
    }

    private static Tensor Labels(ClassifierData data, Device device) =>
        device.type == DeviceType.CPU && data.Labels.Length == data.Count ? from_array(data.Labels) : tensor(data.Labels).to(device);

    /// <summary>Per-feature mean and standard deviation of the training data (std floored so constant pixels stay finite), computed by libtorch.</summary>
    /// <remarks>
    /// Each statistic is one matrix-vector product over the whole set, in float: the summation order fixes the last
    /// bits, and those bits feed every standardized input, so a run's numbers depend on it. Summing the variance in
    /// blocks (to keep the temporary small) changed results of the quick preset (issue 16); keep this order.
    /// </remarks>
    internal static (float[] Mean, float[] Std) Statistics(Tensor x)
    {
        // Column sums as a matrix-vector product: BLAS-fast, where a reduction over dimension 0 strides through
        // memory (it took most of the set-up time of a one-epoch fit). Two passes keep the variance accurate.
        using var scope = NewDisposeScope();
        var ones = full(1, x.shape[0], 1.0f / x.shape[0], device: x.device);
        var mean = ones.matmul(x);
        var variance = ones.matmul((x - mean).pow_(2));
        return ([.. mean.cpu().data<float>()], [.. variance.sqrt_().clamp_min_(1e-2).cpu().data<float>()]);
    }
}
