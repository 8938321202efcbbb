using WideMinima.Sweeps.Config;
using WideMinima.Sweeps.Execution;
using WideMinima.Ledger;
using WideMinima.Sweeps.Reports;

namespace WideMinima.Tests.Sweeps;

[TestClass]
public sealed class LedgerTests
{
    [TestMethod]
    public void A_different_definition_is_refused_unless_replaced_and_the_old_ledger_is_archived()
    {
        string data = TinySweep.Dataset(30, 12);
        string folder = TinySweep.NewFolder("refuse");
        var config = TinySweep.Config(data);
        SweepFolder.Prepare(folder, config, replace: false);
        SweepFolder.Prepare(folder, config with { Workers = 2 }, replace: false); // same definition: fine

        var e = Assert.ThrowsExactly<SweepConfigException>(() => SweepFolder.Prepare(folder, config with { Epochs = 9 }, replace: false));
        StringAssert.Contains(e.Message, "different sweep");
        StringAssert.Contains(e.Message, "epochs");
        StringAssert.Contains(e.Message, "--replace");

        var (stored, runs) = SweepFolder.Prepare(folder, config with { Epochs = 9 }, replace: true);
        Assert.AreEqual(9, stored.Epochs);
        Assert.AreEqual(8, runs);
        Assert.IsNotNull(Directory.GetDirectories(folder, "archive-*").SingleOrDefault(), "the old reports' folder");
        using var ledger = SqlLedger.Sqlite(Path.Combine(folder, SqlLedger.FileName));
        var archived = ledger.SweepNames().Single(SqlLedger.IsArchived);
        using var old = SqlLedger.Sqlite(Path.Combine(folder, SqlLedger.FileName), archived);
        Assert.AreEqual(8, old.Runs().Count, "the old ledger is kept, not deleted");
    }

    [TestMethod]
    public void A_replaced_tuning_s_reports_and_model_move_to_the_archive()
    {
        string data = TinySweep.Dataset(30, 12);
        string folder = TinySweep.NewFolder("replace-tune");
        var tuning = TinySweep.Config(data) with { Tune = new TuneConfig() };
        SweepFolder.Prepare(folder, tuning, replace: false);
        // What a finished tuning leaves beside its ledger (contents do not matter: the archive moves files).
        string[] reports = [.. TuneReportWriter.Files, .. TuneReportWriter.Plots];
        Assert.IsTrue(reports.Contains("best.wmmodel") && reports.Contains("best.json") && reports.Contains("trials.csv"), "the files the issue names");
        foreach (var name in reports)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(folder, name))!);
            File.WriteAllText(Path.Combine(folder, name), name);
        }

        SweepFolder.Prepare(folder, tuning with { Epochs = 9 }, replace: true);

        string archive = Directory.GetDirectories(folder, "archive-*").Single();
        foreach (var name in reports)
        {
            Assert.IsFalse(File.Exists(Path.Combine(folder, name)), $"{name} left in the folder of the new tuning");
            Assert.AreEqual(name, File.ReadAllText(Path.Combine(archive, name)), $"{name} in the archive");
        }
    }

    [TestMethod]
    public void An_unwritable_output_folder_is_refused()
    {
        string file = Path.Combine(TinySweep.NewFolder("unwritable"), "a-file");
        File.WriteAllText(file, "");
        var e = Assert.ThrowsExactly<SweepConfigException>(() => SweepFolder.EnsureWritable(Path.Combine(file, "sub")));
        Assert.AreEqual("--out", e.Field);
    }
}
