using Microsoft.ML;
using WideMinima.MLNet;
using WideMinima.Tests.MLNet;
using WideMinima.Training;
using WideMinima.Tuning;

namespace WideMinima.Tests.Tuning;

[TestClass]
public sealed class WideMinimaTunerTests
{
    private static WideMinimaTuner.Options Tiny(double budget) => new()
    {
        Trainer = new WideMinimaTrainer.Options { HiddenSizes = [16], Epochs = 3, BatchSize = 32, Seed = 2, Device = DeviceKind.Cpu, Threads = 1 },
        PeakLearningRate = new ValueRange(1e-3, 0.5),
        ExploreShares = [0, 0.5, 0.9],
        GracePeriod = 1,
        ReductionFactor = 3,
        BudgetEpochs = budget,
        Seed = 4,
    };

    [TestMethod]
    public void Fit_searches_within_the_budget_and_returns_the_best_settings_trained_on_all_the_data()
    {
        var ml = new MLContext(seed: 1);
        var data = SyntheticData.Blobs(ml, 300, seed: 3);
        var events = new List<TuningProgress>();
        var options = Tiny(20);
        options.Progress = new Inline(events.Add);
        var result = new WideMinimaTuner(ml, options).Fit(data);

        var outcome = result.Outcome;
        CollectionAssert.AreEqual(new[] { 1, 3 }, outcome.Rungs.ToArray());
        Assert.IsTrue(outcome.SpentEpochs <= 20 - 3 + 1e-9, $"search spent {outcome.SpentEpochs}");
        Assert.IsTrue(outcome.Trials.Count >= 3);
        Assert.AreEqual(outcome.Ranked[0], result.Best);
        Assert.IsTrue(result.Best.ValidationAccuracy > 0.8, $"blobs are easy: {result.Best.ValidationAccuracy}");
        Assert.AreEqual(300, result.Model.TrainingReport.TrainingExamples, "the final model trains on all the data");
        Assert.AreEqual(3, result.Model.TrainingReport.Epochs.Count);
        // The final model trains the chosen schedule (a one-cycle schedule's discrete steps need not touch its peak, so compare the schedule itself).
        var schedule = WideMinima.Schedules.ScheduleJson.Deserialize(result.Model.TrainingReport.ScheduleJson);
        Assert.AreEqual(result.Best.Trial.Settings.PeakLearningRate, schedule.PeakLearningRate);
        Assert.AreEqual(result.Best.Trial.Settings.Family.Name(), schedule.Kind);
        Assert.IsTrue(result.Model.TrainingReport.LearningRates.Max() <= schedule.PeakLearningRate * (1 + 1e-6));
        Assert.IsTrue(result.Model.Evaluate(data).Accuracy > 0.8);
        Assert.AreEqual(outcome.Jobs, events.Count(e => e.Kind == TuningEventKind.JobFinished));
        Assert.AreEqual(1, events.Count(e => e.Kind == TuningEventKind.Stopped));
        // a validation trial trains on 90% of the rows: 270 -> 9 steps per epoch at batch 32
        Assert.AreEqual(outcome.SpentEpochs, events.Where(e => e.Kind == TuningEventKind.JobFinished).Sum(e => e.Result!.ComputeEpochs), 1e-9);
        result.Model.Dispose();
    }

    [TestMethod]
    public void Bad_options_fail_before_any_data_is_read_naming_the_option()
    {
        var ml = new MLContext(seed: 1);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new WideMinimaTuner(ml, Tiny(3.5))).Message, "'BudgetEpochs' is too small to finish one trial");
        var o = Tiny(20); o.ReductionFactor = 1;
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new WideMinimaTuner(ml, o)).Message, "'ReductionFactor' must be at least 2");
        o = Tiny(20); o.ValidationShare = 0.6;
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new WideMinimaTuner(ml, o)).Message, "'ValidationShare' must be in (0, 0.5], but was 0.6");
        o = Tiny(20); o.BudgetEpochs = null;
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new WideMinimaTuner(ml, o)).Message, "'BudgetEpochs'");
    }

    private sealed class Inline(Action<TuningProgress> action) : IProgress<TuningProgress>
    {
        public void Report(TuningProgress value) => action(value);
    }
}
