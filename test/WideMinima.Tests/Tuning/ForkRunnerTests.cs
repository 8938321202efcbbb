using WideMinima.Models;
using WideMinima.Training;
using WideMinima.Tuning;

namespace WideMinima.Tests.Tuning;

[TestClass]
public sealed class ForkRunnerTests
{
    private static ClassifierData Blobs(int n, int seed)
    {
        var random = new Random(seed);
        var features = new float[n * 6];
        var labels = new long[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = i % 3;
            for (int j = 0; j < 6; j++) features[i * 6 + j] = (j % 3 == i % 3 ? 2f : 0f) + (float)(random.NextDouble() * 2 - 1);
        }
        return new ClassifierData(features, labels, 6, 3);
    }

    [TestMethod]
    public void Knee_branches_by_fork_and_decay_score_exactly_as_independent_runs_for_less_compute()
    {
        var all = Blobs(240, 1);
        var (trainIndex, validationIndex) = StratifiedSplit.Carve(all.Labels, 0.25, 3);
        var train = ClassifierTrialRunner.Subset(all, trainIndex);
        var validation = ClassifierTrialRunner.Subset(all, validationIndex);
        var spec = new NetworkSpec(ModelKind.Mlp, 6, 3, [8], null, true);
        var options = new TrainingOptions { BatchSize = 30, Threads = 1 };
        string scratch = TestFolders.New("fork");
        try
        {
            var forked = new ClassifierTrialRunner(train, validation, options, spec, TorchSharp.torch.CPU, all.Count, _ => { }, TuningForks.Trainer(scratch));
            var independent = new ClassifierTrialRunner(train, validation, options, spec, TorchSharp.torch.CPU, all.Count, _ => { }, null);
            var job = new TrialJob(0, 3, [.. new double[] { 0, 0.5, 0.9 }.Select((s, i) => new Trial(i, 0, new TrialSettings(ScheduleFamily.Knee, 0.05, s, 0, null), 7))]);

            var a = forked.Run(job, CancellationToken.None);
            var b = independent.Run(job, CancellationToken.None);
            CollectionAssert.AreEqual(b.Outcomes.ToArray(), a.Outcomes.ToArray(), "bit-identical validation accuracy per branch");
            Assert.IsTrue(a.Outcomes.All(o => o.Status == TrialOutcomeStatus.Done));
            Assert.AreEqual(0.9 + 1 + 0.5 + 0.1, ClassifierTrialRunner.RunEquivalents(job, fork: true), 1e-12);
            Assert.AreEqual(3 * 180.0 / 240 * 2.5, a.ComputeEpochs, 1e-9);
            Assert.AreEqual(3 * 180.0 / 240 * 3, b.ComputeEpochs, 1e-9);
            Assert.AreEqual(0, Directory.GetFileSystemEntries(scratch).Length, "trunk checkpoints are deleted after the job");
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }
}
