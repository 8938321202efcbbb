using WideMinima.Schedules;
using WideMinima.Training;
using WideMinima.Training.Checkpoints;
using static TorchSharp.torch;
using static WideMinima.Tests.Training.TrainingFixtures;

namespace WideMinima.Tests.Training;

[TestClass]
public sealed class CheckpointTests
{
    private static readonly ClassifierData Train = Blobs(300, 12, seed: 1);
    private static readonly ClassifierData Validation = Blobs(90, 12, seed: 2);
    private string _folder = "";

    [TestInitialize]
    public void Folder() => _folder = TestFolders.New("ckpt");

    [TestCleanup]
    public void Clean() => Directory.Delete(_folder, recursive: true);

    private static ClassifierTraining.Result Run(TrainingOptions options, int seed = 7, ClassifierData? train = null) =>
        ClassifierTraining.Train(train ?? Train, Validation, options, Mlp(12), seed, CPU, _ => { }, CancellationToken.None);

    [TestMethod]
    public void A_run_resumed_mid_epoch_or_at_an_epoch_boundary_ends_bit_identical_to_an_uninterrupted_one()
    {
        using var reference = Run(Options());
        var sink = new CheckpointDirectory(_folder);
        // 10 steps per epoch: step 15 is mid-way through epoch 2, step 20 ends it. Saving must not disturb the run.
        using (var saving = Run(Options() with { Checkpoints = new CheckpointPlan { AtSteps = [15, 20], Sink = sink } }))
            AssertIdentical(reference, saving, "a run saving checkpoints");
        Assert.HasCount(2, sink.Saved);
        Assert.AreEqual(new CheckpointPosition(15, 1, 5), sink.Saved[0].Position);
        Assert.AreEqual(new CheckpointPosition(20, 2, 0), sink.Saved[1].Position);

        foreach (var checkpoint in sink.Saved)
        {
            using var resumed = Run(Options() with { ResumeFrom = new CheckpointSource(checkpoint.Path, checkpoint.Sha256) });
            Assert.AreEqual(checkpoint.Step, resumed.Report.ResumedFromStep);
            AssertIdentical(reference, resumed, $"resumed at step {checkpoint.Step}");
            Assert.AreEqual(ClassifierTraining.Evaluate(reference.Model, Validation, CPU, 64), ClassifierTraining.Evaluate(resumed.Model, Validation, CPU, 64));
        }
    }

    [TestMethod]
    public void A_run_stopped_at_a_step_and_resumed_from_its_checkpoint_continues_exactly()
    {
        using var reference = Run(Options());
        var sink = new CheckpointDirectory(_folder);
        using (var stopped = Run(Options() with { Checkpoints = new CheckpointPlan { AtSteps = [13], Sink = sink }, StopAfterStep = 13 }))
        {
            Assert.HasCount(13, stopped.Report.LearningRates, "stopped after 13 steps");
            Assert.HasCount(1, stopped.Report.Epochs, "one whole epoch reported");
            CollectionAssert.AreEqual(reference.Report.LearningRates[..13], stopped.Report.LearningRates);
        }
        using var resumed = Run(Options() with { ResumeFrom = new CheckpointSource(sink.Saved.Single().Path) });
        AssertIdentical(reference, resumed, "stopped at 13 and resumed");
    }

    [TestMethod]
    public void Checkpoints_every_k_epochs_fall_at_epoch_ends_but_not_after_the_last()
    {
        var sink = new CheckpointDirectory(_folder);
        using var run = Run(Options(epochs: 4) with { Checkpoints = new CheckpointPlan { EveryEpochs = 1, Sink = sink } });
        CollectionAssert.AreEqual(new long[] { 10, 20, 30 }, sink.Saved.Select(c => c.Step).ToArray());
        CollectionAssert.AreEqual(new[] { 1, 2, 3 }, sink.Saved.Select(c => c.EpochsCompleted).ToArray());
        var manifest = CheckpointFile.ReadManifest(sink.Saved[1].Path, sink.Saved[1].Sha256);
        Assert.HasCount(2, manifest.Epochs, "the history so far");
        Assert.AreEqual(run.Report.Epochs[1], manifest.Epochs[1] with { Seconds = run.Report.Epochs[1].Seconds });
        Assert.IsTrue(manifest.AtEpochBoundary);
        Assert.IsFalse(manifest.Tensors.Any(t => t.Name == "data/order"), "no data order at an epoch boundary");
        Assert.IsTrue(manifest.Tensors.Any(t => t.Name.EndsWith("momentum_buffer", StringComparison.Ordinal)), "the momentum buffers");
        Assert.IsTrue(manifest.Tensors.Any(t => t.Name == "model/standardize.mean" || t.Name.StartsWith("model/", StringComparison.Ordinal)));
    }

    [TestMethod]
    public void AdamW_state_resumes_exactly()
    {
        var adam = Options() with { Optimizer = OptimizerKind.AdamW, WeightDecay = 0.01, Schedule = new KneeScheduleOptions { PeakLearningRate = 0.003 } };
        using var reference = Run(adam);
        var sink = new CheckpointDirectory(_folder);
        using (Run(adam with { Checkpoints = new CheckpointPlan { AtSteps = [17], Sink = sink }, StopAfterStep = 17 })) { }
        var manifest = CheckpointFile.ReadManifest(sink.Saved[0].Path);
        Assert.IsTrue(manifest.OptimizerSteps.All(s => s == 17), "AdamW's step counters saved");
        using var resumed = Run(adam with { ResumeFrom = new CheckpointSource(sink.Saved[0].Path) });
        AssertIdentical(reference, resumed, "AdamW resumed at 17");
    }

    [TestMethod]
    public void A_cnn_with_batch_norm_dropout_and_augmentation_resumes_exactly()
    {
        var train = Blobs(96, 64, seed: 3);
        var options = Options(epochs: 2) with { BatchSize = 16, Augmentation = Augmentation.CropAndFlip };
        ClassifierTraining.Result Cnn(TrainingOptions o) => ClassifierTraining.Train(train, null, o, TrainingFixtures.Cnn(8), 5, CPU, _ => { }, CancellationToken.None);
        using var reference = Cnn(options);
        var sink = new CheckpointDirectory(_folder);
        using (Cnn(options with { Checkpoints = new CheckpointPlan { AtSteps = [3, 6], Sink = sink } })) { }
        var names = CheckpointFile.ReadManifest(sink.Saved[0].Path).Tensors.Select(t => t.Name).ToList();
        CollectionAssert.IsSubsetOf(new[] { "rng/shuffle", "rng/augment", "rng/global", "data/order", "train/loss_sum" }, names);
        Assert.IsTrue(names.Any(n => n.EndsWith("running_mean", StringComparison.Ordinal)), "BatchNorm running statistics saved");
        foreach (var checkpoint in sink.Saved)
        {
            using var resumed = Cnn(options with { ResumeFrom = new CheckpointSource(checkpoint.Path, checkpoint.Sha256) });
            AssertIdentical(reference, resumed, $"CNN resumed at step {checkpoint.Step}");
        }
    }

    [TestMethod]
    public void A_corrupted_truncated_replaced_or_missing_checkpoint_is_refused_by_its_checksum()
    {
        var sink = new CheckpointDirectory(_folder);
        using (Run(Options(epochs: 1) with { Checkpoints = new CheckpointPlan { AtSteps = [5], Sink = sink } })) { }
        var saved = sink.Saved.Single();
        Assert.AreEqual(saved.Sha256, CheckpointFile.Sha256(saved.Path));
        Assert.AreEqual(new FileInfo(saved.Path).Length, saved.Bytes);
        Assert.IsEmpty(Directory.GetFiles(_folder, "*.tmp"), "no temporary file left");

        string flipped = Path.Combine(_folder, "flipped.wmckpt");
        var bytes = File.ReadAllBytes(saved.Path);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(flipped, bytes);
        var e = Assert.Throws<CheckpointException>(() => CheckpointFile.Read(flipped));
        StringAssert.Contains(e.Message, "SHA-256 does not match");
        Assert.Throws<CheckpointException>(() => Run(Options() with { ResumeFrom = new CheckpointSource(flipped) }));

        string truncated = Path.Combine(_folder, "truncated.wmckpt");
        File.WriteAllBytes(truncated, File.ReadAllBytes(saved.Path)[..^100]);
        Assert.Throws<CheckpointException>(() => CheckpointFile.ReadManifest(truncated));

        e = Assert.Throws<CheckpointException>(() => CheckpointFile.Read(saved.Path, expectedSha256: new string('0', 64)));
        StringAssert.Contains(e.Message, "was recorded");
        e = Assert.Throws<CheckpointException>(() => CheckpointFile.Read(Path.Combine(_folder, "absent.wmckpt")));
        StringAssert.Contains(e.Message, "missing");
        File.WriteAllText(Path.Combine(_folder, "text.wmckpt"), new string('x', 100));
        Assert.Throws<CheckpointException>(() => CheckpointFile.Read(Path.Combine(_folder, "text.wmckpt")));
    }

    [TestMethod]
    public void A_checkpoint_resumes_only_its_own_run_and_forks_only_where_the_rates_agree()
    {
        var sink = new CheckpointDirectory(_folder);
        using (Run(Options() with { Checkpoints = new CheckpointPlan { AtSteps = [12], Sink = sink }, StopAfterStep = 12 })) { }
        string path = sink.Saved.Single().Path;

        var e = Assert.Throws<CheckpointException>(() => Run(Options() with { ResumeFrom = new CheckpointSource(path) }, seed: 8));
        StringAssert.Contains(e.Message, "Seed: 7 in the checkpoint, 8 in this run");
        e = Assert.Throws<CheckpointException>(() => Run(Options() with { ResumeFrom = new CheckpointSource(path) }, train: Blobs(300, 12, seed: 9)));
        StringAssert.Contains(e.Message, "training data");
        e = Assert.Throws<CheckpointException>(() => Run(Options() with { BatchSize = 30, ResumeFrom = new CheckpointSource(path) }));
        StringAssert.Contains(e.Message, "BatchSize");

        // Share 0.5 has its knee at step 15: at step 12 share 0.3 (knee 9) already decays, share 0.4 (knee 12) does not.
        e = Assert.Throws<CheckpointException>(() => Run(Options(share: 0.4) with { ResumeFrom = new CheckpointSource(path) }));
        StringAssert.Contains(e.Message, "fork from it instead");
        e = Assert.Throws<CheckpointException>(() => Run(Options(share: 0.3) with { ResumeFrom = new CheckpointSource(path, Fork: true) }));
        StringAssert.Contains(e.Message, "at step 10");
        using var fork = Run(Options(share: 0.4) with { ResumeFrom = new CheckpointSource(path, Fork: true) });
        using var independent = Run(Options(share: 0.4));
        AssertIdentical(independent, fork, "share 0.4 forked at its knee");
    }
}
