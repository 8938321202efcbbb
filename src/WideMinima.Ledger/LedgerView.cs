using System.Data;
using System.Data.Common;
using System.Globalization;
using static WideMinima.Ledger.SqlDialect;

namespace WideMinima.Ledger;

/// <summary>One sweep of a database at a glance: what the dashboard's first page lists.</summary>
/// <param name="Name">The sweep's name (archived sweeps carry <c>~archived-STAMP</c>).</param>
/// <param name="Kind">A sweep or a tuning.</param>
/// <param name="CreatedAt">When it was created, Unix ms.</param>
/// <param name="Counts">Runs by status.</param>
/// <param name="Workers">Distinct workers holding a run now.</param>
/// <param name="MeanRunSeconds">Mean wall time of the finished runs (null before the first).</param>
/// <param name="BestSetting">The final-phase, full-budget setting with the highest mean test accuracy so far (a tie goes to the setting planned first, as in summary.md), or null.</param>
/// <param name="BestAccuracy">Its mean test accuracy in [0, 1].</param>
/// <param name="BestRuns">Its finished runs.</param>
/// <param name="OpenUntil">Until when the sweep is held open (Unix ms), or null.</param>
public sealed record SweepOverview(string Name, SweepKind Kind, long CreatedAt, RunCounts Counts, int Workers, double? MeanRunSeconds,
    string? BestSetting, double? BestAccuracy, int BestRuns, long? OpenUntil)
{
    /// <summary>True for a sweep renamed by <c>--replace</c>.</summary>
    public bool Archived => SqlLedger.IsArchived(Name);

    /// <summary>Seconds until every pending and running run is done at the mean pace so far, over the workers at work (at least one); null before the first run finished.</summary>
    public double? EtaSeconds => MeanRunSeconds is double mean && Counts.Pending + Counts.Running > 0
        ? mean * (Counts.Pending + Counts.Running) / Math.Max(1, Workers) : null;
}

/// <summary>Runs by status.</summary>
public sealed record RunCounts(int Pending, int Running, int Done, int Failed, int Diverged)
{
    /// <summary>Every run.</summary>
    public int Total => Pending + Running + Done + Failed + Diverged;

    /// <summary>Runs that ended (done, failed or diverged).</summary>
    public int Finished => Done + Failed + Diverged;
}

/// <summary>The columns the runs table can be sorted by.</summary>
public enum RunSort
{
    /// <summary>Queue order.</summary>
    Ordinal,
    /// <summary>The run id.</summary>
    RunId,
    /// <summary>The setting.</summary>
    Setting,
    /// <summary>The seed.</summary>
    Seed,
    /// <summary>The status.</summary>
    Status,
    /// <summary>The worker.</summary>
    Worker,
    /// <summary>The attempt.</summary>
    Attempts,
    /// <summary>The lease's expiry.</summary>
    LeaseExpiresAt,
    /// <summary>Test accuracy.</summary>
    TestAccuracy,
    /// <summary>Validation accuracy.</summary>
    ValidationAccuracy,
    /// <summary>Keskar sharpness.</summary>
    Sharpness,
    /// <summary>The peak rate.</summary>
    PeakLr,
    /// <summary>The budget share.</summary>
    Budget,
    /// <summary>When it finished.</summary>
    FinishedAt,
}

/// <summary>A page of the runs table: a filter, an order and a window.</summary>
/// <param name="Offset">Rows to skip.</param>
/// <param name="Limit">Rows at most (1 to 1000).</param>
/// <param name="Sort">The order.</param>
/// <param name="Descending">Largest first.</param>
/// <param name="Status">Only runs in this state.</param>
/// <param name="Setting">Only runs of this setting.</param>
/// <param name="Search">Only runs whose id, setting or worker contains this text (case-insensitive).</param>
/// <param name="Phase">Only runs of this phase.</param>
public sealed record RunQuery(int Offset = 0, int Limit = 50, RunSort Sort = RunSort.Ordinal, bool Descending = false,
    RunStatus? Status = null, string? Setting = null, string? Search = null, RunPhase? Phase = null);

/// <summary>
/// A fingerprint of everything a view of the database shows: it changes whenever a sweep is added, renamed or held
/// open, or a run is claimed, renewed, finished, released or checkpointed (on SQLite: whenever another connection
/// commits anything). Views compare it to skip work (HTTP ETags, cached answers).
/// </summary>
/// <param name="Text">The fingerprint as text; equal texts mean nothing a view shows has changed.</param>
public sealed record LedgerStamp(string Text);

/// <summary>A finished run's width measures, as <see cref="LedgerView.Measures(string, long)"/> reads them.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Attempts">Its attempt (a retried run's result is another).</param>
/// <param name="Json">Its result reduced to <c>{"hessian": ..., "adaptive": ...}</c>, or null without a result.</param>
public sealed record RunMeasures(string RunId, int Attempts, string? Json);

/// <summary>One page of runs and how many match in all.</summary>
/// <param name="Total">Runs matching the filter.</param>
/// <param name="Rows">The page, without their payloads and results (see <see cref="LedgerView.Run"/>).</param>
public sealed record RunPage(int Total, IReadOnlyList<LedgerRun> Rows);

/// <summary>
/// Read-only queries over a whole ledger database, for views that watch sweeps while workers write them (the
/// dashboard). Opened read-only: SQLite through its WAL (a reader never blocks a writer), PostgreSQL in short
/// read-only transactions. Aggregates are computed by the database, a page at a time, so a ledger of many thousand
/// runs answers each query in milliseconds.
/// </summary>
public sealed class LedgerView : IDisposable
{
    private readonly SqlDialect _d;

    private LedgerView(SqlDialect dialect)
    {
        _d = dialect;
        try
        {
            LedgerSchema.Ensure(dialect);
        }
        catch
        {
            dialect.Dispose();
            throw;
        }
    }

    /// <summary>Opens the SQLite ledger file <paramref name="path"/> read-only.</summary>
    public static LedgerView Sqlite(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            return new LedgerView(new SqliteDialect(path, readOnly: true));
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            throw new LedgerException($"'{path}' cannot be read as a sweep ledger: {e.Message.TrimEnd('.')} (SQLite error {e.SqliteErrorCode}).", e);
        }
    }

    /// <summary>Opens a PostgreSQL ledger database read-only (<paramref name="display"/> names it, without a password).</summary>
    public static LedgerView Postgres(string connectionString, string display)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        return new LedgerView(new PostgresDialect(connectionString, display, readOnly: true));
    }

    /// <summary>Names the database for messages.</summary>
    public string Description => _d.Description;

    /// <summary>Every sweep of the database with its counts, pace and best setting so far; live sweeps first, then by age.</summary>
    public IReadOnlyList<SweepOverview> Sweeps() => Overviews(null);

    /// <summary>One sweep's overview (as <see cref="Sweeps"/> gives it), reading only its rows; null when there is no such sweep.</summary>
    public SweepOverview? Overview(string sweep)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        return Overviews(sweep) is [var one] ? one : null;
    }

    // Three queries: the sweeps, the counts by status (from the queue index) and one scan of the runs for the pace,
    // the workers and the best setting (per sweep and setting; the pace is summed over settings here).
    private IReadOnlyList<SweepOverview> Overviews(string? only) => _d.Use<IReadOnlyList<SweepOverview>>(c =>
    {
        string runsOf = only is null ? "" : "WHERE sweep_id = (SELECT sweep_id FROM sweeps WHERE name = @only)";
        void Only(DbCommand command)
        {
            if (only is not null) _d.Parameter(command, "@only", only, DbType.String);
        }
        var sweeps = new List<(long Id, string Name, SweepKind Kind, long Created, long? OpenUntil)>();
        using (var command = Command(c, null, $"SELECT sweep_id, name, kind, created_at, open_until FROM sweeps {(only is null ? "" : "WHERE name = @only")} ORDER BY sweep_id;"))
        {
            Only(command);
            using var reader = command.ExecuteReader();
            while (reader.Read())
                sweeps.Add((reader.GetInt64(0), reader.GetString(1), LedgerText.ParseSweepKind(reader.GetString(2)), reader.GetInt64(3), reader.IsDBNull(4) ? null : reader.GetInt64(4)));
        }
        var counts = new Dictionary<long, int[]>();
        using (var command = Command(c, null, $"SELECT sweep_id, status, COUNT(*) FROM runs {runsOf} GROUP BY sweep_id, status;"))
        {
            Only(command);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                long id = reader.GetInt64(0);
                if (!counts.TryGetValue(id, out var n)) counts[id] = n = new int[5];
                n[(int)LedgerText.ParseStatus(reader.GetString(1))] = Convert.ToInt32(reader.GetValue(2), CultureInfo.InvariantCulture);
            }
        }
        var workers = new Dictionary<long, double>();
        using (var command = Command(c, null, $"SELECT sweep_id, COUNT(DISTINCT worker) FROM runs WHERE status = 'running' {(only is null ? "" : "AND sweep_id = (SELECT sweep_id FROM sweeps WHERE name = @only)")} GROUP BY sweep_id;"))
        {
            Only(command);
            using var reader = command.ExecuteReader();
            while (reader.Read())
                if (SqlLedger.ReadDouble(reader, 1) is double v) workers[reader.GetInt64(0)] = v;
        }
        var pace = new Dictionary<long, (double Seconds, long Runs)>();
        // The best setting as summary.md names it (SweepSummary): the highest mean; a tie goes to the setting planned first.
        var best = new Dictionary<long, (string Setting, double Accuracy, int Runs, long First)>();
        using (var command = Command(c, null, $"""
            SELECT sweep_id, setting,
                SUM(CASE WHEN status IN ('done', 'diverged') AND finished_at IS NOT NULL AND started_at IS NOT NULL THEN (finished_at - started_at) / 1000.0 END),
                SUM(CASE WHEN status IN ('done', 'diverged') AND finished_at IS NOT NULL AND started_at IS NOT NULL THEN 1 ELSE 0 END),
                AVG(CASE WHEN status = 'done' AND kind = 'run' AND phase = 'final' AND budget = 1 THEN test_accuracy END),
                SUM(CASE WHEN status = 'done' AND kind = 'run' AND phase = 'final' AND budget = 1 AND test_accuracy IS NOT NULL THEN 1 ELSE 0 END),
                MIN(ordinal)
            FROM runs {runsOf} GROUP BY sweep_id, setting;
            """))
        {
            Only(command);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                long id = reader.GetInt64(0);
                long finished = Convert.ToInt64(reader.GetValue(3), CultureInfo.InvariantCulture);
                if (finished > 0)
                {
                    var p = pace.GetValueOrDefault(id);
                    pace[id] = (p.Seconds + SqlLedger.ReadDouble(reader, 2)!.Value, p.Runs + finished);
                }
                if (SqlLedger.ReadDouble(reader, 4) is not double mean) continue;
                string setting = reader.GetString(1);
                long first = Convert.ToInt64(reader.GetValue(6), CultureInfo.InvariantCulture);
                if (!best.TryGetValue(id, out var b) || mean > b.Accuracy || (mean == b.Accuracy && first < b.First))
                    best[id] = (setting, mean, Convert.ToInt32(reader.GetValue(5), CultureInfo.InvariantCulture), first);
            }
        }
        return [.. sweeps.Select(s =>
        {
            var n = counts.GetValueOrDefault(s.Id) ?? new int[5];
            var b = best.TryGetValue(s.Id, out var found) ? found : ((string, double, int, long)?)null;
            return new SweepOverview(s.Name, s.Kind, s.Created, new RunCounts(n[0], n[1], n[2], n[3], n[4]),
                (int)workers.GetValueOrDefault(s.Id), pace.TryGetValue(s.Id, out var p) ? p.Seconds / p.Runs : null,
                b?.Item1, b?.Item2, b?.Item3 ?? 0, s.OpenUntil);
        }).OrderBy(o => o.Archived).ThenBy(o => o.CreatedAt)];
    });

    /// <summary>The header of sweep <paramref name="sweep"/>, or null when the database holds no sweep of that name.</summary>
    public SweepHeader? Header(string sweep) => _d.Use(c =>
    {
        using var command = Command(c, null, "SELECT name, kind, definition_json, config_json, created_at, tool_version FROM sweeps WHERE name = @name;");
        _d.Parameter(command, "@name", sweep, DbType.String);
        using var reader = command.ExecuteReader();
        return reader.Read()
            ? new SweepHeader(reader.GetString(0), LedgerText.ParseSweepKind(reader.GetString(1)), reader.GetString(2), reader.GetString(3), reader.GetInt64(4), reader.GetString(5))
            : null;
    });

    /// <summary>
    /// Every run of the sweep in queue order, with only what summaries need: <paramref name="withResults"/> false
    /// leaves the payloads and results out (empty and null), which is what makes a summary of thousands of runs cheap.
    /// </summary>
    public IReadOnlyList<LedgerRun> Runs(string sweep, bool withResults = false) =>
        Select(sweep, withResults, "", "ORDER BY ordinal", _ => { });

    /// <summary>
    /// The width measures summaries read from the results of the sweep's runs that finished at or after
    /// <paramref name="finishedSince"/> (Unix ms): per run its id, attempt and its result reduced to
    /// <c>{"hessian": ..., "adaptive": ...}</c> (JSON text, or null without a result), picked out by the database so that
    /// whole results (LR curves, epochs) never leave it. A view keeps them by (run, attempt) and asks only for runs newer
    /// than those it holds.
    /// </summary>
    public IReadOnlyList<RunMeasures> Measures(string sweep, long finishedSince) => _d.Use<IReadOnlyList<RunMeasures>>(c =>
    {
        using var command = Command(c, null, $"""
            SELECT run_id, attempts, {_d.MeasuresOfResult} FROM runs
            WHERE sweep_id = (SELECT sweep_id FROM sweeps WHERE name = @sweep) AND finished_at >= @since ORDER BY ordinal;
            """);
        _d.Parameter(command, "@sweep", sweep, DbType.String);
        _d.Parameter(command, "@since", finishedSince, DbType.Int64);
        using var reader = command.ExecuteReader();
        var list = new List<RunMeasures>();
        while (reader.Read()) list.Add(new RunMeasures(reader.GetString(0), reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
        return list;
    });

    /// <summary>
    /// As <see cref="Measures(string, long)"/>, for the runs named (at most 500: looked up by key, so a view that misses a
    /// few new runs reads only those).
    /// </summary>
    public IReadOnlyList<RunMeasures> Measures(string sweep, IReadOnlyList<string> runIds)
    {
        ArgumentNullException.ThrowIfNull(runIds);
        if (runIds.Count is 0) return [];
        if (runIds.Count > 500) throw new ArgumentOutOfRangeException(nameof(runIds), runIds.Count, "At most 500 runs at a time.");
        return _d.Use<IReadOnlyList<RunMeasures>>(c =>
        {
            var names = runIds.Select((_, i) => "@r" + i.ToString(CultureInfo.InvariantCulture)).ToList();
            using var command = Command(c, null, $"""
                SELECT run_id, attempts, {_d.MeasuresOfResult} FROM runs
                WHERE sweep_id = (SELECT sweep_id FROM sweeps WHERE name = @sweep) AND run_id IN ({string.Join(", ", names)}) ORDER BY ordinal;
                """);
            _d.Parameter(command, "@sweep", sweep, DbType.String);
            for (int i = 0; i < names.Count; i++) _d.Parameter(command, names[i], runIds[i], DbType.String);
            using var reader = command.ExecuteReader();
            var list = new List<RunMeasures>();
            while (reader.Read()) list.Add(new RunMeasures(reader.GetString(0), reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
            return list;
        });
    }

    /// <summary>The database's <see cref="LedgerStamp"/>: one cheap query (see the dialect's stamp).</summary>
    public LedgerStamp Stamp() => _d.Use(c =>
    {
        using var command = Command(c, null, _d.StampQuery);
        using var reader = command.ExecuteReader();
        reader.Read();
        var parts = new string[reader.FieldCount];
        for (int i = 0; i < parts.Length; i++) parts[i] = Convert.ToInt64(reader.GetValue(i), CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
        return new LedgerStamp(string.Join('.', parts));
    });

    /// <summary>
    /// Every run of the sweep in queue order with only the columns summaries read (id, order, kind, phase, budget, peak
    /// rate, setting, schedule, explore share, seed, status, attempts, finish time, test and validation accuracy,
    /// sharpness, train and width seconds): the rest are left empty, payloads and results included. A few times cheaper
    /// than <see cref="Runs"/> on a big sweep.
    /// </summary>
    public IReadOnlyList<LedgerRun> SummaryRuns(string sweep) => _d.Use<IReadOnlyList<LedgerRun>>(c =>
    {
        using var command = Command(c, null, """
            SELECT run_id, ordinal, kind, phase, budget, peak_lr, setting, schedule, explore_fraction, seed, status, attempts, finished_at,
                test_accuracy, validation_accuracy, sharpness, train_seconds, width_seconds
            FROM runs WHERE sweep_id = (SELECT sweep_id FROM sweeps WHERE name = @sweep) ORDER BY ordinal;
            """);
        _d.Parameter(command, "@sweep", sweep, DbType.String);
        using var reader = command.ExecuteReader();
        var list = new List<LedgerRun>();
        while (reader.Read())
        {
            list.Add(new LedgerRun
            {
                RunId = reader.GetString(0),
                Ordinal = reader.GetInt32(1),
                Kind = LedgerText.ParseKind(reader.GetString(2)),
                Phase = LedgerText.ParsePhase(reader.GetString(3)),
                Budget = SqlLedger.ReadDouble(reader, 4) ?? 1,
                PeakLr = SqlLedger.ReadDouble(reader, 5),
                Setting = reader.GetString(6),
                Schedule = reader.GetString(7),
                ExploreFraction = SqlLedger.ReadDouble(reader, 8),
                Seed = reader.GetInt32(9),
                PayloadJson = "",
                Status = LedgerText.ParseStatus(reader.GetString(10)),
                Attempts = reader.GetInt32(11),
                FinishedAt = reader.IsDBNull(12) ? null : reader.GetInt64(12),
                TestAccuracy = SqlLedger.ReadDouble(reader, 13),
                ValidationAccuracy = SqlLedger.ReadDouble(reader, 14),
                Sharpness = SqlLedger.ReadDouble(reader, 15),
                TrainSeconds = SqlLedger.ReadDouble(reader, 16),
                WidthSeconds = SqlLedger.ReadDouble(reader, 17),
            });
        }
        return list;
    });

    /// <summary>One run with its payload and result, or null.</summary>
    public LedgerRun? Run(string sweep, string runId) =>
        Select(sweep, withResults: true, "AND run_id = @id", "", cmd => _d.Parameter(cmd, "@id", runId, DbType.String)) is [var run, ..] ? run : null;

    /// <summary>The first finished run of each setting, with its result (a setting's schedule and LR curve).</summary>
    public IReadOnlyList<LedgerRun> FirstOfEachSetting(string sweep) =>
        Select(sweep, withResults: true, """
            AND status IN ('done', 'diverged') AND result_json IS NOT NULL AND ordinal IN (
                SELECT MIN(ordinal) FROM runs WHERE sweep_id = (SELECT sweep_id FROM sweeps WHERE name = @sweep)
                AND status IN ('done', 'diverged') AND result_json IS NOT NULL GROUP BY setting)
            """, "ORDER BY ordinal", _ => { });

    /// <summary>A page of the sweep's runs (without payloads and results) and how many match.</summary>
    public RunPage Page(string sweep, RunQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Limit is < 1 or > 1000) throw new ArgumentOutOfRangeException(nameof(query), query.Limit, "A page holds 1 to 1000 runs.");
        if (query.Offset < 0) throw new ArgumentOutOfRangeException(nameof(query), query.Offset, "The offset must not be negative.");
        var filters = new List<string>();
        if (query.Status is RunStatus s) filters.Add($"AND status = '{s.ToText()}'");
        if (query.Phase is RunPhase p) filters.Add($"AND phase = '{p.ToText()}'");
        if (query.Setting is not null) filters.Add("AND setting = @setting");
        if (!string.IsNullOrEmpty(query.Search)) filters.Add("AND (lower(run_id) LIKE @search OR lower(setting) LIKE @search OR lower(COALESCE(worker, '')) LIKE @search)");
        string where = string.Join(" ", filters);
        void Bind(DbCommand cmd)
        {
            if (query.Setting is not null) _d.Parameter(cmd, "@setting", query.Setting, DbType.String);
            if (!string.IsNullOrEmpty(query.Search)) _d.Parameter(cmd, "@search", "%" + query.Search.ToLowerInvariant().Replace("%", "", StringComparison.Ordinal) + "%", DbType.String);
        }
        int total = _d.Use(c =>
        {
            using var command = Command(c, null, $"SELECT COUNT(*) FROM runs WHERE sweep_id = (SELECT sweep_id FROM sweeps WHERE name = @sweep) {where};");
            _d.Parameter(command, "@sweep", sweep, DbType.String);
            Bind(command);
            return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        });
        string order = $"ORDER BY {SortColumn(query.Sort)} {(query.Descending ? "DESC" : "ASC")} NULLS LAST, ordinal LIMIT {query.Limit} OFFSET {query.Offset}";
        return new RunPage(total, Select(sweep, withResults: false, where, order, Bind));
    }

    /// <summary>The checkpoints a run has recorded, newest first.</summary>
    public IReadOnlyList<CheckpointRow> Checkpoints(string sweep, string runId) => _d.Use<IReadOnlyList<CheckpointRow>>(c =>
    {
        using var command = Command(c, null, $"""
            SELECT {SqlLedger.CheckpointColumns} FROM checkpoints
            WHERE sweep_id = (SELECT sweep_id FROM sweeps WHERE name = @sweep) AND run_id = @id ORDER BY step DESC, created_at DESC, attempt DESC;
            """);
        _d.Parameter(command, "@sweep", sweep, DbType.String);
        _d.Parameter(command, "@id", runId, DbType.String);
        using var reader = command.ExecuteReader();
        return SqlLedger.CheckpointRows(reader);
    });

    /// <inheritdoc />
    public void Dispose() => _d.Dispose();

    private IReadOnlyList<LedgerRun> Select(string sweep, bool withResults, string where, string order, Action<DbCommand> bind) => _d.Use<IReadOnlyList<LedgerRun>>(c =>
    {
        string columns = withResults ? SqlLedger.Columns : SqlLedger.Columns.Replace("payload_json", "''", StringComparison.Ordinal).Replace("result_json", "NULL", StringComparison.Ordinal);
        using var command = Command(c, null, $"SELECT {columns} FROM runs WHERE sweep_id = (SELECT sweep_id FROM sweeps WHERE name = @sweep) {where} {order};");
        _d.Parameter(command, "@sweep", sweep, DbType.String);
        bind(command);
        using var reader = command.ExecuteReader();
        var list = new List<LedgerRun>();
        while (reader.Read()) list.Add(SqlLedger.Read(reader));
        return list;
    });

    private static string SortColumn(RunSort sort) => sort switch
    {
        RunSort.Ordinal => "ordinal",
        RunSort.RunId => "run_id",
        RunSort.Setting => "setting",
        RunSort.Seed => "seed",
        RunSort.Status => "status",
        RunSort.Worker => "worker",
        RunSort.Attempts => "attempts",
        RunSort.LeaseExpiresAt => "lease_expires_at",
        RunSort.TestAccuracy => "test_accuracy",
        RunSort.ValidationAccuracy => "validation_accuracy",
        RunSort.Sharpness => "sharpness",
        RunSort.PeakLr => "peak_lr",
        RunSort.Budget => "budget",
        RunSort.FinishedAt => "finished_at",
        _ => throw new ArgumentOutOfRangeException(nameof(sort), sort, "is not a sortable column"),
    };
}
