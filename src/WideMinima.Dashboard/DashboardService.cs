using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using WideMinima.Ledger;
using WideMinima.Reports;

namespace WideMinima.Dashboard;

/// <summary>
/// What the dashboard's pages show, read from a <see cref="LedgerView"/>: plain records the API writes as JSON.
/// Every number comes from the ledger through the reports' own code (<see cref="SweepSummary"/>,
/// <see cref="TuningView"/>), a few aggregate queries per call, never one query per run.
/// </summary>
public sealed partial class DashboardService
{
    private readonly LedgerView _view;
    private readonly Lock _lock = new();
    // Width measures of finished runs by sweep and run: a result never changes once recorded (a retry is a new attempt).
    private readonly Dictionary<string, Dictionary<string, (int Attempts, string? Json)>> _measures = new(StringComparer.Ordinal);
    // The first finished run of each setting with its record (its LR curve), by sweep and (run, attempt).
    private readonly Dictionary<string, Dictionary<(string RunId, int Attempts), LedgerRun?>> _firsts = new(StringComparer.Ordinal);
    // Answers computed at the stamp they were computed at: every poller of an unchanged ledger shares them.
    private readonly Dictionary<string, object?> _answers = new(StringComparer.Ordinal);
    private string? _answersStamp;

    /// <summary>Reads from <paramref name="view"/> (the caller owns it).</summary>
    public DashboardService(LedgerView view)
    {
        _view = view ?? throw new ArgumentNullException(nameof(view));
    }

    /// <summary>Names the database, never with a password.</summary>
    public string Database => _view.Description;

    /// <summary>The ledger's fingerprint: pages reload their data when it changes.</summary>
    public LedgerStamp Stamp() => _view.Stamp();

    /// <summary>
    /// The answer <paramref name="compute"/> gives for <paramref name="key"/> at ledger state <paramref name="stamp"/>,
    /// computed once per state: callers polling an unchanged ledger share it.
    /// </summary>
    public T Cached<T>(string stamp, string key, Func<T> compute)
    {
        ArgumentNullException.ThrowIfNull(compute);
        lock (_lock)
        {
            if (_answersStamp != stamp)
            {
                _answers.Clear();
                _answersStamp = stamp;
            }
            if (_answers.TryGetValue(key, out var answer)) return (T)answer!;
        }
        var computed = compute();
        lock (_lock)
        {
            if (_answersStamp == stamp) _answers[key] = computed;
        }
        return computed;
    }

    /// <summary>
    /// Every run of a sweep as summaries read them: the ledger's columns, with a result holding only the width measures
    /// (fetched for the runs finished since those already held, see <see cref="LedgerView.Measures(string, long)"/>).
    /// </summary>
    public IReadOnlyList<LedgerRun> SummaryRuns(string name)
    {
        var runs = _view.SummaryRuns(name);
        Dictionary<string, (int Attempts, string? Json)> known;
        lock (_lock)
        {
            if (!_measures.TryGetValue(name, out known!)) _measures[name] = known = new(StringComparer.Ordinal);
            static string? Measured(string? json) => json is null || NoMeasures().IsMatch(json) ? null : json;
            var missing = runs.Where(r => r.Status is RunStatus.Done or RunStatus.Diverged or RunStatus.Failed
                && (!known.TryGetValue(r.RunId, out var k) || k.Attempts != r.Attempts)).ToList();
            if (missing.Count > 0)
            {
                // A few new runs by key; many (the first look at a sweep) in one pass over those finished since.
                var found = (missing.Count <= 200 ? _view.Measures(name, [.. missing.Select(r => r.RunId)]) : _view.Measures(name, missing.Min(r => r.FinishedAt ?? 0)))
                    .ToDictionary(m => m.RunId, StringComparer.Ordinal);
                foreach (var r in missing) known[r.RunId] = (r.Attempts, found.TryGetValue(r.RunId, out var m) && m.Attempts == r.Attempts ? Measured(m.Json) : null);
                foreach (var m in found.Values) if (!known.ContainsKey(m.RunId)) known[m.RunId] = (m.Attempts, Measured(m.Json));
            }
            return [.. runs.Select(r => known.TryGetValue(r.RunId, out var k) && k.Attempts == r.Attempts && r.Status.IsFinished() ? r with { ResultJson = k.Json } : r)];
        }
    }

    /// <summary>
    /// The first finished run (done or diverged) of each setting in queue order, with its record: the setting's LR
    /// curve. Found from <paramref name="runs"/> (the sweep's rows without results); each record is read once, by its key.
    /// </summary>
    private List<LedgerRun> FirstOfEachSetting(string name, IReadOnlyList<LedgerRun> runs)
    {
        var firsts = runs.Where(r => r.Status is RunStatus.Done or RunStatus.Diverged).GroupBy(r => r.Setting).Select(g => g.MinBy(r => r.Ordinal)!).OrderBy(r => r.Ordinal).ToList();
        Dictionary<(string, int), LedgerRun?> known;
        lock (_lock)
        {
            if (!_firsts.TryGetValue(name, out known!)) _firsts[name] = known = [];
        }
        var list = new List<LedgerRun>();
        foreach (var r in firsts)
        {
            LedgerRun? full;
            lock (_lock) known.TryGetValue((r.RunId, r.Attempts), out full);
            if (full is null)
            {
                full = _view.Run(name, r.RunId);
                if (full is null || full.Attempts != r.Attempts) continue;
                lock (_lock) known[(r.RunId, r.Attempts)] = full;
            }
            list.Add(full);
        }
        return list;
    }

    /// <summary>Every sweep and tuning of the database.</summary>
    public IReadOnlyList<SweepOverview> Sweeps() => _view.Sweeps();

    /// <summary>True when the database holds a sweep named <paramref name="name"/>.</summary>
    public bool Exists(string name) => _view.Header(name) is not null;

    /// <summary>One sweep's page, or null when there is no such sweep: its overview, and its summary or tuning as report blocks.</summary>
    public SweepPage? Sweep(string name)
    {
        var header = _view.Header(name);
        if (header is null) return null;
        var overview = _view.Overview(name);
        if (overview is null) return null;
        var blocks = new List<ReportBlock>();
        IReadOnlyList<string> settings;
        if (header.Kind == SweepKind.Tuning)
        {
            var runs = _view.Runs(name, withResults: true);
            blocks.AddRange(TuningView.From(runs).Blocks());
            settings = [.. runs.Select(r => r.Setting).Distinct()];
        }
        else
        {
            var runs = SummaryRuns(name);
            // Every run, as summary.md is written from every run (ReportWriter): the same numbers by the same code.
            var summary = SweepSummary.From(name, runs);
            blocks.AddRange(summary.Blocks());
            blocks.AddRange(SweepCharts.Summary(summary, runs, FirstOfEachSetting(name, runs)));
            settings = [.. summary.Settings.Select(s => s.Setting)];
        }
        return new SweepPage(header.Name, header.Kind, header.CreatedAt, header.ToolVersion, Epochs(header), overview, settings, blocks);
    }

    /// <summary>A page of the sweep's runs table, or null when there is no such sweep.</summary>
    public RunsPage? Runs(string name, RunQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var header = _view.Header(name);
        if (header is null) return null;
        int? epochs = Epochs(header);
        var page = _view.Page(name, query);
        return new RunsPage(page.Total, query.Offset, query.Limit, [.. page.Rows.Select(r => Row(r, epochs))]);
    }

    /// <summary>One run's page, or null when there is no such sweep or run.</summary>
    public RunDetail? Run(string name, string runId)
    {
        var header = _view.Header(name);
        if (header is null) return null;
        var run = _view.Run(name, runId);
        if (run is null) return null;
        var checkpoints = _view.Checkpoints(name, runId);
        return new RunDetail(name, Row(run, Epochs(header)), run.Error, SweepCharts.Run(run, checkpoints), Pretty(run.PayloadJson),
            run.Kind == RunKind.Run ? null : Pretty(run.ResultJson));
    }

    /// <summary>Two or more sweeps side by side, settings aligned by name; null names the first sweep that does not exist.</summary>
    public (ComparePage? Page, string? Missing) Compare(IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var summaries = new List<SweepSummary>();
        foreach (var name in names)
        {
            var header = _view.Header(name);
            if (header is null) return (null, name);
            summaries.Add(SweepSummary.From(name, header.Kind == SweepKind.Tuning ? [] : SummaryRuns(name)));
        }
        return (new ComparePage(names, SweepCharts.Compare(summaries)), null);
    }

    /// <summary>The budget in epochs from the sweep's config, when it names one.</summary>
    private static int? Epochs(SweepHeader header)
    {
        try
        {
            using var config = JsonDocument.Parse(header.ConfigJson);
            return config.RootElement.TryGetProperty("epochs", out var e) && e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int n) ? n : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static RunRow Row(LedgerRun r, int? epochs)
    {
        // The epoch reached: the worker's progress while it runs ("epoch 3/10"), the whole budget once done.
        string? epoch = r.Status switch
        {
            RunStatus.Running when r.Progress is { } p && EpochProgress().Match(p) is { Success: true } m => m.Groups[1].Value,
            RunStatus.Done when epochs is int n => Math.Max(1, (int)Math.Round(n * r.Budget)).ToString(CultureInfo.InvariantCulture),
            _ => null,
        };
        return new RunRow(r.RunId, r.Ordinal, r.Kind, r.Phase, r.Setting, r.Schedule, r.ExploreFraction, r.Seed, r.Status, r.Worker, r.Attempts,
            r.LeaseExpiresAt, r.Progress, epoch, r.Budget, r.PeakLr, r.TestAccuracy, r.ValidationAccuracy, r.Sharpness, r.TrainSeconds, r.StartedAt, r.FinishedAt);
    }

    private static string? Pretty(string? json)
    {
        if (string.IsNullOrEmpty(json)) return null;
        try
        {
            using var document = JsonDocument.Parse(json);
            return JsonSerializer.Serialize(document.RootElement, LedgerJson.Indented);
        }
        catch (JsonException)
        {
            return json;
        }
    }

    [GeneratedRegex(@"^\{\s*""hessian""\s*:\s*null\s*,\s*""adaptive""\s*:\s*null\s*\}$")]
    private static partial Regex NoMeasures();

    [GeneratedRegex(@"^epoch (\d+(?:/\d+)?)")]
    private static partial Regex EpochProgress();
}

/// <summary>A sweep's page.</summary>
/// <param name="Name">The sweep.</param>
/// <param name="Kind">Sweep or tuning.</param>
/// <param name="CreatedAt">When it was created, Unix ms.</param>
/// <param name="ToolVersion">The version that created it.</param>
/// <param name="Epochs">Its budget in epochs, when its config names one.</param>
/// <param name="Overview">Counts, pace, best setting, ETA.</param>
/// <param name="Settings">Its settings (the runs table's filter).</param>
/// <param name="Blocks">The summary (or the tuning) and its charts, in order.</param>
public sealed record SweepPage(string Name, SweepKind Kind, long CreatedAt, string ToolVersion, int? Epochs, SweepOverview Overview,
    IReadOnlyList<string> Settings, IReadOnlyList<ReportBlock> Blocks);

/// <summary>A page of the runs table.</summary>
/// <param name="Total">Runs matching the filter.</param>
/// <param name="Offset">Rows skipped.</param>
/// <param name="Limit">Rows at most.</param>
/// <param name="Rows">The rows.</param>
public sealed record RunsPage(int Total, int Offset, int Limit, IReadOnlyList<RunRow> Rows);

/// <summary>A row of the runs table.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Ordinal">Queue order.</param>
/// <param name="Kind">run, tune-job or final-fit.</param>
/// <param name="Phase">final or calibration.</param>
/// <param name="Setting">The setting.</param>
/// <param name="Schedule">The schedule.</param>
/// <param name="ExploreFraction">The explore share.</param>
/// <param name="Seed">The seed.</param>
/// <param name="Status">The status.</param>
/// <param name="Worker">Its worker.</param>
/// <param name="Attempts">Claims so far.</param>
/// <param name="LeaseExpiresAt">When its lease ends, Unix ms.</param>
/// <param name="Progress">The worker's progress text.</param>
/// <param name="Epoch">The epoch reached (e.g. <c>3/10</c> while running).</param>
/// <param name="Budget">Its budget share.</param>
/// <param name="PeakLr">Its peak rate.</param>
/// <param name="TestAccuracy">Test accuracy in [0, 1].</param>
/// <param name="ValidationAccuracy">Validation accuracy in [0, 1].</param>
/// <param name="Sharpness">Keskar sharpness.</param>
/// <param name="TrainSeconds">Training seconds.</param>
/// <param name="StartedAt">When its last attempt started, Unix ms.</param>
/// <param name="FinishedAt">When it finished, Unix ms.</param>
public sealed record RunRow(string RunId, int Ordinal, RunKind Kind, RunPhase Phase, string Setting, string Schedule, double? ExploreFraction, int Seed,
    RunStatus Status, string? Worker, int Attempts, long? LeaseExpiresAt, string? Progress, string? Epoch, double Budget, double? PeakLr,
    double? TestAccuracy, double? ValidationAccuracy, double? Sharpness, double? TrainSeconds, long? StartedAt, long? FinishedAt);

/// <summary>A run's page.</summary>
/// <param name="Sweep">Its sweep.</param>
/// <param name="Run">Its row.</param>
/// <param name="Error">Its error, if it failed.</param>
/// <param name="Blocks">Its LR curve, its epochs, its width report, its checkpoints.</param>
/// <param name="Payload">What it ran (JSON).</param>
/// <param name="Result">A tuning job's or final fit's result (JSON); a run's is shown in <paramref name="Blocks"/>.</param>
public sealed record RunDetail(string Sweep, RunRow Run, string? Error, IReadOnlyList<ReportBlock> Blocks, string? Payload, string? Result);

/// <summary>Sweeps side by side.</summary>
/// <param name="Sweeps">The sweeps compared.</param>
/// <param name="Blocks">The aligned table and the chart.</param>
public sealed record ComparePage(IReadOnlyList<string> Sweeps, IReadOnlyList<ReportBlock> Blocks);
