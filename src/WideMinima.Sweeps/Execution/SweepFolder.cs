using System.Globalization;
using WideMinima.Sweeps.Config;
using WideMinima.Ledger;
using WideMinima.Reports;
using WideMinima.Sweeps.Planning;
using WideMinima.Sweeps.Reports;

namespace WideMinima.Sweeps.Execution;

/// <summary>
/// A sweep's output folder: checks that it is writable, creates or reopens its ledger, refuses a
/// different definition unless told to replace it (the old ledger is archived, never deleted).
/// </summary>
public static class SweepFolder
{
    /// <summary>Where a run's model is kept when the config says <c>save_models: true</c>.</summary>
    public static string ModelPath(string folder, string runId) => Path.Combine(folder, "models", runId + ".zip");

    /// <summary>Threads per run when the config says 0: the cores divided between the workers.</summary>
    public static int DefaultThreads(int workers) => Math.Max(1, Environment.ProcessorCount / Math.Max(1, workers));

    /// <summary>
    /// Prepares <paramref name="folder"/> for <paramref name="config"/>: returns the config as stored in the ledger
    /// (threads fixed) and the number of planned runs. Throws <see cref="SweepConfigException"/> for an unwritable
    /// folder or a different sweep already there.
    /// </summary>
    public static (SweepConfig Config, int Runs) Prepare(string folder, SweepConfig config, bool replace) =>
        Prepare(LedgerTarget.Sqlite(folder), config, replace);

    /// <summary>
    /// Prepares the ledger <paramref name="target"/> for <paramref name="config"/> (registers the sweep and its runs):
    /// returns the config as stored (threads fixed) and the number of planned runs. Throws
    /// <see cref="SweepConfigException"/> for an unwritable folder or a different sweep already there under that name.
    /// </summary>
    public static (SweepConfig Config, int Runs) Prepare(LedgerTarget target, SweepConfig config, bool replace)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(config);
        if (target.Folder is not null) EnsureWritable(target.Folder);
        using var ledger = target.Open();
        var existing = ledger.ReadSweep();

        if (existing is not null && config.Threads == 0)
        {
            // An automatic thread count resolves to what the ledger fixed, so a resume computes exactly as before.
            var stored = SweepConfigJson.Parse(existing.ConfigJson, ledger.Description);
            config = config with { Threads = stored.Threads };
        }
        if (config.Threads == 0) config = config with { Threads = DefaultThreads(config.Workers) };

        string definition = SweepConfigJson.DefinitionOf(config);
        if (existing is not null && !SameDefinition(existing, definition, ledger.Description))
        {
            var stored = SweepConfigJson.Parse(existing.ConfigJson, ledger.Description);
            if (!replace)
            {
                string where = target.IsShared ? $"{target.Location!.Display} already holds a different sweep named '{target.Sweep}'" : $"--out '{target.Folder}' already holds a different sweep ('{stored.Name}'";
                string fix = target.IsShared ? "Use another --name, or pass --replace to archive that sweep (it is renamed, not deleted) and start this one."
                    : "Use a new --out folder, or pass --replace to archive that sweep (it is renamed in the ledger, not deleted, and its reports move to archive-*/) and start this one.";
                throw new SweepConfigException(
                    $"{where}{(target.IsShared ? " (" : ", ")}created {DateTimeOffset.FromUnixTimeMilliseconds(existing.CreatedAt):u}); " +
                    $"it differs in: {string.Join(", ", Differences(stored, config))}. {fix}");
            }
            ledger.ArchiveSweep();
            ledger.Dispose();
            if (target.Folder is not null) ArchiveReports(target.Folder);
            using var fresh = target.Open();
            return Register(fresh, config, definition);
        }
        return Register(ledger, config, definition);
    }

    /// <summary>
    /// True when the stored sweep defines the same runs: the same stored text, or (a ledger written by an earlier
    /// version, whose config had other keys) the same definition once its config is read by this version.
    /// </summary>
    private static bool SameDefinition(SweepHeader existing, string definition, string source) =>
        existing.DefinitionJson == definition || SweepConfigJson.DefinitionOf(SweepConfigJson.Parse(existing.ConfigJson, source)) == definition;

    private static (SweepConfig Config, int Runs) Register(IRunLedger ledger, SweepConfig config, string definition)
    {
        // A tuning plans nothing: its coordinator adds each job as it decides it.
        IReadOnlyList<PlannedRun> plan = config.Tune is null ? SweepPlanner.Plan(config) : [];
        ledger.CreateSweep(new SweepHeader(config.Name, config.Tune is null ? SweepKind.Sweep : SweepKind.Tuning, definition, SweepConfigJson.Write(config),
            DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), typeof(SweepFolder).Assembly.GetName().Version?.ToString() ?? "?"), [.. plan.Select(r => r.ToNewRun())]);
        return (config, plan.Count);
    }

    /// <summary>Throws <see cref="SweepConfigException"/> naming <paramref name="flag"/> when the folder cannot be created or written.</summary>
    public static void EnsureWritable(string folder, string flag = "--out")
    {
        try
        {
            Directory.CreateDirectory(folder);
            string probe = Path.Combine(folder, $".write-test-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new SweepConfigException(flag, folder, $"must be a writable folder ({e.Message})");
        }
    }

    /// <summary>The top-level config fields that differ, for the refusal message.</summary>
    public static IReadOnlyList<string> Differences(SweepConfig a, SweepConfig b)
    {
        var left = System.Text.Json.Nodes.JsonNode.Parse(SweepConfigJson.DefinitionOf(a))!.AsObject();
        var right = System.Text.Json.Nodes.JsonNode.Parse(SweepConfigJson.DefinitionOf(b))!.AsObject();
        return [.. left.Select(p => p.Key).Union(right.Select(p => p.Key))
            .Where(k => !System.Text.Json.Nodes.JsonNode.DeepEquals(left[k], right[k]))];
    }

    /// <summary>Moves the reports of a sweep archived in the ledger into <c>archive-STAMP/</c>, so the folder's reports are the new sweep's.</summary>
    private static void ArchiveReports(string folder)
    {
        string stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        string archive = Path.Combine(folder, $"archive-{stamp}");
        Directory.CreateDirectory(archive);
        // A sweep's reports or a tuning's (its model included): whichever the replaced one left. Plots of both are under plots/.
        foreach (var name in ReportWriter.Files.Union(TuneReportWriter.Files))
        {
            string source = Path.Combine(folder, name);
            if (File.Exists(source)) File.Move(source, Path.Combine(archive, name));
        }
        string plots = Path.Combine(folder, "plots");
        if (Directory.Exists(plots)) Directory.Move(plots, Path.Combine(archive, "plots"));
    }
}
