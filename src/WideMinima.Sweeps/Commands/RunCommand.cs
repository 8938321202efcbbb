using Spectre.Console;
using Spectre.Console.Cli;
using WideMinima.Reports;
using WideMinima.Sweeps.Config;
using WideMinima.Sweeps.Terminal;
using WideMinima.Sweeps.Execution;

namespace WideMinima.Sweeps.Commands;

/// <summary><c>run</c>: validates everything, prepares the ledger and runs whatever is missing.</summary>
internal sealed class RunCommand : Command<RunSettings>
{
    public override int Execute(CommandContext context, RunSettings settings, CancellationToken cancellationToken)
    {
        var config = settings.Resolve();
        SweepConfigValidator.Validate(config);
        var lease = settings.Lease;
        var target = settings.Target(config.Name);
        // Registering for a cluster: the data lives where the workers run, and they check it there.
        if (!(settings.RegisterOnly && target.IsShared)) SweepData.CheckExists(config.Dataset);
        string? checkpoints = string.IsNullOrWhiteSpace(settings.Checkpoints) ? null : Path.GetFullPath(settings.Checkpoints);
        if (checkpoints is not null && RunCheckpoints.Written(config) && !settings.RegisterOnly) SweepFolder.EnsureWritable(checkpoints, "--checkpoints");
        var (prepared, total) = SweepFolder.Prepare(target, config, settings.Replace);
        if (settings.RetryFailed)
        {
            using var ledger = target.Open();
            int reset = ledger.ResetFailed();
            if (reset > 0) AnsiConsole.MarkupLine($"[grey]{reset} failed run(s) will run again.[/]");
        }
        if (settings.RegisterOnly)
        {
            using var ledger = target.Open();
            int pending = ledger.Runs().Count(r => r.Status == Ledger.RunStatus.Pending);
            System.Console.WriteLine($"Registered sweep '{prepared.Name}' in {target.Where}: {total} runs, {pending} pending. No worker started (--workers 0).");
            System.Console.WriteLine(target.IsShared
                ? $"Start workers anywhere with: {ProgramName.Command} worker --ledger {target.Location!.Display} --sweep {prepared.Name}"
                : $"Start workers with: {ProgramName.Command} worker --out {target.Folder}");
            return ExitCodes.Success;
        }

        using var stop = new StopSignals(cancellationToken);
        System.Console.WriteLine($"Sweep '{prepared.Name}' in {target.Where}: {total} runs, {prepared.Workers} worker(s) x {prepared.Threads} thread(s).");
        Action<Ledger.IRunLedger>? refresh = target.Folder is null ? null : ledger => ReportWriter.TryWriteAll(target.Folder, ledger, System.Console.Error.WriteLine, prepared.Match, prepared.Seeds.Rounds, prepared.Epochs);
        int failed = Display.Interactive
            ? Display.WithProgress(ctx => SweepCoordinator.Run(target, prepared, new LiveView(ctx, total), lease, stop.Token, checkpoints, refresh))
            : SweepCoordinator.Run(target, prepared, new PlainView(System.Console.Out), lease, stop.Token, checkpoints, refresh);
        StatusCommand.Print(target);
        if (stop.Requested)
        {
            System.Console.WriteLine("Stopped; run the same command again to continue where it left off.");
            return stop.ExitCode;
        }
        if (target.Folder is not null) System.Console.WriteLine($"Reports: {Path.Combine(target.Folder, "summary.md")}, results.csv, results.json, plots/");
        return failed > 0 ? ExitCodes.SomeRunsFailed : ExitCodes.Success;
    }
}
