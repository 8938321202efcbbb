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
}
