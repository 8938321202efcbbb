using Spectre.Console.Cli;
using WideMinima.Reports;

namespace WideMinima.Sweeps.Commands;

/// <summary><c>report</c>: rebuilds every report from the ledger, without training, from any machine.</summary>
internal sealed class ReportCommand : Command<LedgerSettings>
{
    public override int Execute(CommandContext context, LedgerSettings settings, CancellationToken cancellationToken)
    {
        var target = settings.ExistingTarget(needFolder: true);
        string folder = target.Folder!;
        Config.SweepConfig? config = null;
        using (var ledger = target.Open())
        {
            config = ledger.ReadSweep() is { } header ? Config.SweepConfigJson.Parse(header.ConfigJson, ledger.Description) : null;
            // A tuning's job ledger has no run records to report: tune writes its own reports from it.
            if (config?.Tune is not null)
                throw new Config.SweepConfigException(target.IsShared ? "--sweep" : "--out", target.IsShared ? target.Sweep : folder,
                    "holds a tuning's jobs: its reports (best.json, trials.csv, summary.md, plots) come from 'tune'; run the same tune command again to rewrite them (it replays the ledger and trains nothing)");
        }
        Execution.SweepFolder.EnsureWritable(folder);
        using (var ledger = target.Open()) ReportWriter.WriteAll(folder, ledger, config?.Match, config?.Seeds.Rounds, config?.Epochs);
        System.Console.WriteLine($"Wrote results.csv, results.json, summary.md and {PlotWriter.Files.Count} plots in {folder}");
        StatusCommand.Print(target);
        return ExitCodes.Success;
    }
}
