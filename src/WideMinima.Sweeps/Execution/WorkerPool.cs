using System.Diagnostics;
using System.Globalization;
using WideMinima.Sweeps.Config;

namespace WideMinima.Sweeps.Execution;

/// <summary>
/// Worker processes on this machine: this same program started again as <c>worker</c> on a ledger, each with its
/// output in <c>logs/worker-INDEX.log</c>. Each exits with its parent (it watches its standard input), and stops
/// cleanly, giving its run back, on a <see cref="StopLine"/>. Disposing waits for them, killing any that do not stop
/// within <see cref="StopTimeout"/>, so no worker outlives the pool. Used by <c>run</c>'s coordinator and by a
/// tuning's or fair sweep's session alike.
/// </summary>
public sealed class WorkerPool : IDisposable
{
    /// <summary>The line a worker started with <c>--exit-with-parent</c> reads on its standard input as "stop now, releasing your run".</summary>
    public const string StopLine = "stop";

    /// <summary>How long disposal waits for a stopping worker before it kills it.</summary>
    public static TimeSpan StopTimeout { get; } = TimeSpan.FromMinutes(2);

    private readonly List<Process> _processes = [];
    private readonly List<StreamWriter> _logs = [];
    private bool _disposed;

    /// <summary>Starts <paramref name="count"/> workers on <paramref name="target"/>, <paramref name="threads"/> torch threads each.</summary>
    /// <param name="target">The ledger they share (and the sweep folder they refresh reports in, if any).</param>
    /// <param name="logFolder">Where their output goes.</param>
    /// <param name="count">How many.</param>
    /// <param name="threads">Torch threads per worker.</param>
    /// <param name="lease">Their claims' lease.</param>
    /// <param name="checkpointFolder">Where runs' checkpoints go; null: none (or the folder's default).</param>
    public WorkerPool(LedgerTarget target, string logFolder, int count, int threads, TimeSpan lease, string? checkpointFolder)
    {
        ArgumentNullException.ThrowIfNull(target);
        LogFolder = logFolder;
        if (count > 0) Directory.CreateDirectory(logFolder);
        try
        {
            for (int i = 0; i < count; i++) Start(target, i, threads, lease, checkpointFolder);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Where the workers' logs are.</summary>
    public string LogFolder { get; }

    /// <summary>How many were started.</summary>
    public int Count => _processes.Count;

    /// <summary>True while at least one worker runs.</summary>
    public bool AnyAlive => _processes.Any(p => !p.HasExited);

    /// <summary>True when workers were started and every one has exited.</summary>
    public bool AllExited => _processes.Count > 0 && _processes.All(p => p.HasExited);

    /// <summary>Asks every worker to stop: each gives its run back and exits.</summary>
    public void RequestStop()
    {
        foreach (var p in _processes) TrySendStop(p);
    }

    /// <summary>Waits for every worker to exit; returns the exit codes, in start order.</summary>
    public IReadOnlyList<int> WaitForExit()
    {
        foreach (var p in _processes) p.WaitForExit();
        return [.. _processes.Select(p => p.ExitCode)];
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var p in _processes)
        {
            if (!p.HasExited && !p.WaitForExit(StopTimeout)) p.Kill(entireProcessTree: true);
            p.WaitForExit(); // also drains the redirected output into the log
            p.Dispose();
        }
        foreach (var log in _logs)
        {
            lock (log) log.Dispose();
        }
    }

    /// <summary>Kills every worker at once (the coordinator is going away without an orderly stop).</summary>
    public void Kill()
    {
        foreach (var p in _processes)
            if (!p.HasExited) p.Kill(entireProcessTree: true);
    }

    private static void TrySendStop(Process p)
    {
        try
        {
            if (p.HasExited) return;
            p.StandardInput.WriteLine(StopLine);
            p.StandardInput.Flush();
        }
        catch (IOException)
        {
            // It exited meanwhile.
        }
    }

    private void Start(LedgerTarget target, int index, int threads, TimeSpan lease, string? checkpointFolder)
    {
        var info = new ProcessStartInfo(ProgramName.Host)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in ProgramName.HostArguments) info.ArgumentList.Add(a);
        var args = new List<string> { "worker", "--threads", threads.ToString(CultureInfo.InvariantCulture), "--exit-with-parent",
            "--name-suffix", "#" + index.ToString(CultureInfo.InvariantCulture),
            "--lease-seconds", lease.TotalSeconds.ToString("R", CultureInfo.InvariantCulture) };
        if (target.Folder is not null) args.AddRange(["--out", target.Folder]);
        if (checkpointFolder is not null) args.AddRange(["--checkpoints", checkpointFolder]);
        if (target.Location is not null)
        {
            // The location carries no password (Npgsql finds it in PGPASSWORD or .pgpass, inherited by the child).
            info.Environment[LedgerLocation.EnvironmentVariable] = target.Location.ConnectionString;
            args.AddRange(["--sweep", target.Sweep!]);
        }
        foreach (var a in args) info.ArgumentList.Add(a);
        var process = Process.Start(info) ?? throw new InvalidOperationException("A worker process did not start.");
        var log = new StreamWriter(Path.Combine(LogFolder, $"worker-{index}.log"), append: true) { AutoFlush = true };
        void Write(string? line)
        {
            if (line is null) return;
            lock (log) log.WriteLine(line);
        }
        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
        _logs.Add(log);
    }
}

/// <summary>
/// How this program was started, for starting it again (worker processes) and for the commands a hint tells a user to
/// type: <c>wideminima</c> when it runs as the installed .NET tool, else <c>dotnet</c> with its assembly (as
/// <c>dotnet run</c> and <c>dotnet wideminima-sweeps.dll</c> start it).
/// </summary>
public static class ProgramName
{
    /// <summary>The executable that runs this program: <c>dotnet</c>, or the program's own launcher.</summary>
    public static string Host => Environment.ProcessPath ?? throw new InvalidOperationException("The program's path is unknown.");

    /// <summary>What the host needs before the program's arguments: the assembly, when the host is <c>dotnet</c>.</summary>
    public static IReadOnlyList<string> HostArguments =>
        Path.GetFileNameWithoutExtension(Host) == "dotnet" ? [typeof(ProgramName).Assembly.Location] : [];

    /// <summary>True when this is the installed .NET tool (its files live in a tool store).</summary>
    public static bool IsTool => typeof(ProgramName).Assembly.Location.Replace('\\', '/').Contains("/.store/", StringComparison.Ordinal);

    /// <summary>The command a user types to run this program, for hints: <c>wideminima</c> as a tool, else <c>dotnet PATH/wideminima-sweeps.dll</c>.</summary>
    public static string Command => IsTool ? "wideminima" : $"dotnet {typeof(ProgramName).Assembly.Location}";
}
