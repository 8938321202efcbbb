using TorchSharp;
using TorchSharp.Modules;
using WideMinima.Sharpness;
using static TorchSharp.torch;

namespace WideMinima.Tests.Sharpness;

[TestClass]
public sealed class KeskarWidthTests
{
    /// <summary>f(w) = 0.5 Σ a_i (w_i - c_i)², sitting at its minimum w = c.</summary>
    private sealed class Quadratic : nn.Module<Tensor, Tensor>
    {
        private readonly Parameter w;

        public Quadratic(double[] c) : base(nameof(Quadratic))
        {
            w = nn.Parameter(tensor(c, dtype: float64));
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => w.unsqueeze(0).expand(input.shape[0], -1);
    }

    private static Func<Tensor, Tensor, Tensor> QuadraticLoss(double[] a)
    {
        var weights = tensor(a, dtype: float64);
        return (output, target) => ((output - target).pow(2) * weights).sum(1).mul(0.5).mean();
    }

    private static double AnalyticMaximum(double[] a, double[] c, double epsilon) =>
        a.Select((ai, i) => 0.5 * ai * Math.Pow(epsilon * (Math.Abs(c[i]) + 1), 2)).Sum();

    private static (Tensor X, Tensor Y) Data(double[] c, int n) =>
        (zeros(n, 1, dtype: float64), tensor(c, dtype: float64).unsqueeze(0).expand(n, -1).contiguous());

    private static readonly double[] A = [1.0, 4.0, 0.5, 10.0, 2.5, 7.0];
    private static readonly double[] C = [0.3, -1.7, 2.0, 0.0, -0.05, 5.0];

    [TestMethod]
    public void Sign_ascent_on_a_quadratic_reaches_the_analytic_corner_maximum_within_one_percent()
    {
        using var scope = NewDisposeScope();
        var model = new Quadratic(C);
        var (x, y) = Data(C, 64);
        const double eps = 1e-3;
        var report = KeskarWidth.Measure(model, QuadraticLoss(A), x, y,
            new KeskarWidthOptions { Epsilon = eps, Method = AscentMethod.SignGradient, MaxSteps = 20, BatchSize = 64 });

        double expected = 100 * AnalyticMaximum(A, C, eps);
        CollectionAssert.AreEqual(C.Select(BitConverter.DoubleToInt64Bits).ToArray(),
            model.parameters().Single().data<double>().ToArray().Select(BitConverter.DoubleToInt64Bits).ToArray(), "weights restored bit for bit");
        Assert.AreEqual(0.0, report.InitialLoss, 1e-20);
        Assert.AreEqual(expected, report.Sharpness, expected * 0.01, $"sharpness {report.Sharpness} vs analytic {expected}");
        Assert.IsLessThanOrEqualTo(expected * (1 + 1e-9), report.Sharpness, "no point in the box can exceed the corner");
    }

    [TestMethod]
    public void Sgd_ascent_on_a_steep_quadratic_also_reaches_the_corner()
    {
        using var scope = NewDisposeScope();
        double[] a = [300, 500, 800, 1000];
        double[] c = [1, -2, 0.5, 0];
        var model = new Quadratic(c);
        var (x, y) = Data(c, 16);
        const double eps = 1e-2;
        var report = KeskarWidth.Measure(model, QuadraticLoss(a), x, y,
            new KeskarWidthOptions { Epsilon = eps, Method = AscentMethod.Sgd, LearningRate = 1e-3, MaxSteps = 300, BatchSize = 16 });
        double expected = 100 * AnalyticMaximum(a, c, eps) / (1 + 0);
        Assert.AreEqual(expected, report.Sharpness, expected * 0.01);
    }

    [TestMethod]
    public void Starting_exactly_at_a_stationary_point_without_a_random_start_cannot_climb_and_says_so()
    {
        using var scope = NewDisposeScope();
        var model = new Quadratic(C);
        var (x, y) = Data(C, 8);
        var report = KeskarWidth.Measure(model, QuadraticLoss(A), x, y,
            new KeskarWidthOptions { Epsilon = 1e-3, Method = AscentMethod.SignGradient, MaxSteps = 10, RandomStartFraction = 0, BatchSize = 8 });
        Assert.AreEqual(0.0, report.Sharpness, "a zero gradient gives a zero sign step");
        Assert.IsTrue(report.Converged);
    }

    [TestMethod]
    public void Weights_are_restored_bit_for_bit()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var model = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 3));
        var before = model.parameters().Select(p => p.data<float>().ToArray()).ToList();
        var x = randn(40, 5);
        var y = randint(0, 3, [40], dtype: int64);
        var report = KeskarWidth.Measure(model, (o, t) => nn.functional.cross_entropy(o, t), x, y,
            new KeskarWidthOptions { Epsilon = 1e-2, Method = AscentMethod.SignGradient, MaxSteps = 15 });
        Assert.IsGreaterThan(0.0, report.Sharpness);
        var after = model.parameters().Select(p => p.data<float>().ToArray()).ToList();
        for (int i = 0; i < before.Count; i++) CollectionAssert.AreEqual(before[i], after[i], $"parameter {i}");
    }

    [TestMethod]
    public void Weights_and_mode_are_restored_when_the_loss_throws_mid_ascent()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        var model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2));
        model.train();
        var before = model.parameters().Select(p => p.data<float>().ToArray()).ToList();
        int calls = 0;
        Tensor Failing(Tensor o, Tensor t)
        {
            if (++calls == 6) throw new InvalidOperationException("boom");
            return nn.functional.cross_entropy(o, t);
        }
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => KeskarWidth.Measure(model, Failing, randn(10, 3), randint(0, 2, [10], dtype: int64),
            new KeskarWidthOptions { Epsilon = 0.1, Method = AscentMethod.SignGradient, MaxSteps = 20 }));
        Assert.AreEqual("boom", e.Message);
        var after = model.parameters().Select(p => p.data<float>().ToArray()).ToList();
        for (int i = 0; i < before.Count; i++) CollectionAssert.AreEqual(before[i], after[i], $"parameter {i}");
        Assert.IsTrue(model.training, "the model's training mode is restored");
    }

    [TestMethod]
    public void Batch_norm_running_statistics_are_never_perturbed_and_eval_mode_is_the_default()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var bn = nn.BatchNorm1d(6);
        var model = nn.Sequential(nn.Linear(4, 6), bn, nn.ReLU(), nn.Linear(6, 2));
        // Give the running statistics non-trivial values with a few training-mode passes.
        model.train();
        using (no_grad()) for (int i = 0; i < 3; i++) model.call(randn(32, 4) * 3 + 1);
        var mean = bn.running_mean!.data<float>().ToArray();
        var variance = bn.running_var!.data<float>().ToArray();
        KeskarWidth.Measure(model, (o, t) => nn.functional.cross_entropy(o, t), randn(64, 4), randint(0, 2, [64], dtype: int64),
            new KeskarWidthOptions { Epsilon = 1e-2, Method = AscentMethod.SignGradient, MaxSteps = 10 });
        CollectionAssert.AreEqual(mean, bn.running_mean!.data<float>().ToArray(), "eval mode: running mean untouched");
        CollectionAssert.AreEqual(variance, bn.running_var!.data<float>().ToArray(), "eval mode: running variance untouched");
        Assert.IsTrue(model.training);
    }

    [TestMethod]
    public void Reports_the_maximum_over_the_trajectory_and_the_last_iterate_separately()
    {
        using var scope = NewDisposeScope();
        manual_seed(6);
        var model = nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Linear(16, 3));
        var report = KeskarWidth.Measure(model, (o, t) => nn.functional.cross_entropy(o, t), randn(300, 5), randint(0, 3, [300], dtype: int64),
            new KeskarWidthOptions { Epsilon = 5e-2, Method = AscentMethod.Sgd, LearningRate = 0.5, MaxSteps = 40, BatchSize = 64, EvaluateEvery = 5 });
        Assert.AreEqual(report.Trajectory.Max(p => p.Loss), report.MaxLoss);
        Assert.AreEqual(report.Trajectory[^1].Loss, report.FinalLoss);
        Assert.AreEqual(0, report.Trajectory[0].Step);
        Assert.AreEqual(report.InitialLoss, report.Trajectory[0].Loss);
        Assert.AreEqual(40, report.Steps);
        Assert.AreEqual(300, report.SampleSize);
        Assert.HasCount(1 + 8, report.Trajectory);
        Assert.IsGreaterThan(report.InitialLoss, report.MaxLoss);
        Assert.AreEqual(100 * (report.MaxLoss - report.InitialLoss) / (1 + report.InitialLoss), report.Sharpness, 1e-12);
    }

    [TestMethod]
    public void Same_seed_same_result_and_early_stopping_cuts_steps()
    {
        using var scope = NewDisposeScope();
        manual_seed(8);
        var model = nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Linear(16, 3));
        var x = randn(500, 5);
        var y = randint(0, 3, [500], dtype: int64);
        var fast = KeskarWidthOptions.Fast();
        fast.SampleSize = 256;
        var a = KeskarWidth.Measure(model, (o, t) => nn.functional.cross_entropy(o, t), x, y, fast);
        var b = KeskarWidth.Measure(model, (o, t) => nn.functional.cross_entropy(o, t), x, y, fast);
        Assert.AreEqual(a.Sharpness, b.Sharpness);
        Assert.AreEqual(256, a.SampleSize);
        Assert.IsTrue(a.Converged);
        Assert.IsLessThan(fast.MaxSteps, a.Steps, "sign ascent hits the box within a few steps, then stops before its step limit");
        int patience = fast.Patience!.Value;
        var tail = a.Trajectory.TakeLast(patience + 1).ToList();
        Assert.IsTrue(tail.Skip(1).All(p => p.Loss <= a.MaxLoss), "the last evaluations did not raise the maximum");
        Assert.AreEqual(a.Steps, a.Trajectory[^1].Step, "it stopped at the step it last evaluated");

        // The same protocol without patience runs to the limit: the stop above was the early stopping's.
        var noPatience = fast.Clone();
        noPatience.Patience = null;
        var full = KeskarWidth.Measure(model, (o, t) => nn.functional.cross_entropy(o, t), x, y, noPatience);
        Assert.AreEqual(noPatience.MaxSteps, full.Steps, "without patience every step runs");
        Assert.IsGreaterThanOrEqualTo(a.MaxLoss, full.MaxLoss, "more steps never lower the maximum");
    }

    [TestMethod]
    public void Early_stopping_with_sgd_evaluated_every_few_steps_stops_before_max_steps()
    {
        using var scope = NewDisposeScope();
        manual_seed(9);
        var model = nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Linear(16, 3));
        var options = new KeskarWidthOptions { Epsilon = 1e-2, Method = AscentMethod.Sgd, LearningRate = 10, MaxSteps = 400, BatchSize = 64, EvaluateEvery = 5, Patience = 3 };
        var report = KeskarWidth.Measure(model, (o, t) => nn.functional.cross_entropy(o, t), randn(300, 5), randint(0, 3, [300], dtype: int64), options);
        Assert.IsLessThan(options.MaxSteps, report.Steps, $"a large step pins the ascent to the box's corner, so patience stops it ({report.Steps} steps)");
        Assert.AreEqual(0, report.Steps % options.EvaluateEvery, "it stops at an evaluation");
        Assert.IsTrue(report.Converged);
    }

    [TestMethod]
    public void Cancelling_mid_ascent_restores_the_weights_bit_for_bit()
    {
        using var scope = NewDisposeScope();
        manual_seed(10);
        var model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3));
        model.train();
        var before = model.parameters().Select(p => p.data<float>().ToArray()).ToList();
        using var cts = new CancellationTokenSource();
        int calls = 0;
        bool movedWhenCancelled = false;
        Tensor CancelOnFifth(Tensor o, Tensor t)
        {
            if (++calls == 5)
            {
                movedWhenCancelled = model.parameters().Select(p => p.data<float>().ToArray()).Zip(before).Any(pair => !pair.First.SequenceEqual(pair.Second));
                cts.Cancel();
            }
            return nn.functional.cross_entropy(o, t);
        }
        Assert.ThrowsExactly<OperationCanceledException>(() => KeskarWidth.Measure(model, CancelOnFifth, randn(64, 4), randint(0, 3, [64], dtype: int64),
            new KeskarWidthOptions { Epsilon = 0.1, Method = AscentMethod.SignGradient, MaxSteps = 50 }, cts.Token));
        Assert.IsTrue(movedWhenCancelled, "the ascent had moved the weights when it was cancelled");
        Assert.IsLessThan(50, calls, "the ascent stopped soon after the cancellation");
        var after = model.parameters().Select(p => p.data<float>().ToArray()).ToList();
        for (int i = 0; i < before.Count; i++)
        {
            CollectionAssert.AreEqual(before[i].Select(BitConverter.SingleToInt32Bits).ToArray(), after[i].Select(BitConverter.SingleToInt32Bits).ToArray(), $"parameter {i} bit for bit");
        }
        Assert.IsTrue(model.training, "the model's training mode is restored");
    }

    [TestMethod]
    public void Bad_input_gets_a_clear_error()
    {
        using var scope = NewDisposeScope();
        var model = nn.Sequential(nn.Linear(2, 2));
        Func<Tensor, Tensor, Tensor> ce = (o, t) => nn.functional.cross_entropy(o, t);
        var x = randn(4, 2);
        var y = randint(0, 2, [4], dtype: int64);

        var e1 = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => KeskarWidth.Measure(model, ce, x, y, new KeskarWidthOptions { Epsilon = 0 }));
        Assert.AreEqual("Epsilon", e1.ParamName);
        StringAssert.Contains(e1.Message, "0");
        var e2 = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => KeskarWidth.Measure(model, ce, x, y, new KeskarWidthOptions { MaxSteps = 0 }));
        Assert.AreEqual("MaxSteps", e2.ParamName);
        var e3 = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => KeskarWidth.Measure(model, ce, x, y, new KeskarWidthOptions { Epsilon = double.NaN }));
        StringAssert.Contains(e3.Message, "NaN");
        var e4 = Assert.ThrowsExactly<ArgumentException>(() => KeskarWidth.Measure(model, ce, zeros(0, 2), zeros(0, dtype: int64)));
        StringAssert.Contains(e4.Message, "empty");
        var e5 = Assert.ThrowsExactly<ArgumentException>(() => KeskarWidth.Measure(model, ce, Array.Empty<(Tensor, Tensor)>()));
        StringAssert.Contains(e5.Message, "no batches");
        foreach (var p in model.parameters()) p.requires_grad = false;
        var e6 = Assert.ThrowsExactly<ArgumentException>(() => KeskarWidth.Measure(model, ce, x, y));
        StringAssert.Contains(e6.Message, "no trainable parameters");
        Assert.AreEqual("model", e6.ParamName);
    }
}
