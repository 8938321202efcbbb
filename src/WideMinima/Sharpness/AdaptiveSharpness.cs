using TorchSharp;
using static TorchSharp.torch;

namespace WideMinima.Sharpness;

/// <summary>
/// Adaptive sharpness (Kwon et al. 2021, ASAM; Andriushchenko et al. 2023): the largest rise of the loss over
/// perturbations whose size is scaled by each weight's magnitude, <c>max L(w + δ) - L(w)</c> over
/// <c>‖δ / |w|‖ ≤ ρ</c> in the ℓ∞ or ℓ2 norm. Unlike Keskar's box it does not change when a ReLU layer is scaled up
/// and the next one down by the same factor. Found by projected ascent on the whole seeded sample (sign steps for
/// ℓ∞, normalised-gradient steps for ℓ2), reporting the maximum over every iterate; eval mode; parameters, buffers
/// and modes are restored bit for bit, also on an exception.
/// </summary>
public static class AdaptiveSharpness
{
    /// <summary>Measures the adaptive sharpness of <paramref name="model"/> on (inputs, targets).</summary>
    /// <param name="model">A trained model; its trainable parameters are perturbed and then restored.</param>
    /// <param name="loss">The criterion returning the mean loss of a batch, e.g. cross-entropy.</param>
    /// <param name="inputs">Inputs, first dimension = examples.</param>
    /// <param name="targets">Targets, first dimension = examples.</param>
    /// <param name="options">Options; null uses the defaults.</param>
    /// <param name="cancellationToken">Stops the ascent; the weights are restored.</param>
    public static AdaptiveSharpnessReport Measure(nn.Module<Tensor, Tensor> model, Func<Tensor, Tensor, Tensor> loss, Tensor inputs, Tensor targets,
        AdaptiveSharpnessOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loss);
        options = (options ?? new AdaptiveSharpnessOptions()).Clone();
        options.Validate();
        MeasureData.Check(inputs, targets);
        var parameters = MeasureData.Trainable(model);
        var device = parameters[0].device;
        using var session = MeasureSession.Start(model, inputs, targets, options.Seed, options.SampleSize, options.BatchSize, device);
        var (xs, ys, m, generator) = (session.X, session.Y, session.Count, session.Generator);
        double rho = options.Rho;
        bool l2 = options.Norm == AdaptiveNorm.L2;

        Tensor[] trained, scale, u;
        using (no_grad())
        {
            trained = [.. parameters.Select(p => p.detach().clone())];
            scale = [.. trained.Select(w => w.abs())];
            // The start: uniform in the ℓ∞ ball, or a random direction in the ℓ2 ball, at RandomStartFraction of ρ.
            u = [.. parameters.Select(p => rand(p.shape, dtype: p.dtype, generator: generator).to(device).mul_(2).sub_(1))];
            if (l2) Rescale(u, rho * options.RandomStartFraction);
            else foreach (var t in u) t.mul_(rho * options.RandomStartFraction);
        }
        double initial = MeasureData.MeanLoss(model, loss, xs, ys, m);
        if (!double.IsFinite(initial)) throw new InvalidOperationException($"The loss at the trained weights is {initial}: the model or data is broken.");

        var trajectory = new List<LossPoint>();
        double max = initial;
        int sinceImprovement = 0, steps = 0;
        for (int s = 0; ; s++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var step = NewDisposeScope();
            using (no_grad())
            {
                for (int i = 0; i < parameters.Length; i++) parameters[i].copy_(trained[i].addcmul(u[i], scale[i], value: 1));
            }
            var (value, grads) = LossAndGradient(model, loss, parameters, xs, ys, m);
            if (!double.IsFinite(value)) throw new InvalidOperationException($"The loss is {value} inside the ball: the model or data is broken.");
            trajectory.Add(new LossPoint(s, value));
            if (value > max) { max = value; sinceImprovement = 0; }
            else if (s > 0) sinceImprovement++;
            if (s == options.MaxSteps || options.Patience is int p && sinceImprovement >= p) break;
            steps = s + 1;
            using (no_grad())
            {
                // The gradient in scaled coordinates: ∂L/∂u = g ⊙ |w|.
                var scaled = grads.Select((g, i) => g.mul(scale[i])).ToArray();
                if (l2)
                {
                    double norm = Math.Sqrt(MeasureData.Dot(scaled, scaled));
                    if (norm == 0) break;
                    for (int i = 0; i < u.Length; i++) u[i].add_(scaled[i], alpha: options.StepFraction * rho / norm);
                    double length = Math.Sqrt(MeasureData.Dot(u, u));
                    if (length > rho) foreach (var t in u) t.mul_(rho / length);
                }
                else
                {
                    for (int i = 0; i < u.Length; i++) u[i].add_(scaled[i].sign(), alpha: options.StepFraction * rho).clamp_(-rho, rho);
                }
            }
        }

        return new AdaptiveSharpnessReport
        {
            Sharpness = Math.Max(0, max - initial),
            InitialLoss = initial,
            MaxLoss = max,
            Steps = steps,
            Trajectory = trajectory,
            SampleSize = (int)m,
            Elapsed = session.Clock.Elapsed,
            Options = options,
        };
    }

    /// <summary>The mean loss over the chunks and its gradient, accumulated with each chunk's share.</summary>
    private static (double Value, Tensor[] Gradient) LossAndGradient(nn.Module<Tensor, Tensor> model, Func<Tensor, Tensor, Tensor> loss,
        Tensor[] parameters, Tensor[] xs, Tensor[] ys, long total)
    {
        var gradient = parameters.Select(p => zeros_like(p)).ToArray();
        double value = 0;
        for (int b = 0; b < xs.Length; b++)
        {
            using var scope = NewDisposeScope();
            var chunk = loss(model.call(xs[b]), ys[b]).mul(xs[b].shape[0] / (double)total);
            var grads = autograd.grad([chunk], parameters, allow_unused: true);
            value += chunk.ToDouble();
            using (no_grad())
            {
                for (int i = 0; i < parameters.Length; i++)
                {
                    if (grads[i] is not null && !grads[i].IsInvalid) gradient[i].add_(grads[i]);
                }
            }
        }
        return (value, gradient);
    }

    private static void Rescale(Tensor[] u, double length)
    {
        double norm = Math.Sqrt(MeasureData.Dot(u, u));
        if (norm == 0) return;
        foreach (var t in u) t.mul_(length / norm);
    }
}
