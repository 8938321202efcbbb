using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using static WideMinima.Ledger.SqlDialect;

namespace WideMinima.Ledger;

/// <summary>
/// The ledger's one schema and its one numbered migration chain, for every database.
/// </summary>
/// <remarks>
/// <para>The chain: 1, the first SQLite ledger; 2, checkpoints; 3, leases (a lease and expiry per run, for fencing);
/// 4, a sweep's <c>open_until</c> (a tuning holds its sweep open while it adds jobs); 5, one schema for SQLite and
/// PostgreSQL: a <c>sweeps</c> table in both (several sweeps per file too), runs keyed by sweep, a run's
/// <c>kind</c> (run, tune-job, final-fit) and <c>payload_json</c> instead of reusing the schedule column and id
/// prefixes, and the fair verdict's <c>phase</c>, <c>budget</c>, <c>peak_lr</c> and <c>validation_accuracy</c>.</para>
/// <para>PostgreSQL ledgers began at 3 (with a sweeps table), numbered 1 and 2 in their own table at the time:
/// <see cref="PostgresDialect.StoredVersion"/> reads those as 3 and 4. Steps up to 5 are therefore the legacy
/// paths of each database; every later step is one set of statements for both. Each database keeps its version where
/// its earlier programs look for it, so they refuse a newer ledger by its number rather than as a foreign one.</para>
/// <para>A migration runs inside the schema lock's transaction: all of it or nothing.</para>
/// </remarks>
internal static class LedgerSchema
{
    /// <summary>The version this program writes.</summary>
    public const int Version = 5;

    /// <summary>The tables of version 5, for either database.</summary>
    private static string Tables(SqlDialect d) => $"""
        CREATE TABLE sweeps (
            sweep_id {d.AutoId},
            name text NOT NULL UNIQUE,
            kind text NOT NULL DEFAULT 'sweep' CHECK (kind IN ('sweep', 'tuning')),
            definition_json text NOT NULL,
            config_json text NOT NULL,
            created_at bigint NOT NULL,
            tool_version text NOT NULL,
            open_until bigint);
        {RunsTable}
        CREATE INDEX runs_queue ON runs (sweep_id, status, ordinal);
        {CheckpointsTable}
        """;

    private const string RunsTable = """
        CREATE TABLE runs (
            sweep_id bigint NOT NULL REFERENCES sweeps (sweep_id),
            run_id text NOT NULL,
            ordinal integer NOT NULL,
            kind text NOT NULL DEFAULT 'run' CHECK (kind IN ('run', 'tune-job', 'final-fit')),
            phase text NOT NULL DEFAULT 'final' CHECK (phase IN ('final', 'calibration')),
            budget double precision NOT NULL DEFAULT 1,
            peak_lr double precision,
            setting text NOT NULL,
            schedule text NOT NULL,
            explore_fraction double precision,
            seed integer NOT NULL,
            payload_json text NOT NULL,
            status text NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed', 'diverged')),
            attempts integer NOT NULL DEFAULT 0,
            worker text,
            progress text,
            heartbeat_at bigint,
            started_at bigint,
            finished_at bigint,
            error text,
            test_accuracy double precision,
            validation_accuracy double precision,
            test_loss double precision,
            train_loss double precision,
            sharpness double precision,
            width_max_loss double precision,
            width_steps integer,
            width_converged boolean,
            train_seconds double precision,
            width_seconds double precision,
            result_json text,
            lease_ms bigint,
            lease_expires_at bigint,
            PRIMARY KEY (sweep_id, run_id));
        """;

    private const string CheckpointsTable = """
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
        """;

    /// <summary>
    /// Checks the database before anything is written: creates the schema in an empty one, migrates an older one,
    /// and refuses a newer one or one that holds other tables, leaving it untouched. A read-only ledger must already
    /// be at this version. Returns true when the schema was created.
    /// </summary>
    public static bool Ensure(SqlDialect d) => d.Use(c =>
    {
        using var tx = d.ReadOnly ? null : d.BeginWrite(c);
        if (tx is not null) d.LockSchema(c, tx);
        var tables = d.Tables(c, tx);
        int? version = d.StoredVersion(c, tx, tables);
        if (version is null && tables.Count > 0) throw new LedgerException(d.Foreign(tables));
        if (version > Version)
            throw new LedgerException($"{d.Description} holds a ledger of schema version {version}, newer than this program's {Version}; it was left untouched. Use the newer wideminima that wrote it.");
        if (tx is null)
        {
            if (version is null) throw new LedgerException($"{d.Description} holds no WideMinima ledger yet.");
            if (version < Version)
                throw new LedgerException($"{d.Description} holds a ledger of schema version {version}, older than this program's {Version}; reading it needs an upgrade, which a read-only view does not do. Run 'wideminima status' on it once (it upgrades the ledger in place), then try again.");
            return false;
        }
        if (version is null)
        {
            Execute(c, tx, Tables(d));
            d.WriteVersion(c, tx, Version);
        }
        else if (version < Version)
        {
            Migrate(d, c, tx, version.Value);
        }
        tx.Commit();
        return version is null;
    });

    private static void Migrate(SqlDialect d, DbConnection c, DbTransaction tx, int from)
    {
        // Steps 2 to 4 exist only in SQLite files (PostgreSQL ledgers began at 3); step 4 is the last legacy step of both.
        bool sqlite = d is SqliteDialect;
        if (from < 2 && sqlite)
        {
            Execute(c, tx, """
                CREATE TABLE IF NOT EXISTS checkpoints (run_id TEXT NOT NULL, attempt INTEGER NOT NULL, step INTEGER NOT NULL, epoch INTEGER NOT NULL,
                    path TEXT NOT NULL, sha256 TEXT NOT NULL, bytes INTEGER NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (run_id, path));
                """);
        }
        if (from < 3 && sqlite)
        {
            // Versions 1 and 2 judged runs by heartbeat age with a fixed 3 minutes; the same lease, stored per run.
            var columns = d.Columns(c, tx, "runs");
            if (!columns.Contains("lease_ms")) Execute(c, tx, "ALTER TABLE runs ADD COLUMN lease_ms INTEGER;");
            if (!columns.Contains("lease_expires_at")) Execute(c, tx, "ALTER TABLE runs ADD COLUMN lease_expires_at INTEGER;");
            Execute(c, tx, "UPDATE runs SET lease_ms = 180000, lease_expires_at = heartbeat_at + 180000 WHERE status = 'running' AND lease_expires_at IS NULL;");
        }
        if (from < 4)
        {
            // A sweep of an older ledger was planned in full: nobody holds it open.
            string table = sqlite ? "sweep" : "sweeps";
            if (!d.Columns(c, tx, table).Contains("open_until")) Execute(c, tx, $"ALTER TABLE {table} ADD COLUMN open_until bigint;");
        }
        if (from < 5) Unify(d, c, tx, sqlite);
        d.WriteVersion(c, tx, Version);
    }

    /// <summary>Step 5: the one schema. SQLite's single-sweep tables are rebuilt keyed by sweep; PostgreSQL's gain the new columns.</summary>
    private static void Unify(SqlDialect d, DbConnection c, DbTransaction tx, bool sqlite)
    {
        if (sqlite)
        {
            var sweep = ReadLegacySweep(c, tx);
            Execute(c, tx, $"""
                ALTER TABLE runs RENAME TO runs_v4;
                ALTER TABLE checkpoints RENAME TO checkpoints_v4;
                {Tables(d)}
                """);
            // A file whose sweep row is missing (its creation was interrupted) keeps its runs under a placeholder sweep.
            if (sweep is null && HasRows(c, tx, "runs_v4")) sweep = new LegacySweep("sweep", "{}", "{}", 0, "?", null);
            if (sweep is { } s)
            {
                using var insert = Command(c, tx, """
                    INSERT INTO sweeps (sweep_id, name, definition_json, config_json, created_at, tool_version, open_until)
                    VALUES (1, @name, @definition, @config, @created, @version, @open);
                    """);
                d.Parameter(insert, "@name", s.Name, DbType.String);
                d.Parameter(insert, "@definition", s.Definition, DbType.String);
                d.Parameter(insert, "@config", s.Config, DbType.String);
                d.Parameter(insert, "@created", s.CreatedAt, DbType.Int64);
                d.Parameter(insert, "@version", s.ToolVersion, DbType.String);
                d.Parameter(insert, "@open", s.OpenUntil, DbType.Int64);
                insert.ExecuteNonQuery();
                Execute(c, tx, """
                    INSERT INTO runs (sweep_id, run_id, ordinal, setting, schedule, explore_fraction, seed, payload_json, status, attempts,
                        worker, progress, heartbeat_at, started_at, finished_at, error, test_accuracy, test_loss, train_loss, sharpness,
                        width_max_loss, width_steps, width_converged, train_seconds, width_seconds, result_json, lease_ms, lease_expires_at)
                    SELECT 1, run_id, ordinal, setting, schedule, explore_fraction, seed, schedule_options_json, status, attempts,
                        worker, progress, heartbeat_at, started_at, finished_at, error, test_accuracy, test_loss, train_loss, sharpness,
                        width_max_loss, width_steps, width_converged, train_seconds, width_seconds, result_json, lease_ms, lease_expires_at
                    FROM runs_v4;
                    INSERT INTO checkpoints (sweep_id, run_id, attempt, step, epoch, path, sha256, bytes, created_at)
                    SELECT 1, run_id, attempt, step, epoch, path, sha256, bytes, created_at FROM checkpoints_v4;
                    """);
            }
            Execute(c, tx, "DROP TABLE runs_v4; DROP TABLE checkpoints_v4; DROP TABLE sweep;");
        }
        else
        {
            Execute(c, tx, """
                ALTER TABLE sweeps ADD COLUMN kind text NOT NULL DEFAULT 'sweep' CHECK (kind IN ('sweep', 'tuning'));
                ALTER TABLE runs RENAME COLUMN schedule_options_json TO payload_json;
                ALTER TABLE runs
                    ADD COLUMN kind text NOT NULL DEFAULT 'run' CHECK (kind IN ('run', 'tune-job', 'final-fit')),
                    ADD COLUMN phase text NOT NULL DEFAULT 'final' CHECK (phase IN ('final', 'calibration')),
                    ADD COLUMN budget double precision NOT NULL DEFAULT 1,
                    ADD COLUMN peak_lr double precision,
                    ADD COLUMN validation_accuracy double precision;
                """);
        }
        // Both: what earlier versions told apart by the config and by run-id prefixes is now stored.
        var sweeps = new List<(long Id, string Config)>();
        using (var select = Command(c, tx, "SELECT sweep_id, config_json FROM sweeps;"))
        using (var reader = select.ExecuteReader())
        {
            while (reader.Read()) sweeps.Add((reader.GetInt64(0), reader.GetString(1)));
        }
        foreach (var (id, config) in sweeps)
        {
            if (!IsTuning(config)) continue;
            using var update = Command(c, tx, """
                UPDATE sweeps SET kind = 'tuning' WHERE sweep_id = @sweep;
                UPDATE runs SET kind = 'final-fit' WHERE sweep_id = @sweep AND run_id LIKE 'tune-final-%';
                UPDATE runs SET kind = 'tune-job' WHERE sweep_id = @sweep AND run_id LIKE 'tune-r%';
                """);
            d.Parameter(update, "@sweep", id, DbType.Int64);
            update.ExecuteNonQuery();
        }
        // A run's peak rate was only in its schedule's JSON (ScheduleJson: camelCase).
        var peaks = new List<(long Sweep, string Run, double Peak)>();
        using (var select = Command(c, tx, "SELECT sweep_id, run_id, payload_json FROM runs WHERE kind = 'run';"))
        using (var reader = select.ExecuteReader())
        {
            while (reader.Read())
                if (PeakOf(reader.GetString(2)) is double peak) peaks.Add((reader.GetInt64(0), reader.GetString(1), peak));
        }
        using var set = Command(c, tx, "UPDATE runs SET peak_lr = @peak WHERE sweep_id = @sweep AND run_id = @run;");
        var (pPeak, pSweep, pRun) = (d.Parameter(set, "@peak", null, DbType.Double), d.Parameter(set, "@sweep", null, DbType.Int64), d.Parameter(set, "@run", null, DbType.String));
        foreach (var (sweep, run, peak) in peaks)
        {
            (pPeak.Value, pSweep.Value, pRun.Value) = (peak, sweep, run);
            set.ExecuteNonQuery();
        }
    }

    private sealed record LegacySweep(string Name, string Definition, string Config, long CreatedAt, string ToolVersion, long? OpenUntil);

    private static LegacySweep? ReadLegacySweep(DbConnection c, DbTransaction tx)
    {
        using var command = Command(c, tx, "SELECT definition_json, config_json, created_at, tool_version, open_until FROM sweep WHERE id = 1;");
        using var reader = command.ExecuteReader();
        if (!reader.Read()) return null;
        string config = reader.GetString(1);
        return new LegacySweep(NameOf(config), reader.GetString(0), config, reader.GetInt64(2), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetInt64(4));
    }

    /// <summary>The sweep's name in a stored config (<c>sweep</c> where it has none, as configs default).</summary>
    internal static string NameOf(string configJson)
    {
        using var document = JsonDocument.Parse(configJson);
        return document.RootElement.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString()! : "sweep";
    }

    /// <summary>True when a stored config has a <c>tune:</c> section: the ledger holds a tuning.</summary>
    internal static bool IsTuning(string configJson)
    {
        using var document = JsonDocument.Parse(configJson);
        return document.RootElement.TryGetProperty("tune", out var tune) && tune.ValueKind == JsonValueKind.Object;
    }

    private static double? PeakOf(string payloadJson)
    {
        try
        {
            using var document = JsonDocument.Parse(payloadJson);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("peakLearningRate", out var peak)
                && peak.ValueKind == JsonValueKind.Number ? peak.GetDouble() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool HasRows(DbConnection c, DbTransaction tx, string table)
    {
        using var command = Command(c, tx, $"SELECT COUNT(*) FROM {table};");
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) > 0;
    }
}
