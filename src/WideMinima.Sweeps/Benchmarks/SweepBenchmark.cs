using WideMinima.Tuning;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console.Cli;
using WideMinima.Sweeps.Config;
using WideMinima.Sweeps.Terminal;
using WideMinima.Sweeps.Execution;

namespace WideMinima.Sweeps.Benchmarks;

/// <summary>
/// Sweep throughput: a fixed small grid on the shipped Fashion-MNIST subset, run once with one worker and one
/// thread (the runs one by one) and once with workers matched to the cores (one thread each). Prints both wall times.
/// </summary>
internal sealed class SweepBenchmark : Command<SweepBenchmark.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--workers <N>")] [Description("Parallel workers (default: the number of cores).")] public int? Workers { get; init; }
        [CommandOption("--out <DIR>")] [Description("Scratch folder (default: a temporary one).")] public string? Out { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        int workers = s.Workers ?? Environment.ProcessorCount;
        string root = s.Out ?? Path.Combine(Path.GetTempPath(), $"wideminima-bench-{Environment.ProcessId}");
        var grid = Presets.Quick.Config with
        {
            Name = "bench",
            ExploreFractions = [0, 0.5, 0.9],
            Baselines = [ScheduleFamily.Cosine],
            Seeds = 2,
            Epochs = 4,
        };
        double Time(string name, int w)
        {
            string folder = Path.Combine(root, name);
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            var config = grid with { Workers = w, Threads = 1 };
            var (prepared, _) = SweepFolder.Prepare(folder, config, replace: false);
            var clock = Stopwatch.StartNew();
            SweepCoordinator.Run(Config.LedgerTarget.Sqlite(folder), prepared, new PlainView(TextWriter.Null), WorkerOptions.DefaultLease, cancellationToken);
            return clock.Elapsed.TotalSeconds;
        }
        int runs = Planning.SweepPlanner.Plan(grid).Count;
        double one = Time("one-by-one", 1);
        double parallel = Time("parallel", workers);
        System.Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{runs} runs (MLP 784-{string.Join('-', grid.HiddenSizes)}-10, {grid.Epochs} epochs, 10k Fashion-MNIST images, width included), 1 thread per run: " +
            $"one by one {one:F1} s; {workers} workers {parallel:F1} s; ratio {parallel / one:F3} on {Environment.ProcessorCount} cores"));
        return 0;
    }
}
