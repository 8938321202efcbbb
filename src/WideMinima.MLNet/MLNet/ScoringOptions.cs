using WideMinima.Internal;

namespace WideMinima.MLNet;

/// <summary>
/// How a <see cref="WideMinimaTransformer"/> scores: what runs the forward passes (<see cref="Backend"/>), rows per
/// forward pass in <c>Transform</c>, and the thread counts for bulk scoring and for single rows
/// (<c>PredictionEngine</c>). Set it with <see cref="WideMinimaTrainer.Options.Scoring"/>,
/// <see cref="WideMinimaModel.Load"/> or <see cref="WideMinimaTransformer.Scoring"/>; every default is documented.
/// </summary>
/// <remarks>
/// <para>
/// On the managed kernels (<see cref="ScoringBackend.Auto"/> with the MLP or CNN on a CPU with AVX-512, or AVX2 and FMA), the thread
/// counts are how many threads share a pass: the calling thread and helpers of one process-wide team, which take
/// chunks of the pass from a shared counter (32 rows in bulk; of one row, rows of a convolution's output and groups of
/// a dense layer's outputs), so that a helper that is late or descheduled never holds the caller up; libtorch's
/// setting is neither read nor changed.
/// </para>
/// <para>
/// On libtorch, libtorch's thread count (<c>torch.set_num_threads</c>) is one process-wide setting, which training sets too
/// (<see cref="Training.TrainingOptions.Threads"/>). The transformer sets the count it scores with on the calling
/// thread just before each forward pass and puts the previous count back just after (about 1 µs), so that a
/// prediction does not change the threads of training or of other code in the process. In the OpenMP build of
/// libtorch that TorchSharp ships for Linux, the count is also held per thread: a thread that scores with 1 thread
/// leaves another thread's count as it was.
/// </para>
/// <para>
/// Why one thread for single rows: a one-row forward pass is a chain of small operations; split over several
/// threads, each operation waits for the slowest, and on a busy machine a descheduled thread stalls every layer
/// (on a shared 2-core machine libtorch's CNN fell from about 1,150 to 127 rows per second at 2 threads). Serving many
/// requests at once scales better with one thread per request than with threads per row. Raise it for a large
/// network scored one row at a time on an otherwise idle machine, and measure (docs/guide/scoring.md).
/// </para>
/// </remarks>
public sealed class ScoringOptions
{
    /// <summary>The default of <see cref="BatchSize"/>: 128 rows.</summary>
    public const int DefaultBatchSize = 128;

    /// <summary>The default of <see cref="Threads"/>: 0, libtorch's current setting.</summary>
    public const int DefaultThreads = 0;

    /// <summary>The default of <see cref="SingleRowThreads"/>: 1 thread.</summary>
    public const int DefaultSingleRowThreads = 1;

    /// <summary>The default of <see cref="Backend"/>: <see cref="ScoringBackend.Auto"/>.</summary>
    public const ScoringBackend DefaultBackend = ScoringBackend.Auto;

    /// <summary>
    /// Rows that each cursor of <c>Transform</c> reads ahead and scores in one forward pass. Scores do not depend on
    /// it. The managed kernels work through a pass in blocks of 32 rows and allocate nothing, so past a few blocks
    /// the size matters little. On libtorch, larger batches use the CPU better up to the point where a pass's
    /// temporaries grow past what the memory allocator keeps for reuse (glibc: 32 MB) and every pass pays for fresh
    /// memory again: on the development machine the MLP gained 1 to 7% from 128 to 256 rows and the CNN lost half its
    /// rate. Default <see cref="DefaultBatchSize"/> (128).
    /// </summary>
    public int BatchSize { get; set; } = DefaultBatchSize;

    /// <summary>
    /// Threads for the forward passes of <c>Transform</c> (bulk scoring): libtorch's intra-op threads, or the managed
    /// kernels' threads sharing a pass's blocks of rows. 0 takes libtorch's current setting, which
    /// <see cref="Training.TrainingOptions.Threads"/> set when the model was trained in this process (otherwise
    /// libtorch's default: all cores). Default <see cref="DefaultThreads"/> (0).
    /// </summary>
    public int Threads { get; set; } = DefaultThreads;

    /// <summary>
    /// Threads for one row at a time (<c>PredictionEngine</c>, and the row mapper ML.NET builds from the transformer):
    /// libtorch's intra-op threads, or the managed kernels' threads sharing the row's layers. 0 takes libtorch's
    /// current setting. Default <see cref="DefaultSingleRowThreads"/> (1): see the remarks.
    /// </summary>
    public int SingleRowThreads { get; set; } = DefaultSingleRowThreads;

    /// <summary>
    /// What runs the forward passes: <see cref="ScoringBackend.Auto"/> runs WideMinima's kernels (AVX-512, or AVX2 and FMA) where the
    /// network and the CPU allow (the MLP and CNN <c>ModelKind</c> builds, on the CPU) and libtorch otherwise;
    /// <see cref="ScoringBackend.LibTorch"/> always runs libtorch. The scores agree to float rounding (the tests allow
    /// 2e-6 on a probability). Default <see cref="DefaultBackend"/> (Auto).
    /// </summary>
    public ScoringBackend Backend { get; set; } = DefaultBackend;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid option and its value.</summary>
    public void Validate()
    {
        Guard.Positive(BatchSize, nameof(BatchSize));
        Guard.NonNegative(Threads, nameof(Threads));
        Guard.NonNegative(SingleRowThreads, nameof(SingleRowThreads));
        if (!Enum.IsDefined(Backend)) throw new ArgumentOutOfRangeException(nameof(Backend), Backend, $"{nameof(Backend)} must be Auto or LibTorch; it is {(int)Backend}.");
    }

    /// <summary>A copy, so that a transformer is not changed by later edits of the options it was given.</summary>
    internal ScoringOptions Copy() => (ScoringOptions)MemberwiseClone();
}
