using TorchSharp;
using TorchSharp.Modules;
using WideMinima.Optim;
using WideMinima.Schedules;
using static TorchSharp.torch;

namespace WideMinima.Tests.Optim;

/// <summary>
/// The Schedule-Free optimizers step by step against the paper's update equations, re-implemented here in plain
/// double precision on a two-parameter quadratic (float64 parameters, so both sides compute in double).
/// </summary>
[TestClass]
public sealed class ScheduleFreeTests
{
    // f(w) = ½ Σ a_i (w_i − c_i)², gradient a ⊙ (w − c).
    private static readonly double[] A = [3.0, 0.5];
    private static readonly double[] C = [1.0, -2.0];
    private static readonly double[] Start = [0.25, 0.75];
    // A rate per step that rises, falls and rises again, so lr_max and the averaging weights change along the way.
    private static readonly double[] Rates = [0.1, 0.2, 0.3, 0.25, 0.15, 0.35, 0.05, 0.3, 0.2, 0.1, 0.4, 0.3];

    private const double Tolerance = 1e-12;

    /// <summary>The paper's equations for one step; Adam when <paramref name="beta2"/> is given.</summary>
    private sealed class Reference(double beta, double weightDecay, int warmup, double power, double? beta2 = null, double epsilon = 1e-8)
    {
        public double[] Y = [.. Start], Z = [.. Start], X = [.. Start], V = new double[Start.Length];
        public double LrMax = -1, WeightSum;
        public long K;

        public void Step(double lr)
        {
            var g = new double[Y.Length];
            for (int i = 0; i < g.Length; i++) g[i] = A[i] * (Y[i] - C[i]);
            double sched = K < warmup ? (K + 1) / (double)warmup : 1.0;
            double gamma = lr * sched;
            if (beta2 is double b2) gamma *= Math.Sqrt(1 - Math.Pow(b2, K + 1));
            LrMax = Math.Max(gamma, LrMax);
            double weight = Math.Pow(LrMax, power);
            WeightSum += weight;
            double c = weight / WeightSum;
            for (int i = 0; i < Y.Length; i++)
            {
                if (beta2 is double b)
                {
                    Z[i] -= gamma * weightDecay * Y[i];
                    V[i] = b * V[i] + (1 - b) * g[i] * g[i];
                    Z[i] -= gamma * g[i] / (Math.Sqrt(V[i]) + epsilon);
                }
                else
                {
                    Z[i] -= gamma * (g[i] + weightDecay * Y[i]);
                }
                X[i] = (1 - c) * X[i] + c * Z[i];
                Y[i] = beta * X[i] + (1 - beta) * Z[i];
            }
            K++;
        }
    }

    private static Parameter Weights() => new(tensor(Start, dtype: float64));

    private static void Backward(Parameter w)
    {
        using var scope = NewDisposeScope();
        var a = tensor(A, dtype: float64);
        var c = tensor(C, dtype: float64);
        (a * (w - c).pow(2)).sum().mul(0.5).backward();
    }

    private static double[] Values(Tensor t) => t.detach().cpu().data<double>().ToArray();

    private static void AssertClose(double[] expected, Tensor actual, string what)
    {
        var values = Values(actual);
        for (int i = 0; i < expected.Length; i++)
            Assert.AreEqual(expected[i], values[i], Tolerance * Math.Max(1, Math.Abs(expected[i])), $"{what}[{i}]");
    }

    private static void FollowTheEquations(Func<Parameter, ScheduleFreeOptimizer> create, Reference reference, string name)
    {
        using var w = Weights();
        using var optimizer = create(w);
        var state = optimizer.States.Single();
        var group = optimizer.GroupOptions.Single();
        AssertClose(Start, state.Z, $"{name}: z before any step");
        AssertClose(Start, state.X, $"{name}: x before any step");
        for (int t = 0; t < Rates.Length; t++)
        {
            optimizer.ParamGroups.Single().LearningRate = Rates[t];
            optimizer.zero_grad();
            Backward(w);
            optimizer.step();
            reference.Step(Rates[t]);
            string at = $"{name} after step {t + 1}";
            AssertClose(reference.Y, w, $"{at}: y (the parameter)");
            AssertClose(reference.Z, state.Z, $"{at}: z");
            AssertClose(reference.X, state.X, $"{at}: x");
            if (state.ExpAvgSq is not null) AssertClose(reference.V, state.ExpAvgSq, $"{at}: second moment");
            Assert.AreEqual(reference.K, group.Step, $"{at}: k");
            Assert.AreEqual(reference.LrMax, group.LearningRateMax, Tolerance, $"{at}: lr_max");
            Assert.AreEqual(reference.WeightSum, group.WeightSum, Tolerance * reference.WeightSum, $"{at}: weight sum");
        }
        // The three sequences really differ, or the comparison above would prove little.
        Assert.AreNotEqual(reference.X[0], reference.Z[0]);
        Assert.AreNotEqual(reference.X[0], reference.Y[0]);
    }

    [TestMethod]
    public void Sgd_follows_the_update_equations_step_by_step_with_weight_decay_warmup_and_a_changing_rate()
    {
        FollowTheEquations(w => new ScheduleFreeSgd([w], 1.0, momentum: 0.9, weightDecay: 0.01, warmupSteps: 3),
            new Reference(beta: 0.9, weightDecay: 0.01, warmup: 3, power: 2), "SGD");
        FollowTheEquations(w => new ScheduleFreeSgd([w], 1.0, momentum: 0.6, weightLrPower: 1),
            new Reference(beta: 0.6, weightDecay: 0, warmup: 0, power: 1), "SGD, power 1, no decay or warmup");
    }

    [TestMethod]
    public void AdamW_follows_the_update_equations_step_by_step_with_bias_correction_decay_at_y_and_warmup()
    {
        FollowTheEquations(w => new ScheduleFreeAdamW([w], 1.0, beta1: 0.8, beta2: 0.99, epsilon: 1e-8, weightDecay: 0.05, warmupSteps: 4),
            new Reference(beta: 0.8, weightDecay: 0.05, warmup: 4, power: 2, beta2: 0.99), "AdamW");
        FollowTheEquations(w => new ScheduleFreeAdamW([w], 1.0),
            new Reference(beta: 0.9, weightDecay: 0, warmup: 0, power: 2, beta2: 0.999), "AdamW with its defaults");
    }

    [TestMethod]
    public void Eval_puts_x_into_the_parameters_and_Train_puts_y_back_bit_for_bit()
    {
        foreach (var create in new Func<Parameter, ScheduleFreeOptimizer>[] { w => new ScheduleFreeSgd([w], 0.2), w => new ScheduleFreeAdamW([w], 0.05) })
        {
            using var w = Weights();
            using var optimizer = create(w);
            for (int t = 0; t < 5; t++)
            {
                optimizer.zero_grad();
                Backward(w);
                optimizer.step();
            }
            var y = w.detach().clone();
            var state = optimizer.States.Single();
            Assert.IsTrue(optimizer.IsTraining);
            CollectionAssert.AreNotEqual(y.bytes.ToArray(), state.X.bytes.ToArray(), "x and y differ after 5 steps");

            optimizer.Eval();
            Assert.IsFalse(optimizer.IsTraining);
            CollectionAssert.AreEqual(state.X.bytes.ToArray(), w.bytes.ToArray(), "eval mode: the parameter is x");
            optimizer.Eval(); // idempotent: y is not overwritten by x
            var e = Assert.ThrowsExactly<InvalidOperationException>(() => optimizer.step());
            StringAssert.Contains(e.Message, "Train()");

            optimizer.Train();
            Assert.IsTrue(optimizer.IsTraining);
            CollectionAssert.AreEqual(y.bytes.ToArray(), w.bytes.ToArray(), "train mode: the parameter is y again");
            optimizer.Train();
            CollectionAssert.AreEqual(y.bytes.ToArray(), w.bytes.ToArray(), "Train() is idempotent");
        }
    }

    [TestMethod]
    public void Zero_grad_and_step_are_used_as_with_torch_optim_SGD()
    {
        manual_seed(3);
        using var model = nn.Linear(3, 1);
        var frozen = new Parameter(ones(2), requires_grad: true); // in the optimizer, never in the graph: no gradient
        var inputs = randn(64, 3);
        var targets = inputs.matmul(tensor(new float[] { 1.5f, -2f, 0.5f }).reshape(3, 1)) + 0.3f;
        using var optimizer = new ScheduleFreeSgd([.. model.parameters(), frozen], 0.1);
        double first = 0, last = 0;
        for (int t = 0; t < 300; t++)
        {
            optimizer.zero_grad();
            var loss = nn.functional.mse_loss(model.call(inputs), targets);
            loss.backward();
            optimizer.step();
            if (t == 0) first = loss.ToDouble();
            last = loss.ToDouble();
        }
        Assert.IsLessThan(first * 1e-3, last, $"loss {first} -> {last}");
        optimizer.zero_grad();
        Assert.AreEqual(0.0, model.weight.grad!.abs().sum().ToDouble(), "zero_grad zeroes the gradients");
        CollectionAssert.AreEqual(new float[] { 1, 1 }, frozen.data<float>().ToArray(), "a parameter without a gradient is left alone");

        // A closure is evaluated with gradients on and its loss returned.
        var returned = optimizer.step(() =>
        {
            optimizer.zero_grad();
            var l = nn.functional.mse_loss(model.call(inputs), targets);
            l.backward();
            return l;
        });
        Assert.IsNotNull(returned);
    }

    [TestMethod]
    public void The_group_rate_drives_it_so_a_schedule_warmup_equals_the_built_in_warmup_bit_for_bit()
    {
        float[] Train(ScheduleOptions schedule, int warmupSteps, bool adam)
        {
            manual_seed(11);
            using var model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2));
            var inputs = randn(32, 4);
            var targets = randint(0, 2, 32);
            using ScheduleFreeOptimizer optimizer = adam
                ? new ScheduleFreeAdamW(model.parameters(), 1.0, weightDecay: 0.01, warmupSteps: warmupSteps)
                : new ScheduleFreeSgd(model.parameters(), 1.0, weightDecay: 0.01, warmupSteps: warmupSteps);
            var scheduler = new ScheduledLR(optimizer, schedule.Build(20));
            for (int t = 0; t < 20; t++)
            {
                optimizer.zero_grad();
                nn.functional.cross_entropy(model.call(inputs), targets).backward();
                optimizer.step();
                scheduler.step();
            }
            optimizer.Eval();
            return [.. model.parameters().SelectMany(p => p.data<float>().ToArray())];
        }
        foreach (bool adam in new[] { false, true })
        {
            double peak = adam ? 0.01 : 0.2;
            var scheduled = Train(new ConstantScheduleOptions { PeakLearningRate = peak, WarmupFraction = 0.25 }, 0, adam);
            var builtIn = Train(new ConstantScheduleOptions { PeakLearningRate = peak }, 5, adam);
            var none = Train(new ConstantScheduleOptions { PeakLearningRate = peak }, 0, adam);
            CollectionAssert.AreEqual(scheduled, builtIn, $"adam {adam}: 5 warmup steps from the schedule or from the optimizer");
            CollectionAssert.AreNotEqual(scheduled, none, $"adam {adam}: the warmup changes the run");
        }
    }

    [TestMethod]
    public void TorchSharp_state_dict_round_trip_continues_the_run_bit_for_bit()
    {
        foreach (bool adam in new[] { false, true })
        {
            manual_seed(5);
            var inputs = randn(16, 3);
            var targets = randn(16, 1);
            ScheduleFreeOptimizer Create(nn.Module<Tensor, Tensor> m) => adam ? new ScheduleFreeAdamW(m.parameters(), 0.01, weightDecay: 0.1) : new ScheduleFreeSgd(m.parameters(), 0.05, weightDecay: 0.1);
            void Steps(nn.Module<Tensor, Tensor> m, ScheduleFreeOptimizer o, int count)
            {
                for (int t = 0; t < count; t++)
                {
                    o.zero_grad();
                    nn.functional.mse_loss(m.call(inputs), targets).backward();
                    o.step();
                }
            }
            using var model = nn.Linear(3, 1);
            using var optimizer = Create(model);
            Steps(model, optimizer, 6);
            using var stream = new MemoryStream();
            using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true)) optimizer.save_state_dict(writer);
            var weights = model.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());

            using var copy = nn.Linear(3, 1);
            using (no_grad())
                foreach (var (name, value) in copy.state_dict()) value.copy_(weights[name]);
            using var restored = Create(copy);
            stream.Position = 0;
            using (var reader = new BinaryReader(stream)) restored.load_state_dict(reader);
            Assert.AreEqual(6, restored.GroupOptions[0].Step);

            Steps(model, optimizer, 5);
            Steps(copy, restored, 5);
            optimizer.Eval();
            restored.Eval();
            CollectionAssert.AreEqual(model.weight.data<float>().ToArray(), copy.weight.data<float>().ToArray(), $"adam {adam}: weights");
            CollectionAssert.AreEqual(optimizer.States[0].Z.data<float>().ToArray(), restored.States[0].Z.data<float>().ToArray(), $"adam {adam}: z");
        }
    }

    [TestMethod]
    public void Out_of_range_arguments_are_refused_naming_the_argument_and_the_value()
    {
        using var w = Weights();
        foreach (double momentum in new[] { 0.0, 1.0, 1.5, -0.1, double.NaN })
        {
            var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ScheduleFreeSgd([w], 0.1, momentum: momentum));
            Assert.AreEqual("momentum", e.ParamName);
            StringAssert.Contains(e.Message, "(0, 1)");
            StringAssert.Contains(e.Message, $"but was {momentum.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}");
            e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ScheduleFreeAdamW([w], 0.1, beta1: momentum));
            Assert.AreEqual("beta1", e.ParamName);
        }
        Assert.AreEqual("beta2", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ScheduleFreeAdamW([w], 0.1, beta2: 1.0)).ParamName);
        Assert.AreEqual("epsilon", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ScheduleFreeAdamW([w], 0.1, epsilon: 0)).ParamName);
        Assert.AreEqual("learningRate", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ScheduleFreeSgd([w], -1)).ParamName);
        Assert.AreEqual("weightDecay", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ScheduleFreeSgd([w], 0.1, weightDecay: -1)).ParamName);
        Assert.AreEqual("warmupSteps", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ScheduleFreeAdamW([w], 0.1, warmupSteps: -1)).ParamName);
        Assert.AreEqual("weightLrPower", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ScheduleFreeSgd([w], 0.1, weightLrPower: double.PositiveInfinity)).ParamName);
    }
}
