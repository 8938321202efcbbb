using WideMinima.Models;
using WideMinima.Schedules;
using WideMinima.Training;
using static TorchSharp.torch;

namespace WideMinima.Tests.Training;

/// <summary>Tiny data, networks and comparisons for the training-loop tests.</summary>
internal static class TrainingFixtures
{
    /// <summary>Gaussian blobs: <paramref name="count"/> examples of <paramref name="features"/> features in 3 classes.</summary>
    public static ClassifierData Blobs(int count, int features, int seed)
    {
        var random = new Random(seed);
        var x = new float[count * features];
        var labels = new long[count];
        for (int i = 0; i < count; i++)
        {
            int c = i % 3;
            labels[i] = c;
            for (int j = 0; j < features; j++)
                x[i * features + j] = (j % 3 == c ? 1.5f : 0f) + (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        }
        return new ClassifierData(x, labels, features, 3);
    }

    public static NetworkSpec Mlp(int features) => new(ModelKind.Mlp, features, 3, [16, 16], null, true);

    public static NetworkSpec Cnn(int side) => new(ModelKind.Cnn, side * side, 3, [16], new ImageShape(1, side, side), true);

    /// <summary>SGD with Nesterov momentum and weight decay (the defaults), Knee at 0.05, batch 32: 10 steps per epoch on 300 examples.</summary>
    public static TrainingOptions Options(int epochs = 3, double share = 0.5, double warmup = 0) => new()
    {
        Epochs = epochs,
        BatchSize = 32,
        Schedule = new KneeScheduleOptions { PeakLearningRate = 0.05, ExploreFraction = share, WarmupFraction = warmup },
        Threads = 1,
        OnDivergence = DivergenceAction.Throw,
    };

    /// <summary>Every tensor of the network's state (parameters and buffers), as raw bytes, by name.</summary>
    public static Dictionary<string, byte[]> Weights(nn.Module<Tensor, Tensor> model) =>
        model.state_dict().ToDictionary(p => p.Key, p => p.Value.cpu().contiguous().bytes.ToArray());

    /// <summary>Asserts two runs ended bit-identical: weights, learning rates, and every epoch's losses and accuracy.</summary>
    public static void AssertIdentical(ClassifierTraining.Result expected, ClassifierTraining.Result actual, string what)
    {
        var a = Weights(expected.Model);
        var b = Weights(actual.Model);
        CollectionAssert.AreEquivalent(a.Keys.ToList(), b.Keys.ToList(), $"{what}: the same tensors");
        foreach (var (name, bytes) in a) CollectionAssert.AreEqual(bytes, b[name], $"{what}: tensor {name} bit-identical");
        CollectionAssert.AreEqual(expected.Report.LearningRates, actual.Report.LearningRates, $"{what}: learning-rate curve");
        Assert.HasCount(expected.Report.Epochs.Count, actual.Report.Epochs, $"{what}: epoch count");
        for (int i = 0; i < expected.Report.Epochs.Count; i++)
        {
            var e = expected.Report.Epochs[i];
            var o = actual.Report.Epochs[i];
            Assert.AreEqual(BitConverter.DoubleToInt64Bits(e.TrainLoss), BitConverter.DoubleToInt64Bits(o.TrainLoss), $"{what}: epoch {e.Epoch} train loss {e.TrainLoss} vs {o.TrainLoss}");
            Assert.AreEqual(BitConverter.DoubleToInt64Bits(e.LearningRate), BitConverter.DoubleToInt64Bits(o.LearningRate), $"{what}: epoch {e.Epoch} learning rate");
            Assert.AreEqual(e.ValidationAccuracy, o.ValidationAccuracy, $"{what}: epoch {e.Epoch} validation accuracy");
            Assert.AreEqual(e.ValidationLoss is double l ? BitConverter.DoubleToInt64Bits(l) : 0, o.ValidationLoss is double m ? BitConverter.DoubleToInt64Bits(m) : 0, $"{what}: epoch {e.Epoch} validation loss");
        }
    }
}
