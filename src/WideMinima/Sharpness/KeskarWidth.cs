using System.Diagnostics;
using TorchSharp;
using WideMinima.Internal;
using static TorchSharp.torch;

namespace WideMinima.Sharpness;

/// <summary>
/// Measures the minima width of a trained TorchSharp model as Keskar et al.'s ε-sharpness, by projected
/// gradient ascent of the loss inside the box <c>|δ_i| ≤ ε (|w0_i| + 1)</c> around the trained weights.
/// </summary>
/// <remarks>
/// Compared with the paper's reference implementation this one reports the maximum over every evaluated
/// iterate (not only the last), ascends in eval mode by default, perturbs only trainable parameters (never
/// BatchNorm statistics, which are buffers), uses its own plain ascent so that no momentum or weight decay
/// leaks in from the training optimizer, starts from a seeded random point so that an exact stationary
/// point still climbs, and restores the weights bit for bit when done, also on an exception.
/// </remarks>
public static class KeskarWidth
{
    /// <summary>Measures the width of <paramref name="model"/> on batches of (input, target).</summary>
    /// <param name="model">A trained model; its trainable parameters are perturbed and then restored.</param>
    /// <param name="loss">The training criterion, returning the mean loss of a batch, e.g. cross-entropy.</param>
    /// <param name="batches">Data as (input, target) batches; a seeded sample of it defines the loss.</param>
    /// <param name="options">Options; null uses the reference defaults.</param>
    /// <param name="cancellationToken">Stops the ascent; the weights are restored.</param>
    public static WidthReport Measure(nn.Module<Tensor, Tensor> model, Func<Tensor, Tensor, Tensor> loss,
        IEnumerable<(Tensor Input, Tensor Target)> batches, KeskarWidthOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batches);
        using var scope = NewDisposeScope();
        var list = batches.ToList();
        if (list.Count == 0) throw new ArgumentException("The data has no batches: the width needs at least one example.", nameof(batches));
        var inputs = cat(list.Select(b => b.Input).ToList(), 0);
        var targets = cat(list.Select(b => b.Target).ToList(), 0);
        return Measure(model, loss, inputs, targets, options, cancellationToken);
    }

    /// <summary>Measures the width of <paramref name="model"/> on whole tensors of inputs and targets (first dimension = examples).</summary>
    public static WidthReport Measure(nn.Module<Tensor, Tensor> model, Func<Tensor, Tensor, Tensor> loss,
        Tensor inputs, Tensor targets, KeskarWidthOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        options = (options ?? new KeskarWidthOptions()).Clone();
        options.Validate();
        long n = inputs.shape.Length == 0 ? 0 : inputs.shape[0];
        if (n == 0) throw new ArgumentException("The data is empty: the width needs at least one example.", nameof(inputs));
        if (targets.shape.Length == 0 || targets.shape[0] != n)
            throw new ArgumentException($"inputs has {n} examples but targets has {(targets.shape.Length == 0 ? 0 : targets.shape[0])}.", nameof(targets));

        var parameters = model.parameters().Where(p => p.requires_grad).ToArray();
        if (parameters.Length == 0)
            throw new ArgumentException("The model has no trainable parameters, so it has no minimum to measure.", nameof(model));

        var clock = Stopwatch.StartNew();
        bool wasTraining = model.training;
        var trained = new Tensor[parameters.Length];
        try
        {
            using var scope = NewDisposeScope();
            using (no_grad())
            {
                for (int i = 0; i < parameters.Length; i++) trained[i] = parameters[i].detach().clone().MoveToOuterDisposeScope();
            }
            model.train(options.TrainMode);
            return Climb(model, loss, parameters, trained, inputs, targets, options, clock, cancellationToken);
        }
        finally
        {
            using (no_grad())
            {
                for (int i = 0; i < parameters.Length; i++)
                {
                    if (trained[i] is null) continue;
                    parameters[i].copy_(trained[i]);
                    trained[i].Dispose();
                }
            }
            model.train(wasTraining);
        }
    }

    private static WidthReport Climb(nn.Module<Tensor, Tensor> model, Func<Tensor, Tensor, Tensor> loss, Tensor[] parameters,
        Tensor[] trained, Tensor inputs, Tensor targets, KeskarWidthOptions options, Stopwatch clock, CancellationToken ct)
    {
        var device = parameters[0].device;
        using var generator = new Generator((ulong)options.Seed);

        // A fixed, seeded sample defines the loss for the whole ascent.
        long n = inputs.shape[0];
        long m = Math.Min(n, options.SampleSize ?? n);
        var pick = randperm(n, generator: generator).narrow(0, 0, m);
        var x = inputs.index_select(0, pick.to(inputs.device)).to(device);
        var y = targets.index_select(0, pick.to(targets.device)).to(device);
        var xs = x.split(options.BatchSize);
        var ys = y.split(options.BatchSize);
        bool oneBatch = xs.Length == 1;

        // The box: [w0 - r, w0 + r] with r = ε (|w0| + 1), as KeskarBox.Radius.
        var lower = new Tensor[parameters.Length];
        var upper = new Tensor[parameters.Length];
        var radius = new Tensor[parameters.Length];
        using (no_grad())
        {
            for (int i = 0; i < parameters.Length; i++)
            {
                radius[i] = trained[i].abs().add_(1).mul_(options.Epsilon);
                lower[i] = trained[i] - radius[i];
                upper[i] = trained[i] + radius[i];
            }
        }

        double initial = Evaluate(model, loss, xs, ys, m);
        var trajectory = new List<LossPoint> { new(0, initial) };
        var tracker = new ClimbTracker(initial, options.ImprovementTolerance, options.Patience ?? 0);
        bool stoppedEarly = false;

        if (options.RandomStartFraction > 0)
        {
            using var step = NewDisposeScope();
            using (no_grad())
            {
                for (int i = 0; i < parameters.Length; i++)
                {
                    var u = rand(parameters[i].shape, dtype: parameters[i].dtype, generator: generator).to(device).mul_(2).sub_(1);
                    parameters[i].copy_(trained[i] + u.mul_(radius[i]).mul_(options.RandomStartFraction));
                }
            }
        }

        void Record(int stepIndex, double value)
        {
            trajectory.Add(new LossPoint(stepIndex, value));
            tracker.Record(value);
        }

        int steps = 0;
        bool lastEvaluated = false;
        double last = initial;
        for (int s = 1; s <= options.MaxSteps; s++)
        {
            ct.ThrowIfCancellationRequested();
            using var step = NewDisposeScope();
            int b = (s - 1) % xs.Length;
            var value = loss(model.call(xs[b]), ys[b]);
            var grads = autograd.grad([value], parameters);
            if (oneBatch)
            {
                // Full-sample step: its loss is the exact loss of the current iterate, before the update.
                last = value.ToDouble();
                if (s > 1 || options.RandomStartFraction > 0) Record(s - 1, last);
                if (tracker.ShouldStop) { stoppedEarly = true; lastEvaluated = true; break; }
            }
            using (no_grad())
            {
                for (int i = 0; i < parameters.Length; i++)
                {
                    if (options.Method == AscentMethod.Sgd)
                        parameters[i].add_(grads[i], alpha: options.LearningRate);
                    else
                        parameters[i].addcmul_(grads[i].sign(), radius[i], value: options.SignStepFraction);
                    parameters[i].copy_(minimum(maximum(parameters[i], lower[i]), upper[i]));
                }
            }
            steps = s;
            lastEvaluated = false;
            if (!oneBatch && (s % options.EvaluateEvery == 0 || s == options.MaxSteps))
            {
                last = Evaluate(model, loss, xs, ys, m);
                Record(s, last);
                lastEvaluated = true;
                if (tracker.ShouldStop) { stoppedEarly = true; break; }
            }
        }
        if (!lastEvaluated)
        {
            last = Evaluate(model, loss, xs, ys, m);
            Record(steps, last);
        }

        int window = options.Patience ?? 5;
        return new WidthReport
        {
            Sharpness = KeskarBox.Sharpness(initial, tracker.Maximum),
            InitialLoss = initial,
            MaxLoss = tracker.Maximum,
            FinalLoss = last,
            Steps = steps,
            Converged = stoppedEarly || tracker.HasPlateaued(window),
            Trajectory = trajectory,
            Elapsed = clock.Elapsed,
            SampleSize = (int)m,
            Options = options,
        };
    }

    /// <summary>The mean loss over the sample, in chunks, weighted by chunk size.</summary>
    private static double Evaluate(nn.Module<Tensor, Tensor> model, Func<Tensor, Tensor, Tensor> loss, Tensor[] xs, Tensor[] ys, long total)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        double sum = 0;
        for (int b = 0; b < xs.Length; b++)
            sum += loss(model.call(xs[b]), ys[b]).ToDouble() * xs[b].shape[0];
        double mean = sum / total;
        if (!double.IsFinite(mean)) throw new InvalidOperationException($"The loss is {mean} inside the box: the model or data is broken.");
        return mean;
    }
}
