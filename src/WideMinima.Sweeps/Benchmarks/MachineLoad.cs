using System.Globalization;

namespace WideMinima.Sweeps.Benchmarks;

/// <summary>
/// The machine's load for a benchmark's printout: the 1-minute load average (Linux's /proc/loadavg) against the
/// cores, so that a table says how busy the machine was while it was measured.
/// </summary>
internal static class MachineLoad
{
    private static readonly string[] AllocatorVariables = ["MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_"];

    /// <summary>For example "load average 1.52 on 2 cores"; "load average unknown on 2 cores" where /proc/loadavg is absent.</summary>
    public static string Describe()
    {
        string load = "unknown";
        try
        {
            if (File.Exists("/proc/loadavg")) load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            // The load is a note on the printout; without it the numbers stand.
        }
        return string.Create(CultureInfo.InvariantCulture, $"load average {load} on {Environment.ProcessorCount} cores");
    }

    /// <summary>
    /// glibc's malloc settings from the environment (MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_), or "glibc malloc
    /// defaults": libtorch's large temporaries go back to the system after each pass unless these keep them.
    /// </summary>
    public static string Allocator()
    {
        var set = AllocatorVariables
            .Select(name => (name, value: Environment.GetEnvironmentVariable(name)))
            .Where(e => !string.IsNullOrEmpty(e.value))
            .Select(e => $"{e.name}={e.value}")
            .ToList();
        return set.Count == 0 ? "glibc malloc defaults" : "glibc malloc " + string.Join(", ", set);
    }
}
