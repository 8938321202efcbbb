using WideMinima.Ledger;

namespace WideMinima.Reports;

/// <summary>Rebuilds every report of a sweep folder from its ledger: results.csv, results.json, summary.md and plots/.</summary>
public static class ReportWriter
{
    /// <summary>The report files a sweep leaves in its folder besides plots/.</summary>
    public static IReadOnlyList<string> Files { get; } = ["results.csv", "results.json", "summary.md"];

    /// <summary>Writes all reports. Each file is written to a temporary name and renamed, so a reader (or a kill) never sees half a file.</summary>
    public static void WriteAll(string folder, IRunLedger ledger)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        var runs = ledger.Runs();
        var header = ledger.ReadSweep();
        string name = header?.Name ?? "sweep";
        WriteText(Path.Combine(folder, Files[0]), ResultsWriter.Csv(runs));
        WriteText(Path.Combine(folder, Files[1]), ResultsWriter.Json(runs));
        WriteText(Path.Combine(folder, Files[2]), SummaryWriter.Markdown(name, runs));
        PlotWriter.WriteAll(folder, runs);
    }

    /// <summary>As <see cref="WriteAll"/>, but a failure to write a report is logged, not thrown: the runs are safe in the ledger.</summary>
    public static bool TryWriteAll(string folder, IRunLedger ledger, Action<string>? log)
    {
        try
        {
            WriteAll(folder, ledger);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
        {
            log?.Invoke($"warning: reports not refreshed ({e.Message}); 'report --out {folder}' rebuilds them from the ledger.");
            return false;
        }
    }

    private static void WriteText(string path, string text)
    {
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, path, overwrite: true);
    }
}
