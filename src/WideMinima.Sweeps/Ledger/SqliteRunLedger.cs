using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using WideMinima.Sweeps.Config;
using WideMinima.Sweeps.Planning;

namespace WideMinima.Sweeps.Ledger;

/// <summary>
/// The run ledger in one SQLite file in the sweep folder. WAL mode, a busy timeout and short IMMEDIATE
/// transactions let several worker processes share it without "database is locked" failures; every
/// statement is parameterised. A write is one transaction, so a process killed at any moment leaves
/// either the old or the new state, never half of one. One connection per instance, used under a lock,
/// so that a worker's heartbeat thread and its training thread can share the instance.
/// </summary>
public sealed class SqliteRunLedger : IRunLedger
{
    /// <summary>The ledger's file name inside a sweep folder.</summary>
    public const string FileName = "ledger.db";

    /// <summary>The schema this program writes. 1: the first; 2: the checkpoints table; 3: leases (lease_ms, lease_expires_at) for fencing;
    /// 4: the sweep's <c>open_until</c> (a tuning holds its sweep open while it adds jobs).</summary>
    public const int SchemaVersion = 4;

    private readonly SqliteConnection _connection;
    private readonly TimeProvider _clock;
    private readonly Lock _lock = new();

    /// <summary>Opens (creating if needed) the ledger at <paramref name="path"/>; <paramref name="clock"/> stamps leases and heartbeats.</summary>
    /// <exception cref="LedgerException">The file is not a WideMinima ledger, or one of a newer schema; it is left untouched.</exception>
    public SqliteRunLedger(string path, TimeProvider? clock = null)
    {
        Path = path;
        _clock = clock ?? TimeProvider.System;
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = 60,
        }.ToString());
        try
        {
            _connection.Open();
            Execute("PRAGMA busy_timeout=60000;");
            // Look before writing anything: a file that is not ours is refused as it is. The write lock (IMMEDIATE)
            // makes the look and the creation one step for processes opening a new ledger at the same moment.
            bool created;
            using (var tx = _connection.BeginTransaction(deferred: false))
            {
                var tables = new List<string>();
                using (var command = Command("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name;", tx))
                using (var reader = command.ExecuteReader())
                {
                    while (reader.Read()) tables.Add(reader.GetString(0));
                }
                int? version = null;
                if (tables.Contains("meta"))
                {
                    using var command = Command("SELECT value FROM meta WHERE key = 'schema_version';", tx);
                    version = command.ExecuteScalar() is string text && int.TryParse(text, CultureInfo.InvariantCulture, out int v) ? v : null;
                }
                if (tables.Count > 0 && version is null)
                    throw new LedgerException($"'{path}' is a SQLite database but not a WideMinima sweep ledger (it holds the tables {string.Join(", ", tables)}); it was left untouched. Use another --out folder.");
                if (version > SchemaVersion)
                    throw new LedgerException($"'{path}' is a ledger of schema version {version}, newer than this program's {SchemaVersion}; it was left untouched. Use the newer wideminima-sweeps that wrote it.");
                created = version is null;
                if (version is null) CreateSchema(tx);
                else if (version < SchemaVersion) Migrate(tx, version.Value);
                tx.Commit();
            }
            if (created || !string.Equals(Scalar("PRAGMA journal_mode;"), "wal", StringComparison.OrdinalIgnoreCase)) Execute("PRAGMA journal_mode=WAL;");
            Execute("PRAGMA synchronous=NORMAL;");
        }
        catch (SqliteException e)
        {
            _connection.Dispose();
            throw new LedgerException($"'{path}' cannot be used as a sweep ledger: {e.Message.TrimEnd('.')} (SQLite error {e.SqliteErrorCode}); it was left untouched.", e);
        }
        catch
        {
            _connection.Dispose();
            throw;
        }
    }

    /// <summary>The ledger file.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public string Description => $"'{Path}'";

    private void CreateSchema(SqliteTransaction tx)
    {
        Execute("""
            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE sweep (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                definition_json TEXT NOT NULL,
                config_json TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                tool_version TEXT NOT NULL,
                open_until INTEGER);
            CREATE TABLE runs (
                run_id TEXT PRIMARY KEY,
                ordinal INTEGER NOT NULL,
                setting TEXT NOT NULL,
                schedule TEXT NOT NULL,
                explore_fraction REAL,
                seed INTEGER NOT NULL,
                schedule_options_json TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed', 'diverged')),
                attempts INTEGER NOT NULL DEFAULT 0,
                worker TEXT,
                progress TEXT,
                heartbeat_at INTEGER,
                started_at INTEGER,
                finished_at INTEGER,
                error TEXT,
                test_accuracy REAL, test_loss REAL, train_loss REAL,
                sharpness REAL, width_max_loss REAL, width_steps INTEGER, width_converged INTEGER,
                train_seconds REAL, width_seconds REAL,
                result_json TEXT,
                lease_ms INTEGER,
                lease_expires_at INTEGER);
            CREATE INDEX runs_status ON runs (status, ordinal);
            """ + CheckpointsTable, tx);
        Execute("INSERT INTO meta (key, value) VALUES ('schema_version', $v);", tx, ("$v", SchemaVersion.ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>The checkpoints table (schema 2 on): created with a new ledger, and added to an older one by <see cref="Migrate"/>.</summary>
    private const string CheckpointsTable = """
        CREATE TABLE IF NOT EXISTS checkpoints (
            run_id TEXT NOT NULL,
            attempt INTEGER NOT NULL,
            step INTEGER NOT NULL,
            epoch INTEGER NOT NULL,
            path TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            bytes INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (run_id, path));
        """;

    private void Migrate(SqliteTransaction tx, int from)
    {
        if (from < 2)
        {
            Execute(CheckpointsTable, tx);
        }
        if (from < 3)
        {
            // Versions 1 and 2 judged runs by heartbeat age with a fixed 3 minutes; the same lease, stored per run.
            var columns = Columns("runs", tx);
            if (!columns.Contains("lease_ms")) Execute("ALTER TABLE runs ADD COLUMN lease_ms INTEGER;", tx);
            if (!columns.Contains("lease_expires_at")) Execute("ALTER TABLE runs ADD COLUMN lease_expires_at INTEGER;", tx);
            Execute("UPDATE runs SET lease_ms = 180000, lease_expires_at = heartbeat_at + 180000 WHERE status = 'running' AND lease_expires_at IS NULL;", tx);
        }
        if (from < 4 && !Columns("sweep", tx).Contains("open_until"))
        {
            // A sweep of an older ledger was planned in full: nobody holds it open.
            Execute("ALTER TABLE sweep ADD COLUMN open_until INTEGER;", tx);
        }
        Execute("UPDATE meta SET value = $v WHERE key = 'schema_version';", tx, ("$v", SchemaVersion.ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>The columns of <paramref name="table"/> (a migration adds only what is missing, so a half-old file migrates too).</summary>
    private HashSet<string> Columns(string table, SqliteTransaction tx)
    {
        var columns = new HashSet<string>();
        using var info = Command($"PRAGMA table_info({table});", tx);
        using var reader = info.ExecuteReader();
        while (reader.Read()) columns.Add(reader.GetString(1));
        return columns;
    }

    /// <inheritdoc />
    public SweepHeader? ReadSweep()
    {
        lock (_lock)
        {
            using var command = Command("SELECT definition_json, config_json, created_at, tool_version FROM sweep WHERE id = 1;");
            using var reader = command.ExecuteReader();
            return reader.Read() ? new SweepHeader(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3)) : null;
        }
    }

    /// <inheritdoc />
    public void CreateSweep(SweepHeader header, IReadOnlyList<PlannedRun> runs)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(runs);
        lock (_lock)
        {
            using var tx = _connection.BeginTransaction();
            Execute("""
                INSERT INTO sweep (id, definition_json, config_json, created_at, tool_version)
                VALUES (1, $definition, $config, $created, $version)
                ON CONFLICT (id) DO NOTHING;
                """, tx, ("$definition", header.DefinitionJson), ("$config", header.ConfigJson), ("$created", header.CreatedAt), ("$version", header.ToolVersion));
            using var insert = Command("""
                INSERT OR IGNORE INTO runs (run_id, ordinal, setting, schedule, explore_fraction, seed, schedule_options_json, status)
                VALUES ($id, $ordinal, $setting, $schedule, $explore, $seed, $options, 'pending');
                """, tx);
            var id = insert.Parameters.Add("$id", SqliteType.Text);
            var ordinal = insert.Parameters.Add("$ordinal", SqliteType.Integer);
            var setting = insert.Parameters.Add("$setting", SqliteType.Text);
            var schedule = insert.Parameters.Add("$schedule", SqliteType.Text);
            var explore = insert.Parameters.Add("$explore", SqliteType.Real);
            var seed = insert.Parameters.Add("$seed", SqliteType.Integer);
            var options = insert.Parameters.Add("$options", SqliteType.Text);
            foreach (var r in runs)
            {
                id.Value = r.RunId;
                ordinal.Value = r.Ordinal;
                setting.Value = r.Setting;
                schedule.Value = Config.ConfigNames.Name(r.Schedule);
                explore.Value = r.ExploreFraction is double f ? f : DBNull.Value;
                seed.Value = r.Seed;
                options.Value = r.OptionsJson;
                insert.ExecuteNonQuery();
            }
            tx.Commit();
        }
    }

    /// <inheritdoc />
    public void HoldOpen(TimeSpan lease)
    {
        if (lease <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(lease), lease, "A lease must be positive.");
        lock (_lock) Execute("UPDATE sweep SET open_until = $until WHERE id = 1;", null, ("$until", Now() + (long)lease.TotalMilliseconds));
    }

    /// <inheritdoc />
    public void Close()
    {
        lock (_lock) Execute("UPDATE sweep SET open_until = NULL WHERE id = 1;");
    }

    /// <inheritdoc />
    public bool IsOpen()
    {
        lock (_lock)
        {
            using var command = Command("SELECT open_until FROM sweep WHERE id = 1;");
            return command.ExecuteScalar() is long until && until > Now();
        }
    }

    /// <inheritdoc />
    public int RecoverOrphans(Func<string, bool> isWorkerAlive)
    {
        ArgumentNullException.ThrowIfNull(isWorkerAlive);
        lock (_lock)
        {
            using var tx = _connection.BeginTransaction();
            int recovered = RecoverOrphans(tx, isWorkerAlive);
            tx.Commit();
            return recovered;
        }
    }

    /// <inheritdoc />
    public LedgerRun? Claim(string worker, TimeSpan lease, Func<string, bool> isWorkerAlive)
    {
        ArgumentNullException.ThrowIfNull(isWorkerAlive);
        if (lease <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(lease), lease, "A lease must be positive.");
        lock (_lock)
        {
            using var tx = _connection.BeginTransaction();
            RecoverOrphans(tx, isWorkerAlive);
            string? runId;
            using (var next = Command("SELECT run_id FROM runs WHERE status = 'pending' ORDER BY ordinal LIMIT 1;", tx))
                runId = next.ExecuteScalar() as string;
            if (runId is null)
            {
                tx.Commit();
                return null;
            }
            long now = Now();
            long ms = (long)lease.TotalMilliseconds;
            Execute("""
                UPDATE runs SET status = 'running', worker = $worker, attempts = attempts + 1, progress = 'starting',
                    heartbeat_at = $now, started_at = $now, finished_at = NULL, error = NULL,
                    lease_ms = $lease, lease_expires_at = $now + $lease
                WHERE run_id = $id AND status = 'pending';
                """, tx, ("$worker", worker), ("$now", now), ("$lease", ms), ("$id", runId));
            var claimed = Select("WHERE run_id = $id", tx, ("$id", runId)).Single();
            tx.Commit();
            return claimed;
        }
    }

    /// <inheritdoc />
    public bool Heartbeat(RunLease lease, string? progress)
    {
        ArgumentNullException.ThrowIfNull(lease);
        lock (_lock)
        {
            using var tx = _connection.BeginTransaction();
            int changed = Execute("""
                UPDATE runs SET heartbeat_at = $now, lease_expires_at = $now + lease_ms, progress = $progress
                WHERE run_id = $id AND worker = $worker AND attempts = $attempt AND status = 'running';
                """, tx, ("$now", Now()), ("$progress", progress), ("$id", lease.RunId), ("$worker", lease.Worker), ("$attempt", lease.Attempt));
            tx.Commit();
            return changed == 1;
        }
    }

    /// <inheritdoc />
    public bool Complete(RunLease lease, RunOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(outcome);
        if (!outcome.Status.IsFinished()) throw new ArgumentException($"'{outcome.Status.ToText()}' is not a finished status.", nameof(outcome));
        var r = outcome.Record;
        lock (_lock)
        {
            using var tx = _connection.BeginTransaction();
            int changed = Execute("""
                UPDATE runs SET status = $status, finished_at = $now, heartbeat_at = $now, progress = NULL, error = $error,
                    lease_expires_at = NULL,
                    test_accuracy = $acc, test_loss = $test_loss, train_loss = $train_loss,
                    sharpness = $sharpness, width_max_loss = $max_loss, width_steps = $steps, width_converged = $converged,
                    train_seconds = $train_seconds, width_seconds = $width_seconds, result_json = $json
                WHERE run_id = $id AND worker = $worker AND attempts = $attempt AND status = 'running';
                """, tx,
                ("$status", outcome.Status.ToText()), ("$now", Now()), ("$error", outcome.Error),
                ("$acc", r?.TestAccuracy), ("$test_loss", r?.TestLoss), ("$train_loss", r?.TrainLoss),
                ("$sharpness", r?.Width?.Sharpness), ("$max_loss", r?.Width?.MaxLoss), ("$steps", r?.Width?.Steps),
                ("$converged", r?.Width is { } w ? (w.Converged ? 1 : 0) : null),
                ("$train_seconds", r?.TrainSeconds), ("$width_seconds", r?.WidthSeconds),
                ("$json", outcome.ResultJson),
                ("$id", lease.RunId), ("$worker", lease.Worker), ("$attempt", lease.Attempt));
            bool recorded = changed == 1;
            if (!recorded)
            {
                // Already recorded by this very claim (a retried call): still true, and nothing changes.
                using var check = Command("SELECT status FROM runs WHERE run_id = $id AND worker = $worker AND attempts = $attempt;", tx,
                    ("$id", lease.RunId), ("$worker", lease.Worker), ("$attempt", lease.Attempt));
                recorded = check.ExecuteScalar() is string status && status == outcome.Status.ToText();
            }
            tx.Commit();
            return recorded;
        }
    }

    /// <inheritdoc />
    public void Release(RunLease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        lock (_lock)
        {
            using var tx = _connection.BeginTransaction();
            Execute("UPDATE runs SET status = 'pending', progress = NULL, lease_expires_at = NULL WHERE run_id = $id AND worker = $worker AND attempts = $attempt AND status = 'running';",
                tx, ("$id", lease.RunId), ("$worker", lease.Worker), ("$attempt", lease.Attempt));
            tx.Commit();
        }
    }

    /// <inheritdoc />
    public int ResetFailed()
    {
        lock (_lock)
        {
            using var tx = _connection.BeginTransaction();
            int n = Execute("UPDATE runs SET status = 'pending', worker = NULL, progress = NULL WHERE status = 'failed';", tx);
            tx.Commit();
            return n;
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<LedgerRun> Runs()
    {
        lock (_lock) return Select("", null);
    }

    /// <inheritdoc />
    public void RecordCheckpoint(CheckpointRow checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        lock (_lock)
        {
            using var tx = _connection.BeginTransaction();
            Execute("""
                INSERT INTO checkpoints (run_id, attempt, step, epoch, path, sha256, bytes, created_at)
                VALUES ($id, $attempt, $step, $epoch, $path, $sha, $bytes, $created)
                ON CONFLICT (run_id, path) DO UPDATE SET attempt = $attempt, step = $step, epoch = $epoch, sha256 = $sha, bytes = $bytes, created_at = $created;
                """, tx, ("$id", checkpoint.RunId), ("$attempt", checkpoint.Attempt), ("$step", checkpoint.Step), ("$epoch", checkpoint.Epoch),
                ("$path", checkpoint.Path), ("$sha", checkpoint.Sha256), ("$bytes", checkpoint.Bytes), ("$created", checkpoint.CreatedAt));
            tx.Commit();
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<CheckpointRow> Checkpoints(string runId)
    {
        lock (_lock)
        {
            using var command = Command($"""
                SELECT {CheckpointRow.Columns} FROM checkpoints
                WHERE run_id = $id ORDER BY step DESC, created_at DESC, rowid DESC;
                """, null, ("$id", runId));
            using var reader = command.ExecuteReader();
            return CheckpointRow.ReadAll(reader);
        }
    }

    /// <inheritdoc />
    public bool ForgetCheckpoint(string runId, string path)
    {
        lock (_lock)
        {
            using var tx = _connection.BeginTransaction();
            int n = Execute("DELETE FROM checkpoints WHERE run_id = $id AND path = $path;", tx, ("$id", runId), ("$path", path));
            tx.Commit();
            return n == 1;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _connection.Dispose();

    private int RecoverOrphans(SqliteTransaction tx, Func<string, bool> isWorkerAlive)
    {
        long now = Now();
        var orphans = new List<(string Id, long Attempt)>();
        using (var running = Command("SELECT run_id, worker, lease_expires_at, attempts FROM runs WHERE status = 'running';", tx))
        using (var reader = running.ExecuteReader())
        {
            while (reader.Read())
            {
                string worker = reader.IsDBNull(1) ? "" : reader.GetString(1);
                long expires = reader.IsDBNull(2) ? 0 : reader.GetInt64(2);
                if (expires < now || !isWorkerAlive(worker)) orphans.Add((reader.GetString(0), reader.GetInt64(3)));
            }
        }
        foreach (var (id, attempt) in orphans)
            Execute("UPDATE runs SET status = 'pending', progress = NULL, lease_expires_at = NULL WHERE run_id = $id AND attempts = $attempt AND status = 'running';",
                tx, ("$id", id), ("$attempt", attempt));
        return orphans.Count;
    }

    private List<LedgerRun> Select(string where, SqliteTransaction? tx, params (string, object?)[] parameters)
    {
        using var command = Command($"""
            SELECT run_id, ordinal, setting, schedule, explore_fraction, seed, status, attempts, worker, progress,
                   heartbeat_at, started_at, finished_at, error, test_accuracy, test_loss, train_loss, sharpness,
                   width_max_loss, width_steps, width_converged, train_seconds, width_seconds, result_json, schedule_options_json,
                   lease_expires_at
            FROM runs {where} ORDER BY ordinal;
            """, tx, parameters);
        using var reader = command.ExecuteReader();
        var list = new List<LedgerRun>();
        while (reader.Read())
        {
            list.Add(new LedgerRun
            {
                RunId = reader.GetString(0),
                Ordinal = reader.GetInt32(1),
                Setting = reader.GetString(2),
                Schedule = ParseSchedule(reader.GetString(3)),
                ExploreFraction = Nullable<double>(reader, 4),
                Seed = reader.GetInt32(5),
                Status = RunStatusText.Parse(reader.GetString(6)),
                Attempts = reader.GetInt32(7),
                Worker = reader.IsDBNull(8) ? null : reader.GetString(8),
                Progress = reader.IsDBNull(9) ? null : reader.GetString(9),
                HeartbeatAt = Nullable<long>(reader, 10),
                StartedAt = Nullable<long>(reader, 11),
                FinishedAt = Nullable<long>(reader, 12),
                Error = reader.IsDBNull(13) ? null : reader.GetString(13),
                TestAccuracy = Nullable<double>(reader, 14),
                TestLoss = Nullable<double>(reader, 15),
                TrainLoss = Nullable<double>(reader, 16),
                Sharpness = Nullable<double>(reader, 17),
                WidthMaxLoss = Nullable<double>(reader, 18),
                WidthSteps = Nullable<int>(reader, 19),
                WidthConverged = reader.IsDBNull(20) ? null : reader.GetInt64(20) != 0,
                TrainSeconds = Nullable<double>(reader, 21),
                WidthSeconds = Nullable<double>(reader, 22),
                ResultJson = reader.IsDBNull(23) ? null : reader.GetString(23),
                ScheduleOptionsJson = reader.GetString(24),
                LeaseExpiresAt = Nullable<long>(reader, 25),
            });
        }
        return list;
    }

    private static T? Nullable<T>(SqliteDataReader reader, int i) where T : struct => reader.IsDBNull(i) ? null : reader.GetFieldValue<T>(i);

    private long Now() => _clock.GetUtcNow().ToUnixTimeMilliseconds();

    private SqliteCommand Command(string sql, SqliteTransaction? tx = null, params (string Name, object? Value)[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        // SQLite has no NaN (a diverged run's loss): it is stored as NULL, "no number".
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value is double d && double.IsNaN(d) ? DBNull.Value : value ?? DBNull.Value);
        return command;
    }

    private string? Scalar(string sql)
    {
        using var command = Command(sql);
        return command.ExecuteScalar() as string;
    }

    private int Execute(string sql, SqliteTransaction? tx = null, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql, tx, parameters);
        return command.ExecuteNonQuery();
    }

    private static Config.SweepSchedule ParseSchedule(string text) =>
        Config.ConfigNames.TryParse(text, out Config.SweepSchedule schedule) ? schedule
        : throw new InvalidDataException($"The ledger holds an unknown schedule '{text}'.");
}
