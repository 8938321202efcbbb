using System.Text.Json;
using WideMinima.Ledger;
using WideMinima.Tests.Sweeps;

namespace WideMinima.Tests.Tuning;

/// <summary>
/// Tunings written by the previous version (real files: Fixtures/Ledgers/README.md) resume on the one ledger: their
/// tune.db is folded into ledger.db, nothing finished trains again, and the reports are what that version wrote.
/// </summary>
[TestClass]
public sealed class LegacyTuneTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "Ledgers", name);

    [TestMethod]
    public void An_earlier_versions_tune_db_is_folded_into_the_ledger_and_the_tuning_replays_to_the_same_reports()
    {
        string folder = TestFolders.New("legacy-tune");
        File.Copy(Fixture("tune-v0.db"), Path.Combine(folder, "tune.db"));
        var (code, output, error) = TinySweep.Run("tune", "--config", Fixture("tune.json"), "--out", folder);
        Assert.AreEqual(0, code, output + error);
        StringAssert.Contains(output, "Imported 7 job(s) and 4 final fit(s)");
        StringAssert.Contains(output, "resuming: 7 job(s)");
        Assert.IsTrue(File.Exists(Path.Combine(folder, "tune.db.imported")), "the old file is kept, renamed");
        Assert.IsFalse(File.Exists(Path.Combine(folder, "tune.db")));
        Assert.AreEqual(File.ReadAllText(Fixture("tune-v0.trials.csv")), File.ReadAllText(Path.Combine(folder, "trials.csv")), "the same search, replayed");
        AssertSameChoice(Fixture("tune-v0.best.json"), Path.Combine(folder, "best.json"));

        using var ledger = SqlLedger.Sqlite(Path.Combine(folder, SqlLedger.FileName));
        var runs = ledger.Runs();
        Assert.AreEqual(SweepKind.Tuning, ledger.ReadSweep()!.Kind);
        Assert.AreEqual(7, runs.Count(r => r.Kind == RunKind.TuneJob && r.Status == RunStatus.Done));
        Assert.AreEqual(4, runs.Count(r => r.Kind == RunKind.FinalFit && r.Status == RunStatus.Done));

        // Once folded in, a rerun trains nothing and writes the same reports.
        var again = TinySweep.Run("tune", "--config", Fixture("tune.json"), "--out", folder);
        Assert.AreEqual(0, again.ExitCode, again.Output + again.Error);
        Assert.DoesNotContain("Imported", again.Output);
        Assert.DoesNotContain("Final fit on the whole training set", again.Output, "every fit, the best's model included, is there");
        Assert.AreEqual(File.ReadAllText(Fixture("tune-v0.trials.csv")), File.ReadAllText(Path.Combine(folder, "trials.csv")));
    }

    [TestMethod]
    public void A_tuning_on_workers_of_the_previous_version_resumes_with_its_best_fit_from_tune_db()
    {
        string folder = TestFolders.New("legacy-tune-workers");
        File.Copy(Fixture("tune-workers-v4.db"), Path.Combine(folder, SqlLedger.FileName));
        File.Copy(Fixture("tune-workers-tune.db"), Path.Combine(folder, "tune.db"));
        var (code, output, error) = TinySweep.Run("tune", "--config", Fixture("tune.json"), "--workers", "2", "--out", folder);
        Assert.AreEqual(0, code, output + error);
        StringAssert.Contains(output, "Imported 0 job(s) and 4 final fit(s)");
        Assert.AreEqual(File.ReadAllText(Fixture("tune-workers.trials.csv")), File.ReadAllText(Path.Combine(folder, "trials.csv")), "the same search, replayed");
        AssertSameChoice(Fixture("tune-workers.best.json"), Path.Combine(folder, "best.json"));
        using var ledger = SqlLedger.Sqlite(Path.Combine(folder, SqlLedger.FileName));
        Assert.IsNotNull(ledger.Runs().SingleOrDefault(r => r.RunId == "tune-final-t1-s1" && r.Kind == RunKind.FinalFit), "the best fit, only in tune.db before, is a run of the ledger now");
    }

    private static void AssertSameChoice(string before, string after)
    {
        var a = JsonDocument.Parse(File.ReadAllText(before)).RootElement.GetProperty("best");
        var b = JsonDocument.Parse(File.ReadAllText(after)).RootElement.GetProperty("best");
        foreach (var key in new[] { "trial_id", "family", "peak_lr", "explore_share", "validation_accuracy", "test_accuracy" })
            Assert.AreEqual(a.GetProperty(key).ToString(), b.GetProperty(key).ToString(), key);
        // The best's model is trained again here, and its sharpness measured: bit-identical on the machine that wrote
        // the fixture, but libtorch picks other kernels on other CPUs (an AVX2-only one gave 0.2959055 for 0.2959045).
        Assert.AreEqual(a.GetProperty("sharpness").GetDouble(), b.GetProperty("sharpness").GetDouble(), 1e-4 * a.GetProperty("sharpness").GetDouble(), "sharpness");
    }
}
