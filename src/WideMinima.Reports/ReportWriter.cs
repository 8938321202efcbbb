using WideMinima.Ledger;

namespace WideMinima.Reports;

/// <summary>Rebuilds every report of a sweep folder from its ledger: results.csv, results.json, summary.md and plots/.</summary>
public static class ReportWriter
{
    /// <summary>The report files a sweep leaves in its folder besides plots/.</summary>
    public static IReadOnlyList<string> Files { get; } = ["results.csv", "results.json", "summary.md"];

    /// <summary>Writes all reports. Each file is written to a temporary name and renamed, so a reader (or a kill) never sees half a file.</summary>
    /// <param name="folder">The sweep folder.</param>
    /// <param name="ledger">The sweep's ledger.</param>
    /// <param name="match">Compute to match's reference and margin (the config's <c>match:</c>); null: <c>new MatchOptions()</c>.</param>
    /// <param name="seeds">The seeds rounds (the config's <c>seeds: {min, max, target_ci}</c>), or null for a plain seed count.</param>
    /// <param name="epochs">The sweep's epochs (of a full-budget run), or null: compute is then counted in full-budget runs.</param>
    public static void WriteAll(string folder, IRunLedger ledger, MatchOptions? match = null, SeedRounds? seeds = null, int? epochs = null)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        var runs = ledger.Runs();
        var header = ledger.ReadSweep();
        string name = header?.Name ?? "sweep";
        WriteText(Path.Combine(folder, Files[0]), ResultsWriter.Csv(runs));
        WriteText(Path.Combine(folder, Files[1]), ResultsWriter.Json(runs));
        WriteText(Path.Combine(folder, Files[2]), SummaryWriter.Markdown(name, runs, match, seeds, epochs));
        PlotWriter.WriteAll(folder, runs, epochs);
    }

    /// <summary>As <see cref="WriteAll"/>, but a failure to write a report is logged, not thrown: the runs are safe in the ledger.</summary>
    /// <param name="folder">The sweep folder.</param>
    /// <param name="ledger">The sweep's ledger.</param>
    /// <param name="log">Where a failure is logged.</param>
    /// <param name="match">See <see cref="WriteAll"/>.</param>
    /// <param name="seeds">See <see cref="WriteAll"/>.</param>
    /// <param name="epochs">See <see cref="WriteAll"/>.</param>
    public static bool TryWriteAll(string folder, IRunLedger ledger, Action<string>? log, MatchOptions? match = null, SeedRounds? seeds = null, int? epochs = null)
    {
        try
        {
            WriteAll(folder, ledger, match, seeds, epochs);
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
