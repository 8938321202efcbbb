using TorchSharp;
using TorchSharp.Modules;
using WideMinima.Sharpness;
using static TorchSharp.torch;

namespace WideMinima.Tests.Sharpness;

[TestClass]
public sealed class AdaptiveSharpnessTests
{
    /// <summary>Outputs its weight vector w for every example.</summary>
    private sealed class Point : nn.Module<Tensor, Tensor>
    {
        private readonly Parameter w;

        public Point(double[] start) : base(nameof(Point))
        {
            w = nn.Parameter(tensor(start, dtype: float64));
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => w.unsqueeze(0).expand(input.shape[0], -1);
    }

    private static readonly double[] W = [0.5, -2, 1.5, 0, -0.25, 3];
    private static readonly double[] G = [1, 0.5, -2, 4, 3, -0.1];

    /// <summary>L(w) = g·w: the rise over the ball is ρ Σ|gᵢ wᵢ| (ℓ∞) or ρ ‖g ⊙ w‖₂ (ℓ2), exactly.</summary>
    private static Func<Tensor, Tensor, Tensor> Linear()
    {
        var g = tensor(G, dtype: float64);
        return (output, _) => output.mul(g).sum(1).mean();
    }

    private static (Tensor X, Tensor Y) Data(int n) => (zeros(n, 1, dtype: float64), zeros(n, 1, dtype: float64));

    [TestMethod]
    public void A_linear_loss_rises_by_rho_times_the_weighted_l1_norm_in_the_l_infinity_ball()
    {
        using var scope = NewDisposeScope();
        var model = new Point(W);
        var (x, y) = Data(8);
        const double rho = 0.01;
        var report = AdaptiveSharpness.Measure(model, Linear(), x, y, new AdaptiveSharpnessOptions { Rho = rho, BatchSize = 3 });
        double expected = rho * W.Zip(G).Sum(p => Math.Abs(p.First * p.Second));
        Assert.AreEqual(expected, report.Sharpness, expected * 0.01, $"{report.Sharpness} vs {expected}");
        Assert.IsLessThanOrEqualTo(expected * (1 + 1e-9), report.Sharpness, "nothing in the ball exceeds the exact maximum");
        CollectionAssert.AreEqual(W, model.parameters().Single().data<double>().ToArray(), "weights restored");
    }

    [TestMethod]
    public void A_linear_loss_rises_by_rho_times_the_weighted_l2_norm_in_the_l2_ball()
    {
        using var scope = NewDisposeScope();
        var model = new Point(W);
        var (x, y) = Data(8);
        const double rho = 0.05;
        var report = AdaptiveSharpness.Measure(model, Linear(), x, y, new AdaptiveSharpnessOptions { Rho = rho, Norm = AdaptiveNorm.L2, MaxSteps = 30, Patience = null });
        double expected = rho * Math.Sqrt(W.Zip(G).Sum(p => p.First * p.First * p.Second * p.Second));
        Assert.AreEqual(expected, report.Sharpness, expected * 0.01, $"{report.Sharpness} vs {expected}");
        Assert.IsLessThanOrEqualTo(expected * (1 + 1e-9), report.Sharpness);
    }

    [TestMethod]
    public void A_quadratic_off_its_minimum_reaches_the_analytic_corner_of_the_scaled_box()
    {
        // L = 0.5 Σ aᵢ (wᵢ - cᵢ)²: the maximum over |δᵢ| ≤ ρ|wᵢ| moves each weight away from cᵢ by ρ|wᵢ|.
        using var scope = NewDisposeScope();
        double[] a = [1, 4, 0.5, 10, 2];
        double[] c = [0, 1, -1, 2, 0.5];
        double[] w = [0.4, -1, 2, 1, 1.5];
        var model = new Point(w);
        var weights = tensor(a, dtype: float64);
        var target = tensor(c, dtype: float64);
        Func<Tensor, Tensor, Tensor> loss = (o, _) => (o - target).pow(2).mul(weights).sum(1).mul(0.5).mean();
        var (x, y) = Data(4);
        const double rho = 0.02;
        var report = AdaptiveSharpness.Measure(model, loss, x, y, new AdaptiveSharpnessOptions { Rho = rho });
        double expected = a.Select((ai, i) => 0.5 * ai * (Math.Pow(Math.Abs(w[i] - c[i]) + rho * Math.Abs(w[i]), 2) - Math.Pow(w[i] - c[i], 2))).Sum();
        Assert.AreEqual(expected, report.Sharpness, expected * 0.01);
    }

    [TestMethod]
    public void Scaling_one_relu_layer_up_and_the_next_down_leaves_it_unchanged()
    {
        // The reparameterisation that fools Keskar's box: f is the same function, and the adaptive ball scales with it.
        using var scope = NewDisposeScope();
        random.manual_seed(3);
        var g = new Generator(3);
        var x = randn(64, 4, dtype: float64, generator: g);
        var y = randint(0, 3, [64], generator: g);
        var first = nn.Sequential(nn.Linear(4, 6, hasBias: false), nn.ReLU(), nn.Linear(6, 3, hasBias: false)).to(float64);
        var second = nn.Sequential(nn.Linear(4, 6, hasBias: false), nn.ReLU(), nn.Linear(6, 3, hasBias: false)).to(float64);
        using (no_grad())
        {
            var p = first.parameters().ToArray();
            var q = second.parameters().ToArray();
            q[0].copy_(p[0] * 10);
            q[1].copy_(p[1] / 10);
        }
        Func<Tensor, Tensor, Tensor> ce = (o, t) => nn.functional.cross_entropy(o, t);
        var options = new AdaptiveSharpnessOptions { Rho = 0.05, Seed = 1, Patience = null, MaxSteps = 10 };
        var s1 = AdaptiveSharpness.Measure(first, ce, x, y, options).Sharpness;
        var s2 = AdaptiveSharpness.Measure(second, ce, x, y, options).Sharpness;
        Assert.IsGreaterThan(0.0, s1);
        Assert.AreEqual(s1, s2, s1 * 1e-6);
    }

    [TestMethod]
    public void Weights_batchnorm_statistics_and_modes_are_restored_bit_for_bit()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(2);
        var model = nn.Sequential(nn.Linear(5, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3));
        var g = new Generator(2);
        var x = randn(64, 5, generator: g);
        var y = randint(0, 3, [64], generator: g);
        model.train();
        model.call(x).Dispose(); // moves the running statistics off their initial values
        var before = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var report = AdaptiveSharpness.Measure(model, (o, t) => nn.functional.cross_entropy(o, t), x, y, new AdaptiveSharpnessOptions { Rho = 0.1 });
        Assert.IsGreaterThan(0.0, report.Sharpness);
        Assert.IsTrue(model.training);
        foreach (var (name, tensor) in model.state_dict())
            CollectionAssert.AreEqual(before[name].bytes.ToArray(), tensor.bytes.ToArray(), $"{name} changed");
    }

    [TestMethod]
    [DataRow(nameof(AdaptiveSharpnessOptions.Rho), "0")]
    [DataRow(nameof(AdaptiveSharpnessOptions.Rho), "-0.5")]
    [DataRow(nameof(AdaptiveSharpnessOptions.MaxSteps), "0")]
    [DataRow(nameof(AdaptiveSharpnessOptions.SampleSize), "0")]
    [DataRow(nameof(AdaptiveSharpnessOptions.StepFraction), "0")]
    public void Bad_options_are_rejected_naming_the_option_and_the_value(string option, string value)
    {
        var options = new AdaptiveSharpnessOptions();
        var property = typeof(AdaptiveSharpnessOptions).GetProperty(option)!;
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        property.SetValue(options, Convert.ChangeType(value, type, System.Globalization.CultureInfo.InvariantCulture));
        using var scope = NewDisposeScope();
        var model = new Point([1, 2, 3, 4, 5, 6]);
        var (x, y) = Data(4);
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => AdaptiveSharpness.Measure(model, Linear(), x, y, options));
        Assert.AreEqual(option, e.ParamName);
        StringAssert.Contains(e.Message, $"was {value}");
    }
}
