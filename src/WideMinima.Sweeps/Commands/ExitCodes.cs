using System.Runtime.InteropServices;

namespace WideMinima.Sweeps.Commands;

/// <summary>The console's exit codes: a small contract scripts rely on.</summary>
internal static class ExitCodes
{
    /// <summary>Everything asked for finished.</summary>
    public const int Success = 0;
    /// <summary>The sweep finished, but some runs failed (their errors are in the ledger and results.csv).</summary>
    public const int SomeRunsFailed = 1;
    /// <summary>Invalid input, found before any training.</summary>
    public const int InvalidInput = 2;
    /// <summary>Stopped by Ctrl+C (SIGINT): runs in flight went back to pending.</summary>
    public const int Stopped = 130;
    /// <summary>Stopped by SIGTERM (Slurm's scancel and preemption, Kubernetes' pod deletion): runs in flight went back to pending.</summary>
    public const int Terminated = 143;
}

/// <summary>
/// The one place the console hears a stop: Ctrl+C (SIGINT) and SIGTERM cancel <see cref="Token"/> instead of killing the
/// process, so that a command gives its runs back and exits with <see cref="ExitCode"/>: 130 for SIGINT, 143 for
/// SIGTERM, as shells and job launchers expect.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;
    private int _code = ExitCodes.Stopped;

    /// <summary>Listens for the signals (and for <paramref name="outer"/>, the command framework's own token).</summary>
    public StopSignals(CancellationToken outer)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(outer);
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => Stop(c, ExitCodes.Stopped));
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => Stop(c, ExitCodes.Terminated));
    }

    /// <summary>Cancelled once a stop was asked for.</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>True once a stop was asked for.</summary>
    public bool Requested => _stop.IsCancellationRequested;

    /// <summary>The exit code of the stop asked for: 130 (SIGINT) or 143 (SIGTERM).</summary>
    public int ExitCode => Volatile.Read(ref _code);

    /// <summary>Asks for a stop from within the program (a worker's parent wrote "stop").</summary>
    public void Request() => _stop.Cancel();

    private void Stop(PosixSignalContext context, int code)
    {
        context.Cancel = true;
        Volatile.Write(ref _code, code);
        _stop.Cancel();
    }

    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
        _stop.Dispose();
    }
}
