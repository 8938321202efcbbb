using System.Globalization;
using Microsoft.Data.Sqlite;
using WideMinima.Ledger;
using WideMinima.Reports;

namespace WideMinima.Tests.Scale;

/// <summary>
/// Ledgers written by earlier versions (real files, Fixtures/Ledgers/README.md says which version wrote each and how)
/// migrate in place to the one schema, keep every run, read back the numbers the old version reported, and resume.
/// </summary>
[TestClass]
public sealed class LedgerMigrationTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "Ledgers", name);

    /// <summary>A fresh copy of a fixture (opening one writes beside it).</summary>
    private static string Copy(string name)
    {
        string path = Path.Combine(TestFolders.New("migrate"), SqlLedger.FileName);
        File.Copy(Fixture(name), path);
        return path;
    }

    [TestMethod]
    [DataRow("sqlite-v1", 1)]
    [DataRow("sqlite-v2", 2)]
    [DataRow("sqlite-v3", 3)]
    [DataRow("sqlite-v4", 4)]
    [DataRow("sqlite-v3-diverged", 3)]
    [DataRow("sqlite-v4-diverged", 4)]
    public void An_old_sqlite_ledger_migrates_in_place_and_reads_back_what_its_version_reported(string name, int version)
    {
        string path = Copy(name + ".db");
        Assert.AreEqual(version.ToString(CultureInfo.InvariantCulture), SqliteScalar(path, "SELECT value FROM meta WHERE key = 'schema_version';"));
        using (var ledger = SqlLedger.Sqlite(path))
        {
            Assert.AreEqual(name.Replace("sqlite-", "fixture-", StringComparison.Ordinal), ledger.Sweep, "the sweep is named as its config names it");
            var header = ledger.ReadSweep()!;
            Assert.AreEqual(SweepKind.Sweep, header.Kind);
            var runs = ledger.Runs();
            CollectionAssert.AreEqual(new[] { "knee-e0-s1", "knee-e0.5-s1", "cosine-s1", "constant-s1", "knee-e0-s2", "knee-e0.5-s2", "cosine-s2", "constant-s2" },
                runs.Select(r => r.RunId).ToArray(), "every run, in plan order");
            Assert.IsTrue(runs.All(r => r.Kind == RunKind.Run && r.Phase == RunPhase.Final && r.Budget == 1), "old runs are a sweep's final, full-budget runs");
            Assert.IsTrue(runs.All(r => r.PeakLr is > 0), "the peak rate is read out of each run's schedule");
            AssertSameAsReported(runs, File.ReadAllLines(Fixture(name + ".results.csv")));
        }
        Assert.AreEqual(SqlLedger.SchemaVersion.ToString(CultureInfo.InvariantCulture), SqliteScalar(path, "SELECT value FROM meta WHERE key = 'schema_version';"),
            "the version is where earlier programs read it, so they refuse the file by its number");
    }

    [TestMethod]
    [DataRow("sqlite-v1")]
    [DataRow("sqlite-v2")]
    [DataRow("sqlite-v4")]
    public void A_migrated_sweep_resumes_where_its_killed_version_left_it(string name)
    {
        using var ledger = SqlLedger.Sqlite(Copy(name + ".db"));
        var before = ledger.Runs();
        var running = before.Single(r => r.Status == RunStatus.Running);
        Assert.AreEqual("knee-e0.5-s2", running.RunId);
        // Its worker was killed: gone from this machine, so the run is taken over at once.
        Assert.AreEqual(1, ledger.RecoverOrphans(_ => false));
        var claimed = new List<string>();
        while (ledger.Claim("w", TimeSpan.FromMinutes(1), _ => true) is { } run)
        {
            claimed.Add(run.RunId);
            Assert.IsTrue(ledger.Complete(run.Lease, FakeExecutor.Outcome(run)));
        }
        CollectionAssert.AreEqual(new[] { "knee-e0.5-s2", "cosine-s2", "constant-s2" }, claimed.ToArray(), "the unfinished runs, in plan order; finished ones are kept");
        var after = ledger.Runs();
        foreach (var r in before.Where(r => r.Status.IsFinished()))
            Assert.AreEqual(r, after.Single(a => a.RunId == r.RunId), $"{r.RunId} is untouched");
        Assert.AreEqual(2, after.Single(r => r.RunId == "knee-e0.5-s2").Attempts, "the fencing token continues from the old attempt");
    }

    [TestMethod]
    public void A_version_2_running_runs_checkpoint_is_still_found_by_its_row()
    {
        using var ledger = SqlLedger.Sqlite(Copy("sqlite-v2.db"));
        var row = ledger.Checkpoints("knee-e0.5-s2").Single();
        Assert.AreEqual(10, row.Step);
        Assert.AreEqual(1, row.Epoch);
        Assert.AreEqual(120_491, row.Bytes);
        string file = Fixture(Path.Combine("sqlite-v2.checkpoints", "knee-e0.5-s2", "attempt1-step0000000010.wmckpt"));
        Assert.AreEqual(row.Sha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(file))), "the row still describes the file it was written for");
    }

    [TestMethod]
    public void Old_postgres_databases_of_both_versions_migrate_in_place_keeping_sweep_ids_kinds_and_numbers()
    {
        var server = PostgresServer.Shared;
        foreach (var (dump, sweeps) in new[] { ("postgres-v1", new[] { "pg-a", "pg-b" }), ("postgres-v2", new[] { "pg-a", "pg-b", "pg-tune", "pg-tune-killed" }) })
        {
            var location = server.NewDatabase();
            server.Sql(location.Database, File.ReadAllText(Fixture(dump + ".sql")));
            var ids = Ids();
            foreach (var sweep in sweeps)
            {
                using var ledger = Ledgers.Postgres(location, sweep);
                var runs = ledger.Runs();
                Assert.IsNotEmpty(runs, $"{dump}: {sweep} keeps its runs");
                if (sweep.StartsWith("pg-tune", StringComparison.Ordinal))
                {
                    Assert.AreEqual(SweepKind.Tuning, ledger.ReadSweep()!.Kind, $"{dump}: {sweep}");
                    Assert.IsTrue(runs.All(r => r.Kind == (r.RunId.StartsWith("tune-final-", StringComparison.Ordinal) ? RunKind.FinalFit : RunKind.TuneJob)), $"{dump}: {sweep}'s kinds come from its run ids");
                }
                else
                {
                    Assert.AreEqual(SweepKind.Sweep, ledger.ReadSweep()!.Kind);
                    AssertSameAsReported(runs, File.ReadAllLines(Fixture($"{dump}.{sweep}.results.csv")));
                }
            }
            CollectionAssert.AreEqual(ids, Ids(), $"{dump}: the sweeps keep their ids");
            Assert.AreEqual(SqlLedger.SchemaVersion, server.Scalar(location.Database, "SELECT max(version) FROM schema_version;"));

            Dictionary<string, long> Ids()
            {
                using var connection = new Npgsql.NpgsqlConnection(server.ConnectionString(location.Database));
                connection.Open();
                using var command = new Npgsql.NpgsqlCommand("SELECT name, sweep_id FROM sweeps;", connection);
                using var reader = command.ExecuteReader();
                var map = new Dictionary<string, long>();
                while (reader.Read()) map[reader.GetString(0)] = reader.GetInt64(1);
                return map;
            }
        }
    }

    /// <summary>
    /// Every column the old version wrote to results.csv reads back as it wrote it (the new CSV may add columns): the
    /// accuracies, the losses (a diverged run's NaN included where that version kept it), the width, the errors.
    /// </summary>
    private static void AssertSameAsReported(IReadOnlyList<LedgerRun> runs, string[] reported)
    {
        var oldHeader = reported[0].Split(',');
        var now = ResultsWriter.Csv(runs).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var newHeader = now[0].Split(',');
        Assert.HasCount(reported.Length, now, "one row per run");
        for (int i = 1; i < reported.Length; i++)
        {
            var before = Cells(reported[i]);
            var after = Cells(now[i]);
            for (int c = 0; c < oldHeader.Length; c++)
            {
                int at = Array.IndexOf(newHeader, oldHeader[c]);
                Assert.IsGreaterThanOrEqualTo(0, at, $"column {oldHeader[c]} is still written");
                Assert.AreEqual(before[c], after[at], $"{before[0]}: {oldHeader[c]}");
            }
        }
    }

    /// <summary>The cells of an RFC 4180 line.</summary>
    private static List<string> Cells(string line)
    {
        var cells = new List<string>();
        var cell = new System.Text.StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char ch = line[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < line.Length && line[i + 1] == '"') { cell.Append('"'); i++; }
                else if (ch == '"') quoted = false;
                else cell.Append(ch);
            }
            else if (ch == '"') quoted = true;
            else if (ch == ',') { cells.Add(cell.ToString()); cell.Clear(); }
            else cell.Append(ch);
        }
        cells.Add(cell.ToString());
        return cells;
    }

    private static object? SqliteScalar(string path, string sql)
    {
        using var db = new SqliteConnection($"Data Source={path};Pooling=false");
        db.Open();
        using var command = db.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
