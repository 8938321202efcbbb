using TorchSharp.Modules;
using WideMinima.Optim;
using static TorchSharp.torch;

namespace WideMinima.Training;

/// <summary>
/// Evaluation of a Schedule-Free run at its average x, where the training loop takes its steps at y. Mid-training,
/// <see cref="AtAverage"/> puts x into the parameters and, for a network with BatchNorm, recomputes the running
/// statistics at x; disposing it puts y and the training statistics back bit for bit, so an evaluation leaves no
/// trace in the run. <see cref="Finish"/> does the same for good at the end: the returned network is x.
/// </summary>
/// <remarks>
/// BatchNorm statistics collected along y do not fit x, so (as the paper advises) they are recomputed before every
/// evaluation at x: the statistics are reset and every BatchNorm layer averages, with equal weight per batch
/// (momentum null, a cumulative mean), its batch statistics over <see cref="BatchNormBatches"/> training batches run
/// forward in train mode without gradients. Every other module stays in eval mode, so dropout draws nothing from
/// libtorch's global generator. The examples are the first <c>min(50 B, n)</c> of a permutation drawn once, at the
/// start of the run, with a generator of their own seeded from the run's seed (<see cref="SampleSeed"/>), in batches
/// of the training batch size B, without augmentation: no training generator is touched, the sample is the same at
/// every evaluation and after a resume, and a run gives the same bits with and without its evaluations.
/// </remarks>
internal sealed class ScheduleFreeEvaluation : IDisposable
{
    /// <summary>Training batches the BatchNorm statistics are recomputed on (fewer when the data has fewer).</summary>
    public const int BatchNormBatches = 50;

    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly ScheduleFreeOptimizer _optimizer;
    private readonly BatchNorm[] _norms;
    private readonly Tensor _inputs;
    private readonly Tensor? _sample;
    private readonly int _batchSize;
    private readonly (Tensor Live, Tensor Saved)[] _buffers;

    /// <param name="model">The network being trained.</param>
    /// <param name="optimizer">Its Schedule-Free optimizer.</param>
    /// <param name="inputs">The training features (on the device): the BatchNorm statistics are recomputed on them.</param>
    /// <param name="batchSize">The training batch size.</param>
    /// <param name="seed">The run's seed.</param>
    public ScheduleFreeEvaluation(nn.Module<Tensor, Tensor> model, ScheduleFreeOptimizer optimizer, Tensor inputs, int batchSize, int seed)
    {
        _model = model;
        _optimizer = optimizer;
        _inputs = inputs;
        _batchSize = batchSize;
        _norms = [.. model.modules().OfType<BatchNorm>().Where(b => b.track_running_stats)];
        if (_norms.Length == 0)
        {
            _buffers = [];
            return;
        }
        _sample = Sample(inputs.shape[0], batchSize, seed).to(inputs.device, disposeAfter: true).DetachFromDisposeScope();
        _buffers = [.. _norms.SelectMany(b => new[] { b.running_mean!, b.running_var!, b.num_batches_tracked! })
            .Select(t => (t, t.detach().clone().DetachFromDisposeScope()))];
    }

    /// <summary>What the sample's generator is seeded with: the run's seed, bits mixed so it is not the shuffling generator's.</summary>
    public static ulong SampleSeed(int seed) => unchecked((ulong)seed ^ 0x5CED_F4EE_BA7C_0000UL);

    /// <summary>The examples (indices into the training data, on the CPU, owned by the caller) the BatchNorm statistics are recomputed on.</summary>
    public static Tensor Sample(long count, int batchSize, int seed)
    {
        using var generator = new Generator(SampleSeed(seed));
        using var scope = NewDisposeScope();
        return randperm(count, generator: generator).narrow(0, 0, Math.Min(count, (long)BatchNormBatches * batchSize)).clone().DetachFromDisposeScope();
    }

    /// <summary>True when the network has BatchNorm layers whose statistics are recomputed at x.</summary>
    public bool RecomputesBatchNorm => _norms.Length > 0;

    /// <summary>Puts x (and, with BatchNorm, statistics at x) into the network until the returned scope is disposed.</summary>
    public Scope AtAverage()
    {
        bool training = _model.training;
        using (no_grad())
        {
            foreach (var (live, saved) in _buffers) saved.copy_(live);
        }
        _optimizer.Eval();
        RecomputeBatchNorm();
        return new Scope(this, training);
    }

    /// <summary>Ends training: x in the parameters for good, BatchNorm statistics at x, eval mode.</summary>
    public void Finish()
    {
        _optimizer.Eval();
        RecomputeBatchNorm();
        _model.eval();
    }

    private void Leave(bool training)
    {
        _optimizer.Train();
        using (no_grad())
        {
            foreach (var (live, saved) in _buffers) live.copy_(saved);
        }
        _model.train(training);
    }

    private void RecomputeBatchNorm()
    {
        if (_sample is null) return;
        bool training = _model.training;
        var momenta = new double?[_norms.Length];
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        _model.eval();
        try
        {
            for (int i = 0; i < _norms.Length; i++)
            {
                momenta[i] = _norms[i].momentum;
                _norms[i].reset_running_stats();
                _norms[i].momentum = null; // a cumulative mean: every batch weighs the same
                _norms[i].train();
            }
            long count = _sample.shape[0];
            for (long start = 0; start < count; start += _batchSize)
            {
                using var inner = NewDisposeScope();
                _model.call(_inputs.index_select(0, _sample.narrow(0, start, Math.Min(_batchSize, count - start))));
            }
        }
        finally
        {
            for (int i = 0; i < _norms.Length; i++) _norms[i].momentum = momenta[i];
            _model.train(training);
        }
    }

    /// <summary>Frees the sample and the copies of the statistics.</summary>
    public void Dispose()
    {
        _sample?.Dispose();
        foreach (var (_, saved) in _buffers) saved.Dispose();
    }

    /// <summary>An evaluation at x in progress; disposing it returns the network to y and its training statistics.</summary>
    internal sealed class Scope(ScheduleFreeEvaluation owner, bool training) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            owner.Leave(training);
        }
    }
}
