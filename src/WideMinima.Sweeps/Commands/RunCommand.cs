using Spectre.Console;
using Spectre.Console.Cli;
using WideMinima.Sweeps.Config;
using WideMinima.Sweeps.Terminal;
using WideMinima.Sweeps.Execution;
using WideMinima.Sweeps.Ledger;

namespace WideMinima.Sweeps.Commands;

/// <summary><c>run</c>: validates everything, prepares the ledger and runs whatever is missing.</summary>
internal sealed class RunCommand : Command<RunSettings>
{
    public override int Execute(CommandContext context, RunSettings settings, CancellationToken cancellationToken)
    {
        var config = settings.Resolve();
        SweepConfigValidator.Validate(config);
        SweepData.CheckExists(config.Dataset);
        string folder = settings.Folder;
        string? checkpoints = string.IsNullOrWhiteSpace(settings.Checkpoints) ? null : Path.GetFullPath(settings.Checkpoints);
        if (checkpoints is not null && config.CheckpointEveryEpochs > 0) SweepFolder.EnsureWritable(checkpoints, "--checkpoints");
        var (prepared, total) = SweepFolder.Prepare(folder, config, settings.Replace);
        if (settings.RetryFailed)
        {
            using var ledger = new SqliteRunLedger(Path.Combine(folder, SqliteRunLedger.FileName));
            int reset = ledger.ResetFailed();
            if (reset > 0) AnsiConsole.MarkupLine($"[grey]{reset} failed run(s) will run again.[/]");
        }

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        System.Console.CancelKeyPress += onCancel;
        try
        {
            System.Console.WriteLine($"Sweep '{prepared.Name}' in {folder}: {total} runs, {prepared.Workers} worker(s) x {prepared.ThreadsPerRun} thread(s).");
            int failed;
            if (System.Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
            {
                failed = SweepCoordinator.Run(folder, prepared, new PlainView(System.Console.Out), cancel.Token, checkpoints);
            }
            else
            {
                failed = 0;
                AnsiConsole.Progress()
                    .AutoClear(false)
                    .HideCompleted(true)
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                    .Start(ctx => failed = SweepCoordinator.Run(folder, prepared, new LiveView(ctx, total), cancel.Token, checkpoints));
            }
            StatusCommand.Print(folder);
            if (cancel.IsCancellationRequested)
            {
                System.Console.WriteLine("Stopped; run the same command again to continue where it left off.");
                return 130;
            }
            System.Console.WriteLine($"Reports: {Path.Combine(folder, "summary.md")}, results.csv, results.json, plots/");
            return failed > 0 ? ExitCodes.SomeRunsFailed : ExitCodes.Success;
        }
        finally
        {
            System.Console.CancelKeyPress -= onCancel;
        }
    }
}
