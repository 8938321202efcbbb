using WideMinima.Sharpness;

namespace WideMinima.Tests.Sharpness;

[TestClass]
public sealed class KeskarBoxTests
{
    [TestMethod]
    public void Radius_grows_with_the_weight_magnitude()
    {
        Assert.AreEqual(1e-4, KeskarBox.Radius(0, 1e-4), 1e-18);
        Assert.AreEqual(3e-4, KeskarBox.Radius(-2, 1e-4), 1e-18);
    }

    [TestMethod]
    public void Projection_clamps_to_the_box_and_keeps_points_inside()
    {
        Assert.AreEqual(1.0 + 2e-3, KeskarBox.Project(5, 1, 1e-3), 1e-15);
        Assert.AreEqual(1.0 - 2e-3, KeskarBox.Project(-5, 1, 1e-3), 1e-15);
        Assert.AreEqual(1.0005, KeskarBox.Project(1.0005, 1, 1e-3));
    }

    [TestMethod]
    public void Sharpness_is_percent_rise_over_one_plus_the_loss()
    {
        Assert.AreEqual(50.0, KeskarBox.Sharpness(1.0, 2.0), 1e-12);
        Assert.AreEqual(0.0, KeskarBox.Sharpness(0.3, 0.3));
    }
}
