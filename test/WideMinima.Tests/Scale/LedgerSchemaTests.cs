using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using WideMinima.Ledger;
using WideMinima.Sweeps.Config;

namespace WideMinima.Tests.Scale;

/// <summary>Opening a ledger: an older schema is migrated, a newer one or a foreign database is refused untouched.</summary>
[TestClass]
public sealed class LedgerSchemaTests
{
    [TestMethod]
    public void A_version_1_sqlite_ledger_is_migrated_and_its_running_runs_keep_the_old_3_minute_lease()
    {
        string path = Path.Combine(TestFolders.New("v1"), SqlLedger.FileName);
        using (var db = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            db.Open();
            using var command = db.CreateCommand();
            // The version 1 schema as released, with one run done and one left running.
            command.CommandText = """
                CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE sweep (id INTEGER PRIMARY KEY CHECK (id = 1), definition_json TEXT NOT NULL, config_json TEXT NOT NULL, created_at INTEGER NOT NULL, tool_version TEXT NOT NULL);
                CREATE TABLE runs (run_id TEXT PRIMARY KEY, ordinal INTEGER NOT NULL, setting TEXT NOT NULL, schedule TEXT NOT NULL, explore_fraction REAL,
                    seed INTEGER NOT NULL, schedule_options_json TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed', 'diverged')), attempts INTEGER NOT NULL DEFAULT 0,
                    worker TEXT, progress TEXT, heartbeat_at INTEGER, started_at INTEGER, finished_at INTEGER, error TEXT,
                    test_accuracy REAL, test_loss REAL, train_loss REAL, sharpness REAL, width_max_loss REAL, width_steps INTEGER, width_converged INTEGER,
                    train_seconds REAL, width_seconds REAL, result_json TEXT);
                INSERT INTO meta VALUES ('schema_version', '1');
                INSERT INTO runs (run_id, ordinal, setting, schedule, seed, schedule_options_json, status, attempts, worker, heartbeat_at, test_accuracy)
                VALUES ('a', 0, 's', 'cosine', 1, '{}', 'done', 1, 'h/1/1', 1000, 0.9),
                       ('b', 1, 's', 'cosine', 2, '{}', 'running', 1, 'h/1/1', 5000, NULL);
                """;
            command.ExecuteNonQuery();
        }
        using var ledger = SqlLedger.Sqlite(path);
        var runs = ledger.Runs();
        Assert.AreEqual(0.9, runs[0].TestAccuracy);
        Assert.AreEqual(5000 + 180_000, runs[1].LeaseExpiresAt);
        Assert.IsFalse(ledger.Complete(new RunLease("b", "h/1/1", 2), new RunOutcome(RunStatus.Failed, null, "x")), "fencing applies to migrated runs");
        Assert.IsTrue(ledger.Complete(runs[1].Lease, new RunOutcome(RunStatus.Failed, null, "x")));
        using var db2 = new SqliteConnection($"Data Source={path};Pooling=false");
        db2.Open();
        using var version = db2.CreateCommand();
        version.CommandText = "SELECT value FROM meta WHERE key = 'schema_version';";
        Assert.AreEqual(SqlLedger.SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), version.ExecuteScalar());
        Assert.IsFalse(ledger.IsOpen(), "a migrated sweep is held open by nobody");
    }

    [TestMethod]
    public void A_version_1_postgres_ledger_is_migrated_in_place_keeping_its_runs()
    {
        var server = PostgresServer.Shared;
        var location = server.NewDatabase();
        // A real version 1 database, written by the version of that time (Fixtures/Ledgers/README.md).
        server.Sql(location.Database, File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Ledgers", "postgres-v1.sql")));
        Assert.AreEqual(1, server.Scalar(location.Database, "SELECT max(version) FROM schema_version;"));

        using (var migrated = Ledgers.Postgres(location, "pg-a"))
        {
            Assert.AreEqual((long)SqlLedger.SchemaVersion, Convert.ToInt64(server.Scalar(location.Database, "SELECT max(version) FROM schema_version;"), System.Globalization.CultureInfo.InvariantCulture));
            var runs = migrated.Runs();
            StringAssert.Contains(runs.Single(r => r.RunId == "constant-s1").Error, "already exists", "the runs recorded under version 1 are kept");
            Assert.IsFalse(migrated.IsOpen(), "a migrated sweep is held open by nobody");
            migrated.HoldOpen(TimeSpan.FromMinutes(1));
            Assert.IsTrue(migrated.IsOpen());
            Assert.IsNotNull(migrated.Claim("w", TimeSpan.FromMinutes(1), _ => true), "the migrated queue still hands out runs");
        }
        // A second program opening it finds the current version and changes nothing.
        Ledgers.Postgres(location, "pg-a").Dispose();
        Assert.AreEqual(1L, server.Scalar(location.Database, "SELECT count(*) FROM schema_version;"));
    }

    [TestMethod]
    public void A_garbage_file_a_foreign_sqlite_database_and_a_newer_schema_are_refused_untouched()
    {
        string folder = TestFolders.New("bad-sqlite");
        string garbage = Path.Combine(folder, "garbage.db");
        File.WriteAllBytes(garbage, [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 7 % 251))]);
        Refused(garbage, "cannot be used as a sweep ledger");

        string foreign = Path.Combine(folder, "foreign.db");
        using (var db = new SqliteConnection($"Data Source={foreign};Pooling=false"))
        {
            db.Open();
            using var command = db.CreateCommand();
            command.CommandText = "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices VALUES (1, 9.5);";
            command.ExecuteNonQuery();
        }
        Refused(foreign, "not a WideMinima sweep ledger");

        string newer = Path.Combine(folder, "newer.db");
        SqlLedger.Sqlite(newer).Dispose();
        using (var db = new SqliteConnection($"Data Source={newer};Pooling=false"))
        {
            db.Open();
            using var command = db.CreateCommand();
            command.CommandText = "UPDATE meta SET value = '99' WHERE key = 'schema_version'; PRAGMA wal_checkpoint(TRUNCATE);";
            command.ExecuteNonQuery();
        }
        Refused(newer, "schema version 99, newer");

        static void Refused(string path, string expected)
        {
            string before = Hash(path);
            var e = Assert.ThrowsExactly<LedgerException>(() => SqlLedger.Sqlite(path).Dispose());
            StringAssert.Contains(e.Message, path);
            StringAssert.Contains(e.Message, expected);
            Assert.AreEqual(before, Hash(path), "the file is left untouched");
        }
    }

    [TestMethod]
    public void A_postgres_database_with_other_tables_or_a_newer_schema_is_refused_untouched()
    {
        var server = PostgresServer.Shared;
        var foreign = server.NewDatabase();
        server.Sql(foreign.Database, "CREATE TABLE invoices (id integer PRIMARY KEY, total numeric); INSERT INTO invoices VALUES (1, 9.5);");
        var e = Assert.ThrowsExactly<LedgerException>(() => Ledgers.Postgres(foreign, "s").Dispose());
        StringAssert.Contains(e.Message, foreign.Display);
        StringAssert.Contains(e.Message, "invoices");
        Assert.AreEqual(1L, server.Scalar(foreign.Database, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public';"), "nothing was created");

        var newer = server.NewDatabase();
        Ledgers.Postgres(newer, "s").Dispose();
        server.Sql(newer.Database, "UPDATE schema_version SET version = 99;");
        var e2 = Assert.ThrowsExactly<LedgerException>(() => Ledgers.Postgres(newer, "s").Dispose());
        StringAssert.Contains(e2.Message, newer.Display);
        StringAssert.Contains(e2.Message, "schema version 99");
        Assert.AreEqual(99, server.Scalar(newer.Database, "SELECT version FROM schema_version;"));
    }

    [TestMethod]
    public void Several_sweeps_share_one_database_and_several_processes_may_create_its_schema_at_once()
    {
        var location = PostgresServer.Shared.NewDatabase();
        var opened = Enumerable.Range(0, 4).Select(i => Task.Run(() => Ledgers.Postgres(location, $"s{i}"))).ToArray();
        Task.WaitAll(opened);
        var ledgers = opened.Select(t => t.Result).ToList();
        try
        {
            var a = Ledgers.Config(name: "s0");
            var b = Ledgers.Config(seeds: 1, name: "s1");
            ledgers[0].CreateSweep(Ledgers.Header(a), WideMinima.Sweeps.Planning.SweepPlanner.Plan(a));
            ledgers[1].CreateSweep(Ledgers.Header(b), WideMinima.Sweeps.Planning.SweepPlanner.Plan(b));
            Assert.HasCount(6, ledgers[0].Runs());
            Assert.HasCount(3, ledgers[1].Runs());
            Assert.IsEmpty(ledgers[2].Runs());
            Assert.IsNull(ledgers[2].Claim("w", TimeSpan.FromMinutes(1), _ => true), "a sweep that does not exist has nothing to claim");
            var run = ledgers[1].Claim("w", TimeSpan.FromMinutes(1), _ => true)!;
            Assert.IsTrue(ledgers[1].Complete(run.Lease, FakeExecutor.Outcome(run)));
            Assert.IsTrue(ledgers[0].Runs().All(r => r.Status == RunStatus.Pending), "the other sweep is untouched");
            CollectionAssert.AreEqual(new[] { "s0", "s1" }, ledgers[3].SweepNames().ToArray());
        }
        finally
        {
            ledgers.ForEach(l => l.Dispose());
        }
    }

    [TestMethod]
    public void Workers_need_only_the_least_privilege_role_of_docs_scale_out()
    {
        var server = PostgresServer.Shared;
        var location = server.NewDatabase();
        var config = Ledgers.Config(name: "lp");
        using (var owner = Ledgers.Postgres(location, "lp"))
            owner.CreateSweep(Ledgers.Header(config), WideMinima.Sweeps.Planning.SweepPlanner.Plan(config));
        string role = "w_" + location.Database;
        // The grants of docs/scale-out.md, for a role of this test's own.
        server.Sql(location.Database, $"""
            CREATE ROLE {role} LOGIN;
            REVOKE ALL ON SCHEMA public FROM PUBLIC;
            GRANT USAGE ON SCHEMA public TO {role};
            GRANT SELECT ON schema_version, sweeps TO {role};
            GRANT SELECT, UPDATE ON runs TO {role};
            GRANT SELECT, INSERT, UPDATE, DELETE ON checkpoints TO {role};
            """);
        var asWorker = LedgerLocation.Parse($"postgresql://{role}@127.0.0.1:{server.Port}/{location.Database}");
        using var ledger = Ledgers.Postgres(asWorker, "lp");
        Assert.IsNotNull(ledger.ReadSweep());
        var run = ledger.Claim("w", TimeSpan.FromMinutes(1), _ => true)!;
        Assert.IsTrue(ledger.Heartbeat(run.Lease, "epoch 1/1"));
        ledger.RecordCheckpoint(new CheckpointRow(run.RunId, 1, 5, 1, "/c1", "aa", 1, 1));
        ledger.RecordCheckpoint(new CheckpointRow(run.RunId, 1, 5, 1, "/c1", "bb", 1, 2));
        Assert.IsTrue(ledger.ForgetCheckpoint(run.RunId, "/c1"));
        Assert.IsTrue(ledger.Complete(run.Lease, FakeExecutor.Outcome(run)));
        Assert.AreEqual(1, ledger.RecoverOrphans(_ => true) + ledger.Runs().Count(r => r.Status == RunStatus.Done));
        var e = Assert.ThrowsExactly<LedgerException>(() => Ledgers.Postgres(asWorker, "other").CreateSweep(Ledgers.Header(config with { Name = "other" }), []));
        StringAssert.Contains(e.Message, "42501", "registering a sweep is the owner's: permission denied");
    }

    [TestMethod]
    public void A_different_sweep_under_the_same_name_is_refused_unless_replaced_and_then_archived_under_a_new_name()
    {
        var location = PostgresServer.Shared.NewDatabase();
        var target = LedgerTarget.Postgres(location, "same-name", null);
        var config = Ledgers.Config(name: "same-name");
        WideMinima.Sweeps.Execution.SweepFolder.Prepare(target, config, replace: false);
        WideMinima.Sweeps.Execution.SweepFolder.Prepare(target, config with { Workers = 5 }, replace: false); // the same definition: fine
        var e = Assert.ThrowsExactly<WideMinima.Sweeps.Config.SweepConfigException>(
            () => WideMinima.Sweeps.Execution.SweepFolder.Prepare(target, config with { Seeds = 3 }, replace: false));
        StringAssert.Contains(e.Message, "different sweep named 'same-name'");
        StringAssert.Contains(e.Message, "seeds");
        StringAssert.Contains(e.Message, "--name");
        var (_, runs) = WideMinima.Sweeps.Execution.SweepFolder.Prepare(target, config with { Seeds = 3 }, replace: true);
        Assert.AreEqual(9, runs);
        using var ledger = Ledgers.Postgres(location, "same-name");
        var names = ledger.SweepNames();
        Assert.HasCount(2, names);
        Assert.IsTrue(names[0].StartsWith("same-name~archived-", StringComparison.Ordinal), names[0]);
        Assert.HasCount(9, ledger.Runs());
        using var archived = Ledgers.Postgres(location, names[0]);
        Assert.HasCount(6, archived.Runs(), "the old sweep is kept, renamed");
    }

    [TestMethod]
    public void Ledger_uris_are_parsed_and_a_password_in_them_is_refused_and_never_echoed()
    {
        var uri = LedgerLocation.Parse("postgresql://sweeper@db.example.org:6543/sweeps?sslmode=require");
        Assert.AreEqual("postgresql://sweeper@db.example.org:6543/sweeps", uri.Display);
        StringAssert.Contains(uri.ConnectionString, "Port=6543");
        var cs = LedgerLocation.Parse("Host=db;Username=u;Database=d");
        Assert.AreEqual("postgresql://u@db:5432/d", cs.Display);

        var e = Assert.ThrowsExactly<WideMinima.Sweeps.Config.SweepConfigException>(() => LedgerLocation.Parse("postgresql://u:hunter2@db/d"));
        StringAssert.Contains(e.Message, "PGPASSWORD");
        Assert.DoesNotContain("hunter2", e.Message);
        var e2 = Assert.ThrowsExactly<WideMinima.Sweeps.Config.SweepConfigException>(() => LedgerLocation.Parse("Host=db;Database=d;Password=hunter2"));
        Assert.DoesNotContain("hunter2", e2.Message);
        Assert.ThrowsExactly<WideMinima.Sweeps.Config.SweepConfigException>(() => LedgerLocation.Parse("postgresql://u@db"));
        Assert.ThrowsExactly<WideMinima.Sweeps.Config.SweepConfigException>(() => LedgerLocation.Parse("postgresql://u@db/d?bogus=1"));
    }

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));
}
