using System.Diagnostics;
using System.Globalization;

namespace WideMinima.Sweeps.Execution;

/// <summary>
/// Names a worker as <c>host/pid/start-time</c>, so that a run left "running" by a process that was
/// killed is recognised as orphaned (the pid is gone, or reused by a process that started later).
/// </summary>
public static class WorkerIdentity
{
    /// <summary>This process's worker name, with a suffix for several workers in one process.</summary>
    public static string Current(string suffix = "")
    {
        using var self = Process.GetCurrentProcess();
        return string.Create(CultureInfo.InvariantCulture,
            $"{Environment.MachineName}/{Environment.ProcessId}/{self.StartTime.ToUniversalTime().Ticks / TimeSpan.TicksPerSecond}{suffix}");
    }

    /// <summary>
    /// False when the worker ran on this machine and its process is gone; true otherwise (workers on other
    /// machines are judged by their heartbeat alone).
    /// </summary>
    public static bool IsAlive(string worker)
    {
        var parts = (worker ?? "").Split('/');
        if (parts.Length < 3 || parts[0] != Environment.MachineName) return parts.Length >= 3;
        if (!int.TryParse(parts[1], CultureInfo.InvariantCulture, out int pid)) return false;
        string startText = new([.. parts[2].TakeWhile(char.IsDigit)]);
        if (!long.TryParse(startText, CultureInfo.InvariantCulture, out long start)) return false;
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited && process.StartTime.ToUniversalTime().Ticks / TimeSpan.TicksPerSecond == start;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
