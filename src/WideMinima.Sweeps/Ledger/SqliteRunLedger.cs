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
/// either the old or the new state, never half of one.
/// </summary>
public sealed class SqliteRunLedger : IRunLedger
{
    /// <summary>The ledger's file name inside a sweep folder.</summary>
    public const string FileName = "ledger.db";

    /// <summary>The schema this program writes. 1: the first; 2: the checkpoints table.</summary>
    private const int SchemaVersion = 2;
    private readonly SqliteConnection _connection;

    /// <summary>Opens (creating if needed) the ledger at <paramref name="path"/>.</summary>
    public SqliteRunLedger(string path)
    {
        Path = path;
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = 60,
        }.ToString());
        _connection.Open();
        Execute("PRAGMA journal_mode=WAL;");
        Execute("PRAGMA busy_timeout=60000;");
        Execute("PRAGMA synchronous=NORMAL;");
        using var tx = _connection.BeginTransaction();
        Execute("""
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS sweep (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                definition_json TEXT NOT NULL,
                config_json TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                tool_version TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS runs (
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
                result_json TEXT);
            CREATE INDEX IF NOT EXISTS runs_status ON runs (status, ordinal);
            """, tx);
        // Version 2 adds the checkpoints table; a version-1 ledger.db gains it here and opens as before.
        Execute("""
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
            """, tx);
        Execute("INSERT INTO meta (key, value) VALUES ('schema_version', $v) ON CONFLICT (key) DO UPDATE SET value = $v WHERE CAST(value AS INTEGER) < $n;",
            tx, ("$v", SchemaVersion.ToString(CultureInfo.InvariantCulture)), ("$n", SchemaVersion));
        tx.Commit();
    }

    /// <summary>The ledger file.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public SweepHeader? ReadSweep()
    {
        using var command = Command("SELECT definition_json, config_json, created_at, tool_version FROM sweep WHERE id = 1;");
        using var reader = command.ExecuteReader();
        return reader.Read() ? new SweepHeader(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3)) : null;
    }

    /// <inheritdoc />
    public void CreateSweep(SweepHeader header, IReadOnlyList<PlannedRun> runs)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(runs);
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
            options.Value = JsonSerializer.Serialize(r.ScheduleOptions, Schedules.ScheduleJson.Options);
            insert.ExecuteNonQuery();
        }
        tx.Commit();
    }

    /// <inheritdoc />
    public int RecoverOrphans(Func<string, bool> isWorkerAlive, TimeSpan staleAfter)
    {
        ArgumentNullException.ThrowIfNull(isWorkerAlive);
        using var tx = _connection.BeginTransaction();
        int recovered = RecoverOrphans(tx, isWorkerAlive, staleAfter);
        tx.Commit();
        return recovered;
    }

    /// <inheritdoc />
    public LedgerRun? Claim(string worker, Func<string, bool> isWorkerAlive, TimeSpan staleAfter)
    {
        ArgumentNullException.ThrowIfNull(isWorkerAlive);
        using var tx = _connection.BeginTransaction();
        RecoverOrphans(tx, isWorkerAlive, staleAfter);
        string? runId;
        using (var next = Command("SELECT run_id FROM runs WHERE status = 'pending' ORDER BY ordinal LIMIT 1;", tx))
            runId = next.ExecuteScalar() as string;
        if (runId is null)
        {
            tx.Commit();
            return null;
        }
        long now = Now();
        Execute("""
            UPDATE runs SET status = 'running', worker = $worker, attempts = attempts + 1, progress = 'starting',
                heartbeat_at = $now, started_at = $now, finished_at = NULL, error = NULL
            WHERE run_id = $id AND status = 'pending';
            """, tx, ("$worker", worker), ("$now", now), ("$id", runId));
        var claimed = Select("WHERE run_id = $id", tx, ("$id", runId)).Single();
        tx.Commit();
        return claimed;
    }

    /// <inheritdoc />
    public void Heartbeat(string runId, string worker, string? progress)
    {
        using var tx = _connection.BeginTransaction();
        Execute("UPDATE runs SET heartbeat_at = $now, progress = $progress WHERE run_id = $id AND worker = $worker AND status = 'running';",
            tx, ("$now", Now()), ("$progress", progress), ("$id", runId), ("$worker", worker));
        tx.Commit();
    }

    /// <inheritdoc />
    public bool Complete(string runId, string worker, RunOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (!outcome.Status.IsFinished()) throw new ArgumentException($"'{outcome.Status.ToText()}' is not a finished status.", nameof(outcome));
        var r = outcome.Record;
        using var tx = _connection.BeginTransaction();
        int changed = Execute("""
            UPDATE runs SET status = $status, finished_at = $now, heartbeat_at = $now, progress = NULL, error = $error,
                test_accuracy = $acc, test_loss = $test_loss, train_loss = $train_loss,
                sharpness = $sharpness, width_max_loss = $max_loss, width_steps = $steps, width_converged = $converged,
                train_seconds = $train_seconds, width_seconds = $width_seconds, result_json = $json
            WHERE run_id = $id AND worker = $worker AND status = 'running';
            """, tx,
            ("$status", outcome.Status.ToText()), ("$now", Now()), ("$error", outcome.Error),
            ("$acc", r?.TestAccuracy), ("$test_loss", r?.TestLoss), ("$train_loss", r?.TrainLoss),
            ("$sharpness", r?.Width?.Sharpness), ("$max_loss", r?.Width?.MaxLoss), ("$steps", r?.Width?.Steps),
            ("$converged", r?.Width is { } w ? (w.Converged ? 1 : 0) : null),
            ("$train_seconds", r?.TrainSeconds), ("$width_seconds", r?.WidthSeconds),
            ("$json", r is null ? null : JsonSerializer.Serialize(r, SweepConfigJson.Options)),
            ("$id", runId), ("$worker", worker));
        tx.Commit();
        return changed == 1;
    }

    /// <inheritdoc />
    public void Release(string runId, string worker)
    {
        using var tx = _connection.BeginTransaction();
        Execute("UPDATE runs SET status = 'pending', progress = NULL WHERE run_id = $id AND worker = $worker AND status = 'running';",
            tx, ("$id", runId), ("$worker", worker));
        tx.Commit();
    }

    /// <inheritdoc />
    public int ResetFailed()
    {
        using var tx = _connection.BeginTransaction();
        int n = Execute("UPDATE runs SET status = 'pending', worker = NULL, progress = NULL WHERE status = 'failed';", tx);
        tx.Commit();
        return n;
    }

    /// <inheritdoc />
    public IReadOnlyList<LedgerRun> Runs() => Select("", null);

    /// <inheritdoc />
    public void RecordCheckpoint(CheckpointRow checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        using var tx = _connection.BeginTransaction();
        Execute("""
            INSERT INTO checkpoints (run_id, attempt, step, epoch, path, sha256, bytes, created_at)
            VALUES ($id, $attempt, $step, $epoch, $path, $sha, $bytes, $created)
            ON CONFLICT (run_id, path) DO UPDATE SET attempt = $attempt, step = $step, epoch = $epoch, sha256 = $sha, bytes = $bytes, created_at = $created;
            """, tx, ("$id", checkpoint.RunId), ("$attempt", checkpoint.Attempt), ("$step", checkpoint.Step), ("$epoch", checkpoint.Epoch),
            ("$path", checkpoint.Path), ("$sha", checkpoint.Sha256), ("$bytes", checkpoint.Bytes), ("$created", checkpoint.CreatedAt));
        tx.Commit();
    }

    /// <inheritdoc />
    public IReadOnlyList<CheckpointRow> Checkpoints(string runId)
    {
        using var command = Command("""
            SELECT run_id, attempt, step, epoch, path, sha256, bytes, created_at FROM checkpoints
            WHERE run_id = $id ORDER BY step DESC, created_at DESC, rowid DESC;
            """, null, ("$id", runId));
        using var reader = command.ExecuteReader();
        var rows = new List<CheckpointRow>();
        while (reader.Read())
            rows.Add(new CheckpointRow(reader.GetString(0), reader.GetInt32(1), reader.GetInt64(2), reader.GetInt32(3), reader.GetString(4),
                reader.GetString(5), reader.GetInt64(6), reader.GetInt64(7)));
        return rows;
    }

    /// <inheritdoc />
    public bool ForgetCheckpoint(string runId, string path)
    {
        using var tx = _connection.BeginTransaction();
        int n = Execute("DELETE FROM checkpoints WHERE run_id = $id AND path = $path;", tx, ("$id", runId), ("$path", path));
        tx.Commit();
        return n == 1;
    }

    /// <inheritdoc />
    public void Dispose() => _connection.Dispose();

    private int RecoverOrphans(SqliteTransaction tx, Func<string, bool> isWorkerAlive, TimeSpan staleAfter)
    {
        long staleBefore = Now() - (long)staleAfter.TotalMilliseconds;
        var orphans = new List<string>();
        using (var running = Command("SELECT run_id, worker, heartbeat_at FROM runs WHERE status = 'running';", tx))
        using (var reader = running.ExecuteReader())
        {
            while (reader.Read())
            {
                string worker = reader.IsDBNull(1) ? "" : reader.GetString(1);
                long heartbeat = reader.IsDBNull(2) ? 0 : reader.GetInt64(2);
                if (heartbeat < staleBefore || !isWorkerAlive(worker)) orphans.Add(reader.GetString(0));
            }
        }
        foreach (var id in orphans)
            Execute("UPDATE runs SET status = 'pending', progress = NULL WHERE run_id = $id AND status = 'running';", tx, ("$id", id));
        return orphans.Count;
    }

    private List<LedgerRun> Select(string where, SqliteTransaction? tx, params (string, object?)[] parameters)
    {
        using var command = Command($"""
            SELECT run_id, ordinal, setting, schedule, explore_fraction, seed, status, attempts, worker, progress,
                   heartbeat_at, started_at, finished_at, error, test_accuracy, test_loss, train_loss, sharpness,
                   width_max_loss, width_steps, width_converged, train_seconds, width_seconds, result_json, schedule_options_json
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
            });
        }
        return list;
    }

    private static T? Nullable<T>(SqliteDataReader reader, int i) where T : struct => reader.IsDBNull(i) ? null : reader.GetFieldValue<T>(i);

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private SqliteCommand Command(string sql, SqliteTransaction? tx = null, params (string Name, object? Value)[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
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
