using System.ComponentModel;
using System.Globalization;
using Spectre.Console.Cli;
using WideMinima.Models;
using WideMinima.Sweeps.Config;
using WideMinima.Training;
using WideMinima.Tuning;
using WideMinima.Ledger;

namespace WideMinima.Sweeps.Commands;

/// <summary>Options of <c>run</c>: where the definition comes from, where results go, and per-field overrides.</summary>
internal class RunSettings : LedgerSettings
{
    [CommandOption("--preset <NAME>")]
    [Description("A built-in sweep: quick, default or paper (see 'presets').")]
    public string? Preset { get; init; }

    [CommandOption("--config <FILE>")]
    [Description("A sweep definition as JSON (schema: docs/sweep-config.md). Flags below override its fields.")]
    public string? ConfigFile { get; init; }

    [CommandOption("--workers <N>")]
    [Description("Worker processes sharing the ledger; the cores are divided between them. 0: only register the sweep and its runs (workers join with 'worker').")]
    public int? Workers { get; init; }

    [CommandOption("--name <NAME>")]
    [Description("The sweep's name (default: the config's name); a shared ledger keys sweeps by it.")]
    public string? Name { get; init; }

    [CommandOption("--lease-seconds <S>")]
    [Description("How long a worker's claim on a run holds without a heartbeat before another worker may take the run (default 180).")]
    public double? LeaseSeconds { get; init; }

    [CommandOption("--replace")]
    [Description("If --out holds a different sweep, archive its ledger and reports (under archive-*/) and start this one.")]
    public bool Replace { get; init; }

    [CommandOption("--checkpoints <DIR>")]
    [Description("Where runs' checkpoints go (config key checkpoint_every_epochs; default: checkpoints/ under --out). On a cluster, a file system every worker sees.")]
    public string? Checkpoints { get; init; }

    [CommandOption("--retry-failed")]
    [Description("Run failed runs again (diverged runs are results and stay).")]
    public bool RetryFailed { get; init; }

    [CommandOption("--epochs <N>")] [Description("Budget in epochs.")] public int? Epochs { get; init; }
    [CommandOption("--seeds <N>")] [Description("Seeds per setting.")] public int? Seeds { get; init; }
    [CommandOption("--explore-fractions <LIST>")] [Description("Knee explore shares, e.g. 0,0.25,0.5,0.75,0.9.")] public string? ExploreFractions { get; init; }
    [CommandOption("--baselines <LIST>")] [Description("Baselines, e.g. cosine,step,explore-step,linear,one-cycle (or 'none').")] public string? Baselines { get; init; }
    [CommandOption("--peak-lr <LR>")] [Description("Peak learning rate.")] public double? PeakLr { get; init; }
    [CommandOption("--batch-size <N>")] [Description("Examples per step.")] public int? BatchSize { get; init; }
    [CommandOption("--warmup-fraction <F>")] [Description("Warmup share of the budget.")] public double? WarmupFraction { get; init; }
    [CommandOption("--model <KIND>")] [Description("mlp, cnn or resnet18.")] public string? Model { get; init; }
    [CommandOption("--hidden <LIST>")] [Description("MLP hidden widths, e.g. 512,512.")] public string? Hidden { get; init; }
    [CommandOption("--dataset <KIND>")] [Description("fashion-mnist, fashion-mnist-subset, cifar-10, idx or text.")] public string? Dataset { get; init; }
    [CommandOption("--dataset-path <DIR>")] [Description("Folder of the dataset's files.")] public string? DatasetPath { get; init; }
    [CommandOption("--train-limit <N>")] [Description("Use the first N training examples.")] public int? TrainLimit { get; init; }
    [CommandOption("--test-limit <N>")] [Description("Use the first N test examples.")] public int? TestLimit { get; init; }
    [CommandOption("--threads-per-run <N>")] [Description("Torch threads per run (0: cores / workers).")] public int? ThreadsPerRun { get; init; }
    [CommandOption("--device <KIND>")] [Description("cpu (reproducible), cuda or auto.")] public string? Device { get; init; }
    [CommandOption("--no-width")] [Description("Do not measure the minima width (no metric at all).")] public bool NoWidth { get; init; }
    [CommandOption("--tensorboard")] [Description("Also write TensorBoard scalars per run under tensorboard/.")] public bool Tensorboard { get; init; }

    /// <summary><c>--workers 0</c>: register the sweep and its runs, start nothing.</summary>
    public bool RegisterOnly => Workers == 0;

    /// <summary>Where the sweep's ledger is: SQLite in --out, or the shared database (--out then optional, for reports).</summary>
    public LedgerTarget Target(string sweepName)
    {
        var location = Location();
        if (location is null) return LedgerTarget.Sqlite(Folder);
        if (SweepName is { } given && given != sweepName)
            throw new SweepConfigException("--sweep", given, $"differs from the sweep's name '{sweepName}' (run names a sweep with the config's name or --name)");
        return LedgerTarget.Postgres(location, sweepName, string.IsNullOrWhiteSpace(Out) ? null : Folder);
    }

    /// <summary>The lease a worker's claim holds for, from --lease-seconds.</summary>
    public TimeSpan Lease => LeaseSeconds switch
    {
        null => Execution.WorkerOptions.DefaultLease,
        double s when s > 0 && s <= 86_400 => TimeSpan.FromSeconds(s),
        double s => throw new SweepConfigException("--lease-seconds", s, "must be > 0 and at most 86400"),
    };

    /// <summary>The sweep definition: preset or config file (or defaults), then the flags.</summary>
    public SweepConfig Resolve()
    {
        if (Preset is not null && ConfigFile is not null)
            throw new SweepConfigException("--preset", Preset, "cannot be combined with --config; choose one");
        if (Preset is not null && (Presets.Get(Preset).Config.Tune is not null) != ForTune)
            throw new SweepConfigException("--preset", Preset, ForTune ? "is a sweep preset: run it with 'run --preset', or pick quick-tune or default-tune" : "is a tuning preset: run it with 'tune --preset'");
        var c = Preset is not null ? Presets.Get(Preset).Config
            : ConfigFile is not null ? SweepConfigJson.Read(ConfigFile)
            : new SweepConfig();
        var dataset = c.Dataset with
        {
            Kind = Dataset is null ? c.Dataset.Kind : ConfigNames.Parse<DatasetKind>("--dataset", Dataset),
            Path = DatasetPath ?? c.Dataset.Path,
            TrainLimit = TrainLimit ?? c.Dataset.TrainLimit,
            TestLimit = TestLimit ?? c.Dataset.TestLimit,
        };
        return c with
        {
            Name = Name ?? c.Name,
            Workers = Workers is int w && w != 0 ? w : c.Workers,
            Epochs = Epochs ?? c.Epochs,
            Seeds = Seeds is int seeds ? seeds : c.Seeds,
            ExploreFractions = ExploreFractions is null ? c.ExploreFractions : Numbers("--explore-fractions", ExploreFractions),
            Baselines = Baselines is null ? c.Baselines : Schedules(Baselines),
            PeakLr = PeakLr is double peak ? peak : c.PeakLr,
            BatchSize = BatchSize ?? c.BatchSize,
            WarmupFraction = WarmupFraction ?? c.WarmupFraction,
            Model = Model is null ? c.Model : ConfigNames.Parse<ModelKind>("--model", Model),
            HiddenSizes = Hidden is null ? c.HiddenSizes : [.. Numbers("--hidden", Hidden).Select(h => (int)h)],
            Dataset = dataset,
            Threads = ThreadsPerRun ?? c.Threads,
            Width = NoWidth ? null : c.Width,
            Metrics = NoWidth ? null : c.Metrics, // no width and no metrics list: no metric at all
            Device = Device is null ? c.Device : ConfigNames.Parse<DeviceKind>("--device", Device),
            Tensorboard = Tensorboard || c.Tensorboard,
        };
    }

    /// <summary><c>cosine,step</c> as schedules; <c>none</c> as none. An unknown name is an error naming its place.</summary>
    private static ScheduleFamily[] Schedules(string text)
    {
        if (text == "none") return [];
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var schedules = new ScheduleFamily[parts.Length];
        for (int i = 0; i < parts.Length; i++) schedules[i] = ConfigNames.Parse<ScheduleFamily>($"--baselines[{i}]", parts[i]);
        return schedules;
    }

    /// <summary>True for <c>tune</c>'s settings: only tuning presets are accepted.</summary>
    protected virtual bool ForTune => false;

    /// <summary>Comma-separated numbers of a flag.</summary>
    protected static double[] Numbers(string flag, string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var values = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
                throw new SweepConfigException(flag, text, $"must be comma-separated numbers ('{parts[i]}' is not one)");
        }
        return values;
    }
}

/// <summary>The sweep folder option every command takes.</summary>
internal class OutSettings : CommandSettings
{
    [CommandOption("--out <DIR>")]
    [Description("The sweep folder: its ledger.db, results.csv/json, summary.md and plots/.")]
    public string? Out { get; init; }

    public string Folder => string.IsNullOrWhiteSpace(Out) ? throw new SweepConfigException("--out", Out, "is required: the sweep folder") : Path.GetFullPath(Out);

    /// <summary>The sweep folder, which must already hold a ledger (for status and report).</summary>
    public string ExistingSweepFolder()
    {
        string folder = Folder;
        if (!File.Exists(Path.Combine(folder, SqlLedger.FileName)))
            throw new SweepConfigException("--out", folder, "must hold a ledger.db: run a sweep there first");
        return folder;
    }
}

/// <summary>The shared-ledger options: <c>--ledger</c> (or WIDEMINIMA_LEDGER) and <c>--sweep</c> (or WIDEMINIMA_SWEEP).</summary>
internal class LedgerSettings : OutSettings
{
    /// <summary>The environment variable that stands in for <c>--sweep</c>.</summary>
    public const string SweepVariable = "WIDEMINIMA_SWEEP";

    [CommandOption("--ledger <URI>")]
    [Description("A shared PostgreSQL ledger: postgresql://user@host:5432/db or an Npgsql connection string (no password: PGPASSWORD or ~/.pgpass). Default: $WIDEMINIMA_LEDGER, else ledger.db in --out.")]
    public string? Ledger { get; init; }

    [CommandOption("--sweep <NAME>")]
    [Description("The sweep's name in the shared ledger (default: $WIDEMINIMA_SWEEP).")]
    public string? Sweep { get; init; }

    /// <summary>The shared ledger named by --ledger or the environment, or null for the SQLite ledger in --out.</summary>
    public LedgerLocation? Location()
    {
        if (!string.IsNullOrWhiteSpace(Ledger)) return LedgerLocation.Parse(Ledger, "--ledger");
        string? env = Environment.GetEnvironmentVariable(LedgerLocation.EnvironmentVariable);
        return string.IsNullOrWhiteSpace(env) ? null : LedgerLocation.Parse(env, LedgerLocation.EnvironmentVariable);
    }

    /// <summary>--sweep or WIDEMINIMA_SWEEP, or null.</summary>
    public string? SweepName => !string.IsNullOrWhiteSpace(Sweep) ? Sweep : Environment.GetEnvironmentVariable(SweepVariable) is { Length: > 0 } env ? env : null;

    /// <summary>
    /// The ledger of an existing sweep, for status, report and worker: the shared one (which must hold the sweep named),
    /// or the SQLite ledger in --out. <paramref name="needFolder"/>: --out is required even with a shared ledger.
    /// </summary>
    public LedgerTarget ExistingTarget(bool needFolder)
    {
        var location = Location();
        if (location is null) return LedgerTarget.Sqlite(ExistingSweepFolder());
        string sweep = SweepName ?? throw new SweepConfigException("--sweep", null, $"is required with a shared ledger: the sweep's name (or set {SweepVariable}){Known(location)}");
        string? folder = needFolder || !string.IsNullOrWhiteSpace(Out) ? Folder : null;
        var target = LedgerTarget.Postgres(location, sweep, folder);
        using var ledger = target.Open();
        if (ledger.ReadSweep() is null)
            throw new SweepConfigException("--sweep", sweep, $"names no sweep in {location.Display}{Known(ledger)}");
        return target;
    }

    private static string Known(LedgerLocation location)
    {
        using var ledger = LedgerTarget.Postgres(location, "?", null).Open();
        return Known(ledger);
    }

    private static string Known(IRunLedger ledger)
    {
        var names = ledger.SweepNames();
        return names.Count == 0 ? " (it holds none yet)" : $" (it holds: {string.Join(", ", names)})";
    }
}
