using Spectre.Console.Cli;
using WideMinima.Sweeps.Config;
using WideMinima.Sweeps.Ledger;
using WideMinima.Sweeps.Reports;

namespace WideMinima.Sweeps.Commands;

/// <summary><c>report</c>: rebuilds every report from the ledger, without training.</summary>
internal sealed class ReportCommand : Command<OutSettings>
{
    public override int Execute(CommandContext context, OutSettings settings, CancellationToken cancellationToken)
    {
        string folder = settings.Folder;
        string path = Path.Combine(folder, SqliteRunLedger.FileName);
        if (!File.Exists(path)) throw new SweepConfigException("--out", folder, "holds no ledger.db: run a sweep there first");
        using var ledger = new SqliteRunLedger(path);
        ReportWriter.WriteAll(folder, ledger);
        System.Console.WriteLine($"Wrote results.csv, results.json, summary.md and {PlotWriter.Files.Count} plots in {folder}");
        StatusCommand.Print(folder);
        return ExitCodes.Success;
    }
}
