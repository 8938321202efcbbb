using WideMinima.Tuning;
using WideMinima.Sweeps.Config;
using WideMinima.Sweeps.Execution;
using WideMinima.Ledger;
using WideMinima.Sweeps.Planning;

namespace WideMinima.Tests.Scale;

/// <summary>A clock that moves only when told.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public ManualClock() : this(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)) { }

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}

/// <summary>An executor that trains nothing: each run's behaviour is given as a function.</summary>
internal sealed class FakeExecutor(Func<LedgerRun, Action<int, int>?, CancellationToken, RunOutcome> behaviour) : IRunExecutor
{
    private int _executed;

    public static FakeExecutor Done() => new((run, _, _) => Outcome(run));

    public int Executed => Volatile.Read(ref _executed);

    public void Prepare() { }

    public RunOutcome Execute(LedgerRun run, Action<int, int>? onEpoch, CancellationToken ct)
    {
        Interlocked.Increment(ref _executed);
        return behaviour(run, onEpoch, ct);
    }

    /// <summary>A done outcome whose accuracy encodes the run's seed, so a result can be traced to its run.</summary>
    public static RunOutcome Outcome(LedgerRun run) => new(RunStatus.Done, new RunRecord
    {
        RunId = run.RunId,
        Setting = run.Setting,
        Schedule = run.Schedule,
        Seed = run.Seed,
        Status = RunStatus.Done,
        ConfigJson = "{}",
        ScheduleJson = "{}",
        TestAccuracy = 0.5 + run.Seed / 1000.0,
        TrainSeconds = 0.001,
        LearningRateCurve = [],
        Epochs = [],
        Threads = 1,
    }, null);
}

/// <summary>Ledgers of both kinds, with a small planned sweep.</summary>
internal static class Ledgers
{
    public static SweepConfig Config(int seeds = 2, double[]? explore = null, string name = "unit") => new()
    {
        Name = name,
        Seeds = seeds,
        ExploreFractions = explore ?? [0, 0.5],
        Baselines = [ScheduleFamily.Cosine],
    };

    public static SweepHeader Header(SweepConfig config) => new(config.Name, SweepKind.Sweep, SweepConfigJson.Definition(config), SweepConfigJson.Write(config), 1, "test");

    /// <summary>The PostgreSQL ledger of sweep <paramref name="sweep"/> at <paramref name="location"/>.</summary>
    public static SqlLedger Postgres(LedgerLocation location, string sweep, TimeProvider? clock = null) =>
        SqlLedger.Postgres(location.ConnectionString, location.Display, sweep, clock);

    /// <summary>Registers a sweep with its planned runs.</summary>
    public static void CreateSweep(this IRunLedger ledger, SweepHeader header, IReadOnlyList<PlannedRun> plan) =>
        ledger.CreateSweep(header, [.. plan.Select(r => r.ToNewRun())]);

    /// <summary>Where a fresh ledger of <paramref name="kind"/> lives.</summary>
    public static LedgerTarget NewTarget(string kind, string sweep = "unit") => kind switch
    {
        "sqlite" => LedgerTarget.Sqlite(TestFolders.New("ledger")),
        "postgres" => LedgerTarget.Postgres(PostgresServer.Shared.NewDatabase(), sweep, null),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "sqlite or postgres"),
    };

    /// <summary>A fresh ledger holding <paramref name="config"/>'s runs.</summary>
    public static (IRunLedger Ledger, IReadOnlyList<PlannedRun> Plan, LedgerTarget Target) New(string kind, SweepConfig? config = null, TimeProvider? clock = null)
    {
        config ??= Config();
        var target = NewTarget(kind, config.Name);
        var ledger = target.Open(clock);
        var plan = SweepPlanner.Plan(config);
        ledger.CreateSweep(Header(config), plan);
        return (ledger, plan, target);
    }
}
