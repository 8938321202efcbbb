using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace WideMinima.Sharpness;

/// <summary>
/// A bitwise copy of a model's parameters, buffers (BatchNorm running statistics) and each module's train/eval mode,
/// put back by <see cref="Dispose"/>: the measures that move the weights leave the model exactly as they found it,
/// also on an exception.
/// </summary>
internal sealed class ModelSnapshot : IDisposable
{
    private readonly (Tensor Live, Tensor Copy)[] _tensors;
    private readonly (nn.Module Module, bool Training)[] _modes;
    private bool _disposed;

    public ModelSnapshot(nn.Module model)
    {
        using (no_grad())
        {
            _tensors = [.. model.parameters().Concat(model.buffers()).Select(t => (t, t.detach().clone().DetachFromDisposeScope()))];
        }
        _modes = [.. model.modules().Prepend(model).Distinct().Select(m => (m, m.training))];
    }

    /// <summary>Puts every tensor and mode back.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        using (no_grad())
        {
            foreach (var (live, copy) in _tensors)
            {
                live.copy_(copy);
                copy.Dispose();
            }
        }
        // Pre-order: a parent's train() sets its children, which then get their own mode back.
        foreach (var (module, training) in _modes) module.train(training);
    }
}

/// <summary>
/// What every measure that moves the weights shares, for the length of one measurement: the model snapshotted (put
/// back on <see cref="Dispose"/>, also on an exception), a dispose scope for the measure's tensors, eval mode, the
/// seeded generator, and the seeded sample on the weights' device. Disposed in reverse: generator, scope, snapshot.
/// </summary>
internal sealed class MeasureSession : IDisposable
{
    private readonly ModelSnapshot _snapshot;
    private readonly IDisposable _scope;

    private MeasureSession(ModelSnapshot snapshot, IDisposable scope, Generator generator, Tensor[] x, Tensor[] y, long count, Stopwatch clock)
    {
        (_snapshot, _scope, Generator, X, Y, Count, Clock) = (snapshot, scope, generator, x, y, count, clock);
    }

    /// <summary>Snapshots <paramref name="model"/>, opens the scope, sets eval mode and draws the sample with <paramref name="seed"/>.</summary>
    public static MeasureSession Start(nn.Module model, Tensor inputs, Tensor targets, int seed, int? sampleSize, int batchSize, Device device)
    {
        var clock = Stopwatch.StartNew();
        var snapshot = new ModelSnapshot(model);
        var scope = NewDisposeScope();
        Generator? generator = null;
        try
        {
            model.eval();
            generator = new Generator((ulong)seed);
            var (x, y, count) = MeasureData.Sample(inputs, targets, sampleSize, batchSize, generator, device);
            return new MeasureSession(snapshot, scope, generator, x, y, count, clock);
        }
        catch
        {
            generator?.Dispose();
            scope.Dispose();
            snapshot.Dispose();
            throw;
        }
    }

    /// <summary>The seeded generator, for the measure's own draws after the sample's.</summary>
    public Generator Generator { get; }

    /// <summary>The sample's inputs, in chunks.</summary>
    public Tensor[] X { get; }

    /// <summary>The sample's targets, in chunks.</summary>
    public Tensor[] Y { get; }

    /// <summary>Examples in the sample.</summary>
    public long Count { get; }

    /// <summary>Started with the session.</summary>
    public Stopwatch Clock { get; }

    /// <summary>Puts the model back and frees the measure's tensors.</summary>
    public void Dispose()
    {
        Generator.Dispose();
        _scope.Dispose();
        _snapshot.Dispose();
    }
}

/// <summary>The seeded sample and checks that every measure shares.</summary>
internal static class MeasureData
{
    /// <summary>Throws when the data is empty or the inputs and targets disagree in length.</summary>
    public static long Check(Tensor inputs, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        long n = inputs.shape.Length == 0 ? 0 : inputs.shape[0];
        if (n == 0) throw new ArgumentException("The data is empty: the measure needs at least one example.", nameof(inputs));
        if (targets.shape.Length == 0 || targets.shape[0] != n)
            throw new ArgumentException($"inputs has {n} examples but targets has {(targets.shape.Length == 0 ? 0 : targets.shape[0])}.", nameof(targets));
        return n;
    }

    /// <summary>The trainable parameters, or an error when there are none.</summary>
    public static Tensor[] Trainable(nn.Module model)
    {
        var parameters = model.parameters().Where(p => p.requires_grad).Cast<Tensor>().ToArray();
        if (parameters.Length == 0)
            throw new ArgumentException("The model has no trainable parameters, so it has no minimum to measure.", nameof(model));
        return parameters;
    }

    /// <summary>
    /// A seeded sample of <paramref name="sampleSize"/> examples (all when null), drawn without replacement, on
    /// <paramref name="device"/>, split into chunks of <paramref name="batchSize"/>. The tensors live in the caller's scope.
    /// </summary>
    public static (Tensor[] X, Tensor[] Y, long Count) Sample(Tensor inputs, Tensor targets, int? sampleSize, int batchSize, Generator generator, Device device)
    {
        long n = inputs.shape[0];
        long m = Math.Min(n, sampleSize ?? n);
        var pick = randperm(n, generator: generator).narrow(0, 0, m);
        var x = inputs.index_select(0, pick.to(inputs.device)).to(device);
        var y = targets.index_select(0, pick.to(targets.device)).to(device);
        return (x.split(batchSize), y.split(batchSize), m);
    }

    /// <summary>The mean loss over the chunks, weighted by chunk size, without gradients.</summary>
    public static double MeanLoss(nn.Module<Tensor, Tensor> model, Func<Tensor, Tensor, Tensor> loss, Tensor[] xs, Tensor[] ys, long total)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        double sum = 0;
        for (int b = 0; b < xs.Length; b++)
            sum += loss(model.call(xs[b]), ys[b]).ToDouble() * xs[b].shape[0];
        return sum / total;
    }

    /// <summary>Σᵢ ⟨aᵢ, bᵢ⟩ over a list of tensors, in double.</summary>
    public static double Dot(Tensor[] a, Tensor[] b)
    {
        using var scope = NewDisposeScope();
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += a[i].to(float64).mul(b[i].to(float64)).sum().ToDouble();
        return sum;
    }
}
