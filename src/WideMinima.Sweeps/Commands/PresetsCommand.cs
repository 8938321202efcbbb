using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using WideMinima.Sweeps.Config;

namespace WideMinima.Sweeps.Commands;

/// <summary><c>presets</c>: lists the built-in sweeps, or prints one as a config file to start from.</summary>
internal sealed class PresetsCommand : Command<PresetsCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--show <NAME>")]
        [Description("Print this preset as a JSON config (save it, edit it, pass it to run --config).")]
        public string? Show { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Show is not null)
        {
            System.Console.WriteLine(SweepConfigJson.Write(Presets.Get(settings.Show).Config));
            return ExitCodes.Success;
        }
        var table = new Table().Border(TableBorder.Rounded).AddColumns("preset", "what it runs", "here");
        foreach (var p in Presets.All)
        {
            if (p.Config.Tune is { } tune)
            {
                table.AddRow(p.Name, Markup.Escape(p.Description), $"tune --preset {p.Name}: budget {tune.BudgetEpochs} epochs");
                continue;
            }
            int runs = Planning.SweepPlanner.Plan(p.Config).Count;
            table.AddRow(p.Name, Markup.Escape(p.Description), p.CannotRunHere is null ? $"{runs} runs" : $"{runs} runs; [yellow]not on this machine[/]");
        }
        AnsiConsole.Write(table);
        return ExitCodes.Success;
    }
}
