using Microsoft.ML;
using Microsoft.ML.Data;
using WideMinima.Data;
using WideMinima.MLNet;
using WideMinima.Models;
using WideMinima.Training;

namespace WideMinima.Tests.Data;

[TestClass]
public sealed class Cifar10Tests
{
    /// <summary>Writes CIFAR-10 binary batches: per record a label byte and 3072 pixel bytes (R, G, B planes).</summary>
    internal static string Batches(int perTrainBatch = 6, int trainBatches = 2, int test = 5)
    {
        string folder = Path.Combine(TestFolders.New("cifar"), "cifar-10-batches-bin");
        Directory.CreateDirectory(folder);
        void Write(string name, int count, int offset)
        {
            using var file = File.Create(Path.Combine(folder, name));
            for (int i = 0; i < count; i++)
            {
                int label = (offset + i) % 10;
                file.WriteByte((byte)label);
                for (int p = 0; p < 3072; p++) file.WriteByte((byte)((p / 1024 * 80 + label * 10 + p % 1024 % 7) % 256));
            }
        }
        for (int b = 1; b <= trainBatches; b++) Write($"data_batch_{b}.bin", perTrainBatch, b * 100);
        Write("test_batch.bin", test, 0);
        return Path.GetDirectoryName(folder)!;
    }

    [TestMethod]
    public void Reads_the_binary_batches_as_channels_first_images_with_class_names()
    {
        string root = Batches();
        string folder = Cifar10.Find(root)!;
        Assert.IsNotNull(folder, "the parent of cifar-10-batches-bin is accepted");
        var ml = new MLContext(1);
        var train = Cifar10.Load(ml, folder, train: true);
        var test = Cifar10.Load(ml, folder, train: false);
        var features = (VectorDataViewType)train.Schema["Features"].Type;
        CollectionAssert.AreEqual(new[] { 3, 32, 32 }, features.Dimensions.ToArray());
        Assert.AreEqual(12, train.GetColumn<uint>("Label").Count());
        Assert.AreEqual(5, test.GetColumn<uint>("Label").Count());
        var first = test.GetColumn<float[]>("Features").First();
        Assert.AreEqual(0 / 255f, first[0], 1e-7, "red plane first");
        Assert.AreEqual(80 / 255f, first[1024], 1e-7, "then green");
        Assert.AreEqual(160 / 255f, first[2048], 1e-7, "then blue");
        var names = default(VBuffer<ReadOnlyMemory<char>>);
        train.Schema["Label"].Annotations.GetValue("KeyValues", ref names);
        Assert.AreEqual("truck", names.DenseValues().Last().ToString());
        Assert.AreEqual(4, Cifar10.Load(ml, folder, train: true, take: 4).GetColumn<uint>("Label").Count());
    }

    [TestMethod]
    public void Truncated_and_missing_batches_fail_clearly()
    {
        string root = Batches();
        string folder = Path.Combine(root, "cifar-10-batches-bin");
        var bytes = File.ReadAllBytes(Path.Combine(folder, "test_batch.bin"));
        File.WriteAllBytes(Path.Combine(folder, "test_batch.bin"), bytes[..^100]);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => Cifar10.Load(new MLContext(1), folder, train: false));
        StringAssert.Contains(e.Message, "test_batch.bin");
        StringAssert.Contains(e.Message, "truncated");
        Assert.IsNull(Cifar10.Find(TestFolders.New("empty")));
    }

    [TestMethod]
    public void ResNet18_has_the_papers_architecture_and_trains_with_crop_and_flip()
    {
        var ml = new MLContext(1);
        var data = Cifar10.Load(ml, Cifar10.Find(Batches(perTrainBatch: 8))!, train: true);
        var model = ml.MulticlassClassification.Trainers.WideMinima(new WideMinimaTrainer.Options
        {
            Model = ModelKind.ResNet18,
            Augmentation = Augmentation.CropAndFlip,
            Epochs = 1,
            BatchSize = 8,
            Seed = 1,
            Threads = 2,
            Device = DeviceKind.Cpu,
            NormalizeFeatures = false,
        }).Fit(data);
        long parameters = model.Network.parameters().Sum(p => p.numel());
        Assert.AreEqual(11_173_962L, parameters, "ResNet-18 for CIFAR-10 (3x3 stem, [2,2,2,2] basic blocks, 10 classes)");
        Assert.AreEqual(new ImageShape(3, 32, 32), model.Spec.ImageShape);
        var scores = model.Transform(data).GetColumn<float[]>("Score").First();
        Assert.HasCount(10, scores);
        Assert.AreEqual(1.0, scores.Sum(), 1e-4);
        Assert.IsTrue(double.IsFinite(model.TrainingReport.FinalTrainLoss));
    }
}
