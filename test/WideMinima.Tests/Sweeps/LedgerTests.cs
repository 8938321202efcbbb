using WideMinima.Sweeps.Config;
using WideMinima.Sweeps.Execution;
using WideMinima.Ledger;

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
    public void An_unwritable_output_folder_is_refused()
    {
        string file = Path.Combine(TinySweep.NewFolder("unwritable"), "a-file");
        File.WriteAllText(file, "");
        var e = Assert.ThrowsExactly<SweepConfigException>(() => SweepFolder.EnsureWritable(Path.Combine(file, "sub")));
        Assert.AreEqual("--out", e.Field);
    }
}
