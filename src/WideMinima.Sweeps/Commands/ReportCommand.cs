using Spectre.Console.Cli;
using WideMinima.Sweeps.Ledger;
using WideMinima.Sweeps.Reports;

namespace WideMinima.Sweeps.Commands;

/// <summary><c>report</c>: rebuilds every report from the ledger, without training.</summary>
internal sealed class ReportCommand : Command<OutSettings>
{
    public override int Execute(CommandContext context, OutSettings settings, CancellationToken cancellationToken)
    {
        string folder = settings.ExistingSweepFolder();
        using var ledger = new SqliteRunLedger(Path.Combine(folder, SqliteRunLedger.FileName));
        ReportWriter.WriteAll(folder, ledger);
        System.Console.WriteLine($"Wrote results.csv, results.json, summary.md and {PlotWriter.Files.Count} plots in {folder}");
        StatusCommand.Print(folder);
        return ExitCodes.Success;
    }
}
