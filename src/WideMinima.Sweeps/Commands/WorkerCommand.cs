using System.ComponentModel;
using Spectre.Console.Cli;
using WideMinima.Sweeps.Execution;

namespace WideMinima.Sweeps.Commands;

/// <summary><c>worker</c>: claims and runs runs from an existing sweep folder until none is left. 'run' starts these itself.</summary>
internal sealed class WorkerCommand : Command<WorkerCommand.Settings>
{
    internal sealed class Settings : OutSettings
    {
        [CommandOption("--threads <N>")]
        [Description("Torch threads for this worker's runs (default: the sweep's threads_per_run).")]
        public int? Threads { get; init; }

        [CommandOption("--exit-with-parent")]
        [Description("Exit when standard input closes: 'run' uses this so that its workers stop with it.")]
        public bool ExitWithParent { get; init; }

        [CommandOption("--checkpoints <DIR>")]
        [Description("Where runs' checkpoints go (default: checkpoints/ under --out); on a cluster, a file system every worker sees.")]
        public string? Checkpoints { get; init; }

        [CommandOption("--name-suffix <TEXT>")]
        [Description("Appended to the worker's name in the ledger.")]
        public string? NameSuffix { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        string folder = settings.Folder;
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        System.Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
        if (settings.ExitWithParent)
        {
            // The parent holds our standard input; when it dies, for any reason, the pipe closes.
            var watcher = new Thread(() =>
            {
                while (System.Console.In.Read() >= 0) { }
                Environment.Exit(3);
            }) { IsBackground = true };
            watcher.Start();
        }
        int threads = settings.Threads ?? 0;
        if (threads <= 0)
        {
            using var ledger = new Ledger.SqliteRunLedger(Path.Combine(folder, Ledger.SqliteRunLedger.FileName));
            var header = ledger.ReadSweep() ?? throw new Config.SweepConfigException("--out", folder, "holds no sweep ledger");
            threads = Config.SweepConfigJson.Parse(header.ConfigJson, folder).ThreadsPerRun;
        }
        int finished = SweepWorker.Run(folder, WorkerIdentity.Current(settings.NameSuffix ?? ""), threads, System.Console.WriteLine, cancel.Token,
            settings.Checkpoints is null ? null : Path.GetFullPath(settings.Checkpoints));
        System.Console.WriteLine($"worker finished {finished} run(s)");
        return ExitCodes.Success;
    }
}
