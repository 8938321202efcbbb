using TorchSharp;
using static TorchSharp.torch;

namespace WideMinima.MLNet;

/// <summary>
/// Runs the trained network for ML.NET: one forward pass over a batch of rows, from a managed buffer of features to
/// a managed buffer of class probabilities. With <see cref="ScoringBackend.Auto"/> the pass runs on
/// <see cref="ManagedNetwork"/>'s kernels where the network allows (compiled on the first pass, and again if the
/// network's parameters are replaced); otherwise on libtorch, through tensors that share the buffers' memory (pinned,
/// made once per buffer), so that a pass copies nothing in and one block out. Neither allocates managed arrays.
/// </summary>
/// <remarks>
/// Passes are serialised (TorchSharp modules are not meant to run concurrently). A libtorch pass runs with the thread
/// count it is given on the calling thread, the previous count put back afterwards; a managed pass splits its rows
/// over that many threads (see <see cref="ScoringOptions"/>).
/// </remarks>
internal sealed class NetworkScorer(nn.Module<Tensor, Tensor> model, Device device, int featureCount, int classCount)
{
    private readonly Lock _gate = new();
    private readonly bool _onCpu = device.type == DeviceType.CPU;
    private readonly Func<Tensor, Tensor> _forward = ScoringForward.For(model);
    private ManagedNetwork? _managed;
    private bool _managedTried;

    /// <summary>
    /// Why the managed kernels do not score this network (empty when they do, or before the first pass), for the
    /// documentation's claims and the tests.
    /// </summary>
    internal string ManagedUnavailableReason { get; private set; } = "";

    /// <summary>Whether the last pass ran on the managed kernels.</summary>
    internal bool LastPassManaged { get; private set; }

    /// <summary>Features per row.</summary>
    public int FeatureCount => featureCount;

    /// <summary>Classes: values per row of <see cref="Batch.Scores"/>.</summary>
    public int ClassCount => classCount;

    /// <summary>Buffers for up to <paramref name="capacity"/> rows; dispose them to unpin their memory.</summary>
    public Batch CreateBatch(int capacity) => new(this, capacity);

    /// <summary>
    /// The 1-based key of the most probable class in <paramref name="scores"/>, as ML.NET's key columns hold it, or
    /// 0 (missing) when the scores are NaN (NaN features). Ties go to the lower class.
    /// </summary>
    public static uint PredictedKey(ReadOnlySpan<float> scores)
    {
        int best = 0;
        for (int k = 1; k < scores.Length; k++) if (scores[k] > scores[best]) best = k;
        return float.IsNaN(scores[best]) ? 0u : (uint)best + 1;
    }

    /// <summary>Managed buffers for a batch of rows and the tensors that share their memory.</summary>
    internal sealed class Batch : IDisposable
    {
        private readonly NetworkScorer _scorer;
        private readonly Tensor _features;
        private readonly Tensor _scores;
        private bool _disposed;

        internal Batch(NetworkScorer scorer, int capacity)
        {
            _scorer = scorer;
            Capacity = capacity;
            Features = new float[checked(capacity * scorer.FeatureCount)];
            Scores = new float[checked(capacity * scorer.ClassCount)];
            // Made outside any dispose scope of the caller's, which would free them under our feet.
            _features = from_array(Features).view(capacity, scorer.FeatureCount).DetachFromDisposeScope();
            _scores = from_array(Scores).view(capacity, scorer.ClassCount).DetachFromDisposeScope();
        }

        /// <summary>Rows the buffers hold.</summary>
        public int Capacity { get; }

        /// <summary>Row-major features: row i at <c>[i * FeatureCount, (i + 1) * FeatureCount)</c>.</summary>
        public float[] Features { get; }

        /// <summary>Row-major class probabilities, written by <see cref="Score"/>.</summary>
        public float[] Scores { get; }

        /// <summary>Scores the first <paramref name="rows"/> rows of <see cref="Features"/> into <see cref="Scores"/> in one forward pass.</summary>
        /// <param name="rows">Rows to score, 1 to <see cref="Capacity"/>.</param>
        /// <param name="threads">Threads for this pass (libtorch intra-op threads, or the managed kernels' row split); 0 takes libtorch's current setting.</param>
        /// <param name="backend">What runs the pass.</param>
        public void Score(int rows, int threads, ScoringBackend backend = ScoringBackend.Auto)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(rows, Capacity);
            _scorer.Run(this, rows, threads, backend);
        }

        internal Tensor FeatureTensor => _features;

        internal Tensor ScoreTensor => _scores;

        /// <summary>The managed kernels' buffers for this batch, made on its first managed pass.</summary>
        internal ManagedNetwork.Workspace? Workspace { get; set; }

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            _features.Dispose();
            _scores.Dispose();
        }
    }

    private void Run(Batch batch, int rows, int threads, ScoringBackend backend)
    {
        lock (_gate)
        {
            LastPassManaged = backend == ScoringBackend.Auto && _onCpu && TryManaged(batch, rows, threads);
            if (!LastPassManaged) RunLibTorch(batch, rows, threads);
        }
    }

    /// <summary>
    /// A pass on the managed kernels, compiling them on the first call; false when they do not run this network
    /// now (libtorch scores instead). A network whose parameters were replaced is compiled again, once per change.
    /// </summary>
    private bool TryManaged(Batch batch, int rows, int threads)
    {
        if (!_managedTried) Compile();
        if (_managed is null) return false;
        if (threads == 0) threads = get_num_threads();
        for (int attempt = 0; ; attempt++)
        {
            if (batch.Workspace?.Network != _managed) batch.Workspace = _managed.CreateWorkspace();
            switch (_managed.TryScore(batch.Workspace, batch.Features, rows, batch.Scores, threads))
            {
                case ManagedNetwork.Outcome.Scored:
                    return true;
                case ManagedNetwork.Outcome.NotNow:
                    return false;
                case ManagedNetwork.Outcome.Changed:
                    if (attempt > 0) return false;
                    Compile();
                    if (_managed is null) return false;
                    break;
                default:
                    throw new InvalidOperationException("Unknown outcome.");
            }
        }
    }

    private void Compile()
    {
        _managedTried = true;
        _managed = ManagedNetwork.TryCreate(model, featureCount, classCount, out string reason);
        ManagedUnavailableReason = reason;
    }

    private void RunLibTorch(Batch batch, int rows, int threads)
    {
        int previous = get_num_threads();
        bool change = threads > 0 && threads != previous;
        if (change) set_num_threads(threads);
        try
        {
            using var scope = NewDisposeScope();
            // Inference mode: no autograd bookkeeping at all (a tenth of a one-row MLP pass, measured).
            using var inference = inference_mode();
            var x = rows == batch.Capacity ? batch.FeatureTensor : batch.FeatureTensor.narrow(0, 0, rows);
            if (!_onCpu) x = x.to(device);
            var probabilities = nn.functional.softmax(_forward(x), 1);
            var target = rows == batch.Capacity ? batch.ScoreTensor : batch.ScoreTensor.narrow(0, 0, rows);
            target.copy_(probabilities);
        }
        finally
        {
            if (change) set_num_threads(previous);
        }
    }
}
