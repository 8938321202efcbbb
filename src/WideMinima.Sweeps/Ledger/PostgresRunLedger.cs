using System.Globalization;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using WideMinima.Sweeps.Config;
using WideMinima.Sweeps.Planning;

namespace WideMinima.Sweeps.Ledger;

/// <summary>
/// The run ledger in a PostgreSQL database, shared by workers on any number of machines. Several sweeps share one
/// database, each keyed by its name. A claim is one short transaction (<c>FOR UPDATE SKIP LOCKED</c>): no transaction
/// stays open while a run trains. Leases and heartbeats use the server's clock, so the workers' clocks need not agree
/// (a test may inject its own clock instead). Connections come from one pool (<see cref="NpgsqlDataSource"/>) and
/// every statement is parameterised. A server that cannot be reached raises <see cref="LedgerUnavailableException"/>;
/// anything else that makes the database unusable raises <see cref="LedgerException"/> naming it.
/// </summary>
public sealed class PostgresRunLedger : IRunLedger
{
    /// <summary>
    /// The schema this program writes, recorded in the <c>schema_version</c> table. 1: the first; 2: the sweep's
    /// <c>open_until</c> (a tuning holds its sweep open while it adds jobs).
    /// </summary>
    public const int SchemaVersion = 2;

    private const string Columns = """
        runs.run_id, runs.ordinal, runs.setting, runs.schedule, runs.explore_fraction, runs.seed, runs.status, runs.attempts,
        runs.worker, runs.progress, runs.heartbeat_at, runs.started_at, runs.finished_at, runs.error, runs.test_accuracy,
        runs.test_loss, runs.train_loss, runs.sharpness, runs.width_max_loss, runs.width_steps, runs.width_converged,
        runs.train_seconds, runs.width_seconds, runs.result_json, runs.schedule_options_json, runs.lease_expires_at
        """;

    // Server time in Unix ms (constant within a transaction), unless the caller's clock is injected as @now.
    private const string NowMs = "COALESCE(@now, (extract(epoch from now()) * 1000)::bigint)";

    // Serialises schema creation and migration between processes opening the same database at once.
    private const long SchemaLockKey = 0x5769_6465_4d69_6e00; // "WideMin\0"

    private readonly NpgsqlDataSource _source;
    private readonly TimeProvider? _clock;
    // The sweep's id once known (0: not yet); read and written atomically, as the heartbeat thread shares the ledger.
    private long _sweepId;

    /// <summary>
    /// Opens the ledger of sweep <paramref name="sweep"/> in the database at <paramref name="location"/>: checks the
    /// schema (creating it in an empty database, migrating an older one, refusing a newer one or a database that holds
    /// other tables). <paramref name="clock"/>: null uses the server's clock for leases and heartbeats.
    /// </summary>
    public PostgresRunLedger(LedgerLocation location, string sweep, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentException.ThrowIfNullOrWhiteSpace(sweep);
        Location = location;
        Sweep = sweep;
        _clock = clock;
        _source = NpgsqlDataSource.Create(location.ConnectionString);
        try
        {
            Use(EnsureSchema);
        }
        catch
        {
            _source.Dispose();
            throw;
        }
    }

    /// <summary>The database.</summary>
    public LedgerLocation Location { get; }

    /// <summary>The sweep's name: its key in the database.</summary>
    public string Sweep { get; }

    /// <inheritdoc />
    public string Description => $"sweep '{Sweep}' in the PostgreSQL database {Location.Display}";

    private bool EnsureSchema(NpgsqlConnection connection)
    {
        using var tx = connection.BeginTransaction();
        Execute(connection, tx, "SELECT pg_advisory_xact_lock(@key);", P("key", SchemaLockKey));
        var tables = new List<string>();
        using (var command = Command(connection, tx, "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name;"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read()) tables.Add(reader.GetString(0));
        }
        int? version = null;
        if (tables.Contains("schema_version"))
        {
            using var command = Command(connection, tx, "SELECT max(version) FROM schema_version;");
            version = command.ExecuteScalar() is int v ? v : null;
        }
        if (version is null && tables.Count > 0)
            throw new LedgerException($"The PostgreSQL database {Location.Display} holds other tables ({string.Join(", ", tables.Take(8))}{(tables.Count > 8 ? ", ..." : "")}) and no WideMinima ledger; it was left untouched. Use an empty database (see docs/scale-out.md).");
        if (version > SchemaVersion)
            throw new LedgerException($"The PostgreSQL database {Location.Display} holds a ledger of schema version {version}, newer than this program's {SchemaVersion}; it was left untouched. Use the newer wideminima-sweeps that wrote it.");
        if (version is null)
        {
            Execute(connection, tx, """
                CREATE TABLE schema_version (version integer NOT NULL);
                CREATE TABLE sweeps (
                    sweep_id bigserial PRIMARY KEY,
                    name text NOT NULL UNIQUE,
                    definition_json text NOT NULL,
                    config_json text NOT NULL,
                    created_at bigint NOT NULL,
                    tool_version text NOT NULL,
                    open_until bigint);
                CREATE TABLE runs (
                    sweep_id bigint NOT NULL REFERENCES sweeps (sweep_id),
                    run_id text NOT NULL,
                    ordinal integer NOT NULL,
                    setting text NOT NULL,
                    schedule text NOT NULL,
                    explore_fraction double precision,
                    seed integer NOT NULL,
                    schedule_options_json text NOT NULL,
                    status text NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed', 'diverged')),
                    attempts integer NOT NULL DEFAULT 0,
                    worker text,
                    progress text,
                    heartbeat_at bigint,
                    started_at bigint,
                    finished_at bigint,
                    error text,
                    test_accuracy double precision, test_loss double precision, train_loss double precision,
                    sharpness double precision, width_max_loss double precision, width_steps integer, width_converged boolean,
                    train_seconds double precision, width_seconds double precision,
                    result_json text,
                    lease_ms bigint,
                    lease_expires_at bigint,
                    PRIMARY KEY (sweep_id, run_id));
                CREATE INDEX runs_queue ON runs (sweep_id, status, ordinal);
                CREATE TABLE checkpoints (
                    sweep_id bigint NOT NULL,
                    run_id text NOT NULL,
                    attempt integer NOT NULL,
                    step bigint NOT NULL,
                    epoch integer NOT NULL,
                    path text NOT NULL,
                    sha256 text NOT NULL,
                    bytes bigint NOT NULL,
                    created_at bigint NOT NULL,
                    PRIMARY KEY (sweep_id, run_id, path),
                    FOREIGN KEY (sweep_id, run_id) REFERENCES runs (sweep_id, run_id));
                """);
            Execute(connection, tx, "INSERT INTO schema_version (version) VALUES (@v);", P("v", SchemaVersion));
        }
        else if (version < SchemaVersion)
        {
            // Step by step, inside this same locked transaction: all or nothing.
            if (version < 2)
            {
                // A sweep of version 1 was planned in full: nobody holds it open.
                Execute(connection, tx, "ALTER TABLE sweeps ADD COLUMN open_until bigint;");
            }
            Execute(connection, tx, "UPDATE schema_version SET version = @v;", P("v", SchemaVersion));
        }
        tx.Commit();
        return true;
    }

    /// <inheritdoc />
    public SweepHeader? ReadSweep() => Use(connection =>
    {
        using var command = Command(connection, null, "SELECT sweep_id, definition_json, config_json, created_at, tool_version FROM sweeps WHERE name = @name;", P("name", Sweep));
        using var reader = command.ExecuteReader();
        if (!reader.Read()) return null;
        Interlocked.Exchange(ref _sweepId, reader.GetInt64(0));
        return new SweepHeader(reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetString(4));
    });

    /// <inheritdoc />
    public void CreateSweep(SweepHeader header, IReadOnlyList<PlannedRun> runs)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(runs);
        Use(connection =>
        {
            using var tx = connection.BeginTransaction();
            Execute(connection, tx, """
                INSERT INTO sweeps (name, definition_json, config_json, created_at, tool_version)
                VALUES (@name, @definition, @config, @created, @version) ON CONFLICT (name) DO NOTHING;
                """, P("name", Sweep), P("definition", header.DefinitionJson), P("config", header.ConfigJson), P("created", header.CreatedAt), P("version", header.ToolVersion));
            long id;
            using (var select = Command(connection, tx, "SELECT sweep_id FROM sweeps WHERE name = @name;", P("name", Sweep)))
                id = (long)select.ExecuteScalar()!;
            // One statement for all runs, parameterised as arrays.
            Execute(connection, tx, """
                INSERT INTO runs (sweep_id, run_id, ordinal, setting, schedule, explore_fraction, seed, schedule_options_json, status)
                SELECT @sweep, r.id, r.ordinal, r.setting, r.schedule, r.explore, r.seed, r.options, 'pending'
                FROM unnest(@ids, @ordinals, @settings, @schedules, @explores, @seeds, @options) AS r (id, ordinal, setting, schedule, explore, seed, options)
                ON CONFLICT (sweep_id, run_id) DO NOTHING;
                """,
                P("sweep", id),
                P("ids", runs.Select(r => r.RunId).ToArray()),
                P("ordinals", runs.Select(r => r.Ordinal).ToArray()),
                P("settings", runs.Select(r => r.Setting).ToArray()),
                P("schedules", runs.Select(r => Config.ConfigNames.Name(r.Schedule)).ToArray()),
                new NpgsqlParameter("explores", NpgsqlDbType.Array | NpgsqlDbType.Double) { Value = runs.Select(r => r.ExploreFraction).ToArray() },
                P("seeds", runs.Select(r => r.Seed).ToArray()),
                P("options", runs.Select(r => r.OptionsJson).ToArray()));
            tx.Commit();
            Interlocked.Exchange(ref _sweepId, id);
            return true;
        });
    }

    /// <summary>
    /// Renames this sweep to <c>NAME~archived-STAMP</c>, keeping all its rows, so that a new sweep of the same name can
    /// be created (<c>run --replace</c>). Returns the archived name, or null when there was no such sweep.
    /// </summary>
    public string? ArchiveSweep()
    {
        string archived = Sweep + "~archived-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        return Use(connection =>
        {
            int changed = Execute(connection, null, "UPDATE sweeps SET name = @archived WHERE name = @name;", P("archived", archived), P("name", Sweep));
            Interlocked.Exchange(ref _sweepId, 0);
            return changed == 1 ? archived : null;
        });
    }

    /// <inheritdoc />
    public void HoldOpen(TimeSpan lease)
    {
        if (lease <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(lease), lease, "A lease must be positive.");
        Use(connection => SweepId(connection) is long sweep && Execute(connection, null, $"UPDATE sweeps SET open_until = {NowMs} + @lease WHERE sweep_id = @sweep;",
            P("lease", (long)lease.TotalMilliseconds), P("sweep", sweep), Now()) == 1);
    }

    /// <inheritdoc />
    public void Close() => Use(connection => SweepId(connection) is long sweep && Execute(connection, null, "UPDATE sweeps SET open_until = NULL WHERE sweep_id = @sweep;", P("sweep", sweep)) == 1);

    // By the sweep's id, as claims are: workers of a sweep renamed by --replace see their own sweep's hold, not the new one's.
    /// <inheritdoc />
    public bool IsOpen() => Use(connection =>
    {
        if (SweepId(connection) is not long sweep) return false;
        using var command = Command(connection, null, $"SELECT open_until > {NowMs} FROM sweeps WHERE sweep_id = @sweep;", P("sweep", sweep), Now());
        return command.ExecuteScalar() is true;
    });

    /// <inheritdoc />
    public int RecoverOrphans(Func<string, bool> isWorkerAlive)
    {
        ArgumentNullException.ThrowIfNull(isWorkerAlive);
        return Use(connection => SweepId(connection) is long sweep ? RecoverOrphans(connection, sweep, isWorkerAlive, includeExpired: true) : 0);
    }

    /// <inheritdoc />
    public LedgerRun? Claim(string worker, TimeSpan lease, Func<string, bool> isWorkerAlive)
    {
        ArgumentException.ThrowIfNullOrEmpty(worker);
        ArgumentNullException.ThrowIfNull(isWorkerAlive);
        if (lease <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(lease), lease, "A lease must be positive.");
        return Use(connection =>
        {
            if (SweepId(connection) is not long sweep) return null;
            // Dead local workers first (their leases may still run for minutes); expired leases are taken in the claim itself.
            RecoverOrphans(connection, sweep, isWorkerAlive, includeExpired: false);
            using var command = Command(connection, null, $"""
                WITH next AS (
                    SELECT run_id FROM runs
                    WHERE sweep_id = @sweep AND (status = 'pending' OR (status = 'running' AND lease_expires_at < {NowMs}))
                    ORDER BY ordinal
                    FOR UPDATE SKIP LOCKED
                    LIMIT 1)
                UPDATE runs SET status = 'running', worker = @worker, attempts = runs.attempts + 1, progress = 'starting',
                    heartbeat_at = {NowMs}, started_at = {NowMs}, finished_at = NULL, error = NULL,
                    lease_ms = @lease, lease_expires_at = {NowMs} + @lease
                FROM next
                WHERE runs.sweep_id = @sweep AND runs.run_id = next.run_id
                RETURNING {Columns};
                """, P("sweep", sweep), P("worker", worker), P("lease", (long)lease.TotalMilliseconds), Now());
            using var reader = command.ExecuteReader();
            return reader.Read() ? Read(reader) : null;
        });
    }

    /// <inheritdoc />
    public bool Heartbeat(RunLease lease, string? progress)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return Use(connection => SweepId(connection) is long sweep && Execute(connection, null, $"""
            UPDATE runs SET heartbeat_at = {NowMs}, lease_expires_at = {NowMs} + lease_ms, progress = @progress
            WHERE sweep_id = @sweep AND run_id = @id AND worker = @worker AND attempts = @attempt AND status = 'running';
            """, P("sweep", sweep), P("id", lease.RunId), P("worker", lease.Worker), P("attempt", lease.Attempt), PText("progress", progress), Now()) == 1);
    }

    /// <inheritdoc />
    public bool Complete(RunLease lease, RunOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(outcome);
        if (!outcome.Status.IsFinished()) throw new ArgumentException($"'{outcome.Status.ToText()}' is not a finished status.", nameof(outcome));
        var r = outcome.Record;
        return Use(connection =>
        {
            if (SweepId(connection) is not long sweep) return false;
            int changed = Execute(connection, null, $"""
                UPDATE runs SET status = @status, finished_at = {NowMs}, heartbeat_at = {NowMs}, progress = NULL, error = @error,
                    lease_expires_at = NULL,
                    test_accuracy = @acc, test_loss = @test_loss, train_loss = @train_loss,
                    sharpness = @sharpness, width_max_loss = @max_loss, width_steps = @steps, width_converged = @converged,
                    train_seconds = @train_seconds, width_seconds = @width_seconds, result_json = @json
                WHERE sweep_id = @sweep AND run_id = @id AND worker = @worker AND attempts = @attempt AND status = 'running';
                """,
                P("status", outcome.Status.ToText()), PText("error", outcome.Error),
                PDouble("acc", r?.TestAccuracy), PDouble("test_loss", r?.TestLoss), PDouble("train_loss", r?.TrainLoss),
                PDouble("sharpness", r?.Width?.Sharpness), PDouble("max_loss", r?.Width?.MaxLoss),
                new NpgsqlParameter("steps", NpgsqlDbType.Integer) { Value = (object?)r?.Width?.Steps ?? DBNull.Value },
                new NpgsqlParameter("converged", NpgsqlDbType.Boolean) { Value = (object?)r?.Width?.Converged ?? DBNull.Value },
                PDouble("train_seconds", r?.TrainSeconds), PDouble("width_seconds", r?.WidthSeconds),
                PText("json", outcome.ResultJson),
                P("sweep", sweep), P("id", lease.RunId), P("worker", lease.Worker), P("attempt", lease.Attempt), Now());
            if (changed == 1) return true;
            // Already recorded by this very claim (a retried call whose answer was lost): true, and nothing changes.
            using var check = Command(connection, null, "SELECT status FROM runs WHERE sweep_id = @sweep AND run_id = @id AND worker = @worker AND attempts = @attempt;",
                P("sweep", sweep), P("id", lease.RunId), P("worker", lease.Worker), P("attempt", lease.Attempt));
            return check.ExecuteScalar() is string status && status == outcome.Status.ToText();
        });
    }

    /// <inheritdoc />
    public void Release(RunLease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        Use(connection => SweepId(connection) is long sweep && Execute(connection, null, """
            UPDATE runs SET status = 'pending', progress = NULL, lease_expires_at = NULL
            WHERE sweep_id = @sweep AND run_id = @id AND worker = @worker AND attempts = @attempt AND status = 'running';
            """, P("sweep", sweep), P("id", lease.RunId), P("worker", lease.Worker), P("attempt", lease.Attempt)) == 1);
    }

    /// <inheritdoc />
    public int ResetFailed() => Use(connection => SweepId(connection) is long sweep
        ? Execute(connection, null, "UPDATE runs SET status = 'pending', worker = NULL, progress = NULL WHERE sweep_id = @sweep AND status = 'failed';", P("sweep", sweep))
        : 0);

    /// <inheritdoc />
    public IReadOnlyList<LedgerRun> Runs() => Use<IReadOnlyList<LedgerRun>>(connection =>
    {
        if (SweepId(connection) is not long sweep) return [];
        using var command = Command(connection, null, $"SELECT {Columns} FROM runs WHERE sweep_id = @sweep ORDER BY ordinal;", P("sweep", sweep));
        using var reader = command.ExecuteReader();
        var list = new List<LedgerRun>();
        while (reader.Read()) list.Add(Read(reader));
        return list;
    });

    /// <inheritdoc />
    public void RecordCheckpoint(CheckpointRow checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        Use(connection => SweepId(connection) is long sweep && Execute(connection, null, """
            INSERT INTO checkpoints (sweep_id, run_id, attempt, step, epoch, path, sha256, bytes, created_at)
            VALUES (@sweep, @id, @attempt, @step, @epoch, @path, @sha, @bytes, @created)
            ON CONFLICT (sweep_id, run_id, path) DO UPDATE SET attempt = @attempt, step = @step, epoch = @epoch, sha256 = @sha, bytes = @bytes, created_at = @created;
            """, P("sweep", sweep), P("id", checkpoint.RunId), P("attempt", checkpoint.Attempt), P("step", checkpoint.Step), P("epoch", checkpoint.Epoch),
            P("path", checkpoint.Path), P("sha", checkpoint.Sha256), P("bytes", checkpoint.Bytes), P("created", checkpoint.CreatedAt)) == 1);
    }

    /// <inheritdoc />
    public IReadOnlyList<CheckpointRow> Checkpoints(string runId) => Use<IReadOnlyList<CheckpointRow>>(connection =>
    {
        if (SweepId(connection) is not long sweep) return [];
        using var command = Command(connection, null, $"""
            SELECT {CheckpointRow.Columns} FROM checkpoints
            WHERE sweep_id = @sweep AND run_id = @id ORDER BY step DESC, created_at DESC, attempt DESC;
            """, P("sweep", sweep), P("id", runId));
        using var reader = command.ExecuteReader();
        return CheckpointRow.ReadAll(reader);
    });

    /// <inheritdoc />
    public bool ForgetCheckpoint(string runId, string path) => Use(connection => SweepId(connection) is long sweep
        && Execute(connection, null, "DELETE FROM checkpoints WHERE sweep_id = @sweep AND run_id = @id AND path = @path;",
            P("sweep", sweep), P("id", runId), P("path", path)) == 1);

    /// <summary>The names of the sweeps in the database, oldest first (for messages).</summary>
    public IReadOnlyList<string> SweepNames() => Use<IReadOnlyList<string>>(connection =>
    {
        using var command = Command(connection, null, "SELECT name FROM sweeps ORDER BY sweep_id;");
        using var reader = command.ExecuteReader();
        var names = new List<string>();
        while (reader.Read()) names.Add(reader.GetString(0));
        return names;
    });

    /// <inheritdoc />
    public void Dispose() => _source.Dispose();

    private int RecoverOrphans(NpgsqlConnection connection, long sweep, Func<string, bool> isWorkerAlive, bool includeExpired)
    {
        var running = new List<(string Id, string Worker, int Attempt, bool Expired)>();
        using (var command = Command(connection, null, $"SELECT run_id, worker, attempts, lease_expires_at < {NowMs} FROM runs WHERE sweep_id = @sweep AND status = 'running';", P("sweep", sweep), Now()))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
                running.Add((reader.GetString(0), reader.IsDBNull(1) ? "" : reader.GetString(1), reader.GetInt32(2), !reader.IsDBNull(3) && reader.GetBoolean(3)));
        }
        int recovered = 0;
        foreach (var (id, worker, attempt, expired) in running)
        {
            if ((includeExpired && expired) || !isWorkerAlive(worker))
            {
                recovered += Execute(connection, null, """
                    UPDATE runs SET status = 'pending', progress = NULL, lease_expires_at = NULL
                    WHERE sweep_id = @sweep AND run_id = @id AND attempts = @attempt AND status = 'running';
                    """, P("sweep", sweep), P("id", id), P("attempt", attempt));
            }
        }
        return recovered;
    }

    private long? SweepId(NpgsqlConnection connection)
    {
        long known = Interlocked.Read(ref _sweepId);
        if (known != 0) return known;
        using var command = Command(connection, null, "SELECT sweep_id FROM sweeps WHERE name = @name;", P("name", Sweep));
        if (command.ExecuteScalar() is not long id) return null;
        Interlocked.Exchange(ref _sweepId, id);
        return id;
    }

    private static LedgerRun Read(NpgsqlDataReader reader) => new()
    {
        RunId = reader.GetString(0),
        Ordinal = reader.GetInt32(1),
        Setting = reader.GetString(2),
        Schedule = ParseSchedule(reader.GetString(3)),
        ExploreFraction = reader.IsDBNull(4) ? null : reader.GetDouble(4),
        Seed = reader.GetInt32(5),
        Status = RunStatusText.Parse(reader.GetString(6)),
        Attempts = reader.GetInt32(7),
        Worker = reader.IsDBNull(8) ? null : reader.GetString(8),
        Progress = reader.IsDBNull(9) ? null : reader.GetString(9),
        HeartbeatAt = reader.IsDBNull(10) ? null : reader.GetInt64(10),
        StartedAt = reader.IsDBNull(11) ? null : reader.GetInt64(11),
        FinishedAt = reader.IsDBNull(12) ? null : reader.GetInt64(12),
        Error = reader.IsDBNull(13) ? null : reader.GetString(13),
        TestAccuracy = reader.IsDBNull(14) ? null : reader.GetDouble(14),
        TestLoss = reader.IsDBNull(15) ? null : reader.GetDouble(15),
        TrainLoss = reader.IsDBNull(16) ? null : reader.GetDouble(16),
        Sharpness = reader.IsDBNull(17) ? null : reader.GetDouble(17),
        WidthMaxLoss = reader.IsDBNull(18) ? null : reader.GetDouble(18),
        WidthSteps = reader.IsDBNull(19) ? null : reader.GetInt32(19),
        WidthConverged = reader.IsDBNull(20) ? null : reader.GetBoolean(20),
        TrainSeconds = reader.IsDBNull(21) ? null : reader.GetDouble(21),
        WidthSeconds = reader.IsDBNull(22) ? null : reader.GetDouble(22),
        ResultJson = reader.IsDBNull(23) ? null : reader.GetString(23),
        ScheduleOptionsJson = reader.GetString(24),
        LeaseExpiresAt = reader.IsDBNull(25) ? null : reader.GetInt64(25),
    };

    /// <summary>Runs <paramref name="work"/> on a pooled connection, translating the server's failures.</summary>
    private T Use<T>(Func<NpgsqlConnection, T> work)
    {
        try
        {
            using var connection = _source.OpenConnection();
            return work(connection);
        }
        catch (NpgsqlException e) when (e.IsTransient || e is not PostgresException)
        {
            // Connections in the pool may all be dead after a server restart: start afresh next time.
            _source.Clear();
            throw new LedgerUnavailableException($"The PostgreSQL server of {Location.Display} cannot be reached: {e.Message}", e);
        }
        catch (PostgresException e)
        {
            throw new LedgerException($"The PostgreSQL database {Location.Display} refused the ledger: {e.MessageText} (SQLSTATE {e.SqlState}).", e);
        }
        catch (TimeoutException e)
        {
            _source.Clear();
            throw new LedgerUnavailableException($"The PostgreSQL server of {Location.Display} did not answer in time: {e.Message}", e);
        }
    }

    private NpgsqlParameter Now() => new("now", NpgsqlDbType.Bigint) { Value = _clock is null ? DBNull.Value : _clock.GetUtcNow().ToUnixTimeMilliseconds() };

    private static NpgsqlParameter<T> P<T>(string name, T value) => new(name, value);

    private static NpgsqlParameter PText(string name, string? value) => new(name, NpgsqlDbType.Text) { Value = (object?)value ?? DBNull.Value };

    private static NpgsqlParameter PDouble(string name, double? value) => new(name, NpgsqlDbType.Double) { Value = (object?)value ?? DBNull.Value };

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection, tx);
        command.Parameters.AddRange(parameters);
        return command;
    }

    private static int Execute(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, params NpgsqlParameter[] parameters)
    {
        using var command = Command(connection, tx, sql, parameters);
        return command.ExecuteNonQuery();
    }

    private static Config.SweepSchedule ParseSchedule(string text) =>
        Config.ConfigNames.TryParse(text, out Config.SweepSchedule schedule) ? schedule
        : throw new InvalidDataException($"The ledger holds an unknown schedule '{text}'.");
}
