using WideMinima.Tuning;

namespace WideMinima.Tests.Tuning;

[TestClass]
public sealed class TuningSpaceTests
{
    /// <summary>The error a config's <c>tune:</c> section with this space gets: the library's check, named by the config's key.</summary>
    private static string Fails(TuningSpace space)
    {
        var library = Assert.ThrowsExactly<ArgumentOutOfRangeException>(space.Validate);
        StringAssert.Contains(library.Message, $"'{library.ParamName}'", "the library names its own setting");
        var tune = new WideMinima.Sweeps.Config.TuneConfig { BudgetEpochs = 9 } with
        {
            Families = space.Families, PeakLearningRate = space.PeakLearningRate, ExploreShares = space.ExploreShares,
            WarmupShare = space.WarmupShare, WeightDecay = space.WeightDecay,
        };
        var e = Assert.ThrowsExactly<WideMinima.Sweeps.Config.SweepConfigException>(
            () => WideMinima.Sweeps.Config.SweepConfigJson.Check(typeof(WideMinima.Sweeps.Config.TuneConfig), "tune.", tune.Validate));
        // The console's message reads "tune.peak_lr: is inverted: ..."; in the quoted form of the library's: "'tune.peak_lr' is inverted".
        return e.Message.Replace($"{e.Field}: ", $"'{e.Field}' ", StringComparison.Ordinal);
    }

    [TestMethod]
    public void Bad_ranges_and_shares_fail_naming_the_field_and_value()
    {
        StringAssert.Contains(Fails(new TuningSpace { PeakLearningRate = new ValueRange(0.5, 0.01) }), "'tune.peak_lr' is inverted");
        StringAssert.Contains(Fails(new TuningSpace { PeakLearningRate = new ValueRange(0.5, 0.01) }), "[0.5, 0.01]");
        StringAssert.Contains(Fails(new TuningSpace { PeakLearningRate = new ValueRange(0, 1) }), "'tune.peak_lr' must have a positive min");
        StringAssert.Contains(Fails(new TuningSpace { Families = [] }), "'tune.families'");
        StringAssert.Contains(Fails(new TuningSpace { ExploreShares = [] }), "'tune.explore_shares'");
        StringAssert.Contains(Fails(new TuningSpace { ExploreShares = [0.5, 0.95] }), "but was 0.95");
        StringAssert.Contains(Fails(new TuningSpace { WarmupShare = new ValueRange(0.2, 0.1) }), "'tune.warmup' is inverted");
        StringAssert.Contains(Fails(new TuningSpace { WeightDecay = new ValueRange(1e-3, 1e-5) }), "'tune.weight_decay' is inverted");
        new TuningSpace { Families = [ScheduleFamily.Cosine], ExploreShares = [] }.Validate(); // shares only matter for knee
        StringAssert.Contains(Fails(new TuningSpace { Families = [ScheduleFamily.ExploreStep] }), "'tune.families' must not hold explore-step");
    }

    [TestMethod]
    public void Family_names_round_trip_and_unknown_names_are_named()
    {
        foreach (var f in ScheduleFamilies.DefaultTuned) Assert.AreEqual(f, ScheduleFamilies.Parse(f.Name()));
        foreach (var f in ScheduleFamilies.Every) Assert.AreEqual(f, ScheduleFamilies.Parse(f.Name()));
        Assert.IsNull(ScheduleFamilies.Parse("warp"));
        StringAssert.Contains(ScheduleFamilies.Unknown("warp"), "'warp' is not a schedule family");
        Assert.AreEqual("\"one-cycle\"", System.Text.Json.JsonSerializer.Serialize(ScheduleFamily.OneCycle));
        Assert.AreEqual(ScheduleFamily.OneCycle, System.Text.Json.JsonSerializer.Deserialize<ScheduleFamily>("\"one-cycle\""));
        var e = Assert.ThrowsExactly<System.Text.Json.JsonException>(() => System.Text.Json.JsonSerializer.Deserialize<ScheduleFamily>("\"warp\""));
        StringAssert.Contains(e.Message, "'warp'");
    }

    [TestMethod]
    public void Stratified_split_is_seeded_keeps_class_shares_and_covers_every_example_once()
    {
        long[] labels = [.. Enumerable.Range(0, 1000).Select(i => (long)(i % 10 < 7 ? 0 : i % 10 - 6))]; // class 0: 700, classes 1-3: 100 each
        var (train, validation) = StratifiedSplit.Carve(labels, 0.1, seed: 5);
        Assert.AreEqual(100, validation.Length);
        Assert.AreEqual(70, validation.Count(i => labels[i] == 0));
        Assert.AreEqual(10, validation.Count(i => labels[i] == 3));
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 1000).ToArray(), train.Concat(validation).ToArray());
        CollectionAssert.AreEqual(validation, StratifiedSplit.Carve(labels, 0.1, seed: 5).Validation);
        CollectionAssert.AreNotEqual(validation, StratifiedSplit.Carve(labels, 0.1, seed: 6).Validation);
        Assert.IsTrue(validation.SequenceEqual(validation.Order()), "original order kept");
        foreach (double bad in new[] { 0, -0.1, 0.51, double.NaN })
            StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => StratifiedSplit.Carve(labels, bad, 1)).Message, "'validation_share' must be in (0, 0.5]");
    }
}
