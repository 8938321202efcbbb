using System.Text.Json;
using TorchSharp;
using TorchSharp.Modules;
using WideMinima.Optim;
using WideMinima.Schedules;
using WideMinima.Training;
using WideMinima.Training.Checkpoints;
using static TorchSharp.torch;
using static WideMinima.Tests.Training.TrainingFixtures;

namespace WideMinima.Tests.Training;

/// <summary>The Schedule-Free optimizers in the training loop: evaluation at x, BatchNorm at x, checkpoints, options.</summary>
[TestClass]
public sealed class ScheduleFreeTrainingTests
{
    private static readonly ClassifierData Train = Blobs(300, 12, seed: 1);
    private static readonly ClassifierData Validation = Blobs(90, 12, seed: 2);
    private static readonly ClassifierData ImageTrain = Blobs(96, 64, seed: 3);
    private static readonly ClassifierData ImageValidation = Blobs(48, 64, seed: 4);
    private string _folder = "";

    [TestInitialize]
    public void Folder() => _folder = TestFolders.New("sf");

    [TestCleanup]
    public void Clean() => Directory.Delete(_folder, recursive: true);

    public static IEnumerable<object[]> Optimizers => [[OptimizerKind.ScheduleFreeSgd], [OptimizerKind.ScheduleFreeAdamW]];

    /// <summary>The MLP fixture (10 steps per epoch, 3 epochs) with a Schedule-Free optimizer and a constant rate after a short warmup.</summary>
    private static TrainingOptions Free(OptimizerKind kind, int epochs = 3) => Options(epochs) with
    {
        Optimizer = kind,
        WeightDecay = 0.01,
        Schedule = new ConstantScheduleOptions { PeakLearningRate = kind == OptimizerKind.ScheduleFreeSgd ? 0.5 : 0.01, WarmupFraction = 0.1 },
    };

    /// <summary>The CNN fixture (BatchNorm, dropout, augmentation): 6 steps per epoch, 2 epochs.</summary>
    private static TrainingOptions FreeCnn(OptimizerKind kind) => Free(kind, epochs: 2) with { BatchSize = 16, Augmentation = Augmentation.CropAndFlip };

    private static ClassifierTraining.Result Run(TrainingOptions options, int seed = 7) =>
        ClassifierTraining.Train(Train, Validation, options, Mlp(12), seed, CPU, _ => { }, CancellationToken.None);

    private static ClassifierTraining.Result RunCnn(TrainingOptions options, ClassifierData? validation) =>
        ClassifierTraining.Train(ImageTrain, validation, options, Cnn(8), 5, CPU, _ => { }, CancellationToken.None);

    [TestMethod]
    [DynamicData(nameof(Optimizers))]
    public void A_run_resumed_mid_epoch_or_at_an_epoch_boundary_ends_bit_identical_to_an_uninterrupted_one(OptimizerKind kind)
    {
        var options = Free(kind);
        using var reference = Run(options);
        var sink = new CheckpointDirectory(_folder);
        using (var saving = Run(options with { Checkpoints = new CheckpointPlan { AtSteps = [15, 20], Sink = sink } }))
            AssertIdentical(reference, saving, $"{kind}: a run saving checkpoints");
        var names = CheckpointFile.ReadManifest(sink.Saved[0].Path).Tensors.Select(t => t.Name).ToList();
        CollectionAssert.IsSubsetOf(new[] { "optimizer/0/z", "optimizer/0/x", "optimizer/group/0/step", "optimizer/group/0/lr_max", "optimizer/group/0/weight_sum" }, names);
        Assert.AreEqual(kind == OptimizerKind.ScheduleFreeAdamW, names.Contains("optimizer/0/exp_avg_sq"), "AdamW's second moment");
        foreach (var checkpoint in sink.Saved)
        {
            using var resumed = Run(options with { ResumeFrom = new CheckpointSource(checkpoint.Path, checkpoint.Sha256) });
            AssertIdentical(reference, resumed, $"{kind} resumed at step {checkpoint.Step}");
        }
    }

    [TestMethod]
    [DynamicData(nameof(Optimizers))]
    public void A_cnn_with_batch_norm_resumes_exactly_and_its_evaluations_at_x_leave_no_trace(OptimizerKind kind)
    {
        var options = FreeCnn(kind);
        using var reference = RunCnn(options, ImageValidation);
        using (var unevaluated = RunCnn(options, null))
        {
            // Without validation no mid-run evaluation happens: the same training bits show that each one (x in the
            // parameters, BatchNorm statistics recomputed at x) was undone exactly and drew from no training generator.
            var a = Weights(reference.Model);
            foreach (var (name, bytes) in Weights(unevaluated.Model)) CollectionAssert.AreEqual(a[name], bytes, $"{kind}: {name} with and without evaluations");
            CollectionAssert.AreEqual(reference.Report.Epochs.Select(e => e.TrainLoss).ToArray(), unevaluated.Report.Epochs.Select(e => e.TrainLoss).ToArray());
        }
        var sink = new CheckpointDirectory(_folder);
        using (RunCnn(options with { Checkpoints = new CheckpointPlan { AtSteps = [4, 6], Sink = sink } }, ImageValidation)) { }
        foreach (var checkpoint in sink.Saved)
        {
            using var resumed = RunCnn(options with { ResumeFrom = new CheckpointSource(checkpoint.Path, checkpoint.Sha256) }, ImageValidation);
            AssertIdentical(reference, resumed, $"{kind} CNN resumed at step {checkpoint.Step}");
        }
    }

    [TestMethod]
    [DynamicData(nameof(Optimizers))]
    public void The_returned_network_is_x_with_batch_norm_statistics_recomputed_at_x_and_validation_was_measured_there(OptimizerKind kind)
    {
        var options = FreeCnn(kind);
        var sink = new CheckpointDirectory(_folder);
        // A checkpoint after the last step holds y (the network's parameters in train mode) and x (the optimizer's).
        using var result = RunCnn(options with { Checkpoints = new CheckpointPlan { AtSteps = [12], Sink = sink } }, ImageValidation);
        using var checkpoint = CheckpointFile.Read(sink.Saved.Single().Path);
        var parameters = result.Model.named_parameters().ToList();
        var differs = 0;
        for (int i = 0; i < parameters.Count; i++)
        {
            var (name, live) = parameters[i];
            var x = checkpoint.Get($"optimizer/{i}/x");
            CollectionAssert.AreEqual(x.bytes.ToArray(), live.detach().contiguous().bytes.ToArray(), $"{name} is x");
            if (!checkpoint.Get($"model/{name}").bytes.ToArray().SequenceEqual(x.bytes.ToArray())) differs++;
        }
        Assert.AreEqual(parameters.Count, differs, "y differs from x in every tensor");

        // BatchNorm statistics at x, computed here from the layer inputs: the mean, over the sample's batches, of
        // each batch's per-channel mean and unbiased variance.
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var layers = result.Model.named_children().ToDictionary(c => c.name, c => (nn.Module<Tensor, Tensor>)c.module);
        var bn1 = (BatchNorm2d)layers["bn1"];
        var features = tensor(ImageTrain.Features, [ImageTrain.Count, ImageTrain.FeatureCount]);
        var sample = ScheduleFreeEvaluation.Sample(ImageTrain.Count, 16, 5);
        Assert.AreEqual(ImageTrain.Count, sample.shape[0], "96 examples < 50 batches of 16: all of them");
        var means = new List<Tensor>();
        var variances = new List<Tensor>();
        foreach (var batch in sample.split(16))
        {
            var h = layers["conv1"].call(layers["image"].call(layers["standardize"].call(features.index_select(0, batch))));
            means.Add(h.mean([0, 2, 3]));
            variances.Add(h.var([0, 2, 3], unbiased: true));
        }
        Assert.AreEqual(6L, bn1.num_batches_tracked!.ToInt64(), "six batches of 16");
        Assert.IsTrue(stack(means).mean([0]).allclose(bn1.running_mean!, rtol: 1e-4, atol: 1e-5), "running mean at x");
        Assert.IsTrue(stack(variances).mean([0]).allclose(bn1.running_var!, rtol: 1e-4, atol: 1e-5), "running variance at x");
        Assert.IsFalse(checkpoint.Get("model/bn1.running_mean").allclose(bn1.running_mean!, rtol: 1e-4, atol: 1e-5), "the training statistics were not kept");

        // The last epoch's validation numbers are those of the returned network (x), not of y.
        var (accuracy, loss) = ClassifierTraining.Evaluate(result.Model, ImageValidation, CPU, options.EvaluationBatchSize);
        var last = result.Report.Epochs[^1];
        Assert.AreEqual(last.ValidationAccuracy, accuracy);
        Assert.AreEqual(BitConverter.DoubleToInt64Bits(last.ValidationLoss!.Value), BitConverter.DoubleToInt64Bits(loss), "validation loss measured at x");
        foreach (var (name, live) in result.Model.state_dict()) live.copy_(checkpoint.Get($"model/{name}"));
        var (_, lossAtY) = ClassifierTraining.Evaluate(result.Model, ImageValidation, CPU, options.EvaluationBatchSize);
        Assert.AreNotEqual(loss, lossAtY, "y gives another loss");
    }

    [TestMethod]
    public void An_mlp_returned_network_is_x_and_its_width_is_measured_there()
    {
        var options = Free(OptimizerKind.ScheduleFreeSgd) with { Width = new WideMinima.Sharpness.KeskarWidthOptions { MaxSteps = 4, EvaluateEvery = 2, SampleSize = 64 } };
        var sink = new CheckpointDirectory(_folder);
        using var result = Run(options with { Checkpoints = new CheckpointPlan { AtSteps = [30], Sink = sink } });
        using var checkpoint = CheckpointFile.Read(sink.Saved.Single().Path);
        var parameters = result.Model.parameters().ToList();
        for (int i = 0; i < parameters.Count; i++)
            CollectionAssert.AreEqual(checkpoint.Get($"optimizer/{i}/x").bytes.ToArray(), parameters[i].detach().contiguous().bytes.ToArray(), $"parameter {i} is x");
        Assert.IsNotNull(result.Report.Width);
        var (accuracy, _) = ClassifierTraining.Evaluate(result.Model, Validation, CPU, options.EvaluationBatchSize);
        Assert.AreEqual(result.Report.Epochs[^1].ValidationAccuracy, accuracy, "validated at x");
        Assert.IsGreaterThan(0.8, accuracy, "blobs are easy");
        CollectionAssert.AreEqual(checkpoint.Get($"optimizer/0/x").bytes.ToArray(), parameters[0].detach().contiguous().bytes.ToArray(), "the width measure put x back");
    }

    [TestMethod]
    public void A_fork_from_a_schedule_free_trunk_equals_an_independent_run()
    {
        // The optimizer's state at a step depends only on the rates before it, so a fork at a knee is exact here too.
        TrainingOptions Knee(double share) => Options(share: share) with { Optimizer = OptimizerKind.ScheduleFreeSgd };
        var sink = new CheckpointDirectory(_folder);
        using (Run(Knee(0.5) with { Checkpoints = new CheckpointPlan { AtSteps = [12], Sink = sink }, StopAfterStep = 12 })) { }
        using var fork = Run(Knee(0.4) with { ResumeFrom = new CheckpointSource(sink.Saved.Single().Path, Fork: true) });
        using var independent = Run(Knee(0.4));
        AssertIdentical(independent, fork, "share 0.4 forked at its knee");
    }

    [TestMethod]
    public void Momentum_outside_0_1_is_refused_for_schedule_free_optimizers_naming_the_field_and_the_value()
    {
        foreach (var kind in new[] { OptimizerKind.ScheduleFreeSgd, OptimizerKind.ScheduleFreeAdamW })
        {
            foreach (double momentum in new[] { 0.0, 1.0, 1.2, -0.5 })
            {
                var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => (Options() with { Optimizer = kind, Momentum = momentum }).Validate());
                Assert.AreEqual("Momentum", e.ParamName);
                StringAssert.Contains(e.Message, "'Momentum' must lie strictly between 0 and 1");
                StringAssert.Contains(e.Message, kind.ToString());
                StringAssert.Contains(e.Message, $"but was {momentum.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");
            }
            (Options() with { Optimizer = kind, Momentum = 0.5 }).Validate();
        }
        (Options() with { Optimizer = OptimizerKind.Sgd, Momentum = 0 }).Validate(); // plain SGD keeps [0, 1]
        (Options() with { Optimizer = OptimizerKind.Sgd, Momentum = 1 }).Validate();
    }

    [TestMethod]
    public void Optimizer_kinds_have_spelled_names_and_old_checkpoint_names_still_read()
    {
        var spelled = new Dictionary<OptimizerKind, string>
        {
            [OptimizerKind.Sgd] = "sgd",
            [OptimizerKind.AdamW] = "adamw",
            [OptimizerKind.ScheduleFreeSgd] = "schedule-free-sgd",
            [OptimizerKind.ScheduleFreeAdamW] = "schedule-free-adamw",
        };
        CollectionAssert.AreEquivalent(Enum.GetValues<OptimizerKind>(), spelled.Keys.ToArray(), "every member has its name here");
        foreach (var (kind, name) in spelled)
        {
            Assert.AreEqual($"\"{name}\"", JsonSerializer.Serialize(kind, ScheduleJson.Options));
            Assert.AreEqual(kind, JsonSerializer.Deserialize<OptimizerKind>($"\"{name}\"", ScheduleJson.Options));
        }
        // Checkpoint manifests written before the names were spelled say "Sgd" and "AdamW": they still resume.
        var run = new CheckpointRun
        {
            Seed = 1, DataSha256 = "", TrainingExamples = 1, BatchSize = 1, StepsPerEpoch = 1, Epochs = 1, Model = "m",
            Optimizer = OptimizerKind.ScheduleFreeAdamW, Momentum = 0.9, WeightDecay = 0, Augmentation = Augmentation.None,
        };
        string json = JsonSerializer.Serialize(run, ScheduleJson.Options);
        StringAssert.Contains(json, "\"optimizer\":\"schedule-free-adamw\"");
        Assert.AreEqual(run, JsonSerializer.Deserialize<CheckpointRun>(json, ScheduleJson.Options));
        foreach (var (old, kind) in new[] { ("Sgd", OptimizerKind.Sgd), ("AdamW", OptimizerKind.AdamW) })
            Assert.AreEqual(kind, JsonSerializer.Deserialize<CheckpointRun>(json.Replace("schedule-free-adamw", old, StringComparison.Ordinal), ScheduleJson.Options)!.Optimizer);
        Assert.ThrowsExactly<JsonException>(() => JsonSerializer.Deserialize<CheckpointRun>(json.Replace("schedule-free-adamw", "lion", StringComparison.Ordinal), ScheduleJson.Options));
    }

    [TestMethod]
    public void Saving_a_checkpoint_in_eval_mode_is_refused()
    {
        using var model = Mlp(12).Build(null, null, null);
        using var optimizer = new ScheduleFreeSgd(model.parameters(), 0.1);
        var schedule = new ConstantSchedule(0.1, 10);
        using var shuffle = new Generator(1);
        using var lossSum = zeros(1, dtype: float64);
        var state = new TrainingState
        {
            Model = model, Optimizer = optimizer, Scheduler = new ScheduledLR(optimizer, schedule), Shuffle = shuffle, Augmenter = null,
            LossSum = lossSum, LearningRates = new float[10], Epochs = [], Device = CPU,
            Run = TrainingState.Identify(Train, Options() with { Optimizer = OptimizerKind.ScheduleFreeSgd }, Mlp(12), 1, 10),
        };
        optimizer.Eval();
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => state.Save(Path.Combine(_folder, "eval.wmckpt"), new CheckpointPosition(0, 0, 0), null, 0));
        StringAssert.Contains(e.Message, "train mode");
        optimizer.Train();
        state.Save(Path.Combine(_folder, "train.wmckpt"), new CheckpointPosition(0, 0, 0), null, 0);
    }
}
