using Spectre.Console.Cli;
using WideMinima.Sweeps.Config;
using WideMinima.Sweeps.Execution;
using WideMinima.Sweeps.Terminal;

namespace WideMinima.Sweeps.Commands;

/// <summary>
/// <c>tune</c>: parses and checks its settings, runs one <see cref="TuneSession"/> (the search with ASHA and
/// fork-and-decay, resuming from the ledger, the final fits and the reports), and renders its progress.
/// </summary>
internal sealed class TuneCommand : Command<TuneSettings>
{
    public override int Execute(CommandContext context, TuneSettings settings, CancellationToken cancellationToken)
    {
        if (settings.Workers is int w && w < 0) throw new SweepConfigException("--workers", w, "must be 0 (workers join with 'worker') or more");
        var config = settings.ResolveTune();
        SweepConfigValidator.Validate(config);
        TuneConfigValidator.Validate(config);
        SweepData.CheckExists(config.Dataset);
        string folder = settings.Folder;
        // Workers train the search when asked for: --workers other than 1, a shared --ledger, or parallel jobs.
        bool shared = settings.Location() is not null;
        TuneWorkers? workers = shared || settings.Workers is not (null or 1) || config.Tune!.ParallelJobs is > 1
            ? new TuneWorkers(settings.Target(config.Name), settings.Workers ?? config.Tune!.ParallelJobs ?? 1, settings.Lease)
            : null;
        if (workers is null && settings.LeaseSeconds is not null)
            throw new SweepConfigException("--lease-seconds", settings.LeaseSeconds, "applies to tune's workers only (--workers N other than 1, or --ledger)");
        config = TuneSession.Resolve(folder, config, workers, settings.Replace);
        SweepFolder.EnsureWritable(folder);

        using var stop = new StopSignals(cancellationToken);
        try
        {
            // Like run: plain lines when the output is redirected, live progress bars on a terminal.
            var ending = Display.Interactive
                ? Display.WithProgress(ctx =>
                {
                    using var lines = new AnsiLineWriter();
                    return TuneSession.Run(folder, config, settings.Replace, lines, budget => new TuneLiveView(ctx, budget), stop.Token, workers);
                })
                : TuneSession.Run(folder, config, settings.Replace, System.Console.Out, budget => new TunePlainView(System.Console.Out, budget), stop.Token, workers);
            return ending == TuneEnding.Done ? ExitCodes.Success : ExitCodes.SomeRunsFailed;
        }
        catch (OperationCanceledException) when (stop.Requested)
        {
            System.Console.WriteLine("Stopped; run the same command again to continue where it left off.");
            return stop.ExitCode;
        }
        catch (TuneJobFailedException e)
        {
            System.Console.Error.WriteLine($"Tuning stopped: {e.Message}");
            System.Console.Error.WriteLine("Every finished job is kept in the ledger; fix the cause and run the same command again to continue (the failed job runs again).");
            return ExitCodes.SomeRunsFailed;
        }
    }
}
