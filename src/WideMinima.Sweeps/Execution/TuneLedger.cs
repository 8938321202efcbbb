using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using WideMinima.Ledger;
using WideMinima.Sweeps.Config;
using WideMinima.Tuning;

namespace WideMinima.Sweeps.Execution;


/// <summary>
/// The tuning ledger: <c>tune.db</c> in the output folder (SQLite, WAL, one transaction per write, as the sweep
/// ledger). It holds the tuning's definition, every finished job and every final fit, so that a tuning killed at any
/// moment (even with <c>kill -9</c>) resumes by replaying finished jobs and training only what is missing.
/// </summary>
public sealed class TuneLedger : ITrialStore, IDisposable
{
    /// <summary>The ledger's file name inside a tuning folder.</summary>
    public const string FileName = "tune.db";

    private readonly SqliteConnection _connection;

    /// <summary>Opens (creating if needed) the ledger at <paramref name="path"/>.</summary>
    public TuneLedger(string path)
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
        Execute("""
            CREATE TABLE IF NOT EXISTS tuning (id INTEGER PRIMARY KEY CHECK (id = 1), definition_json TEXT NOT NULL, config_json TEXT NOT NULL, created_at INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS jobs (job_key TEXT PRIMARY KEY, ordinal INTEGER NOT NULL, job_json TEXT NOT NULL, result_json TEXT NOT NULL, finished_at INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS finals (final_key TEXT PRIMARY KEY, result_json TEXT NOT NULL, finished_at INTEGER NOT NULL);
            """);
    }

    /// <summary>The ledger file.</summary>
    public string Path { get; }

    /// <summary>The stored definition and config, or null for a new ledger.</summary>
    public (string Definition, string Config)? ReadDefinition()
    {
        using var command = Command("SELECT definition_json, config_json FROM tuning WHERE id = 1;");
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetString(0), reader.GetString(1)) : null;
    }

    /// <summary>Records the definition (once).</summary>
    public void WriteDefinition(string definition, string config) =>
        Execute("INSERT INTO tuning (id, definition_json, config_json, created_at) VALUES (1, $d, $c, $t) ON CONFLICT (id) DO NOTHING;",
            ("$d", definition), ("$c", config), ("$t", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));

    /// <inheritdoc />
    public JobResult? Find(TrialJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        using var command = Command("SELECT job_json, result_json FROM jobs WHERE job_key = $k;", ("$k", job.Key));
        using var reader = command.ExecuteReader();
        if (!reader.Read()) return null;
        // The same key must hold the same job: a ledger written by a version whose tuner proposed otherwise is refused, not credited to other settings.
        if (reader.GetString(0) != JsonSerializer.Serialize(job, SweepConfigJson.Options))
            throw new LedgerException($"'{Path}' holds job {job.Key} with other settings than this tuning decides now (it was written by an earlier version, whose tuner proposed otherwise); it was left untouched. Use a new --out folder, or pass --replace to archive it and start again.");
        return JsonSerializer.Deserialize<JobResult>(reader.GetString(1), SweepConfigJson.Options);
    }

    /// <inheritdoc />
    public void Save(TrialJob job, JobResult result)
    {
        ArgumentNullException.ThrowIfNull(job);
        Execute("INSERT OR REPLACE INTO jobs (job_key, ordinal, job_json, result_json, finished_at) VALUES ($k, (SELECT COUNT(*) FROM jobs), $j, $r, $t);",
            ("$k", job.Key), ("$j", JsonSerializer.Serialize(job, SweepConfigJson.Options)), ("$r", JsonSerializer.Serialize(result, SweepConfigJson.Options)),
            ("$t", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
    }

    /// <summary>Finished jobs.</summary>
    public int JobCount() => Convert.ToInt32(Command("SELECT COUNT(*) FROM jobs;").ExecuteScalarAndDispose(), CultureInfo.InvariantCulture);

    /// <summary>A recorded final fit, or null.</summary>
    public FinalFit? FindFinal(int trialId, int seed)
    {
        using var command = Command("SELECT result_json FROM finals WHERE final_key = $k;", ("$k", FinalKey(trialId, seed)));
        return command.ExecuteScalar() is string json ? JsonSerializer.Deserialize<FinalFit>(json, SweepConfigJson.Options) : null;
    }

    /// <summary>Records a final fit.</summary>
    public void SaveFinal(FinalFit fit)
    {
        ArgumentNullException.ThrowIfNull(fit);
        Execute("INSERT OR REPLACE INTO finals (final_key, result_json, finished_at) VALUES ($k, $r, $t);",
            ("$k", FinalKey(fit.TrialId, fit.Seed)), ("$r", JsonSerializer.Serialize(fit, SweepConfigJson.Options)), ("$t", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
    }

    private static string FinalKey(int trialId, int seed) => string.Create(CultureInfo.InvariantCulture, $"t{trialId}:s{seed}");

    /// <inheritdoc />
    public void Dispose() => _connection.Dispose();

    private SqliteCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    private void Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql, parameters);
        command.ExecuteNonQuery();
    }
}

internal static class SqliteCommandExtensions
{
    public static object? ExecuteScalarAndDispose(this SqliteCommand command)
    {
        using (command) return command.ExecuteScalar();
    }
}
