using WideMinima.Tuning;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console.Cli;
using WideMinima.Sweeps.Config;
using WideMinima.Ledger;
using WideMinima.Sweeps.Planning;

namespace WideMinima.Sweeps.Benchmarks;

/// <summary>
/// The ledger's own cost, without training: one worker's claim, heartbeat and complete per run (the overhead a run
/// pays), and the claims per second of 8 workers (threads with their own connections) draining a queue at once.
/// On SQLite in a temporary folder and, with --ledger, on that PostgreSQL database (a new sweep name each time).
/// </summary>
internal sealed class LedgerBenchmark : Command<LedgerBenchmark.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--ledger <URI>")] [Description("Also measure this PostgreSQL database (an empty one, or one holding a ledger).")] public string? Ledger { get; init; }
        [CommandOption("--runs <N>")] [Description("Queued runs per measurement (default 400).")] public int Runs { get; init; } = 400;
        [CommandOption("--workers <N>")] [Description("Concurrent workers for the throughput measurement (default 8).")] public int Workers { get; init; } = 8;
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var targets = new List<(string Name, Func<string, LedgerTarget> Target)>
        {
            ("SQLite", _ => LedgerTarget.Sqlite(Directory.CreateTempSubdirectory("wideminima-ledger-bench-").FullName)),
        };
        if (s.Ledger is not null)
        {
            var location = LedgerLocation.Parse(s.Ledger);
            targets.Add(("PostgreSQL", sweep => LedgerTarget.Postgres(location, sweep, null)));
        }
        int seeds = Math.Max(1, s.Runs / 4);
        foreach (var (name, target) in targets)
        {
            var (perRun, _) = Measure(target, seeds, 1);
            var (_, claims) = Measure(target, seeds, s.Workers);
            System.Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}: claim+heartbeat+complete {perRun * 1000:F2} ms per run (1 worker); {s.Workers} workers: {claims:F0} claims/s ({seeds * 4} runs)"));
        }
        return 0;
    }

    private static (double SecondsPerRun, double ClaimsPerSecond) Measure(Func<string, LedgerTarget> make, int seeds, int workers)
    {
        string sweep = $"bench-{Guid.NewGuid():N}"[..18];
        var config = new SweepConfig { Name = sweep, Seeds = seeds, ExploreFractions = [0, 0.5, 0.9], Baselines = [ScheduleFamily.Cosine] };
        var plan = SweepPlanner.Plan(config);
        var target = make(sweep);
        using (var setup = target.Open())
            setup.CreateSweep(new SweepHeader(config.Name, SweepKind.Sweep, SweepConfigJson.Definition(config), SweepConfigJson.Write(config), 0, "bench"), [.. plan.Select(r => r.ToNewRun())]);
        int claimed = 0;
        using var start = new Barrier(workers + 1);
        var threads = Enumerable.Range(0, workers).Select(i => new Thread(() =>
        {
            using var ledger = target.Open();
            start.SignalAndWait();
            string worker = $"bench/{i}";
            while (ledger.Claim(worker, TimeSpan.FromMinutes(5), _ => true) is { } run)
            {
                ledger.Heartbeat(run.Lease, "epoch 1/1");
                ledger.Complete(run.Lease, new RunOutcome(RunStatus.Done, null, null));
                Interlocked.Increment(ref claimed);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        start.SignalAndWait();
        var clock = Stopwatch.StartNew();
        threads.ForEach(t => t.Join());
        double seconds = clock.Elapsed.TotalSeconds;
        if (claimed != plan.Count) throw new InvalidOperationException($"{claimed} claims for {plan.Count} runs");
        if (target.Folder is not null) Directory.Delete(target.Folder, recursive: true);
        return (seconds / plan.Count, plan.Count / seconds);
    }
}
