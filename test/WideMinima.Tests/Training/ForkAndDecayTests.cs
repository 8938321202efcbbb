using WideMinima.Schedules;
using WideMinima.Training;
using static TorchSharp.torch;
using static WideMinima.Tests.Training.TrainingFixtures;

namespace WideMinima.Tests.Training;

[TestClass]
public sealed class ForkAndDecayTests
{
    [TestMethod]
    public void The_five_shares_cost_3_5_runs_instead_of_5()
    {
        Assert.AreEqual(3.5, ForkAndDecay.RunEquivalents([0, 0.25, 0.5, 0.75, 0.9]), 1e-12);
        Assert.AreEqual(3.5 / 5, ForkAndDecay.RunEquivalents([0, 0.25, 0.5, 0.75, 0.9]) / 5, 1e-12, "0.70x the compute of independent runs");
        Assert.AreEqual(1.0, ForkAndDecay.RunEquivalents([0.6]), 1e-12, "one share is one run");
        Assert.AreEqual(0.5 + 1.0 + 0.5, ForkAndDecay.RunEquivalents([0, 0.5, 0.5]), 1e-12, "a repeated share branches once");
        // Warmup 0.1 is shared by all: trunk 0.1 + 0.9 * 0.5, branches 0.9 * (1 + 0.5).
        Assert.AreEqual(0.1 + 0.45 + 0.9 + 0.45, ForkAndDecay.RunEquivalents([0, 0.5], warmupFraction: 0.1), 1e-12);
        // In steps: 100 steps, knees 0, 25, 50, 75, 90.
        Assert.AreEqual(3.5, ForkAndDecay.RunEquivalents(100, [0, 25, 50, 75, 90]), 1e-12);
        Assert.Throws<ArgumentOutOfRangeException>(() => ForkAndDecay.RunEquivalents([1.2]));
        Assert.Throws<ArgumentException>(() => ForkAndDecay.RunEquivalents(Array.Empty<double>()));
        Assert.Throws<ArgumentOutOfRangeException>(() => ForkAndDecay.RunEquivalents(100, [101]));
    }

    [TestMethod]
    public void Knees_are_warmup_plus_explore_steps_and_the_rate_up_to_a_knee_is_the_peak_for_every_larger_share()
    {
        var knee = new KneeScheduleOptions { PeakLearningRate = 0.05, WarmupFraction = 0.1 };
        Assert.AreEqual(10 + 45, ForkAndDecay.KneeStep(knee, 0.5, 100));
        Assert.AreEqual(10, ForkAndDecay.KneeStep(knee, 0, 100));
        var trunk = ForkAndDecay.WithShare(knee, 0.9).Build(100);
        foreach (double share in new[] { 0, 0.25, 0.5, 0.75, 0.9 })
        {
            var own = ForkAndDecay.WithShare(knee, share).Build(100);
            long k = ForkAndDecay.KneeStep(knee, share, 100);
            for (long s = 1; s <= k; s++) Assert.AreEqual(BitConverter.DoubleToInt64Bits(trunk.LearningRate(s)), BitConverter.DoubleToInt64Bits(own.LearningRate(s)), $"share {share}, step {s}");
            for (long s = 11; s <= k; s++) Assert.AreEqual(0.05, own.LearningRate(s), $"share {share}, step {s}: the peak");
            if (k < 100) Assert.IsLessThan(0.05, own.LearningRate(k + 1), $"share {share} decays after its knee");
        }
    }

    [TestMethod]
    public void Each_branch_ends_bit_identical_to_an_independent_run_of_its_share()
    {
        var train = Blobs(300, 12, seed: 1);
        var validation = Blobs(90, 12, seed: 2);
        double[] shares = [0, 0.5, 0.75];
        string folder = TestFolders.New("fork");
        try
        {
            // 30 steps: knees at 0 (before training), 15 (mid-epoch 2) and 23 (mid-epoch 3).
            using var outcome = ForkAndDecay.TrainCounted(train, validation, Options(), shares, Mlp(12), 7, CPU, folder, _ => { }, CancellationToken.None);
            var forked = outcome.Results;
            Assert.IsEmpty(Directory.GetFiles(folder), "the trunk's checkpoints are deleted");
            // 30 steps: trunk to 23, branches 30 + 15 + 7.
            Assert.AreEqual(23 + 30 + 15 + 7, outcome.StepsTrained);
            Assert.AreEqual(30, outcome.TotalSteps);
            Assert.AreEqual(ForkAndDecay.RunEquivalents(30, [0, 15, 23]), outcome.RunEquivalents, 1e-12);
            for (int i = 0; i < shares.Length; i++)
            {
                using var independent = ClassifierTraining.Train(train, validation, Options(share: shares[i]), Mlp(12), 7, CPU, _ => { }, CancellationToken.None);
                AssertIdentical(independent, forked[i], $"share {shares[i]}");
                Assert.AreEqual(independent.Report.ScheduleJson, forked[i].Report.ScheduleJson);
                Assert.AreEqual(ClassifierTraining.Evaluate(independent.Model, validation, CPU, 64), ClassifierTraining.Evaluate(forked[i].Model, validation, CPU, 64));
            }
            Assert.AreEqual(15, forked[1].Report.ResumedFromStep);
            Assert.AreEqual(23, forked[2].Report.ResumedFromStep);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void With_warmup_the_branches_still_match_independent_runs()
    {
        var train = Blobs(300, 12, seed: 4);
        double[] shares = [0.2, 0.6];
        string folder = TestFolders.New("fork");
        try
        {
            var forked = ForkAndDecay.Train(train, null, Options(warmup: 0.2), shares, Mlp(12), 3, CPU, folder, _ => { }, CancellationToken.None);
            try
            {
                for (int i = 0; i < shares.Length; i++)
                {
                    using var independent = ClassifierTraining.Train(train, null, Options(share: shares[i], warmup: 0.2), Mlp(12), 3, CPU, _ => { }, CancellationToken.None);
                    AssertIdentical(independent, forked[i], $"share {shares[i]} with warmup");
                }
            }
            finally
            {
                foreach (var result in forked) result.Dispose();
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void Fork_and_decay_needs_the_knee_schedule()
    {
        var options = Options() with { Schedule = new CosineScheduleOptions() };
        var e = Assert.Throws<ArgumentException>(() => ForkAndDecay.TrainTrunk(Blobs(30, 12, 1), null, options, [0.5], Mlp(12), 1, CPU,
            new WideMinima.Training.Checkpoints.CheckpointDirectory(Path.GetTempPath()), _ => { }, CancellationToken.None));
        StringAssert.Contains(e.Message, "Knee");
    }
}
