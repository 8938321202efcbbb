using System.Data;
using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using static WideMinima.Ledger.SqlDialect;

namespace WideMinima.Ledger;

/// <summary>
/// The run ledger in a SQL database: one class for SQLite and PostgreSQL, as Optuna's <c>RDBStorage</c> serves every
/// database with one storage class. It owns the schema (<see cref="LedgerSchema"/>), the column list, the row mapping,
/// the argument checks, the fenced updates and the checkpoint records; a small <see cref="SqlDialect"/> supplies only
/// what truly differs. Every write is one transaction, so a process killed at any moment leaves the old or the new
/// state, never half of one; no transaction stays open while a run trains; every statement is parameterised.
/// </summary>
/// <remarks>
/// Several sweeps share one database (a PostgreSQL database, or a SQLite file), each keyed by its name. A ledger opened
/// without a name (a sweep folder's file) works on the one live sweep the file holds.
/// </remarks>
public sealed class SqlLedger : IRunLedger
{
    /// <summary>A sweep folder's ledger file name.</summary>
    public const string FileName = "ledger.db";

    /// <summary>The schema this program writes (see <see cref="LedgerSchema"/> for the chain).</summary>
    public const int SchemaVersion = LedgerSchema.Version;

    /// <summary>The columns every query of runs selects, in the order <see cref="Read"/> reads them.</summary>
    internal const string Columns = """
        run_id, ordinal, kind, phase, budget, peak_lr, setting, schedule, explore_fraction, seed, payload_json, status, attempts,
        worker, progress, heartbeat_at, started_at, finished_at, error, test_accuracy, validation_accuracy, test_loss, train_loss,
        sharpness, width_max_loss, width_steps, width_converged, train_seconds, width_seconds, result_json, lease_expires_at
        """;

    /// <summary>The checkpoints table's columns in the order <see cref="CheckpointRows"/> reads them.</summary>
    internal const string CheckpointColumns = "run_id, attempt, step, epoch, path, sha256, bytes, created_at";

    /// <summary>Every row of a query that selects <see cref="CheckpointColumns"/>.</summary>
    internal static List<CheckpointRow> CheckpointRows(DbDataReader reader)
    {
        var rows = new List<CheckpointRow>();
        while (reader.Read())
            rows.Add(new CheckpointRow(reader.GetString(0), reader.GetInt32(1), reader.GetInt64(2), reader.GetInt32(3), reader.GetString(4),
                reader.GetString(5), reader.GetInt64(6), reader.GetInt64(7)));
        return rows;
    }

    /// <summary>Rows per INSERT when runs are added (well inside both databases' parameter limits).</summary>
    private const int InsertBatch = 200;

    private readonly SqlDialect _d;
    private readonly TimeProvider? _clock;
    private string? _sweep;
    // The sweep's id once known (0: not yet); read and written atomically, as a heartbeat thread shares the ledger.
    private long _sweepId;

    private SqlLedger(SqlDialect dialect, string? sweep, TimeProvider? clock)
    {
        _d = dialect;
        _sweep = sweep;
        _clock = clock;
        try
        {
            bool created = LedgerSchema.Ensure(dialect);
            (dialect as SqliteDialect)?.Tune(created);
        }
        catch (SqliteException e) when (dialect is SqliteDialect sqlite)
        {
            dialect.Dispose();
            throw sqlite.Unusable(e);
        }
        catch
        {
            dialect.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens (creating if needed, unless <paramref name="readOnly"/>) the ledger in the SQLite file <paramref name="path"/>,
    /// on sweep <paramref name="sweep"/> (null: the one live sweep the file holds). <paramref name="clock"/> stamps leases.
    /// </summary>
    /// <exception cref="LedgerException">The file is not a WideMinima ledger, or one of a newer schema; it is left untouched.</exception>
    public static SqlLedger Sqlite(string path, string? sweep = null, TimeProvider? clock = null, bool readOnly = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new SqlLedger(new SqliteDialect(path, readOnly), sweep, clock);
    }

    /// <summary>
    /// Opens the ledger of sweep <paramref name="sweep"/> in a PostgreSQL database (<paramref name="connectionString"/>
    /// without a password; <paramref name="display"/> names it in messages). <paramref name="clock"/>: null uses the
    /// server's clock for leases and heartbeats.
    /// </summary>
    public static SqlLedger Postgres(string connectionString, string display, string? sweep, TimeProvider? clock = null, bool readOnly = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        return new SqlLedger(new PostgresDialect(connectionString, display, readOnly), sweep, clock);
    }

    /// <inheritdoc />
    public string Description => Sweep is { } name && _d is PostgresDialect ? $"sweep '{name}' in {_d.Description}" : _d.Description;

    /// <summary>The database alone, for messages: a file, or a PostgreSQL database.</summary>
    public string Database => _d.Description;

    /// <inheritdoc />
    public string? Sweep => _sweep ?? _d.Use(c => Name(c));

    /// <inheritdoc />
    public SweepHeader? ReadSweep() => _d.Use(c =>
    {
        if (Name(c) is not { } name) return null;
        using var command = Command(c, null, "SELECT sweep_id, name, kind, definition_json, config_json, created_at, tool_version FROM sweeps WHERE name = @name;");
        Text(command, "@name", name);
        using var reader = command.ExecuteReader();
        if (!reader.Read()) return null;
        Interlocked.Exchange(ref _sweepId, reader.GetInt64(0));
        return new SweepHeader(reader.GetString(1), LedgerText.ParseSweepKind(reader.GetString(2)), reader.GetString(3), reader.GetString(4), reader.GetInt64(5), reader.GetString(6));
    });

    /// <inheritdoc />
    public void CreateSweep(SweepHeader header, IReadOnlyList<NewRun> runs)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentException.ThrowIfNullOrWhiteSpace(header.Name);
        if (_sweep is not null && _sweep != header.Name)
            throw new ArgumentException($"This ledger is opened on sweep '{_sweep}', not '{header.Name}'.", nameof(header));
        CheckRuns(runs);
        Write((c, tx) =>
        {
            using (var insert = Command(c, tx, """
                INSERT INTO sweeps (name, kind, definition_json, config_json, created_at, tool_version)
                VALUES (@name, @kind, @definition, @config, @created, @version) ON CONFLICT (name) DO NOTHING;
                """))
            {
                Text(insert, "@name", header.Name);
                Text(insert, "@kind", header.Kind.ToText());
                Text(insert, "@definition", header.DefinitionJson);
                Text(insert, "@config", header.ConfigJson);
                Long(insert, "@created", header.CreatedAt);
                Text(insert, "@version", header.ToolVersion);
                insert.ExecuteNonQuery();
            }
            long id;
            using (var select = Command(c, tx, "SELECT sweep_id FROM sweeps WHERE name = @name;"))
            {
                Text(select, "@name", header.Name);
                id = Convert.ToInt64(select.ExecuteScalar(), CultureInfo.InvariantCulture);
            }
            Insert(c, tx, id, runs);
            _sweep = header.Name;
            Interlocked.Exchange(ref _sweepId, id);
            return true;
        });
    }

    /// <inheritdoc />
    public void AddRuns(IReadOnlyList<NewRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        CheckRuns(runs);
        Write((c, tx) =>
        {
            long sweep = SweepId(c, tx) ?? throw new InvalidOperationException($"{Description} holds no sweep{(_sweep is null ? "" : $" named '{_sweep}'")} to add runs to.");
            Insert(c, tx, sweep, runs);
            return true;
        });
    }

    /// <inheritdoc />
    public void HoldOpen(TimeSpan lease)
    {
        Positive(lease);
        Write((c, tx) => SweepId(c, tx) is long sweep && Execute(c, tx, $"UPDATE sweeps SET open_until = {_d.Now} + @lease WHERE sweep_id = @sweep;",
            cmd => { Long(cmd, "@lease", (long)lease.TotalMilliseconds); Long(cmd, "@sweep", sweep); Now(cmd); }) == 1);
    }

    /// <inheritdoc />
    public void Close() => Write((c, tx) => SweepId(c, tx) is long sweep
        && Execute(c, tx, "UPDATE sweeps SET open_until = NULL WHERE sweep_id = @sweep;", cmd => Long(cmd, "@sweep", sweep)) == 1);

    // By the sweep's id, as claims are: workers of a sweep renamed by --replace see their own sweep's hold, not the new one's.
    /// <inheritdoc />
    public bool IsOpen() => _d.Use(c =>
    {
        if (SweepId(c, null) is not long sweep) return false;
        using var command = Command(c, null, $"SELECT CASE WHEN open_until > {_d.Now} THEN 1 ELSE 0 END FROM sweeps WHERE sweep_id = @sweep;");
        Long(command, "@sweep", sweep);
        Now(command);
        return Convert.ToInt64(command.ExecuteScalar() ?? 0L, CultureInfo.InvariantCulture) == 1;
    });

    /// <inheritdoc />
    public int RecoverOrphans(Func<string, bool> isWorkerAlive)
    {
        ArgumentNullException.ThrowIfNull(isWorkerAlive);
        return Write((c, tx) => SweepId(c, tx) is long sweep ? Recover(c, tx, sweep, isWorkerAlive, includeExpired: true) : 0);
    }

    /// <inheritdoc />
    public LedgerRun? Claim(string worker, TimeSpan lease, Func<string, bool> isWorkerAlive)
    {
        ArgumentException.ThrowIfNullOrEmpty(worker);
        ArgumentNullException.ThrowIfNull(isWorkerAlive);
        Positive(lease);
        return Write((c, tx) =>
        {
            if (SweepId(c, tx) is not long sweep) return null;
            // Dead local workers first (their leases may still run for minutes); expired leases are taken in the claim itself.
            Recover(c, tx, sweep, isWorkerAlive, includeExpired: false);
            using var command = Command(c, tx, $"""
                UPDATE runs SET status = 'running', worker = @worker, attempts = attempts + 1, progress = 'starting',
                    heartbeat_at = {_d.Now}, started_at = {_d.Now}, finished_at = NULL, error = NULL,
                    lease_ms = @lease, lease_expires_at = {_d.Now} + @lease
                WHERE sweep_id = @sweep AND run_id = (
                    SELECT run_id FROM runs
                    WHERE sweep_id = @sweep AND (status = 'pending' OR (status = 'running' AND lease_expires_at < {_d.Now}))
                    ORDER BY ordinal LIMIT 1 {_d.SkipLocked})
                RETURNING {Columns};
                """);
            Long(command, "@sweep", sweep);
            Text(command, "@worker", worker);
            Long(command, "@lease", (long)lease.TotalMilliseconds);
            Now(command);
            using var reader = command.ExecuteReader();
            return reader.Read() ? Read(reader) : null;
        });
    }

    /// <inheritdoc />
    public bool Heartbeat(RunLease lease, string? progress)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return Write((c, tx) => SweepId(c, tx) is long sweep && Execute(c, tx, $"""
            UPDATE runs SET heartbeat_at = {_d.Now}, lease_expires_at = {_d.Now} + lease_ms, progress = @progress
            WHERE sweep_id = @sweep AND run_id = @id AND worker = @worker AND attempts = @attempt AND status = 'running';
            """, cmd => { Fence(cmd, sweep, lease); Text(cmd, "@progress", progress); Now(cmd); }) == 1);
    }

    /// <inheritdoc />
    public bool Complete(RunLease lease, RunOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(outcome);
        if (!outcome.Status.IsFinished()) throw new ArgumentException($"'{outcome.Status.ToText()}' is not a finished status.", nameof(outcome));
        return Write((c, tx) =>
        {
            if (SweepId(c, tx) is not long sweep) return false;
            int changed = Execute(c, tx, $"""
                UPDATE runs SET status = @status, finished_at = {_d.Now}, heartbeat_at = {_d.Now}, progress = NULL, error = @error,
                    lease_expires_at = NULL, {ResultAssignments}
                WHERE sweep_id = @sweep AND run_id = @id AND worker = @worker AND attempts = @attempt AND status = 'running';
                """, cmd => { Fence(cmd, sweep, lease); Now(cmd); Result(cmd, outcome); });
            if (changed == 1) return true;
            // Already recorded by this very claim (a retried call whose answer was lost): true, and nothing changes.
            using var check = Command(c, tx, "SELECT status FROM runs WHERE sweep_id = @sweep AND run_id = @id AND worker = @worker AND attempts = @attempt;");
            Fence(check, sweep, lease);
            return check.ExecuteScalar() is string status && status == outcome.Status.ToText();
        });
    }

    /// <inheritdoc />
    public bool Record(NewRun run, RunOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(outcome);
        if (!outcome.Status.IsFinished()) throw new ArgumentException($"'{outcome.Status.ToText()}' is not a finished status.", nameof(outcome));
        CheckRuns([run]);
        return Write((c, tx) =>
        {
            long sweep = SweepId(c, tx) ?? throw new InvalidOperationException($"{Description} holds no sweep to record a run in.");
            string? status;
            using (var select = Command(c, tx, "SELECT status FROM runs WHERE sweep_id = @sweep AND run_id = @id;"))
            {
                Long(select, "@sweep", sweep);
                Text(select, "@id", run.RunId);
                status = select.ExecuteScalar() as string;
            }
            if (status is not null && LedgerText.ParseStatus(status).IsFinished()) return false;
            if (status is null) Insert(c, tx, sweep, [run]);
            Execute(c, tx, $"""
                UPDATE runs SET status = @status, attempts = attempts + 1, worker = @worker, started_at = {_d.Now}, finished_at = {_d.Now},
                    heartbeat_at = {_d.Now}, progress = NULL, error = @error, lease_expires_at = NULL, {ResultAssignments}
                WHERE sweep_id = @sweep AND run_id = @id;
                """, cmd =>
                {
                    Long(cmd, "@sweep", sweep);
                    Text(cmd, "@id", run.RunId);
                    Text(cmd, "@worker", "in-process");
                    Now(cmd);
                    Result(cmd, outcome);
                });
            return true;
        });
    }

    /// <inheritdoc />
    public void Release(RunLease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        Write((c, tx) => SweepId(c, tx) is long sweep && Execute(c, tx, """
            UPDATE runs SET status = 'pending', progress = NULL, lease_expires_at = NULL
            WHERE sweep_id = @sweep AND run_id = @id AND worker = @worker AND attempts = @attempt AND status = 'running';
            """, cmd => Fence(cmd, sweep, lease)) == 1);
    }

    /// <inheritdoc />
    public int ResetFailed() => Write((c, tx) => SweepId(c, tx) is long sweep
        ? Execute(c, tx, "UPDATE runs SET status = 'pending', worker = NULL, progress = NULL WHERE sweep_id = @sweep AND status = 'failed';", cmd => Long(cmd, "@sweep", sweep))
        : 0);

    /// <inheritdoc />
    public IReadOnlyList<LedgerRun> Runs() => _d.Use<IReadOnlyList<LedgerRun>>(c =>
    {
        if (SweepId(c, null) is not long sweep) return [];
        using var command = Command(c, null, $"SELECT {Columns} FROM runs WHERE sweep_id = @sweep ORDER BY ordinal;");
        Long(command, "@sweep", sweep);
        using var reader = command.ExecuteReader();
        var list = new List<LedgerRun>();
        while (reader.Read()) list.Add(Read(reader));
        return list;
    });

    /// <inheritdoc />
    public void RecordCheckpoint(CheckpointRow checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentException.ThrowIfNullOrEmpty(checkpoint.Path, nameof(checkpoint));
        Write((c, tx) => SweepId(c, tx) is long sweep && Execute(c, tx, """
            INSERT INTO checkpoints (sweep_id, run_id, attempt, step, epoch, path, sha256, bytes, created_at)
            VALUES (@sweep, @id, @attempt, @step, @epoch, @path, @sha, @bytes, @created)
            ON CONFLICT (sweep_id, run_id, path) DO UPDATE SET attempt = excluded.attempt, step = excluded.step, epoch = excluded.epoch,
                sha256 = excluded.sha256, bytes = excluded.bytes, created_at = excluded.created_at;
            """, cmd =>
            {
                Long(cmd, "@sweep", sweep);
                Text(cmd, "@id", checkpoint.RunId);
                Int(cmd, "@attempt", checkpoint.Attempt);
                Long(cmd, "@step", checkpoint.Step);
                Int(cmd, "@epoch", checkpoint.Epoch);
                Text(cmd, "@path", checkpoint.Path);
                Text(cmd, "@sha", checkpoint.Sha256);
                Long(cmd, "@bytes", checkpoint.Bytes);
                Long(cmd, "@created", checkpoint.CreatedAt);
            }) == 1);
    }

    /// <inheritdoc />
    public IReadOnlyList<CheckpointRow> Checkpoints(string runId) => _d.Use<IReadOnlyList<CheckpointRow>>(c =>
    {
        if (SweepId(c, null) is not long sweep) return [];
        using var command = Command(c, null, $"""
            SELECT {CheckpointColumns} FROM checkpoints
            WHERE sweep_id = @sweep AND run_id = @id ORDER BY step DESC, created_at DESC, attempt DESC;
            """);
        Long(command, "@sweep", sweep);
        Text(command, "@id", runId);
        using var reader = command.ExecuteReader();
        return CheckpointRows(reader);
    });

    /// <inheritdoc />
    public bool ForgetCheckpoint(string runId, string path) => Write((c, tx) => SweepId(c, tx) is long sweep
        && Execute(c, tx, "DELETE FROM checkpoints WHERE sweep_id = @sweep AND run_id = @id AND path = @path;",
            cmd => { Long(cmd, "@sweep", sweep); Text(cmd, "@id", runId); Text(cmd, "@path", path); }) == 1);

    /// <inheritdoc />
    public string? ArchiveSweep()
    {
        if (Sweep is not { } name) return null;
        string archived = name + "~archived-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        return Write((c, tx) =>
        {
            int changed = Execute(c, tx, "UPDATE sweeps SET name = @archived WHERE name = @name;", cmd => { Text(cmd, "@archived", archived); Text(cmd, "@name", name); });
            Interlocked.Exchange(ref _sweepId, 0);
            return changed == 1 ? archived : null;
        });
    }

    /// <inheritdoc />
    public IReadOnlyList<string> SweepNames() => _d.Use<IReadOnlyList<string>>(c => Strings(c, null, "SELECT name FROM sweeps ORDER BY sweep_id;"));

    /// <inheritdoc />
    public void Dispose() => _d.Dispose();

    /// <summary>True for the name of a sweep renamed by <see cref="ArchiveSweep"/>.</summary>
    public static bool IsArchived(string name) => name?.Contains("~archived-", StringComparison.Ordinal) ?? throw new ArgumentNullException(nameof(name));

    /// <summary>The sweep's name, found once where it was not given: the one live sweep of the database.</summary>
    private string? Name(DbConnection c, DbTransaction? tx = null) => _sweep ??= LiveSweep(c, tx);

    private string? LiveSweep(DbConnection c, DbTransaction? tx)
    {
        var live = Strings(c, tx, "SELECT name FROM sweeps ORDER BY sweep_id;").Where(n => !IsArchived(n)).ToList();
        return live.Count switch
        {
            0 => null,
            1 => live[0],
            _ => throw new LedgerException($"{_d.Description} holds several sweeps ({string.Join(", ", live)}); name the one you mean with --sweep."),
        };
    }

    private long? SweepId(DbConnection c, DbTransaction? tx)
    {
        long known = Interlocked.Read(ref _sweepId);
        if (known != 0) return known;
        if (Name(c, tx) is not { } name) return null;
        using var command = Command(c, tx, "SELECT sweep_id FROM sweeps WHERE name = @name;");
        Text(command, "@name", name);
        object? found = command.ExecuteScalar();
        if (found is null or DBNull) return null;
        long id = Convert.ToInt64(found, CultureInfo.InvariantCulture);
        Interlocked.Exchange(ref _sweepId, id);
        return id;
    }

    private int Recover(DbConnection c, DbTransaction tx, long sweep, Func<string, bool> isWorkerAlive, bool includeExpired)
    {
        var running = new List<(string Id, int Attempt)>();
        using (var command = Command(c, tx, $"SELECT run_id, worker, attempts, CASE WHEN lease_expires_at < {_d.Now} THEN 1 ELSE 0 END FROM runs WHERE sweep_id = @sweep AND status = 'running';"))
        {
            Long(command, "@sweep", sweep);
            Now(command);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                bool expired = !reader.IsDBNull(3) && Convert.ToInt64(reader.GetValue(3), CultureInfo.InvariantCulture) == 1;
                if ((includeExpired && expired) || !isWorkerAlive(reader.IsDBNull(1) ? "" : reader.GetString(1))) running.Add((reader.GetString(0), reader.GetInt32(2)));
            }
        }
        int recovered = 0;
        foreach (var (id, attempt) in running)
        {
            recovered += Execute(c, tx, """
                UPDATE runs SET status = 'pending', progress = NULL, lease_expires_at = NULL
                WHERE sweep_id = @sweep AND run_id = @id AND attempts = @attempt AND status = 'running';
                """, cmd => { Long(cmd, "@sweep", sweep); Text(cmd, "@id", id); Int(cmd, "@attempt", attempt); });
        }
        return recovered;
    }

    private void Insert(DbConnection c, DbTransaction tx, long sweep, IReadOnlyList<NewRun> runs)
    {
        if (runs.Count == 0) return;
        int next;
        using (var max = Command(c, tx, "SELECT COALESCE(MAX(ordinal) + 1, 0) FROM runs WHERE sweep_id = @sweep;"))
        {
            Long(max, "@sweep", sweep);
            next = Convert.ToInt32(max.ExecuteScalar(), CultureInfo.InvariantCulture);
        }
        for (int start = 0; start < runs.Count; start += InsertBatch)
        {
            var batch = runs.Skip(start).Take(InsertBatch).ToList();
            using var insert = Command(c, tx, "");
            var values = new List<string>(batch.Count);
            for (int i = 0; i < batch.Count; i++)
            {
                var r = batch[i];
                string p = "@r" + i.ToString(CultureInfo.InvariantCulture);
                values.Add($"(@sweep, {p}id, {p}ordinal, {p}kind, {p}phase, {p}budget, {p}peak, {p}setting, {p}schedule, {p}explore, {p}seed, {p}payload, 'pending')");
                Text(insert, p + "id", r.RunId);
                Int(insert, p + "ordinal", r.Ordinal ?? next++);
                Text(insert, p + "kind", r.Kind.ToText());
                Text(insert, p + "phase", r.Phase.ToText());
                Double(insert, p + "budget", r.Budget);
                Double(insert, p + "peak", r.PeakLr);
                Text(insert, p + "setting", r.Setting);
                Text(insert, p + "schedule", r.Schedule);
                Double(insert, p + "explore", r.ExploreFraction);
                Int(insert, p + "seed", r.Seed);
                Text(insert, p + "payload", r.PayloadJson);
            }
            Long(insert, "@sweep", sweep);
            insert.CommandText = $"""
                INSERT INTO runs (sweep_id, run_id, ordinal, kind, phase, budget, peak_lr, setting, schedule, explore_fraction, seed, payload_json, status)
                VALUES {string.Join(",\n", values)}
                ON CONFLICT (sweep_id, run_id) DO NOTHING;
                """;
            insert.ExecuteNonQuery();
        }
    }

    /// <summary>The result columns a finished run sets, the same for <see cref="Complete"/> and <see cref="Record"/>.</summary>
    private const string ResultAssignments = """
        test_accuracy = @acc, validation_accuracy = @val_acc, test_loss = @test_loss, train_loss = @train_loss,
        sharpness = @sharpness, width_max_loss = @max_loss, width_steps = @steps, width_converged = @converged,
        train_seconds = @train_seconds, width_seconds = @width_seconds, result_json = @json
        """;

    private void Result(DbCommand cmd, RunOutcome outcome)
    {
        var r = outcome.Record;
        Text(cmd, "@status", outcome.Status.ToText());
        Text(cmd, "@error", outcome.Error);
        Double(cmd, "@acc", r?.TestAccuracy);
        Double(cmd, "@val_acc", r?.ValidationAccuracy);
        Double(cmd, "@test_loss", r?.TestLoss);
        Double(cmd, "@train_loss", r?.TrainLoss);
        Double(cmd, "@sharpness", r?.Width?.Sharpness);
        Double(cmd, "@max_loss", r?.Width?.MaxLoss);
        _d.Parameter(cmd, "@steps", r?.Width?.Steps, DbType.Int32);
        _d.Parameter(cmd, "@converged", r?.Width?.Converged, DbType.Boolean);
        Double(cmd, "@train_seconds", r?.TrainSeconds);
        Double(cmd, "@width_seconds", r?.WidthSeconds);
        Text(cmd, "@json", outcome.ResultJson);
    }

    internal static LedgerRun Read(DbDataReader r) => new()
    {
        RunId = r.GetString(0),
        Ordinal = r.GetInt32(1),
        Kind = LedgerText.ParseKind(r.GetString(2)),
        Phase = LedgerText.ParsePhase(r.GetString(3)),
        Budget = ReadDouble(r, 4) ?? 1,
        PeakLr = ReadDouble(r, 5),
        Setting = r.GetString(6),
        Schedule = r.GetString(7),
        ExploreFraction = ReadDouble(r, 8),
        Seed = r.GetInt32(9),
        PayloadJson = r.GetString(10),
        Status = LedgerText.ParseStatus(r.GetString(11)),
        Attempts = r.GetInt32(12),
        Worker = r.IsDBNull(13) ? null : r.GetString(13),
        Progress = r.IsDBNull(14) ? null : r.GetString(14),
        HeartbeatAt = ReadLong(r, 15),
        StartedAt = ReadLong(r, 16),
        FinishedAt = ReadLong(r, 17),
        Error = r.IsDBNull(18) ? null : r.GetString(18),
        TestAccuracy = ReadDouble(r, 19),
        ValidationAccuracy = ReadDouble(r, 20),
        TestLoss = ReadDouble(r, 21),
        TrainLoss = ReadDouble(r, 22),
        Sharpness = ReadDouble(r, 23),
        WidthMaxLoss = ReadDouble(r, 24),
        WidthSteps = r.IsDBNull(25) ? null : r.GetInt32(25),
        WidthConverged = r.IsDBNull(26) ? null : r.GetBoolean(26),
        TrainSeconds = ReadDouble(r, 27),
        WidthSeconds = ReadDouble(r, 28),
        ResultJson = r.IsDBNull(29) ? null : r.GetString(29),
        LeaseExpiresAt = ReadLong(r, 30),
    };

    /// <summary>A stored double: a number, or the text SQLite keeps for NaN and the infinities (see <see cref="SqliteDialect"/>).</summary>
    internal static double? ReadDouble(DbDataReader r, int i) => r.GetValue(i) switch
    {
        DBNull => null,
        double d => d,
        string s => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture),
        var other => Convert.ToDouble(other, CultureInfo.InvariantCulture),
    };

    private static long? ReadLong(DbDataReader r, int i) => r.IsDBNull(i) ? null : Convert.ToInt64(r.GetValue(i), CultureInfo.InvariantCulture);

    /// <summary>Runs <paramref name="work"/> in one write transaction (the dialect's), committing when it returns.</summary>
    private T Write<T>(Func<DbConnection, DbTransaction, T> work)
    {
        if (_d.ReadOnly) throw new InvalidOperationException($"{_d.Description} is open read-only.");
        return _d.Use(c =>
        {
            using var tx = _d.BeginWrite(c);
            T result = work(c, tx);
            tx.Commit();
            return result;
        });
    }

    private void Fence(DbCommand cmd, long sweep, RunLease lease)
    {
        Long(cmd, "@sweep", sweep);
        Text(cmd, "@id", lease.RunId);
        Text(cmd, "@worker", lease.Worker);
        Int(cmd, "@attempt", lease.Attempt);
    }

    /// <summary>The injected clock's time, or the database's own (null, where it has a server clock), or this machine's.</summary>
    private void Now(DbCommand cmd) =>
        Long(cmd, "@now", _clock?.GetUtcNow().ToUnixTimeMilliseconds() ?? (_d.HasServerClock ? null : DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));

    private void Text(DbCommand cmd, string name, string? value) => _d.Parameter(cmd, name, value, DbType.String);

    private void Long(DbCommand cmd, string name, long? value) => _d.Parameter(cmd, name, value, DbType.Int64);

    private void Int(DbCommand cmd, string name, int? value) => _d.Parameter(cmd, name, value, DbType.Int32);

    private void Double(DbCommand cmd, string name, double? value) => _d.Parameter(cmd, name, value, DbType.Double);

    private static void Positive(TimeSpan lease)
    {
        if (lease <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(lease), lease, "A lease must be positive.");
    }

    private static void CheckRuns(IReadOnlyList<NewRun> runs)
    {
        foreach (var r in runs)
        {
            ArgumentNullException.ThrowIfNull(r, nameof(runs));
            ArgumentException.ThrowIfNullOrWhiteSpace(r.RunId, nameof(runs));
            ArgumentException.ThrowIfNullOrWhiteSpace(r.Setting, nameof(runs));
            ArgumentException.ThrowIfNullOrWhiteSpace(r.Schedule, nameof(runs));
            ArgumentNullException.ThrowIfNull(r.PayloadJson, nameof(runs));
            if (!double.IsFinite(r.Budget) || r.Budget <= 0 || r.Budget > 1)
                throw new ArgumentOutOfRangeException(nameof(runs), r.Budget, $"Run '{r.RunId}': a budget is a share of the epochs in (0, 1].");
        }
    }
}
