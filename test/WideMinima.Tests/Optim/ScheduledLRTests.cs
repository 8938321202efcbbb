using TorchSharp;
using WideMinima.Schedules;
using WideMinima.Optim;
using static TorchSharp.torch;

namespace WideMinima.Tests.Optim;

[TestClass]
public sealed class ScheduledLRTests
{
    private static nn.Module<Tensor, Tensor> TinyModel() => nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 2));

    [TestMethod]
    public void Knee_port_sets_lr1_at_construction_and_lr_k_plus_1_after_k_steps()
    {
        using var model = TinyModel();
        var sgd = optim.SGD(model.parameters(), 123.0);
        var scheduler = new KneeLRScheduler(sgd, peakLr: 0.4, warmupSteps: 5, exploreSteps: 10, totalSteps: 37);
        var reference = new KneeSchedule(0.4, 37, 10, 5);
        Assert.AreEqual(reference.LearningRate(1), scheduler.get_last_lr().Single());
        Assert.AreEqual(reference.LearningRate(1), sgd.ParamGroups.Single().LearningRate);
        for (int k = 1; k <= 40; k++)
        {
            scheduler.step();
            Assert.AreEqual(reference.LearningRate(k + 1), scheduler.get_last_lr().Single(), $"after step {k}");
            Assert.AreEqual(reference.LearningRate(k + 1), sgd.ParamGroups.Single().LearningRate, $"optimizer after step {k}");
        }
    }

    [TestMethod]
    public void Knee_port_rejects_what_the_reference_asserts_on()
    {
        using var model = TinyModel();
        var sgd = optim.SGD(model.parameters(), 0.1);
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new KneeLRScheduler(sgd, 0.1, 5, 10, 12));
        Assert.AreEqual("exploreSteps", e.ParamName);
        Assert.ThrowsExactly<ArgumentNullException>(() => new KneeLRScheduler(null!, 0.1, 0, 1, 2));
    }

    [TestMethod]
    public void Parameter_groups_keep_their_base_rate_ratio()
    {
        using var model = TinyModel();
        var parameters = model.parameters().ToArray();
        var adam = optim.AdamW([
            new TorchSharp.Modules.AdamW.ParamGroup(parameters.Take(2), lr: 0.01),
            new TorchSharp.Modules.AdamW.ParamGroup(parameters.Skip(2), lr: 0.1),
        ]);
        var schedule = new CosineSchedule(1.0, 10);
        var scheduler = new ScheduledLR(adam, schedule);
        for (int s = 1; s <= 10; s++)
        {
            var lrs = scheduler.get_last_lr().ToArray();
            Assert.AreEqual(schedule.LearningRate(s), lrs[0], 1e-15);
            Assert.AreEqual(schedule.LearningRate(s) * 10, lrs[1], 1e-12);
            scheduler.step();
        }
        var explicitScales = new ScheduledLR(adam, schedule, [1.0, 0.5]);
        Assert.AreEqual(0.5 * schedule.LearningRate(1), explicitScales.get_last_lr().Last(), 1e-15);
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ScheduledLR(adam, schedule, [1.0]));
        Assert.AreEqual("groupScales", e.ParamName);
    }

    [TestMethod]
    public void Save_after_k_steps_restore_and_the_rest_of_the_sequence_is_identical()
    {
        var schedule = KneeSchedule.FromExploreFraction(0.3, 50, 0.5, warmupSteps: 4, decayShape: DecayShape.OneMinusSqrt);
        using var model = TinyModel();
        var first = new ScheduledLR(optim.SGD(model.parameters(), 0.3), schedule);
        var uninterrupted = new List<double>();
        for (int k = 0; k < 60; k++) { uninterrupted.Add(first.get_last_lr().Single()); first.step(); }

        var before = new ScheduledLR(optim.SGD(model.parameters(), 0.3), schedule);
        for (int k = 0; k < 17; k++) before.step();
        string saved = before.StateDict().ToJson();

        var resumedOptimizer = optim.SGD(model.parameters(), 0.3);
        var resumed = new ScheduledLR(resumedOptimizer, ScheduleJson.Deserialize(ScheduleJson.Serialize(schedule)));
        resumed.LoadStateDict(ScheduledLRState.FromJson(saved));
        Assert.AreEqual(18L, resumed.CurrentStep);
        var rest = new List<double>();
        for (int k = 17; k < 60; k++)
        {
            rest.Add(resumed.get_last_lr().Single());
            Assert.AreEqual(resumed.get_last_lr().Single(), resumedOptimizer.ParamGroups.Single().LearningRate);
            resumed.step();
        }
        CollectionAssert.AreEqual(uninterrupted.Skip(17).ToList(), rest);
    }

    [TestMethod]
    public void Loading_state_of_another_schedule_is_refused()
    {
        using var model = TinyModel();
        var a = new ScheduledLR(optim.SGD(model.parameters(), 0.1), new KneeSchedule(0.1, 10, 5));
        var b = new ScheduledLR(optim.SGD(model.parameters(), 0.1), new CosineSchedule(0.1, 10));
        var e = Assert.ThrowsExactly<ArgumentException>(() => b.LoadStateDict(a.StateDict()));
        StringAssert.Contains(e.Message, "knee");
    }

    [TestMethod]
    public void Tiny_mlp_trained_with_the_knee_adapter_learns_and_follows_the_schedule()
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        // Two Gaussian blobs, linearly separable up to noise.
        var x0 = randn(128, 2) + tensor(new float[] { 2, 2 });
        var x1 = randn(128, 2) - tensor(new float[] { 2, 2 });
        var x = cat([x0, x1], 0);
        var y = cat([zeros(128, dtype: int64), ones(128, dtype: int64)], 0);

        var model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 2));
        var sgd = optim.SGD(model.parameters(), 0.5, momentum: 0.9);
        const int total = 60;
        var scheduler = new KneeLRScheduler(sgd, 0.5, 5, 25, total);
        var schedule = new KneeSchedule(0.5, total, 25, 5);

        double firstLoss = double.NaN, lastLoss = double.NaN;
        for (int step = 1; step <= total; step++)
        {
            Assert.AreEqual(schedule.LearningRate(step), scheduler.get_last_lr().Single(), $"lr used by step {step}");
            using var inner = NewDisposeScope();
            sgd.zero_grad();
            var loss = nn.functional.cross_entropy(model.call(x), y);
            loss.backward();
            sgd.step();
            scheduler.step();
            if (step == 1) firstLoss = loss.ToDouble();
            lastLoss = loss.ToDouble();
        }
        Assert.IsLessThan(firstLoss * 0.3, lastLoss, $"loss should fall well below its start ({firstLoss} -> {lastLoss})");
        Assert.AreEqual(0.0, scheduler.get_last_lr().Single(), "after the budget the Knee rate is 0");
    }
}
