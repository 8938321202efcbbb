using TorchSharp;
using WideMinima.Sharpness;
using static TorchSharp.torch;

namespace WideMinima.Tests.Sharpness;

[TestClass]
public sealed class LossLandscapeTests
{
    private static (nn.Module<Tensor, Tensor> Model, Tensor X, Tensor Y) Tiny(int seed)
    {
        random.manual_seed(seed);
        var model = nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 3));
        var g = new Generator(1);
        var x = randn(40, 4, generator: g);
        var y = randint(0, 3, [40], generator: g);
        model.train();
        model.call(x).Dispose();
        return (model, x, y);
    }

    private static readonly Func<Tensor, Tensor, Tensor> Ce = (o, t) => nn.functional.cross_entropy(o, t);

    [TestMethod]
    public void Directions_are_filter_normalised_and_leave_biases_still()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(4);
        var w = randn(5, 3, 2, 2, generator: g);
        var b = randn(5, generator: g);
        var d = LossLandscape.FilterNormalizedDirection([w, b], new Generator(9), includeBiasAndNorm: false);
        for (int f = 0; f < 5; f++)
            Assert.AreEqual(w[f].norm().ToDouble(), d[0][f].norm().ToDouble(), 1e-5, $"filter {f}");
        Assert.AreEqual(0.0, d[1].abs().sum().ToDouble());
        var withBias = LossLandscape.FilterNormalizedDirection([w, b], new Generator(9), includeBiasAndNorm: true);
        CollectionAssert.AreEqual(b.data<float>().ToArray(), withBias[1].data<float>().ToArray());
        Assert.IsFalse(d[0].allclose(w), "a random direction, not the weights");
    }

    [TestMethod]
    public void A_slice_passes_through_the_trained_loss_at_zero_and_restores_the_model()
    {
        using var scope = NewDisposeScope();
        var (model, x, y) = Tiny(1);
        var before = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        model.eval();
        double trained = Ce(model.call(x), y).ToDouble();
        model.train();
        var line = LossLandscape.Slice(model, Ce, x, y, new LandscapeOptions { Points = 11, Seed = 2 });
        Assert.HasCount(11, line.Losses);
        Assert.AreEqual(0.0, line.Coordinates[5], 1e-12);
        Assert.AreEqual(trained, line.Losses[5], 1e-6);
        Assert.IsGreaterThan(line.Losses[5], line.Losses[0], "moving a whole weight-norm away raises the loss");
        Assert.IsTrue(model.training);
        foreach (var (name, t) in model.state_dict())
            CollectionAssert.AreEqual(before[name].bytes.ToArray(), t.bytes.ToArray(), $"{name} changed");
        var again = LossLandscape.Slice(model, Ce, x, y, new LandscapeOptions { Points = 11, Seed = 2 });
        CollectionAssert.AreEqual(line.Losses.ToArray(), again.Losses.ToArray(), "seeded");
    }

    [TestMethod]
    public void A_surface_has_the_trained_loss_at_its_centre()
    {
        using var scope = NewDisposeScope();
        var (model, x, y) = Tiny(1);
        model.eval();
        double trained = Ce(model.call(x), y).ToDouble();
        var surface = LossLandscape.Surface(model, Ce, x, y, new LandscapeOptions { GridPoints = 5 });
        Assert.HasCount(5, surface.Losses);
        Assert.HasCount(5, surface.Losses[0]);
        Assert.AreEqual(trained, surface.Losses[2][2], 1e-6);
    }

    [TestMethod]
    public void Interpolation_hits_both_models_at_zero_and_one()
    {
        using var scope = NewDisposeScope();
        var (a, x, y) = Tiny(1);
        var (b, _, _) = Tiny(2);
        a.eval();
        b.eval();
        double la = Ce(a.call(x), y).ToDouble(), lb = Ce(b.call(x), y).ToDouble();
        var line = LossLandscape.Interpolate(a, b, Ce, x, y, new LandscapeOptions { Points = 9, InterpolationStart = -0.5, InterpolationEnd = 1.5 });
        Assert.AreEqual(0.0, line.Coordinates[2], 1e-12);
        Assert.AreEqual(1.0, line.Coordinates[6], 1e-12);
        Assert.AreEqual(la, line.Losses[2], 1e-5);
        Assert.AreEqual(lb, line.Losses[6], 1e-5);
        Assert.AreEqual(la, Ce(a.call(x), y).ToDouble(), 0.0, "the first model is unchanged");
    }

    [TestMethod]
    public void Different_architectures_cannot_be_interpolated()
    {
        using var scope = NewDisposeScope();
        var (a, x, y) = Tiny(1);
        var other = nn.Sequential(nn.Linear(4, 3));
        Assert.ThrowsExactly<ArgumentException>(() => LossLandscape.Interpolate(a, other, Ce, x, y));
    }

    [TestMethod]
    [DataRow(nameof(LandscapeOptions.Points), "1")]
    [DataRow(nameof(LandscapeOptions.GridPoints), "0")]
    [DataRow(nameof(LandscapeOptions.Range), "0")]
    [DataRow(nameof(LandscapeOptions.SampleSize), "0")]
    public void Bad_options_are_rejected_naming_the_option_and_the_value(string option, string value)
    {
        var options = new LandscapeOptions();
        var property = typeof(LandscapeOptions).GetProperty(option)!;
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        property.SetValue(options, Convert.ChangeType(value, type, System.Globalization.CultureInfo.InvariantCulture));
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(options.Validate);
        Assert.AreEqual(option, e.ParamName);
        StringAssert.Contains(e.Message, $"was {value}");
    }
}
