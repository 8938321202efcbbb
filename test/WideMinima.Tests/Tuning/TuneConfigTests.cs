using WideMinima.Sweeps.Config;
using WideMinima.Tuning;

namespace WideMinima.Tests.Tuning;

[TestClass]
public sealed class TuneConfigTests
{
    [TestMethod]
    public void The_tune_section_round_trips_through_json_and_yaml_with_spelled_family_names()
    {
        var config = Presets.DefaultTune.Config;
        string json = SweepConfigJson.Write(config);
        StringAssert.Contains(json, "\"one-cycle\"");
        StringAssert.Contains(json, "\"budget_epochs\": 160");
        var back = SweepConfigJson.Parse(json, "test").Tune!;
        CollectionAssert.AreEqual(config.Tune!.Families.ToArray(), back.Families.ToArray());
        Assert.AreEqual(config.Tune.PeakLearningRate, back.PeakLearningRate);
        CollectionAssert.AreEqual(config.Tune.ExploreShares.ToArray(), back.ExploreShares.ToArray());

        string path = Path.Combine(TestFolders.New("tune-yaml"), "t.yaml");
        try
        {
            File.WriteAllText(path, "epochs: 4\ntune:\n  families: [cosine, one-cycle]\n  peak_lr: {min: 0.01, max: 0.5}\n  warmup: {min: 0, max: 0.1}\n  budget_minutes: 3\n");
            var yaml = SweepConfigJson.Read(path).Tune!;
            CollectionAssert.AreEqual(new[] { ScheduleFamily.Cosine, ScheduleFamily.OneCycle }, yaml.Families.ToArray());
            Assert.AreEqual(new ValueRange(0.01, 0.5), yaml.PeakLearningRate);
            Assert.AreEqual(new ValueRange(0, 0.1), yaml.WarmupShare);
            Assert.AreEqual(3.0, yaml.BudgetMinutes);
            Assert.AreEqual(3, yaml.ReductionFactor, "unset fields keep their defaults");
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [TestMethod]
    public void A_sweep_definition_is_unchanged_by_the_tune_section_so_existing_ledgers_still_resume()
    {
        var sweep = Presets.Quick.Config;
        Assert.DoesNotContain("tune", SweepConfigJson.Definition(sweep));
        Assert.DoesNotContain("\"tune\"", SweepConfigJson.Write(sweep), "an absent section is not written");
        Assert.AreEqual(SweepConfigJson.Definition(sweep), SweepConfigJson.Definition(sweep with { Tune = new TuneConfig { BudgetEpochs = 9 } }));
    }

    [TestMethod]
    public void An_unknown_family_in_a_file_names_its_path_and_value()
    {
        var e = Assert.ThrowsExactly<SweepConfigException>(() => SweepConfigJson.Parse("""{"tune": {"families": ["knee", "warp"]}}""", "f.json"));
        StringAssert.Contains(e.Message, "tune.families[1]");
        StringAssert.Contains(e.Message, "is not a known schedule");
        StringAssert.Contains(e.Message, "but was 'warp'");
    }
}
