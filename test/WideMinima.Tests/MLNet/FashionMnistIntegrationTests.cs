using Microsoft.ML;
using WideMinima.Data;
using WideMinima.MLNet;
using WideMinima.Schedules;
using WideMinima.Sharpness;
using WideMinima.Training;

namespace WideMinima.Tests.MLNet;

[TestClass]
public sealed class FashionMnistIntegrationTests
{
    [TestMethod]
    public void Knee_mlp_learns_real_fashion_mnist_and_reports_its_width()
    {
        // The full-size run (60k images, 10 epochs, >= 89%) is a benchmark; here 10k images and 2 epochs
        // show that the real data flows through the real pipeline in seconds.
        var ml = new MLContext(seed: 1);
        var train = FashionMnist.Load(ml, FashionMnistSplit.Train, take: 10_000);
        var test = FashionMnist.Load(ml, FashionMnistSplit.Test, take: 2_000);
        var model = ml.MulticlassClassification.Trainers.WideMinima(new WideMinimaTrainer.Options
        {
            Epochs = 2,
            HiddenSizes = [256],
            Seed = 1,
            Device = DeviceKind.Cpu,
            Schedule = new KneeScheduleOptions { ExploreFraction = 0.5 },
            Width = KeskarWidthOptions.Fast(),
        }).Fit(train);
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
        Assert.IsGreaterThan(0.78, metrics.MicroAccuracy, $"accuracy {metrics.MicroAccuracy:P2}");
        Assert.IsNotNull(model.TrainingReport.Width);
        Assert.IsGreaterThan(0.0, model.TrainingReport.Width.Sharpness);
        Assert.AreEqual(10, model.Label.ClassCount);
        Assert.AreEqual("Ankle boot", model.Label.KeyValues[9]);
    }
}
