using WideMinima.Ledger;
using WideMinima.Reports;
using WideMinima.Sweeps.Config;
using WideMinima.Sweeps.Execution;
using WideMinima.Tuning;

namespace WideMinima.Tests.Sweeps;

/// <summary>Issue 14's config keys: peak_lr calibrate, budgets, match, seeds rounds; their parsing and their bad input.</summary>
[TestClass]
public sealed class FairConfigTests
{
    private static void Rejects(SweepConfig config, string field, string value)
    {
        var e = Assert.ThrowsExactly<SweepConfigException>(() => SweepConfigValidator.Validate(config));
        Assert.AreEqual(field, e.Field, e.Message);
        StringAssert.Contains(e.Message, field);
        StringAssert.Contains(e.Message, value);
    }

    private static SweepConfig Calibrated(double min = 0.01, double max = 1, int points = 7, double share = 0.1) =>
        new() { PeakLr = new PeakRate { Calibrate = new PeakCalibration { Min = min, Max = max, Points = points, ValidationShare = share } } };

    private static SweepConfig Rounds(int min = 3, int max = 20, double target = 0.15) =>
        new() { Seeds = new SeedCount { Rounds = new SeedRounds { Min = min, Max = max, TargetCi = target } } };

    [TestMethod]
    public void The_new_keys_parse_with_their_defaults_and_round_trip()
    {
        var c = SweepConfigJson.Parse("""
            { "peak_lr": { "calibrate": { "min": 0.02, "points": 5 } }, "budgets": [0.5, 0.67, 1.0],
              "match": { "reference": "cosine", "margin": 0.2 }, "seeds": { "min": 4, "target_ci": 0.3 } }
            """, "fair.json");
        var k = c.PeakLr.Calibrate!;
        Assert.AreEqual((0.02, PeakCalibration.DefaultMax, 5, PeakCalibration.DefaultValidationShare), (k.Min, k.Max, k.Points, k.ValidationShare));
        Assert.IsNull(c.PeakLr.Shared);
        CollectionAssert.AreEqual(new[] { 0.5, 0.67, 1.0 }, c.BudgetShares.ToArray());
        Assert.AreEqual(("cosine", 0.2), (c.Match!.Reference, c.Match.Margin));
        var r = c.Seeds.Rounds!;
        Assert.AreEqual((4, SeedRounds.DefaultMax, 0.3), (r.Min, r.Max, r.TargetCi));
        Assert.AreEqual(4, c.Seeds.Min);
        SweepConfigValidator.Validate(c);
        string json = SweepConfigJson.Write(c);
        Assert.AreEqual(json, SweepConfigJson.Write(SweepConfigJson.Parse(json, "again.json")));
        var again = SweepConfigJson.Parse(json, "again.json");
        Assert.AreEqual(c.PeakLr, again.PeakLr);
        Assert.AreEqual(c.Seeds, again.Seeds);
        Assert.AreEqual(c.Match, again.Match);
    }

    [TestMethod]
    public void A_config_without_the_new_keys_reads_and_writes_as_before()
    {
        var c = SweepConfigJson.Parse("""{ "peak_lr": 0.05, "seeds": 2 }""", "old.json");
        Assert.AreEqual(0.05, c.PeakLr.Shared);
        Assert.AreEqual(2, c.Seeds.Fixed);
        CollectionAssert.AreEqual(new[] { 1.0 }, c.BudgetShares.ToArray(), "the default budget is the full one");
        Assert.IsNull(c.Match);
        string json = SweepConfigJson.Write(c);
        StringAssert.Contains(json, "\"peak_lr\": 0.05", "a shared peak is written as a number");
        StringAssert.Contains(json, "\"seeds\": 2", "a seed count is written as a number");
        Assert.DoesNotContain("budgets", json, "absent keys stay out of the stored config, so stored definitions do not change");
        Assert.DoesNotContain("match", json);
    }

    [TestMethod]
    public void Malformed_peak_and_seeds_are_config_errors()
    {
        Assert.ThrowsExactly<SweepConfigException>(() => SweepConfigJson.Parse("""{ "peak_lr": [0.1] }""", "bad.json"));
        Assert.ThrowsExactly<SweepConfigException>(() => SweepConfigJson.Parse("""{ "peak_lr": { "calibrate": { "lo": 1 } } }""", "bad.json"));
        Assert.ThrowsExactly<SweepConfigException>(() => SweepConfigJson.Parse("""{ "peak_lr": { } }""", "bad.json"));
        Assert.ThrowsExactly<SweepConfigException>(() => SweepConfigJson.Parse("""{ "seeds": "many" }""", "bad.json"));
        Assert.ThrowsExactly<SweepConfigException>(() => SweepConfigJson.Parse("""{ "seeds": { "mn": 3 } }""", "bad.json"));
    }

    [TestMethod]
    public void Each_bad_new_field_is_named_with_its_value()
    {
        Rejects(Calibrated(min: 0), "peak_lr.calibrate.min", "0");
        Rejects(Calibrated(min: -0.1), "peak_lr.calibrate.min", "-0.1");
        Rejects(Calibrated(max: double.NaN), "peak_lr.calibrate.max", "NaN");
        Rejects(Calibrated(min: 0.5, max: 0.5), "peak_lr.calibrate.max", "0.5");
        Rejects(Calibrated(min: 1, max: 0.1), "peak_lr.calibrate.max", "0.1");
        Rejects(Calibrated(points: 2), "peak_lr.calibrate.points", "2");
        Rejects(Calibrated(share: 0), "peak_lr.calibrate.validation_share", "0");
        Rejects(Calibrated(share: 0.6), "peak_lr.calibrate.validation_share", "0.6");
        SweepConfigValidator.Validate(Calibrated(share: 0.5));
        SweepConfigValidator.Validate(Calibrated(points: 3));

        var c = new SweepConfig { Epochs = 10 };
        Rejects(c with { Budgets = [0.5, 0] }, "budgets[1]", "0");
        Rejects(c with { Budgets = [1.2] }, "budgets[0]", "1.2");
        Rejects(c with { Budgets = [0.5, 0.5] }, "budgets[1]", "0.5");
        Rejects(c with { Budgets = [0.5, 0.52] }, "budgets[1]", "0.52");
        Rejects(c with { Budgets = [] }, "budgets", "[]");
        Rejects(c with { Match = new MatchOptions { Margin = -0.1 } }, "match.margin", "-0.1");
        Rejects(c with { Match = new MatchOptions { Reference = "constant" } }, "match.reference", "constant");
        Rejects(c with { Match = new MatchOptions { Reference = "explore-step" } }, "match.reference", "explore-step");
        SweepConfigValidator.Validate(c with { Match = new MatchOptions { Reference = "cosine", Margin = 0 } });

        Rejects(Rounds(min: 5, max: 4), "seeds.max", "4");
        Rejects(Rounds(target: 0), "seeds.target_ci", "0");
        Rejects(Rounds(target: -1), "seeds.target_ci", "-1");
        Rejects(Rounds(min: 1), "seeds.min", "1");
        SweepConfigValidator.Validate(Rounds(min: 3, max: 3));
    }

    [TestMethod]
    public void A_resumed_sweep_whose_budgets_changed_is_refused_and_keeps_its_ledger()
    {
        string folder = Directory.CreateTempSubdirectory("wideminima-fair-").FullName;
        try
        {
            var config = new SweepConfig { ExploreFractions = [0.5], Baselines = [ScheduleFamily.Cosine], Seeds = 1, Workers = 1, Threads = 1, Budgets = [0.5, 1.0] };
            var (_, runs) = SweepFolder.Prepare(folder, config, replace: false);
            Assert.AreEqual(4, runs);
            var e = Assert.ThrowsExactly<SweepConfigException>(() => SweepFolder.Prepare(folder, config with { Budgets = [1.0] }, replace: false));
            StringAssert.Contains(e.Message, "budgets");
            var e2 = Assert.ThrowsExactly<SweepConfigException>(() => SweepFolder.Prepare(folder, config with { Seeds = new SeedCount { Rounds = new SeedRounds() } }, replace: false));
            StringAssert.Contains(e2.Message, "seeds");
            using var ledger = LedgerTarget.Sqlite(folder).Open();
            Assert.HasCount(4, ledger.Runs(), "nothing recorded is lost");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
