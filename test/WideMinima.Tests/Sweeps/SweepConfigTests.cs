using WideMinima.Schedules;
using WideMinima.Models;
using WideMinima.Tuning;
using WideMinima.Sharpness;
using WideMinima.Sweeps.Config;
using WideMinima.Sweeps.Execution;
using WideMinima.Training;

namespace WideMinima.Tests.Sweeps;

[TestClass]
public sealed class SweepConfigTests
{
    private static void Rejects(SweepConfig config, string field, string value)
    {
        var e = Assert.ThrowsExactly<SweepConfigException>(() => SweepConfigValidator.Validate(config));
        Assert.AreEqual(field, e.Field);
        StringAssert.Contains(e.Message, field);
        StringAssert.Contains(e.Message, value);
    }

    [TestMethod]
    public void The_defaults_are_valid() => SweepConfigValidator.Validate(new SweepConfig());

    /// <summary>The fast width protocol with one field changed.</summary>
    private static KeskarWidthOptions Width(Action<KeskarWidthOptions> change)
    {
        var width = KeskarWidthOptions.Fast();
        change(width);
        return width;
    }

    [TestMethod]
    public void Each_bad_field_is_named_with_its_value()
    {
        var c = new SweepConfig();
        Rejects(c with { Baselines = [ScheduleFamily.Cosine, ScheduleFamily.Knee] }, "baselines[1]", "'knee'");
        Rejects(c with { Baselines = [ScheduleFamily.Cosine, ScheduleFamily.Cosine] }, "baselines", "cosine, cosine");
        Rejects(c with { Baselines = [(ScheduleFamily)42] }, "baselines[0]", "42");
        Rejects(c with { ExploreFractions = [0, 1.5] }, "explore_fractions[1]", "1.5");
        Rejects(c with { ExploreFractions = [-0.1] }, "explore_fractions[0]", "-0.1");
        Rejects(c with { Seeds = 0 }, "seeds", "0");
        Rejects(c with { Epochs = 0 }, "epochs", "0");
        Rejects(c with { BatchSize = -1 }, "batch_size", "-1");
        Rejects(c with { PeakLr = double.NaN }, "peak_lr", "NaN");
        Rejects(c with { Optimizer = (OptimizerKind)7 }, "optimizer", "7");
        Rejects(c with { Device = (DeviceKind)(-1) }, "device", "-1");
        Rejects(c with { Width = Width(w => w.Method = (AscentMethod)2) }, "width.method", "2");
        Rejects(c with { Workers = 0 }, "workers", "0");
        Rejects(c with { Model = (ModelKind)7 }, "model", "7");
        Rejects(c with { Model = ModelKind.Custom }, "model", "custom");
        Rejects(c with { HiddenSizes = [64, 0] }, "hidden_sizes[1]", "0");
        Rejects(c with { Dataset = new DatasetConfig { Kind = (DatasetKind)5 } }, "dataset.kind", "5");
        Rejects(c with { Dataset = new DatasetConfig { Kind = DatasetKind.Idx } }, "dataset.train_images", "null");
        Rejects(c with { Augmentation = Augmentation.CropAndFlip, Dataset = new DatasetConfig { Kind = DatasetKind.Text, TrainFile = "a", TestFile = "b" } }, "augmentation", "crop-and-flip");
        Rejects(c with { Width = Width(w => w.Epsilon = 0) }, "width.epsilon", "0");
        Rejects(c with { Optimizer = OptimizerKind.ScheduleFreeSgd, Momentum = 1 }, "momentum", "1");
        Rejects(c with { Momentum = 0, Baselines = [ScheduleFamily.ScheduleFree] }, "momentum", "0");
        Rejects(c with { StepMilestones = [0.75, 0.5] }, "step_milestones[1]", "0.5");
        Rejects(c with { ExploreFractions = [0.5, 0.5] }, "explore_fractions", "0.5, 0.5");
        Rejects(c with { ExploreFractions = [], Baselines = [] }, "explore_fractions", "[]");
    }

    [TestMethod]
    public void Config_names_are_spelled_as_before_and_round_trip()
    {
        CollectionAssert.AreEqual(new[] { "knee", "cosine", "step", "explore-step", "linear", "one-cycle", "constant", "schedule-free" }, ConfigNames.All<ScheduleFamily>().ToArray());
        CollectionAssert.AreEqual(new[] { "mlp", "cnn", "resnet18" }, ConfigNames.All<ModelKind>().ToArray());
        Assert.IsFalse(ConfigNames.TryParse<ModelKind>("custom", out _), "a network built by code has no place in a config file");
        CollectionAssert.AreEqual(new[] { "sgd", "adamw", "schedule-free-sgd", "schedule-free-adamw" }, ConfigNames.All<OptimizerKind>().ToArray());
        CollectionAssert.AreEqual(new[] { "auto", "cpu", "cuda" }, ConfigNames.All<DeviceKind>().ToArray());
        CollectionAssert.AreEqual(new[] { "sgd", "sign" }, ConfigNames.All<AscentMethod>().ToArray());
        CollectionAssert.AreEqual(new[] { "none", "crop-and-flip" }, ConfigNames.All<Augmentation>().ToArray());
        CollectionAssert.AreEqual(new[] { "fashion-mnist", "fashion-mnist-subset", "cifar-10", "idx", "text" }, ConfigNames.All<DatasetKind>().ToArray());

        var c = SweepConfigJson.Parse("""
            { "baselines": ["explore-step", "one-cycle", "constant"], "optimizer": "adamw", "device": "auto",
              "model": { "kind": "resnet18" }, "dataset": { "kind": "cifar-10" }, "width": { "method": "sgd" } }
            """, "names.json");
        CollectionAssert.AreEqual(new[] { ScheduleFamily.ExploreStep, ScheduleFamily.OneCycle, ScheduleFamily.Constant }, c.Baselines.ToArray());
        Assert.AreEqual(OptimizerKind.AdamW, c.Optimizer);
        Assert.AreEqual(DeviceKind.Auto, c.Device);
        Assert.AreEqual(ModelKind.ResNet18, c.Model, "the earlier 'model: {kind}' form still reads");
        Assert.AreEqual(DatasetKind.Cifar10, c.Dataset.Kind);
        Assert.AreEqual(AscentMethod.Sgd, c.Width!.Method);
        string json = SweepConfigJson.Write(c);
        foreach (string spelled in new[] { "\"explore-step\"", "\"one-cycle\"", "\"adamw\"", "\"auto\"", "\"resnet18\"", "\"cifar-10\"", "\"sgd\"" })
            StringAssert.Contains(json, spelled, "written with the spelled name");
        Assert.AreEqual(json, SweepConfigJson.Write(SweepConfigJson.Parse(json, "again.json")));
    }

    [TestMethod]
    public void Earlier_keys_read_as_todays_and_giving_both_is_refused()
    {
        var c = SweepConfigJson.Parse("""
            { "model": { "kind": "cnn", "hidden": [64] }, "augment": true, "threads_per_run": 2, "width": { "patience": 0 } }
            """, "old.json");
        Assert.AreEqual(ModelKind.Cnn, c.Model);
        CollectionAssert.AreEqual(new[] { 64 }, c.HiddenSizes.ToArray());
        Assert.AreEqual(Augmentation.CropAndFlip, c.Augmentation);
        Assert.AreEqual(2, c.Threads);
        Assert.IsNull(c.Width!.Patience, "patience 0 was 'never stop early'");
        Assert.AreEqual(KeskarWidthOptions.Fast().MaxSteps, c.Width.MaxSteps, "the rest of width stays the fast protocol");
        var both = Assert.ThrowsExactly<SweepConfigException>(() => SweepConfigJson.Parse("""{ "augment": true, "augmentation": "none" }""", "both.json"));
        StringAssert.Contains(both.Message, "'augment' is the earlier name of 'augmentation'");
    }

    [TestMethod]
    public void Unknown_names_in_a_config_file_name_the_field_and_the_value()
    {
        void Unknown(string json, string field, string value, string known)
        {
            var e = Assert.ThrowsExactly<SweepConfigException>(() => SweepConfigJson.Parse(json, "names.json"), json);
            Assert.AreEqual(field, e.Field, json);
            StringAssert.Contains(e.Message, "names.json", json);
            StringAssert.Contains(e.Message, $"{field}: is not a known", json);
            StringAssert.Contains(e.Message, $"but was '{value}'", json);
            StringAssert.Contains(e.Message, known, json);
        }
        Unknown("""{ "baselines": ["cosine", "cosin"] }""", "baselines[1]", "cosin", "cosine, step, explore-step");
        Unknown("""{ "optimizer": "adam" }""", "optimizer", "adam", "sgd, adamw");
        Unknown("""{ "device": "gpu" }""", "device", "gpu", "auto, cpu, cuda");
        Unknown("""{ "model": { "kind": "resnet" } }""", "model.kind", "resnet", "mlp, cnn, resnet18");
        Unknown("""{ "dataset": { "kind": "cifar" } }""", "dataset.kind", "cifar", "fashion-mnist, fashion-mnist-subset, cifar-10, idx, text");
        Unknown("""{ "width": { "method": "Sign" } }""", "width.method", "Sign", "sgd, sign");
        var number = Assert.ThrowsExactly<SweepConfigException>(() => SweepConfigJson.Parse("""{ "model": { "kind": 1 } }""", "n.json"));
        Assert.AreEqual("model.kind", number.Field);
        StringAssert.Contains(number.Message, "must be a name");
        StringAssert.Contains(number.Message, "but was '1'");
        var knee = Assert.ThrowsExactly<SweepConfigException>(() => SweepConfigValidator.Validate(SweepConfigJson.Parse("""{ "baselines": ["knee"] }""", "k.json")));
        Assert.AreEqual("baselines[0]", knee.Field);
    }

    [TestMethod]
    public void Defaults_are_the_trainers_and_the_fast_width_protocols()
    {
        var c = new SweepConfig();
        var trainer = new TrainingOptions();
        // Every training setting a sweep does not deliberately change is the trainer's own default.
        foreach (var property in typeof(TrainingOptions).GetProperties())
        {
            if (property.Name is nameof(TrainingOptions.Device) or nameof(TrainingOptions.Width) or nameof(TrainingOptions.OnDivergence) or nameof(TrainingOptions.Schedule)
                or nameof(TrainingOptions.HiddenSizes)) continue;
            Assert.AreEqual(property.GetValue(trainer), property.GetValue(c), property.Name);
        }
        CollectionAssert.AreEqual(trainer.HiddenSizes.ToArray(), c.HiddenSizes.ToArray(), "hidden_sizes");
        Assert.AreEqual(new KneeScheduleOptions().PeakLearningRate, c.PeakLr, "peak_lr");
        Assert.AreEqual(DeviceKind.Cpu, c.Device, "device: a sweep stays on the CPU (reproducible) unless told otherwise");
        Assert.AreEqual(DivergenceAction.Stop, c.OnDivergence, "a diverged run is a result");

        // The options a default sweep measures with are Fast(), field for field (the seed is the run's).
        var fast = KeskarWidthOptions.Fast();
        var measured = RunExecutor.TrainerOptions(c, """{"kind":"constant"}""", ScheduleFamily.Constant, seed: 7, threads: 1).Width!;
        foreach (var property in typeof(KeskarWidthOptions).GetProperties())
        {
            object? expected = property.Name == nameof(KeskarWidthOptions.Seed) ? 7 : property.GetValue(fast);
            Assert.AreEqual(expected, property.GetValue(measured), $"width option {property.Name}");
        }
        Assert.AreNotSame(c.Width, measured, "a run measures with its own copy");
        Assert.AreEqual(HessianOptions.Fast().MaxIterations, RunExecutor.TrainerOptions(c with { Metrics = [WideMinima.Ledger.WidthMetric.HessianTop] },
            """{"kind":"constant"}""", ScheduleFamily.Constant, seed: 7, threads: 1).Hessian!.MaxIterations, "the Hessian's profile for sweeps");
    }

    [TestMethod]
    public void A_partial_section_keeps_the_sweep_profile_for_the_keys_it_leaves_out()
    {
        // hessian: over HessianOptions.Fast() (what an absent section means), not over the library's defaults.
        var hessian = SweepConfigJson.Parse("""{"hessian": {"sample_size": 4096}}""", "test").Hessian!;
        var fast = HessianOptions.Fast();
        Assert.AreEqual(4096, hessian.SampleSize);
        Assert.AreEqual(fast.MaxIterations, hessian.MaxIterations, "hessian.max_iterations left out");
        Assert.AreEqual(fast.Probes, hessian.Probes, "hessian.probes left out");
        Assert.AreNotEqual(new HessianOptions().MaxIterations, fast.MaxIterations, "the two profiles differ, so the test can tell them apart");
        var named = SweepConfigJson.Parse("""{"hessian": {"max_iterations": 50, "probes": 20}}""", "test").Hessian!;
        Assert.AreEqual((50, 20), (named.MaxIterations, named.Probes), "keys a section names win");
        Assert.IsNull(SweepConfigJson.Parse("{}", "test").Hessian, "an absent section stays absent (Fast() at run time)");

        // width: over KeskarWidthOptions.Fast(), the default's profile.
        var width = SweepConfigJson.Parse("""{"width": {"epsilon": 0.002}}""", "test").Width!;
        Assert.AreEqual(0.002, width.Epsilon);
        Assert.AreEqual(KeskarWidthOptions.Fast().MaxSteps, width.MaxSteps, "width.max_steps left out");

        // adaptive: over the library's defaults, which are also what an absent section means.
        var adaptive = SweepConfigJson.Parse("""{"adaptive": {"rho": 0.1}}""", "test").Adaptive!;
        Assert.AreEqual(0.1, adaptive.Rho);
        Assert.AreEqual(new AdaptiveSharpnessOptions().SampleSize, adaptive.SampleSize, "adaptive.sample_size left out");
    }

    [TestMethod]
    public void Json_round_trips_with_snake_case_keys()
    {
        var config = Presets.Quick.Config;
        string json = SweepConfigJson.Write(config);
        StringAssert.Contains(json, "\"explore_fractions\"");
        StringAssert.Contains(json, "\"peak_lr\"");
        Assert.AreEqual(SweepConfigJson.Definition(config), SweepConfigJson.Definition(SweepConfigJson.Parse(json, "test")));
    }

    [TestMethod]
    public void Malformed_json_and_unknown_keys_are_reported_with_the_place()
    {
        var e = Assert.ThrowsExactly<SweepConfigException>(() => SweepConfigJson.Parse("{ \"epochs\": 3, ", "bad.json"));
        StringAssert.Contains(e.Message, "bad.json");
        StringAssert.Contains(e.Message, "malformed");
        var e2 = Assert.ThrowsExactly<SweepConfigException>(() => SweepConfigJson.Parse("{ \"epoch\": 3 }", "typo.json"));
        StringAssert.Contains(e2.Message, "epoch");
        var e3 = Assert.ThrowsExactly<SweepConfigException>(() => SweepConfigJson.Parse("{ \"epochs\": \"ten\" }", "type.json"));
        StringAssert.Contains(e3.Message, "$.epochs");
    }

    [TestMethod]
    public void Yaml_configs_read_like_json_ones_with_the_same_checks()
    {
        string folder = TestFolders.New("yaml");
        string yaml = Path.Combine(folder, "sweep.yaml");
        File.WriteAllText(yaml, """
            # the quick preset, written by hand
            name: quick
            dataset:
              kind: fashion-mnist-subset
            model:
              kind: mlp
              hidden: [512, 512]
            epochs: 12
            batch_size: 128
            peak_lr: 0.1
            explore_fractions: [0, 0.25, 0.5, 0.75, 0.9]
            baselines:
              - cosine
              - step
            seeds: 4
            workers: 2
            tensorboard: false
            """);
        var config = SweepConfigJson.Read(yaml);
        Assert.AreEqual(SweepConfigJson.Definition(Presets.Quick.Config), SweepConfigJson.Definition(config));

        File.WriteAllText(yaml, "epochs: 3\nepoch: 4\n");
        StringAssert.Contains(Assert.ThrowsExactly<SweepConfigException>(() => SweepConfigJson.Read(yaml)).Message, "epoch");
        File.WriteAllText(yaml, "epochs: 'three'\n");
        StringAssert.Contains(Assert.ThrowsExactly<SweepConfigException>(() => SweepConfigJson.Read(yaml)).Message, "$.epochs");
        File.WriteAllText(yaml, "model:\n  kind: resnet\n");
        var unknown = Assert.ThrowsExactly<SweepConfigException>(() => SweepConfigJson.Read(yaml));
        Assert.AreEqual("model.kind", unknown.Field, "an earlier key is named as the file spells it");
        StringAssert.Contains(unknown.Message, "'resnet'");
        File.WriteAllText(yaml, "epochs: [3\nseeds: 2\n");
        StringAssert.Contains(Assert.ThrowsExactly<SweepConfigException>(() => SweepConfigJson.Read(yaml)).Message, "malformed YAML");
    }

    [TestMethod]
    public void Workers_do_not_change_the_definition_but_results_defining_fields_do()
    {
        var c = new SweepConfig();
        Assert.AreEqual(SweepConfigJson.Definition(c), SweepConfigJson.Definition(c with { Workers = 7 }));
        Assert.AreNotEqual(SweepConfigJson.Definition(c), SweepConfigJson.Definition(c with { Epochs = 11 }));
        Assert.AreNotEqual(SweepConfigJson.Definition(c), SweepConfigJson.Definition(c with { Threads = 3 }));
    }
}
