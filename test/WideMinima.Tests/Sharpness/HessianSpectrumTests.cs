using TorchSharp;
using TorchSharp.Modules;
using WideMinima.Sharpness;
using static TorchSharp.torch;

namespace WideMinima.Tests.Sharpness;

[TestClass]
public sealed class HessianSpectrumTests
{
    /// <summary>Outputs its weight vector w for every example, so that a loss of the output is a function of w alone.</summary>
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

    /// <summary>L(w) = 0.5 (w - c)ᵀ A (w - c) per example, averaged: its Hessian is A everywhere.</summary>
    private static Func<Tensor, Tensor, Tensor> QuadraticForm(Tensor a) =>
        (output, target) => { var d = output - target; return d.matmul(a).mul(d).sum(1).mul(0.5).mean(); };

    private static (Tensor X, Tensor Y) Data(double[] c, int n) =>
        (zeros(n, 1, dtype: float64), tensor(c, dtype: float64).unsqueeze(0).expand(n, -1).contiguous());

    /// <summary>A symmetric positive definite 8x8 matrix with a clear top eigenvalue and small off-diagonal terms.</summary>
    private static Tensor Matrix()
    {
        var g = new Generator(7);
        var noise = randn(8, 8, dtype: float64, generator: g).mul_(0.05);
        return diag(tensor(new double[] { 1, 2, 3, 4, 5, 6, 7, 12 }, dtype: float64)) + noise + noise.t();
    }

    [TestMethod]
    public void A_quadratic_form_gives_its_matrix_top_eigenvalue_and_trace_within_one_percent()
    {
        using var scope = NewDisposeScope();
        var a = Matrix();
        double[] c = [0.5, -1, 2, 0, 0.25, 3, -0.75, 1];
        var model = new Point([.. c.Select(v => v + 0.1)]); // off the minimum: the Hessian is A everywhere
        var (x, y) = Data(c, 16);
        var report = HessianSpectrum.Measure(model, QuadraticForm(a), x, y,
            new HessianOptions { MaxIterations = 200, Tolerance = 1e-9, Probes = 400, BatchSize = 5, Seed = 3 });

        double top = linalg.eigvalsh(a).max().ToDouble();
        double trace = a.trace().ToDouble();
        Assert.AreEqual(top, report.TopEigenvalue!.Value, top * 0.01, $"top eigenvalue {report.TopEigenvalue} vs eigvalsh {top}");
        Assert.IsTrue(report.Converged, "power iteration converged");
        Assert.AreEqual(trace, report.Trace!.Value, trace * 0.01, $"trace {report.Trace} vs {trace}");
        Assert.IsGreaterThan(0.0, report.TraceStandardError!.Value);
        Assert.AreEqual(trace, report.Trace.Value, 5 * report.TraceStandardError.Value, "the truth lies within 5 standard errors");
        Assert.AreEqual(16, report.SampleSize);
    }

    [TestMethod]
    public void A_diagonal_hessian_gives_the_exact_trace_with_zero_standard_error()
    {
        // zᵀ D z = Σ dᵢ zᵢ² = tr D for every Rademacher z: Hutchinson has no variance here.
        using var scope = NewDisposeScope();
        var a = diag(tensor(new double[] { 1, 3, 9, 0.5 }, dtype: float64));
        var model = new Point([0, 0, 0, 0]);
        var (x, y) = Data([1, 1, 1, 1], 4);
        var report = HessianSpectrum.Measure(model, QuadraticForm(a), x, y, new HessianOptions { Probes = 5 });
        Assert.AreEqual(13.5, report.Trace!.Value, 1e-9);
        Assert.AreEqual(0.0, report.TraceStandardError!.Value, 1e-9);
        Assert.AreEqual(9.0, report.TopEigenvalue!.Value, 0.09);
    }

    [TestMethod]
    public void Linear_regression_with_mse_gives_the_eigenvalues_of_its_design_matrix()
    {
        // MSE of a one-output linear model: the Hessian in (w, b) is (2/n) [X 1]ᵀ [X 1], whatever the weights.
        using var scope = NewDisposeScope();
        var g = new Generator(11);
        var model = nn.Linear(4, 1).to(float64);
        var x = randn(40, 4, dtype: float64, generator: g).mul_(tensor(new double[] { 1, 2, 0.5, 3 }, dtype: float64));
        var y = randn(40, 1, dtype: float64, generator: g);
        var report = HessianSpectrum.Measure(model, (o, t) => nn.functional.mse_loss(o, t), x, y,
            new HessianOptions { SampleSize = null, BatchSize = 7, MaxIterations = 300, Tolerance = 1e-10, Probes = 300 });

        var design = cat([x, ones(40, 1, dtype: float64)], 1);
        var h = design.t().matmul(design).mul(2.0 / 40);
        double top = linalg.eigvalsh(h).max().ToDouble();
        double trace = h.trace().ToDouble();
        Assert.AreEqual(top, report.TopEigenvalue!.Value, top * 0.01);
        Assert.AreEqual(trace, report.Trace!.Value, Math.Max(trace * 0.01, 4 * report.TraceStandardError!.Value));
    }

    [TestMethod]
    public void Hessian_vector_products_agree_with_finite_differences_of_gradients()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(5);
        var model = nn.Sequential(nn.Linear(6, 5), nn.Tanh(), nn.Linear(5, 3)).to(float64);
        var g = new Generator(5);
        var x = randn(30, 6, dtype: float64, generator: g);
        var y = randint(0, 3, [30], generator: g);
        Func<Tensor, Tensor, Tensor> loss = (o, t) => nn.functional.cross_entropy(o, t);
        var parameters = model.parameters().Cast<Tensor>().ToArray();
        var v = parameters.Select(p => randn(p.shape, dtype: float64, generator: g)).ToArray();

        var hv = HessianSpectrum.HessianVectorProduct(model, loss, parameters, x.split(8), y.split(8), 30, v);

        const double h = 1e-5;
        Tensor[] Gradient(double shift)
        {
            using (no_grad()) { for (int i = 0; i < parameters.Length; i++) parameters[i].add_(v[i], alpha: shift); }
            var grads = autograd.grad([loss(model.call(x), y)], parameters);
            using (no_grad()) { for (int i = 0; i < parameters.Length; i++) parameters[i].add_(v[i], alpha: -shift); }
            return [.. grads];
        }
        var plus = Gradient(h);
        var minus = Gradient(-h);
        for (int i = 0; i < parameters.Length; i++)
        {
            var fd = (plus[i] - minus[i]) / (2 * h);
            double error = (fd - hv[i]).norm().ToDouble() / fd.norm().ToDouble();
            Assert.IsLessThan(1e-6, error, $"parameter {i}: relative error {error}");
        }
    }

    [TestMethod]
    public void Weights_batchnorm_statistics_and_modes_are_left_bit_for_bit()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(2);
        var model = nn.Sequential(nn.Linear(5, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.3), nn.Linear(8, 3));
        var g = new Generator(2);
        var x = randn(64, 5, generator: g);
        var y = randint(0, 3, [64], generator: g);
        model.train();
        var sgd = optim.SGD(model.parameters(), 0.1);
        for (int i = 0; i < 3; i++)
        {
            sgd.zero_grad();
            nn.functional.cross_entropy(model.call(x), y).backward();
            sgd.step();
        }
        var before = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        Assert.IsTrue(before.Keys.Any(k => k.Contains("running_mean", StringComparison.Ordinal)), "the model has BatchNorm statistics");

        var report = HessianSpectrum.Measure(model, (o, t) => nn.functional.cross_entropy(o, t), x, y, new HessianOptions { MaxIterations = 5, Probes = 3 });

        Assert.IsTrue(double.IsFinite(report.TopEigenvalue!.Value));
        Assert.IsTrue(model.training, "the model is back in training mode");
        foreach (var (name, tensor) in model.state_dict())
            CollectionAssert.AreEqual(before[name].bytes.ToArray(), tensor.bytes.ToArray(), $"{name} changed");
    }

    [TestMethod]
    public void The_same_seed_gives_the_same_report()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(4);
        var model = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 2));
        var g = new Generator(4);
        var x = randn(50, 4, generator: g);
        var y = randint(0, 2, [50], generator: g);
        var options = new HessianOptions { SampleSize = 20, MaxIterations = 10, Probes = 4, Seed = 9 };
        var a = HessianSpectrum.Measure(model, (o, t) => nn.functional.cross_entropy(o, t), x, y, options);
        var b = HessianSpectrum.Measure(model, (o, t) => nn.functional.cross_entropy(o, t), x, y, options);
        Assert.AreEqual(a.TopEigenvalue, b.TopEigenvalue);
        Assert.AreEqual(a.Trace, b.Trace);
        Assert.AreEqual(20, a.SampleSize);
    }

    [TestMethod]
    [DataRow(nameof(HessianOptions.MaxIterations), "0")]
    [DataRow(nameof(HessianOptions.Probes), "0")]
    [DataRow(nameof(HessianOptions.SampleSize), "0")]
    [DataRow(nameof(HessianOptions.BatchSize), "-1")]
    [DataRow(nameof(HessianOptions.Tolerance), "0")]
    public void Bad_options_are_rejected_naming_the_option_and_the_value(string option, string value)
    {
        var options = new HessianOptions();
        var property = typeof(HessianOptions).GetProperty(option)!;
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        property.SetValue(options, Convert.ChangeType(value, type, System.Globalization.CultureInfo.InvariantCulture));
        using var scope = NewDisposeScope();
        var model = new Point([1, 2]);
        var (x, y) = Data([0, 0], 4);
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => HessianSpectrum.Measure(model, QuadraticForm(eye(2, dtype: float64)), x, y, options));
        Assert.AreEqual(option, e.ParamName);
        StringAssert.Contains(e.Message, $"was {value}");
    }

    [TestMethod]
    public void An_empty_sample_is_rejected()
    {
        using var scope = NewDisposeScope();
        var model = new Point([1, 2]);
        var e = Assert.ThrowsExactly<ArgumentException>(() =>
            HessianSpectrum.Measure(model, QuadraticForm(eye(2, dtype: float64)), zeros(0, 1, dtype: float64), zeros(0, 2, dtype: float64)));
        Assert.AreEqual("inputs", e.ParamName);
    }
}
