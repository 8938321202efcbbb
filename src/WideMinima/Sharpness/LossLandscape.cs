using TorchSharp;
using WideMinima.Internal;
using static TorchSharp.torch;

namespace WideMinima.Sharpness;

/// <summary>Options of the loss-landscape slices (<see cref="LossLandscape"/>).</summary>
public sealed class LandscapeOptions
{
    /// <summary>Points along a 1-D slice, from -<see cref="Range"/> to +<see cref="Range"/>. Default 41.</summary>
    public int Points { get; set; } = 41;

    /// <summary>Points per axis of a 2-D surface. Default 21 (441 evaluations).</summary>
    public int GridPoints { get; set; } = 21;

    /// <summary>How far the slices reach, in units of the filter-normalised direction (1: as far as the weights' own norm). Default 1.</summary>
    public double Range { get; set; } = 1;

    /// <summary>The interpolation's first coefficient (0: the first model). Default -0.5.</summary>
    public double InterpolationStart { get; set; } = -0.5;

    /// <summary>The interpolation's last coefficient (1: the second model). Default 1.5.</summary>
    public double InterpolationEnd { get; set; } = 1.5;

    /// <summary>
    /// Give 1-D parameters (biases, BatchNorm scales and shifts) a direction too, equal to the weights themselves, as Li et
    /// al.'s code does when asked. Default false: their plots' setting, which leaves biases and BatchNorm parameters still.
    /// </summary>
    public bool IncludeBiasAndNorm { get; set; }

    /// <summary>Examples drawn (seeded, without replacement) to define the loss; null uses all of them. Default 2048.</summary>
    public int? SampleSize { get; set; } = 2048;

    /// <summary>Examples per forward pass. Default 2048.</summary>
    public int BatchSize { get; set; } = 2048;

    /// <summary>Seed of the sample and the random directions. Default 0.</summary>
    public int Seed { get; set; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option and its value.</summary>
    public void Validate()
    {
        Guard.Positive(Points, nameof(Points));
        if (Points < 2) throw Guard.Fail(nameof(Points), Points, "must be at least 2");
        Guard.Positive(GridPoints, nameof(GridPoints));
        if (GridPoints < 2) throw Guard.Fail(nameof(GridPoints), GridPoints, "must be at least 2");
        Guard.Positive(Range, nameof(Range));
        if (!double.IsFinite(InterpolationStart)) throw Guard.Fail(nameof(InterpolationStart), InterpolationStart, "must be finite");
        if (!double.IsFinite(InterpolationEnd) || InterpolationEnd <= InterpolationStart)
            throw Guard.Fail(nameof(InterpolationEnd), InterpolationEnd, "must be finite and above InterpolationStart");
        if (SampleSize is int s) Guard.Positive(s, nameof(SampleSize));
        Guard.Positive(BatchSize, nameof(BatchSize));
    }

    /// <summary>A copy.</summary>
    public LandscapeOptions Clone() => (LandscapeOptions)MemberwiseClone();
}

/// <summary>The loss along a line: <c>Losses[i]</c> is the mean loss at coordinate <c>Coordinates[i]</c>.</summary>
public sealed record LandscapeLine(IReadOnlyList<double> Coordinates, IReadOnlyList<double> Losses, int SampleSize, TimeSpan Elapsed);

/// <summary>The loss on a plane: <c>Losses[j][i]</c> is the mean loss at (<c>X[i]</c>, <c>Y[j]</c>).</summary>
public sealed record LandscapeSurface(IReadOnlyList<double> X, IReadOnlyList<double> Y, IReadOnlyList<IReadOnlyList<double>> Losses, int SampleSize, TimeSpan Elapsed);

/// <summary>
/// Loss-landscape pictures as numbers (Li et al. 2018, "Visualizing the loss landscape of neural nets"): 1-D and 2-D
/// slices around the trained weights along seeded filter-normalised random directions, and the 1-D linear
/// interpolation between two models' weights. Each direction is Gaussian, then rescaled per filter (per output row
/// of a linear layer, per output channel of a convolution) to the norm of that filter's weights; biases and
/// BatchNorm parameters get a zero direction unless <see cref="LandscapeOptions.IncludeBiasAndNorm"/>. Evaluated in
/// eval mode; the model is left bit for bit as it was. Drawing is the caller's (the sweep console draws PNGs).
/// </summary>
public static class LossLandscape
{
    /// <summary>The loss along one filter-normalised random direction, at <c>w + α d</c> for α in [-Range, Range].</summary>
    public static LandscapeLine Slice(nn.Module<Tensor, Tensor> model, Func<Tensor, Tensor, Tensor> loss, Tensor inputs, Tensor targets,
        LandscapeOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (o, parameters) = Begin(model, loss, inputs, targets, options);
        using var session = MeasureSession.Start(model, inputs, targets, o.Seed, o.SampleSize, o.BatchSize, parameters[0].device);
        var (xs, ys, m, generator) = (session.X, session.Y, session.Count, session.Generator);
        var trained = Clone(parameters);
        var d = FilterNormalizedDirection(trained, generator, o.IncludeBiasAndNorm);
        var alphas = Grid(-o.Range, o.Range, o.Points);
        var losses = new double[alphas.Length];
        for (int i = 0; i < alphas.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Set(parameters, trained, d, alphas[i], null, 0);
            losses[i] = MeasureData.MeanLoss(model, loss, xs, ys, m);
        }
        return new LandscapeLine(alphas, losses, (int)m, session.Clock.Elapsed);
    }

    /// <summary>The loss on the plane of two filter-normalised random directions, at <c>w + α d₁ + β d₂</c>.</summary>
    public static LandscapeSurface Surface(nn.Module<Tensor, Tensor> model, Func<Tensor, Tensor, Tensor> loss, Tensor inputs, Tensor targets,
        LandscapeOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (o, parameters) = Begin(model, loss, inputs, targets, options);
        using var session = MeasureSession.Start(model, inputs, targets, o.Seed, o.SampleSize, o.BatchSize, parameters[0].device);
        var (xs, ys, m, generator) = (session.X, session.Y, session.Count, session.Generator);
        var trained = Clone(parameters);
        var d1 = FilterNormalizedDirection(trained, generator, o.IncludeBiasAndNorm);
        var d2 = FilterNormalizedDirection(trained, generator, o.IncludeBiasAndNorm);
        var axis = Grid(-o.Range, o.Range, o.GridPoints);
        var rows = new IReadOnlyList<double>[axis.Length];
        for (int j = 0; j < axis.Length; j++)
        {
            var row = new double[axis.Length];
            for (int i = 0; i < axis.Length; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Set(parameters, trained, d1, axis[i], d2, axis[j]);
                row[i] = MeasureData.MeanLoss(model, loss, xs, ys, m);
            }
            rows[j] = row;
        }
        return new LandscapeSurface(axis, axis, rows, (int)m, session.Clock.Elapsed);
    }

    /// <summary>
    /// The loss along the line from <paramref name="model"/>'s weights (t = 0) to <paramref name="other"/>'s (t = 1), for t
    /// from <see cref="LandscapeOptions.InterpolationStart"/> to <see cref="LandscapeOptions.InterpolationEnd"/>, evaluated on
    /// <paramref name="model"/>. Floating-point buffers (BatchNorm running statistics) are interpolated with the weights.
    /// Both models must have the same architecture; neither changes.
    /// </summary>
    public static LandscapeLine Interpolate(nn.Module<Tensor, Tensor> model, nn.Module<Tensor, Tensor> other, Func<Tensor, Tensor, Tensor> loss,
        Tensor inputs, Tensor targets, LandscapeOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(other);
        var (o, _) = Begin(model, loss, inputs, targets, options);
        var a = model.parameters().Concat(model.buffers()).Where(t => t.is_floating_point()).ToArray();
        var b = other.parameters().Concat(other.buffers()).Where(t => t.is_floating_point()).ToArray();
        if (a.Length != b.Length || a.Zip(b).Any(p => !p.First.shape.SequenceEqual(p.Second.shape)))
            throw new ArgumentException("The two models have different architectures: their weights cannot be interpolated.", nameof(other));
        using var session = MeasureSession.Start(model, inputs, targets, o.Seed, o.SampleSize, o.BatchSize, a[0].device);
        var (xs, ys, m) = (session.X, session.Y, session.Count);
        var start = Clone(a);
        Tensor[] direction;
        using (no_grad()) direction = [.. b.Select((t, i) => t.detach().to(a[i].device) - start[i])];
        var ts = Grid(o.InterpolationStart, o.InterpolationEnd, o.Points);
        var losses = new double[ts.Length];
        for (int i = 0; i < ts.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Set(a, start, direction, ts[i], null, 0);
            losses[i] = MeasureData.MeanLoss(model, loss, xs, ys, m);
        }
        return new LandscapeLine(ts, losses, (int)m, session.Clock.Elapsed);
    }

    /// <summary>
    /// A Gaussian direction (from <paramref name="generator"/>) rescaled filter by filter to the norms of
    /// <paramref name="weights"/>: for a tensor of two or more dimensions, each slice along the first dimension gets
    /// <c>d ‖w‖ / ‖d‖</c>; a one-dimensional tensor gets zero, or the weights themselves when <paramref name="includeBiasAndNorm"/>.
    /// The tensors live in the caller's dispose scope.
    /// </summary>
    public static Tensor[] FilterNormalizedDirection(IReadOnlyList<Tensor> weights, Generator generator, bool includeBiasAndNorm)
    {
        ArgumentNullException.ThrowIfNull(weights);
        using var _ = no_grad();
        var direction = new Tensor[weights.Count];
        for (int i = 0; i < weights.Count; i++)
        {
            var w = weights[i].detach();
            var d = randn(w.shape, dtype: w.dtype, generator: generator).to(w.device);
            if (w.dim() <= 1)
            {
                direction[i] = includeBiasAndNorm ? w.clone() : zeros_like(w);
                continue;
            }
            var rows = d.reshape(w.shape[0], -1);
            var wNorm = w.reshape(w.shape[0], -1).norm(1, keepdim: true);
            var dNorm = rows.norm(1, keepdim: true).clamp_min(1e-12);
            direction[i] = rows.mul(wNorm.div(dNorm)).reshape(w.shape);
        }
        return direction;
    }

    /// <summary>Evenly spaced values from <paramref name="from"/> to <paramref name="to"/>, both included.</summary>
    public static double[] Grid(double from, double to, int count)
    {
        Guard.Positive(count, nameof(count));
        if (count == 1) return [from];
        var values = new double[count];
        for (int i = 0; i < count; i++) values[i] = from + (to - from) * i / (count - 1);
        values[count - 1] = to;
        return values;
    }

    private static (LandscapeOptions Options, Tensor[] Parameters) Begin(nn.Module<Tensor, Tensor> model, Func<Tensor, Tensor, Tensor> loss,
        Tensor inputs, Tensor targets, LandscapeOptions? options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loss);
        var o = (options ?? new LandscapeOptions()).Clone();
        o.Validate();
        MeasureData.Check(inputs, targets);
        return (o, MeasureData.Trainable(model));
    }

    private static Tensor[] Clone(Tensor[] tensors)
    {
        using var _ = no_grad();
        return [.. tensors.Select(t => t.detach().clone())];
    }

    private static void Set(Tensor[] live, Tensor[] origin, Tensor[] d1, double a, Tensor[]? d2, double b)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        for (int i = 0; i < live.Length; i++)
        {
            var value = origin[i].add(d1[i], alpha: a);
            if (d2 is not null) value.add_(d2[i], alpha: b);
            live[i].copy_(value);
        }
    }
}
