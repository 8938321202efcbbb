using TorchSharp;
using static TorchSharp.torch;

namespace WideMinima.Sharpness;

/// <summary>
/// The Hessian of the mean loss at the trained weights, seen through Hessian-vector products computed by double
/// backward through autograd (never forming the Hessian): its top eigenvalue by power iteration and its trace by
/// Hutchinson's estimator with Rademacher probes. Measured in eval mode on a seeded sample; parameters, buffers
/// (BatchNorm running statistics) and train/eval modes are left exactly as they were.
/// </summary>
/// <remarks>
/// Written from the definitions (Pearlmutter 1994; Hutchinson 1990); PyHessian (GPL) computes the same quantities,
/// and none of its code is used. Power iteration converges to the eigenvalue of largest magnitude: at a minimum
/// that is the top one, but on a saddle it may be a large negative one, which is then what is reported.
/// </remarks>
public static class HessianSpectrum
{
    /// <summary>Measures the Hessian of <paramref name="loss"/> at <paramref name="model"/>'s weights on (inputs, targets).</summary>
    /// <param name="model">A trained model; nothing of it changes.</param>
    /// <param name="loss">The criterion returning the mean loss of a batch, e.g. cross-entropy; it must be twice differentiable.</param>
    /// <param name="inputs">Inputs, first dimension = examples.</param>
    /// <param name="targets">Targets, first dimension = examples.</param>
    /// <param name="options">Options; null uses the defaults.</param>
    /// <param name="cancellationToken">Stops between Hessian-vector products.</param>
    public static HessianReport Measure(nn.Module<Tensor, Tensor> model, Func<Tensor, Tensor, Tensor> loss, Tensor inputs, Tensor targets,
        HessianOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loss);
        options = (options ?? new HessianOptions()).Clone();
        options.Validate();
        MeasureData.Check(inputs, targets);
        var parameters = MeasureData.Trainable(model);
        using var session = MeasureSession.Start(model, inputs, targets, options.Seed, options.SampleSize, options.BatchSize, parameters[0].device);
        var (xs, ys, m, generator) = (session.X, session.Y, session.Count, session.Generator);
        double value = MeasureData.MeanLoss(model, loss, xs, ys, m);
        if (!double.IsFinite(value)) throw new InvalidOperationException($"The loss at the trained weights is {value}: the model or data is broken.");

        double? top = null;
        int iterations = 0;
        bool converged = false;
        if (options.TopEigenvalue)
            (top, iterations, converged) = PowerIteration(model, loss, parameters, xs, ys, m, options, generator, cancellationToken);

        double? trace = null, standardError = null;
        if (options.Trace)
            (trace, standardError) = Hutchinson(model, loss, parameters, xs, ys, m, options.Probes, generator, cancellationToken);

        return new HessianReport
        {
            TopEigenvalue = top,
            Iterations = iterations,
            Converged = converged,
            Trace = trace,
            TraceStandardError = standardError,
            Probes = options.Trace ? options.Probes : 0,
            Loss = value,
            SampleSize = (int)m,
            Elapsed = session.Clock.Elapsed,
            Options = options,
        };
    }

    /// <summary>
    /// The Hessian-vector product <c>H v</c> of the mean loss over the chunks: per chunk, the gradient with a graph,
    /// its inner product with <paramref name="v"/>, and the gradient of that, weighted by the chunk's share.
    /// The result lives in the caller's dispose scope.
    /// </summary>
    public static Tensor[] HessianVectorProduct(nn.Module<Tensor, Tensor> model, Func<Tensor, Tensor, Tensor> loss, Tensor[] parameters,
        Tensor[] xs, Tensor[] ys, long total, Tensor[] v)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(xs);
        ArgumentNullException.ThrowIfNull(ys);
        ArgumentNullException.ThrowIfNull(v);
        var product = parameters.Select(p => zeros_like(p)).ToArray();
        for (int b = 0; b < xs.Length; b++)
        {
            using var scope = NewDisposeScope();
            var value = loss(model.call(xs[b]), ys[b]).mul(xs[b].shape[0] / (double)total);
            var grads = autograd.grad([value], parameters, retain_graph: true, create_graph: true, allow_unused: true);
            Tensor? dot = null;
            for (int i = 0; i < parameters.Length; i++)
            {
                if (grads[i] is null || grads[i].IsInvalid) continue;
                var term = grads[i].mul(v[i]).sum();
                dot = dot is null ? term : dot.add(term);
            }
            if (dot is null || !dot.requires_grad) continue; // the gradient does not depend on the weights: H = 0 here
            var hv = autograd.grad([dot], parameters, allow_unused: true);
            using (no_grad())
            {
                for (int i = 0; i < parameters.Length; i++)
                {
                    if (hv[i] is not null && !hv[i].IsInvalid) product[i].add_(hv[i]);
                }
            }
        }
        return product;
    }

    private static (double Value, int Iterations, bool Converged) PowerIteration(nn.Module<Tensor, Tensor> model, Func<Tensor, Tensor, Tensor> loss,
        Tensor[] parameters, Tensor[] xs, Tensor[] ys, long m, HessianOptions options, Generator generator, CancellationToken ct)
    {
        using var scope = NewDisposeScope();
        var v = parameters.Select(p => randn(p.shape, dtype: p.dtype, generator: generator).to(p.device)).ToArray();
        Normalize(v);
        double eigenvalue = 0, previous = double.NaN;
        for (int it = 1; it <= options.MaxIterations; it++)
        {
            ct.ThrowIfCancellationRequested();
            using var step = NewDisposeScope();
            var hv = HessianVectorProduct(model, loss, parameters, xs, ys, m, v);
            eigenvalue = MeasureData.Dot(v, hv);
            if (!double.IsFinite(eigenvalue)) throw new InvalidOperationException($"A Hessian-vector product is not finite ({eigenvalue}): the loss is not twice differentiable here.");
            double norm = Math.Sqrt(MeasureData.Dot(hv, hv));
            if (norm == 0) return (0, it, true); // H v = 0 for a random v: the Hessian is zero
            foreach (var t in v) t.Dispose();
            v = [.. hv.Select(h => h.div(norm).MoveToOuterDisposeScope())];
            if (Math.Abs(eigenvalue - previous) <= options.Tolerance * Math.Abs(eigenvalue)) return (eigenvalue, it, true);
            previous = eigenvalue;
        }
        return (eigenvalue, options.MaxIterations, false);
    }

    private static (double Trace, double StandardError) Hutchinson(nn.Module<Tensor, Tensor> model, Func<Tensor, Tensor, Tensor> loss,
        Tensor[] parameters, Tensor[] xs, Tensor[] ys, long m, int probes, Generator generator, CancellationToken ct)
    {
        var samples = new double[probes];
        for (int k = 0; k < probes; k++)
        {
            ct.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var z = parameters.Select(p => randint(0, 2, p.shape, generator: generator).to(p.dtype).mul_(2).sub_(1).to(p.device)).ToArray();
            var hz = HessianVectorProduct(model, loss, parameters, xs, ys, m, z);
            samples[k] = MeasureData.Dot(z, hz);
        }
        double mean = samples.Average();
        double variance = samples.Sum(s => (s - mean) * (s - mean)) / (probes - 1);
        return (mean, Math.Sqrt(variance / probes));
    }

    private static void Normalize(Tensor[] v)
    {
        double norm = Math.Sqrt(MeasureData.Dot(v, v));
        using (no_grad())
        {
            foreach (var t in v) t.div_(norm);
        }
    }
}
