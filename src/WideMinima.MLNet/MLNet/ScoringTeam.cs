using System.Diagnostics;

namespace WideMinima.MLNet;

/// <summary>Work split into numbered chunks for <see cref="ScoringTeam"/>.</summary>
internal interface IChunkedWork
{
    /// <summary>Runs chunk <paramref name="chunk"/> on the thread numbered <paramref name="worker"/> (0: the caller).</summary>
    void Run(int chunk, int worker);
}

/// <summary>
/// The helper threads that share a managed forward pass with the thread that scores: one process-wide team, used by
/// one pass at a time (a pass that finds it busy runs alone). Chunks are taken from a shared counter, so the calling
/// thread never waits for a helper to start: if the helpers are asleep or descheduled (a busy machine), the caller
/// takes every chunk itself and the pass costs what it costs on one thread, plus a few atomic operations; it waits
/// only for chunks a helper has already begun. Helpers spin for <see cref="SpinMicroseconds"/> after each piece of
/// work, so that the next pass of a stream of predictions finds them awake, then sleep until woken.
/// </summary>
#pragma warning disable CA1001 // One team per process, alive as long as the process (its helpers are background threads): nothing to dispose.
internal sealed class ScoringTeam
#pragma warning restore CA1001
{
    /// <summary>How long an idle helper keeps looking for work before it sleeps.</summary>
    public const int SpinMicroseconds = 50;

    /// <summary>The most helper threads the team starts (with the caller, 1 + this many threads share a pass).</summary>
    public const int MaxHelpers = 63;

    /// <summary>The process's team.</summary>
    public static ScoringTeam Shared { get; } = new();

    private const int Closed = int.MaxValue / 2;

    private static readonly long SpinTicks = Stopwatch.Frequency * SpinMicroseconds / 1_000_000;

    private readonly Lock _busy = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly List<Thread> _helpers = [];
    private IChunkedWork? _work;
    private int _count;
    private int _next = Closed;
    private int _done;
    private int _active;
    private int _sleepers;
    private long _generation;
    private Exception? _failure;

    /// <summary>
    /// Runs <paramref name="chunks"/> chunks of <paramref name="work"/>, the calling thread and up to
    /// <paramref name="threads"/> - 1 helpers taking them in turn; returns when all are done.
    /// </summary>
    public void Run(IChunkedWork work, int chunks, int threads)
    {
        int helpers = Math.Min(Math.Min(threads, chunks) - 1, MaxHelpers);
        if (helpers <= 0 || !_busy.TryEnter())
        {
            for (int c = 0; c < chunks; c++) work.Run(c, 0);
            return;
        }
        try
        {
            while (_helpers.Count < helpers) Start(_helpers.Count + 1);
            _work = work;
            _count = chunks;
            _done = 0;
            _failure = null;
            Volatile.Write(ref _active, helpers);
            Volatile.Write(ref _next, 0); // opens the chunks; everything above is visible to whoever takes one
            Interlocked.Increment(ref _generation);
            int sleepers = Volatile.Read(ref _sleepers);
            if (sleepers > 0) _wake.Release(Math.Min(sleepers, helpers));
            Take(0);
            var spin = new SpinWait();
            while (Volatile.Read(ref _done) < chunks) spin.SpinOnce(sleep1Threshold: -1);
            Volatile.Write(ref _next, Closed);
            _work = null;
            if (_failure is { } failure) throw new InvalidOperationException("A chunk of a scoring pass failed.", failure);
        }
        finally
        {
            _busy.Exit();
        }
    }

    /// <summary>Takes and runs chunks until none is left.</summary>
    private void Take(int worker)
    {
        while (true)
        {
            int chunk = Interlocked.Increment(ref _next) - 1;
            if (chunk >= Volatile.Read(ref _count)) return;
            try
            {
                _work!.Run(chunk, worker);
            }
            catch (Exception e)
            {
                // Every chunk still runs and is counted, so that the pass ends; the caller rethrows.
                Interlocked.CompareExchange(ref _failure, e, null);
            }
            finally
            {
                Interlocked.Increment(ref _done);
            }
        }
    }

    private void Start(int worker)
    {
        var thread = new Thread(() => Help(worker)) { IsBackground = true, Name = $"WideMinima scoring {worker}" };
        _helpers.Add(thread);
        thread.Start();
    }

    /// <summary>A helper's life: wait for a pass (spinning a while, then asleep), take chunks if this helper is one of the pass's.</summary>
    private void Help(int worker)
    {
        long seen = Volatile.Read(ref _generation);
        while (true)
        {
            long start = Stopwatch.GetTimestamp();
            while (Volatile.Read(ref _generation) == seen)
            {
                if (Stopwatch.GetTimestamp() - start < SpinTicks)
                {
                    Thread.SpinWait(20);
                    continue;
                }
                Interlocked.Increment(ref _sleepers);
                // Checked again after announcing sleep: a pass that started in between either saw the sleeper or is seen here.
                if (Volatile.Read(ref _generation) == seen) _wake.Wait();
                Interlocked.Decrement(ref _sleepers);
                start = Stopwatch.GetTimestamp();
            }
            seen = Volatile.Read(ref _generation);
            // A helper beyond the pass's count stays out (a helper that raced into one anyway only takes a chunk early).
            if (worker <= Volatile.Read(ref _active)) Take(worker);
        }
    }
}
