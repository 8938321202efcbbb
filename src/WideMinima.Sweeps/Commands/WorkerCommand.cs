using System.ComponentModel;
using Spectre.Console.Cli;
using WideMinima.Sweeps.Config;
using WideMinima.Sweeps.Execution;
using WideMinima.Ledger;
using WideMinima.Reports;
using WideMinima.Sweeps.Planning;

namespace WideMinima.Sweeps.Commands;

/// <summary>
/// <c>worker</c>: joins a sweep, from any machine, and claims and runs its runs until none is left, then exits 0.
/// With <c>--ledger</c> (or WIDEMINIMA_LEDGER) it works on a shared PostgreSQL ledger; without, on the sweep folder
/// --out (as the worker processes 'run' starts itself).
/// </summary>
internal sealed class WorkerCommand : Command<WorkerCommand.Settings>
{
    /// <summary>How often a worker of a growing sweep with nothing to claim plans again: 5 s (a read of the runs each time).</summary>
    private static readonly TimeSpan IdleReplanInterval = TimeSpan.FromSeconds(5);

    internal sealed class Settings : LedgerSettings
    {
        [CommandOption("--threads <N>")]
        [Description("Torch threads for this worker's runs (default: $SLURM_CPUS_PER_TASK, else the sweep's threads_per_run).")]
        public int? Threads { get; init; }

        [CommandOption("--lease-seconds <S>")]
        [Description("How long this worker's claim on a run holds without a heartbeat (default 180).")]
        public double? LeaseSeconds { get; init; }

        [CommandOption("--exit-with-parent")]
        [Description("Exit when standard input closes, stop cleanly on a 'stop' line: 'run' uses this for the workers it starts.")]
        public bool ExitWithParent { get; init; }

        [CommandOption("--checkpoints <DIR>")]
        [Description("Where runs' checkpoints go (default: checkpoints/ under --out; none without --out); on a cluster, a file system every worker sees.")]
        public string? Checkpoints { get; init; }

        [CommandOption("--name-suffix <TEXT>")]
        [Description("Appended to the worker's name in the ledger.")]
        public string? NameSuffix { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var lease = settings.LeaseSeconds switch
        {
            null => WorkerOptions.DefaultLease,
            double s when s > 0 && s <= 86_400 => TimeSpan.FromSeconds(s),
            double s => throw new SweepConfigException("--lease-seconds", s, "must be > 0 and at most 86400"),
        };
        var target = settings.ExistingTarget(needFolder: false);
        using var stop = new StopSignals(cancellationToken);
        if (settings.ExitWithParent)
        {
            // The parent holds our standard input: a "stop" line asks us to stop; when it dies, for any reason, the pipe closes.
            var watcher = new Thread(() =>
            {
                while (System.Console.In.ReadLine() is { } line)
                {
                    if (line.Trim() == WorkerPool.StopLine) stop.Request();
                }
                // Gone at once, like a crash: an orderly exit would run shutdown code under the training thread, which
                // could then record a spurious failure. The run stays "running" and is taken over (its pid is gone).
                if (!stop.Requested)
                {
                    using var self = System.Diagnostics.Process.GetCurrentProcess();
                    self.Kill();
                }
            }) { IsBackground = true };
            watcher.Start();
        }

        string name = WorkerIdentity.Current(settings.NameSuffix ?? "");
        var log = (string line) => System.Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {line}");
        using var ledger = new RetryingLedger(target.Open(), new RetryOptions(), log);
        var header = ledger.ReadSweep() ?? throw new LedgerException($"{ledger.Description} holds no sweep.");
        var config = SweepConfigJson.Parse(header.ConfigJson, ledger.Description);
        int threads = settings.Threads ?? 0;
        if (threads <= 0 && int.TryParse(Environment.GetEnvironmentVariable("SLURM_CPUS_PER_TASK"), out int slurm)) threads = slurm;
        if (threads <= 0) threads = config.Threads;
        string? checkpoints = settings.Checkpoints is not null ? Path.GetFullPath(settings.Checkpoints)
            : target.Folder is not null ? SweepWorker.DefaultCheckpointFolder(target.Folder) : null;
        if (checkpoints is null && config.CheckpointEveryEpochs > 0 && config.Tune is null)
            log($"warning: the sweep asks for checkpoints every {config.CheckpointEveryEpochs} epoch(s), but this worker has no --checkpoints folder (nor --out): it saves none");
        if (checkpoints is null && config.Tune is null && SweepPlanner.Forks(config))
            log("note: the sweep trains its Knee shares by fork-and-decay, but this worker has no --checkpoints folder (nor --out): its runs train on their own (the same numbers, more compute)");
        if (checkpoints is not null && config.Tune is null && RunCheckpoints.Written(config))
            SweepFolder.EnsureWritable(checkpoints, "--checkpoints");
        // A tuning's jobs (it holds its sweep open while it decides them), or a planned sweep's runs.
        IRunExecutor executor = config.Tune is not null
            ? new TuneJobExecutor(config, threads, target.Folder is null ? null : Path.Combine(target.Folder, "scratch"))
            : new TrainingRunExecutor(config, header.ConfigJson, threads, target.Folder is null ? null : Path.Combine(target.Folder, "tensorboard"),
                ledger, checkpoints, log, target.Folder);
        log($"worker {name} joined {ledger.Description}{(config.Tune is not null ? " (a tuning)" : "")} ({threads} thread(s), lease {lease.TotalSeconds:F0} s)");
        // A sweep that grows (a calibrated peak, seed rounds) may have no coordinator: registered by 'run --workers 0'
        // for a Slurm array or a Kubernetes Job, only its workers see the results come in. Each plans again on joining,
        // after each run it records, and every few seconds while it has nothing to claim, adding what the results call
        // for and closing the sweep once it is complete (SweepCoordinator.Replan; adding is idempotent, so workers
        // replanning at once add each run once). The idle replans keep the sweep held open while another worker's run
        // outlasts the lease (idle workers then wait for the next stage instead of leaving), and close it again should
        // a replan that read the ledger before the last run finished have renewed the hold after the close.
        bool grows = config.Tune is null && SweepCoordinator.Grows(config);
        var sinceReplan = System.Diagnostics.Stopwatch.StartNew();
        void Replan()
        {
            SweepCoordinator.Replan(ledger, config, lease, log);
            sinceReplan.Restart();
        }
        if (grows) Replan();
        Action? report = target.Folder is null || config.Tune is not null ? null : () => ReportWriter.TryWriteAll(target.Folder, ledger, log, config.Match, config.Seeds.Rounds, config.Epochs);
        int finished = new SweepWorker(ledger, executor, new WorkerOptions
        {
            Name = name,
            Lease = lease,
            Log = log,
            AfterComplete = !grows && report is null ? null : () =>
            {
                if (grows) Replan();
                report?.Invoke();
            },
            WhileIdle = grows ? () => { if (sinceReplan.Elapsed >= IdleReplanInterval) Replan(); } : null,
        }).Run(stop.Token);
        log($"worker finished {finished} run(s)");
        // A stop asked for by the parent ('run' stopping its workers) is an orderly end; a signal ends with its code.
        return stop.Requested && !settings.ExitWithParent ? stop.ExitCode : ExitCodes.Success;
    }
}
