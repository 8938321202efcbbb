using TorchSharp;
using static TorchSharp.torch;

namespace WideMinima.MLNet;

/// <summary>
/// Runs the trained network for ML.NET: one forward pass over a batch of rows, from a managed buffer of features to
/// a managed buffer of class probabilities. The buffers are shared with the input and output tensors (pinned, made
/// once per buffer), so a pass copies nothing in and one block out, and allocates no managed arrays.
/// </summary>
/// <remarks>
/// Passes are serialised (TorchSharp modules are not meant to run concurrently), and each runs with the thread
/// count it is given on the calling thread, the previous count put back afterwards (see <see cref="ScoringOptions"/>).
/// </remarks>
internal sealed class NetworkScorer(nn.Module<Tensor, Tensor> model, Device device, int featureCount, int classCount)
{
    private readonly Lock _gate = new();
    private readonly bool _onCpu = device.type == DeviceType.CPU;
    private readonly Func<Tensor, Tensor> _forward = ScoringForward.For(model);

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
        /// <param name="threads">libtorch intra-op threads for this pass; 0 keeps the current setting.</param>
        public void Score(int rows, int threads)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(rows, Capacity);
            _scorer.Run(this, rows, threads);
        }

        internal Tensor FeatureTensor => _features;

        internal Tensor ScoreTensor => _scores;

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            _features.Dispose();
            _scores.Dispose();
        }
    }

    private void Run(Batch batch, int rows, int threads)
    {
        lock (_gate)
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
}
