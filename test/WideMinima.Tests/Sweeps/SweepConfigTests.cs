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

    [TestMethod]
    public void Each_bad_field_is_named_with_its_value()
    {
        var c = new SweepConfig();
        Rejects(c with { Baselines = [SweepSchedule.Cosine, SweepSchedule.Knee] }, "baselines[1]", "'knee'");
        Rejects(c with { Baselines = [SweepSchedule.Cosine, SweepSchedule.Cosine] }, "baselines", "cosine, cosine");
        Rejects(c with { Baselines = [(SweepSchedule)42] }, "baselines[0]", "42");
        Rejects(c with { ExploreFractions = [0, 1.5] }, "explore_fractions[1]", "1.5");
        Rejects(c with { ExploreFractions = [-0.1] }, "explore_fractions[0]", "-0.1");
        Rejects(c with { Seeds = 0 }, "seeds", "0");
        Rejects(c with { Epochs = 0 }, "epochs", "0");
        Rejects(c with { BatchSize = -1 }, "batch_size", "-1");
        Rejects(c with { PeakLr = double.NaN }, "peak_lr", "NaN");
        Rejects(c with { Optimizer = (SweepOptimizer)7 }, "optimizer", "7");
        Rejects(c with { Device = (SweepDevice)(-1) }, "device", "-1");
        Rejects(c with { Width = new WidthConfig { Method = (WidthMethod)2 } }, "width.method", "2");
        Rejects(c with { Workers = 0 }, "workers", "0");
        Rejects(c with { Model = new ModelConfig { Kind = (SweepModel)3 } }, "model.kind", "3");
        Rejects(c with { Model = new ModelConfig { Hidden = [64, 0] } }, "model.hidden[1]", "0");
        Rejects(c with { Dataset = new DatasetConfig { Kind = (DatasetKind)5 } }, "dataset.kind", "5");
        Rejects(c with { Dataset = new DatasetConfig { Kind = DatasetKind.Idx } }, "dataset.train_images", "null");
        Rejects(c with { Augment = true, Dataset = new DatasetConfig { Kind = DatasetKind.Text, TrainFile = "a", TestFile = "b" } }, "augment", "True");
        Rejects(c with { Width = new WidthConfig { Epsilon = 0 } }, "width.epsilon", "0");
        Rejects(c with { StepMilestones = [0.75, 0.5] }, "step_milestones[1]", "0.5");
        Rejects(c with { ExploreFractions = [0.5, 0.5] }, "explore_fractions", "0.5, 0.5");
        Rejects(c with { ExploreFractions = [], Baselines = [] }, "explore_fractions", "[]");
    }

    [TestMethod]
    public void Config_names_are_spelled_as_before_and_round_trip()
    {
        CollectionAssert.AreEqual(new[] { "knee", "cosine", "step", "explore-step", "linear", "one-cycle", "constant" }, ConfigNames.All<SweepSchedule>().ToArray());
        CollectionAssert.AreEqual(new[] { "mlp", "cnn", "resnet18" }, ConfigNames.All<SweepModel>().ToArray());
        CollectionAssert.AreEqual(new[] { "sgd", "adamw" }, ConfigNames.All<SweepOptimizer>().ToArray());
        CollectionAssert.AreEqual(new[] { "cpu", "cuda", "auto" }, ConfigNames.All<SweepDevice>().ToArray());
        CollectionAssert.AreEqual(new[] { "sign", "sgd" }, ConfigNames.All<WidthMethod>().ToArray());
        CollectionAssert.AreEqual(new[] { "fashion-mnist", "fashion-mnist-subset", "cifar-10", "idx", "text" }, ConfigNames.All<DatasetKind>().ToArray());

        var c = SweepConfigJson.Parse("""
            { "baselines": ["explore-step", "one-cycle", "constant"], "optimizer": "adamw", "device": "auto",
              "model": { "kind": "resnet18" }, "dataset": { "kind": "cifar-10" }, "width": { "method": "sgd" } }
            """, "names.json");
        CollectionAssert.AreEqual(new[] { SweepSchedule.ExploreStep, SweepSchedule.OneCycle, SweepSchedule.Constant }, c.Baselines.ToArray());
        Assert.AreEqual(SweepOptimizer.AdamW, c.Optimizer);
        Assert.AreEqual(SweepDevice.Auto, c.Device);
        Assert.AreEqual(SweepModel.ResNet18, c.Model.Kind);
        Assert.AreEqual(DatasetKind.Cifar10, c.Dataset.Kind);
        Assert.AreEqual(WidthMethod.Sgd, c.Width!.Method);
        string json = SweepConfigJson.Write(c);
        foreach (string spelled in new[] { "\"explore-step\"", "\"one-cycle\"", "\"adamw\"", "\"auto\"", "\"resnet18\"", "\"cifar-10\"", "\"sgd\"" })
            StringAssert.Contains(json, spelled, "written with the spelled name");
        Assert.AreEqual(json, SweepConfigJson.Write(SweepConfigJson.Parse(json, "again.json")));
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
        Unknown("""{ "device": "gpu" }""", "device", "gpu", "cpu, cuda, auto");
        Unknown("""{ "model": { "kind": "resnet" } }""", "model.kind", "resnet", "mlp, cnn, resnet18");
        Unknown("""{ "dataset": { "kind": "cifar" } }""", "dataset.kind", "cifar", "fashion-mnist, fashion-mnist-subset, cifar-10, idx, text");
        Unknown("""{ "width": { "method": "Sign" } }""", "width.method", "Sign", "sign, sgd");
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
        Assert.AreEqual(TrainingDefaults.Epochs, c.Epochs, "epochs");
        Assert.AreEqual(TrainingDefaults.BatchSize, c.BatchSize, "batch_size");
        Assert.AreEqual(TrainingDefaults.PeakLearningRate, c.PeakLr, "peak_lr");
        Assert.AreEqual(TrainingDefaults.Momentum, c.Momentum, "momentum");
        Assert.AreEqual(TrainingDefaults.WeightDecay, c.WeightDecay, "weight_decay");
        CollectionAssert.AreEqual(TrainingDefaults.HiddenSizes.ToArray(), c.Model.Hidden.ToArray(), "model.hidden");
        Assert.AreEqual(TrainingDefaults.Model, RunExecutor.Map(c.Model.Kind), "model.kind");
        Assert.AreEqual(TrainingDefaults.Optimizer, RunExecutor.Map(c.Optimizer), "optimizer");
        Assert.AreEqual(DeviceKind.Cpu, RunExecutor.Map(c.Device), "device: a sweep stays on the CPU (reproducible) unless told otherwise");

        var fast = KeskarWidthOptions.Fast();
        var width = new WidthConfig();
        Assert.AreEqual(WidthMethod.Sign, width.Method, "width.method");
        Assert.AreEqual(fast.Epsilon, width.Epsilon, "width.epsilon");
        Assert.AreEqual(fast.MaxSteps, width.MaxSteps, "width.max_steps");
        Assert.AreEqual(fast.SampleSize, width.SampleSize, "width.sample_size");
        Assert.AreEqual(fast.BatchSize, width.BatchSize, "width.batch_size");
        Assert.AreEqual(fast.Patience, width.Patience, "width.patience");

        // The options a default sweep measures with are Fast(), field for field (the seed is the run's).
        var measured = RunExecutor.WidthOptions(width, seed: 7);
        foreach (var property in typeof(KeskarWidthOptions).GetProperties())
        {
            object? expected = property.Name == nameof(KeskarWidthOptions.Seed) ? 7 : property.GetValue(fast);
            Assert.AreEqual(expected, property.GetValue(measured), $"width option {property.Name}");
        }
        var reference = RunExecutor.WidthOptions(width with { Method = WidthMethod.Sgd, Patience = 0 }, seed: 1);
        Assert.AreEqual(AscentMethod.Sgd, reference.Method, "sgd: the reference protocol's method");
        Assert.AreEqual(new KeskarWidthOptions().ImprovementTolerance, reference.ImprovementTolerance, "sgd: the reference protocol's tolerance");
        Assert.IsNull(reference.Patience, "patience 0: never stop early");
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
        Assert.AreEqual("model.kind", unknown.Field);
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
        Assert.AreNotEqual(SweepConfigJson.Definition(c), SweepConfigJson.Definition(c with { ThreadsPerRun = 3 }));
    }
}
