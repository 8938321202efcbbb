using System.Data;
using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace WideMinima.Ledger;

/// <summary>
/// What truly differs between the SQL databases a ledger lives in, and nothing else: how connections are held, the
/// server clock, the claim's row lock, the auto-numbered id, how the schema is locked and inspected, where the schema
/// version is stored, how a non-finite number is written, and how failures are translated. Every statement of the
/// ledger is written once, in <see cref="SqlLedger"/> and <see cref="LedgerSchema"/>, with <c>@name</c> parameters,
/// which Microsoft.Data.Sqlite and Npgsql both accept.
/// </summary>
internal abstract class SqlDialect : IDisposable
{
    /// <summary>The database's kind, for messages: <c>SQLite</c> or <c>PostgreSQL</c>.</summary>
    public abstract string Kind { get; }

    /// <summary>Names the database for messages, never with a password.</summary>
    public abstract string Description { get; }

    /// <summary>True when nothing may be written (the dashboard's connection).</summary>
    public abstract bool ReadOnly { get; }

    /// <summary>The column definition of an auto-numbered primary key.</summary>
    public abstract string AutoId { get; }

    /// <summary>What the claim's sub-select appends so that concurrent claims skip each other's rows ("" where a write lock serialises claims).</summary>
    public abstract string SkipLocked { get; }

    /// <summary>The current time in Unix ms as SQL: the server's clock, or the <c>@now</c> parameter where the database has none (or a clock was injected).</summary>
    public abstract string Now { get; }

    /// <summary>True when <see cref="Now"/> reads the server's clock while <c>@now</c> is null.</summary>
    public abstract bool HasServerClock { get; }

    /// <summary>
    /// SQL for a run's result reduced to the width measures summaries read (<c>{"hessian": ..., "adaptive": ...}</c>, as
    /// JSON text; NULL without a result): the database's JSON functions pick them out, so whole results never leave it.
    /// </summary>
    public abstract string MeasuresOfResult { get; }

    /// <summary>
    /// A query whose one row changes whenever anything in the database changes, for <see cref="LedgerView.Stamp"/>:
    /// SQLite counts the commits of other connections (<c>PRAGMA data_version</c>, free: an aggregate over its runs would
    /// read every row, results and all, as they are stored inline); PostgreSQL aggregates the small columns of runs (its
    /// large results live out of line, so the scan stays cheap).
    /// </summary>
    public abstract string StampQuery { get; }

    /// <summary>Runs <paramref name="work"/> on a connection, translating the database's failures into ledger exceptions.</summary>
    public abstract T Use<T>(Func<DbConnection, T> work);

    /// <summary>Begins a transaction that writes: it takes the database's write lock at once where the database has one.</summary>
    public abstract DbTransaction BeginWrite(DbConnection connection);

    /// <summary>Serialises schema creation and migration between processes opening the same database at once (inside <paramref name="tx"/>).</summary>
    public abstract void LockSchema(DbConnection connection, DbTransaction tx);

    /// <summary>The tables of the ledger's schema, sorted.</summary>
    public abstract List<string> Tables(DbConnection connection, DbTransaction? tx);

    /// <summary>The columns of <paramref name="table"/>.</summary>
    public abstract HashSet<string> Columns(DbConnection connection, DbTransaction tx, string table);

    /// <summary>The schema version on the ledger's one numbered chain (<see cref="LedgerSchema"/>), or null when none is stored.</summary>
    public abstract int? StoredVersion(DbConnection connection, DbTransaction? tx, List<string> tables);

    /// <summary>Stores <paramref name="version"/> where this database's earlier programs look for it, so that they refuse a newer ledger by its number.</summary>
    public abstract void WriteVersion(DbConnection connection, DbTransaction tx, int version);

    /// <summary>A double as a parameter value: exactly the number, or a text for what the database cannot hold as a number.</summary>
    public abstract object DoubleValue(double value);

    /// <summary>The message for a database that holds tables but no ledger.</summary>
    public abstract string Foreign(List<string> tables);

    /// <inheritdoc />
    public abstract void Dispose();

    /// <summary>A command on <paramref name="c"/>, in <paramref name="tx"/> (null: none).</summary>
    public static DbCommand Command(DbConnection c, DbTransaction? tx, string sql)
    {
        var command = c.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        return command;
    }

    /// <summary>Runs a statement with the <paramref name="parameters"/> it is given; the number of rows it changed.</summary>
    public static int Execute(DbConnection c, DbTransaction? tx, string sql, Action<DbCommand>? parameters = null)
    {
        using var command = Command(c, tx, sql);
        parameters?.Invoke(command);
        return command.ExecuteNonQuery();
    }

    /// <summary>Column <paramref name="column"/> of every row a query returns, as text.</summary>
    public static List<string> Strings(DbConnection c, DbTransaction? tx, string sql, int column = 0, Action<DbCommand>? parameters = null)
    {
        using var command = Command(c, tx, sql);
        parameters?.Invoke(command);
        using var reader = command.ExecuteReader();
        var list = new List<string>();
        while (reader.Read()) list.Add(reader.GetString(column));
        return list;
    }

    /// <summary>Adds a typed parameter (a null needs its type for PostgreSQL).</summary>
    public DbParameter Parameter(DbCommand command, string name, object? value, DbType type)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.DbType = type;
        p.Value = value switch
        {
            null => DBNull.Value,
            double d => DoubleValue(d),
            _ => value,
        };
        command.Parameters.Add(p);
        return p;
    }
}

/// <summary>
/// SQLite: one connection per ledger, used under a lock so that a worker's heartbeat thread and its training thread can
/// share it; WAL and a busy timeout let several processes share the file; writes are IMMEDIATE transactions (the file's
/// write lock serialises claims, so the claim needs no row lock). SQLite has no NaN, so NaN and infinities are stored as
/// the texts <c>NaN</c>, <c>Infinity</c> and <c>-Infinity</c> (a REAL column keeps a text it cannot convert) and read
/// back as the same doubles. The schema version lives in the <c>meta</c> table, where every earlier program looks.
/// </summary>
internal sealed class SqliteDialect : SqlDialect
{
    private readonly SqliteConnection _connection;
    private readonly Lock _lock = new();

    public SqliteDialect(string path, bool readOnly)
    {
        Path = path;
        ReadOnly = readOnly;
        if (readOnly && !File.Exists(path)) throw new LedgerException($"'{path}' does not exist: there is no ledger to read.");
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = 60,
        }.ToString());
        try
        {
            _connection.Open();
            using var command = _connection.CreateCommand();
            command.CommandText = "PRAGMA busy_timeout=60000;";
            command.ExecuteNonQuery();
        }
        catch (SqliteException e)
        {
            _connection.Dispose();
            throw Unusable(e);
        }
    }

    /// <summary>The ledger file.</summary>
    public string Path { get; }

    public override string Kind => "SQLite";

    public override string Description => $"'{Path}'";

    public override bool ReadOnly { get; }

    public override string AutoId => "INTEGER PRIMARY KEY";

    public override string SkipLocked => "";

    public override string Now => "@now";

    public override string StampQuery => "PRAGMA data_version;";

    public override string MeasuresOfResult =>
        "CASE WHEN result_json IS NULL THEN NULL ELSE json_object('hessian', json(json_extract(result_json, '$.hessian')), 'adaptive', json(json_extract(result_json, '$.adaptive'))) END";

    public override bool HasServerClock => false;

    public override T Use<T>(Func<DbConnection, T> work)
    {
        lock (_lock)
        {
            return work(_connection);
        }
    }

    /// <summary>An error on opening: the file is not a database we can use (garbage, a directory, no permission).</summary>
    public LedgerException Unusable(SqliteException e) =>
        new($"'{Path}' cannot be used as a sweep ledger: {e.Message.TrimEnd('.')} (SQLite error {e.SqliteErrorCode}); it was left untouched.", e);

    /// <summary>After the schema is in place: WAL (once per file) and the durability every write needs.</summary>
    public void Tune(bool created)
    {
        if (ReadOnly) return;
        using var mode = _connection.CreateCommand();
        mode.CommandText = "PRAGMA journal_mode;";
        if (created || !string.Equals(mode.ExecuteScalar() as string, "wal", StringComparison.OrdinalIgnoreCase))
        {
            mode.CommandText = "PRAGMA journal_mode=WAL;";
            mode.ExecuteNonQuery();
        }
        mode.CommandText = "PRAGMA synchronous=NORMAL;";
        mode.ExecuteNonQuery();
    }

    public override DbTransaction BeginWrite(DbConnection connection) => ((SqliteConnection)connection).BeginTransaction(deferred: false);

    public override void LockSchema(DbConnection connection, DbTransaction tx)
    {
        // The IMMEDIATE transaction the schema is checked in already holds the file's write lock.
    }

    public override List<string> Tables(DbConnection connection, DbTransaction? tx) =>
        Strings(connection, tx, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name;");

    public override HashSet<string> Columns(DbConnection connection, DbTransaction tx, string table) =>
        new(Strings(connection, tx, $"PRAGMA table_info({table});", column: 1), StringComparer.Ordinal);

    public override int? StoredVersion(DbConnection connection, DbTransaction? tx, List<string> tables)
    {
        if (!tables.Contains("meta")) return null;
        using var command = Command(connection, tx, "SELECT value FROM meta WHERE key = 'schema_version';");
        return command.ExecuteScalar() is string text && int.TryParse(text, CultureInfo.InvariantCulture, out int v) ? v : null;
    }

    public override void WriteVersion(DbConnection connection, DbTransaction tx, int version) => Execute(connection, tx, """
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO meta (key, value) VALUES ('schema_version', @v) ON CONFLICT (key) DO UPDATE SET value = @v;
        """, cmd => Parameter(cmd, "@v", version.ToString(CultureInfo.InvariantCulture), DbType.String));

    // The invariant culture writes them "NaN", "Infinity" and "-Infinity", which double.Parse reads back.
    public override object DoubleValue(double value) => double.IsFinite(value) ? value : value.ToString(CultureInfo.InvariantCulture);

    public override string Foreign(List<string> tables) =>
        $"'{Path}' is a SQLite database but not a WideMinima sweep ledger (it holds the tables {string.Join(", ", tables)}); it was left untouched. Use another --out folder.";

    public override void Dispose() => _connection.Dispose();
}

/// <summary>
/// PostgreSQL: a pool of connections (<see cref="NpgsqlDataSource"/>), short transactions, the server's clock for leases
/// (so the workers' clocks need not agree), <c>FOR UPDATE SKIP LOCKED</c> claims, an advisory lock around schema
/// changes, and the version in the <c>schema_version</c> table. A server that cannot be reached raises
/// <see cref="LedgerUnavailableException"/>; anything else that makes the database unusable raises
/// <see cref="LedgerException"/> naming it. Read-only ledgers run every transaction read-only.
/// </summary>
internal sealed class PostgresDialect : SqlDialect
{
    // Serialises schema creation and migration between processes opening the same database at once.
    private const long SchemaLockKey = 0x5769_6465_4d69_6e00; // "WideMin\0"

    private readonly NpgsqlDataSource _source;

    public PostgresDialect(string connectionString, string display, bool readOnly)
    {
        Display = display;
        ReadOnly = readOnly;
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (readOnly) builder.Options = ((builder.Options ?? "") + " -c default_transaction_read_only=on").Trim();
        _source = NpgsqlDataSource.Create(builder.ConnectionString);
    }

    /// <summary>The database as a URI without any password.</summary>
    public string Display { get; }

    public override string Kind => "PostgreSQL";

    public override string Description => $"the PostgreSQL database {Display}";

    public override bool ReadOnly { get; }

    public override string AutoId => "bigserial PRIMARY KEY";

    public override string SkipLocked => "FOR UPDATE SKIP LOCKED";

    public override string Now => "COALESCE(@now, (extract(epoch from now()) * 1000)::bigint)";

    public override string StampQuery => """
        SELECT (SELECT COUNT(*) FROM sweeps), (SELECT COALESCE(SUM(LENGTH(name)), 0) FROM sweeps), (SELECT COALESCE(MAX(open_until), 0) FROM sweeps),
            (SELECT COUNT(*) FROM checkpoints), COUNT(*), COALESCE(SUM(attempts), 0), COALESCE(MAX(heartbeat_at), 0), COALESCE(MAX(finished_at), 0),
            COALESCE(SUM(CASE WHEN status = 'running' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), 0)
        FROM runs;
        """;

    public override string MeasuresOfResult =>
        "CASE WHEN result_json IS NULL THEN NULL ELSE json_build_object('hessian', result_json::json -> 'hessian', 'adaptive', result_json::json -> 'adaptive')::text END";

    public override bool HasServerClock => true;

    public override T Use<T>(Func<DbConnection, T> work)
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
            throw new LedgerUnavailableException($"The PostgreSQL server of {Display} cannot be reached: {e.Message}", e);
        }
        catch (PostgresException e)
        {
            throw new LedgerException($"The PostgreSQL database {Display} refused the ledger: {e.MessageText} (SQLSTATE {e.SqlState}).", e);
        }
        catch (TimeoutException e)
        {
            _source.Clear();
            throw new LedgerUnavailableException($"The PostgreSQL server of {Display} did not answer in time: {e.Message}", e);
        }
    }

    public override DbTransaction BeginWrite(DbConnection connection) => connection.BeginTransaction();

    public override void LockSchema(DbConnection connection, DbTransaction tx) =>
        Execute(connection, tx, "SELECT pg_advisory_xact_lock(@key);", cmd => Parameter(cmd, "@key", SchemaLockKey, DbType.Int64));

    public override List<string> Tables(DbConnection connection, DbTransaction? tx) =>
        Strings(connection, tx, "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name;");

    public override HashSet<string> Columns(DbConnection connection, DbTransaction tx, string table) =>
        new(Strings(connection, tx, "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = @table;",
            parameters: cmd => Parameter(cmd, "@table", table, DbType.String)), StringComparer.Ordinal);

    /// <summary>
    /// Versions 1 and 2 were PostgreSQL's own numbers before the chain was shared: they are the chain's 3 and 4 (the
    /// schema of SQLite's 3 and 4 with a sweeps table). The chain's numbers start at 5 here.
    /// </summary>
    public override int? StoredVersion(DbConnection connection, DbTransaction? tx, List<string> tables)
    {
        if (!tables.Contains("schema_version")) return null;
        using var command = Command(connection, tx, "SELECT max(version) FROM schema_version;");
        return command.ExecuteScalar() switch
        {
            int v when v is 1 or 2 => v + 2,
            int v => v,
            _ => null,
        };
    }

    public override void WriteVersion(DbConnection connection, DbTransaction tx, int version) => Execute(connection, tx, """
        CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL);
        DELETE FROM schema_version;
        INSERT INTO schema_version (version) VALUES (@v);
        """, cmd => Parameter(cmd, "@v", version, DbType.Int32));

    public override object DoubleValue(double value) => value;

    public override string Foreign(List<string> tables) =>
        $"The PostgreSQL database {Display} holds other tables ({string.Join(", ", tables.Take(8))}{(tables.Count > 8 ? ", ..." : "")}) and no WideMinima ledger; it was left untouched. Use an empty database (see docs/scale-out.md).";

    public override void Dispose() => _source.Dispose();
}
