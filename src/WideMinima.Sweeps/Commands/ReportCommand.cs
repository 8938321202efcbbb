using Spectre.Console.Cli;
using WideMinima.Sweeps.Reports;

namespace WideMinima.Sweeps.Commands;

/// <summary><c>report</c>: rebuilds every report from the ledger, without training, from any machine.</summary>
internal sealed class ReportCommand : Command<LedgerSettings>
{
    public override int Execute(CommandContext context, LedgerSettings settings, CancellationToken cancellationToken)
    {
        var target = settings.ExistingTarget(needFolder: true);
        string folder = target.Folder!;
        Execution.SweepFolder.EnsureWritable(folder);
        using (var ledger = target.Open()) ReportWriter.WriteAll(folder, ledger);
        System.Console.WriteLine($"Wrote results.csv, results.json, summary.md and {PlotWriter.Files.Count} plots in {folder}");
        StatusCommand.Print(target);
        return ExitCodes.Success;
    }
}
