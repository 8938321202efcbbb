using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using WideMinima.Data;
using WideMinima.MLNet;
using WideMinima.Models;
using WideMinima.Training;
using static TorchSharp.torch;

namespace WideMinima.Tests.MLNet;

/// <summary>
/// ONNX export: each architecture is trained briefly, exported, scored through ML.NET's <c>ApplyOnnxModel</c>
/// (ONNX Runtime underneath) and compared with the WideMinima transformer's <c>Score</c>; then the ONNX pipeline
/// is saved and loaded with plain <c>mlContext.Model.Save/Load</c> and compared again.
/// </summary>
[TestClass]
public sealed class OnnxExportTests
{
    /// <summary>The largest absolute class-probability difference allowed between ONNX Runtime and TorchSharp.</summary>
    private const double Tolerance = 1e-5;

    public TestContext TestContext { get; set; } = null!;

    private static string SubsetFolder => Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist-subset");

    private static WideMinimaTrainer.Options Options(ModelKind kind) => new()
    {
        Model = kind,
        Epochs = 1,
        BatchSize = 32,
        Seed = 1,
        Threads = 2,
        Device = DeviceKind.Cpu,
    };

    [TestMethod]
    public void Mlp_on_fashion_mnist_scores_the_same_through_ApplyOnnxModel_and_after_Model_Save_and_Load()
    {
        var ml = new MLContext(seed: 1);
        var train = FashionMnist.LoadFolder(ml, SubsetFolder, FashionMnistSplit.Train, take: 500);
        var test = FashionMnist.LoadFolder(ml, SubsetFolder, FashionMnistSplit.Test);
        using var model = ml.MulticlassClassification.Trainers.WideMinima(Options(ModelKind.Mlp)).Fit(train);
        Assert.IsTrue(model.Spec.Standardized, "the standardization is part of what is exported");
        AssertOnnxMatches(ml, model, test, ModelKind.Mlp, expectedRows: 2000);
    }

    [TestMethod]
    public void Cnn_with_batch_norm_on_fashion_mnist_scores_the_same_through_ApplyOnnxModel_and_after_Model_Save_and_Load()
    {
        var ml = new MLContext(seed: 1);
        var train = FashionMnist.LoadFolder(ml, SubsetFolder, FashionMnistSplit.Train, take: 300);
        var test = FashionMnist.LoadFolder(ml, SubsetFolder, FashionMnistSplit.Test, take: 500);
        using var model = ml.MulticlassClassification.Trainers.WideMinima(Options(ModelKind.Cnn)).Fit(train);
        AssertRunningStatisticsWereLearned(model.Network);
        AssertOnnxMatches(ml, model, test, ModelKind.Cnn, expectedRows: 500);
    }

    [TestMethod]
    public void ResNet18_on_generated_cifar_images_scores_the_same_through_ApplyOnnxModel_and_after_Model_Save_and_Load()
    {
        var ml = new MLContext(seed: 1);
        string folder = Cifar10.Find(Data.Cifar10Tests.Batches(perTrainBatch: 8, trainBatches: 2, test: 6))!;
        try
        {
            var train = Cifar10.Load(ml, folder, train: true);
            var test = Cifar10.Load(ml, folder, train: false);
            var options = Options(ModelKind.ResNet18);
            options.BatchSize = 8;
            using var model = ml.MulticlassClassification.Trainers.WideMinima(options).Fit(train);
            AssertRunningStatisticsWereLearned(model.Network);
            AssertOnnxMatches(ml, model, test, ModelKind.ResNet18, expectedRows: 6);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(folder)!, recursive: true);
        }
    }

    [TestMethod]
    public void Ml_net_transforms_before_the_network_stay_in_the_onnx_pipeline_and_are_listed()
    {
        var ml = new MLContext(seed: 1);
        var train = SyntheticData.Blobs(ml, 300, 1);
        var test = SyntheticData.Blobs(ml, 90, 2);
        var options = Options(ModelKind.Mlp);
        options.HiddenSizes = [16];
        using var fitted = ml.Transforms.NormalizeMinMax("Features").Append(ml.MulticlassClassification.Trainers.WideMinima(options)).Fit(train);
        string folder = TestFolders.New("onnx");
        try
        {
            string path = Path.Combine(folder, "mlp.onnx");
            var info = WideMinimaModel.ExportOnnx(fitted, path);
            CollectionAssert.AreEqual(new[] { "NormalizingTransformer" }, info.TransformsNotExported.ToArray());
            Assert.AreEqual(8, info.InputSize);
            CollectionAssert.AreEqual(new[] { "1", "2", "3" }, info.ClassNames.ToArray(), "a key label without key values: ML.NET's 1-based key numbers");

            // The ONNX pipeline: ML.NET's own normalizer, then the exported network.
            var normalizer = fitted.First();
            using var onnx = ml.Transforms.ApplyOnnxModel("Score", "Features", path).Fit(normalizer.Transform(test));
            var pipeline = new TransformerChain<ITransformer>(normalizer, onnx);
            double diff = MaxDifference(Scores(fitted, test), Scores(pipeline, test));
            TestContext.WriteLine($"normalizer + MLP: max |p_onnx - p_torch| = {diff:E2}");
            Assert.IsLessThanOrEqualTo(Tolerance, diff);

            string saved = Path.Combine(folder, "pipeline.zip");
            ml.Model.Save(pipeline, test.Schema, saved);
            var loaded = ml.Model.Load(saved, out _);
            Assert.IsLessThanOrEqualTo(Tolerance, MaxDifference(Scores(fitted, test), Scores(loaded, test)));
            (loaded as IDisposable)?.Dispose();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void The_graph_declares_opset_17_a_dynamic_batch_the_column_names_and_the_classes()
    {
        var ml = new MLContext(seed: 1);
        var options = Options(ModelKind.Mlp);
        options.HiddenSizes = [16, 12];
        options.ScoreColumnName = "Probabilities";
        using var model = ml.MulticlassClassification.Trainers.WideMinima(options).Fit(SyntheticData.Blobs(ml, 120, 1));
        var proto = WideMinimaModel.ToOnnx(model.Network, model.Spec, model.Columns, model.Label);

        Assert.AreEqual(8L, proto.IrVersion);
        Assert.HasCount(1, proto.OpsetImport);
        Assert.AreEqual("", proto.OpsetImport[0].Domain);
        Assert.AreEqual(17L, proto.OpsetImport[0].Version);
        Assert.AreEqual(17, WideMinimaModel.OnnxOpset);
        var graph = proto.Graph;
        Assert.AreEqual("Features", graph.Input.Single().Name);
        Assert.AreEqual("Probabilities", graph.Output.Single().Name);
        var input = graph.Input[0].Type.TensorType.Shape.Dim;
        Assert.AreEqual("N", input[0].DimParam);
        Assert.AreEqual(8L, input[1].DimValue);
        Assert.AreEqual(3L, graph.Output[0].Type.TensorType.Shape.Dim[1].DimValue);
        CollectionAssert.AreEqual(new[] { "Sub", "Mul", "Gemm", "Relu", "Gemm", "Relu", "Gemm", "Softmax" }, graph.Node.Select(n => n.OpType).ToArray());
        Assert.AreEqual("[\"1\",\"2\",\"3\"]", proto.MetadataProps.Single(p => p.Key == "wideminima.classes").Value);
        // Six weights and biases and the two standardization vectors; the 16 x 8 first layer is stored whole.
        Assert.HasCount(8, graph.Initializer);
        Assert.AreEqual(16 * 8 * 4, graph.Initializer.Single(t => t.Name == "fc0.weight").RawData.Length);
    }

    [TestMethod]
    public void Networks_built_by_a_model_factory_are_refused_with_the_model_kind_named()
    {
        var ml = new MLContext(seed: 1);
        var options = Options(ModelKind.Custom);
        options.ModelFactory = (inputs, classes) => nn.Sequential(nn.Linear(inputs, 6), nn.Tanh(), nn.Linear(6, classes));
        using var model = ml.MulticlassClassification.Trainers.WideMinima(options).Fit(SyntheticData.Blobs(ml, 60, 1));
        string folder = TestFolders.New("onnx");
        try
        {
            string path = Path.Combine(folder, "custom.onnx");
            var e = Assert.ThrowsExactly<NotSupportedException>(() => WideMinimaModel.ExportOnnx(model, path));
            StringAssert.Contains(e.Message, "ModelKind.Custom");
            StringAssert.Contains(e.Message, "ModelFactory");
            Assert.IsFalse(File.Exists(path));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// Exports <paramref name="model"/>, scores <paramref name="test"/> through ApplyOnnxModel, through the same
    /// pipeline after Model.Save and Model.Load, and through an ONNX Runtime session in one batch, and compares each
    /// with the transformer's scores.
    /// </summary>
    private void AssertOnnxMatches(MLContext ml, WideMinimaTransformer model, IDataView test, ModelKind kind, int expectedRows)
    {
        string folder = TestFolders.New("onnx");
        try
        {
            string path = Path.Combine(folder, $"{kind}.onnx");
            var info = WideMinimaModel.ExportOnnx(model, path);
            Assert.AreEqual(kind, info.ModelKind);
            Assert.IsEmpty(info.TransformsNotExported);
            var expected = Scores(model, test);
            Assert.HasCount(expectedRows, expected);

            using var onnx = ml.Transforms.ApplyOnnxModel(outputColumnName: "Score", inputColumnName: "Features", modelFile: path).Fit(test);
            double viaMlNet = MaxDifference(expected, Scores(onnx, test));

            string saved = Path.Combine(folder, "onnx-pipeline.zip");
            ml.Model.Save(onnx, test.Schema, saved);
            var loaded = new MLContext(seed: 7).Model.Load(saved, out var schema);
            Assert.AreEqual(test.Schema["Features"].Type, schema["Features"].Type);
            double afterLoad = MaxDifference(expected, Scores(loaded, test));
            (loaded as IDisposable)?.Dispose();

            double viaSession = MaxDifference(expected, SessionScores(path, test, model.Spec.InputSize));
            TestContext.WriteLine($"{kind}: {expected.Count} rows, max |p_onnx - p_torch| = {viaMlNet:E2} (ApplyOnnxModel), " +
                $"{afterLoad:E2} (after Model.Save/Load), {viaSession:E2} (InferenceSession, one batch)");
            Assert.IsLessThanOrEqualTo(Tolerance, viaMlNet, $"{kind} via ApplyOnnxModel");
            Assert.IsLessThanOrEqualTo(Tolerance, afterLoad, $"{kind} after Model.Save/Load");
            Assert.IsLessThanOrEqualTo(Tolerance, viaSession, $"{kind} via InferenceSession");
            var predicted = expected.Select(ArgMax).ToArray();
            Assert.IsTrue(expected.All(p => Math.Abs(p.Sum() - 1) < 1e-4), "probabilities");
            TestContext.WriteLine($"{kind}: {predicted.Distinct().Count()} distinct predicted classes");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>All rows in one ONNX Runtime call: the batch dimension is symbolic.</summary>
    private static List<float[]> SessionScores(string path, IDataView data, int inputSize)
    {
        var rows = data.GetColumn<float[]>("Features").ToList();
        var flat = rows.SelectMany(r => r).ToArray();
        using var session = new InferenceSession(path);
        using var runOptions = new RunOptions();
        using var input = OrtValue.CreateTensorValueFromMemory(flat, [rows.Count, inputSize]);
        using var output = session.Run(runOptions, ["Features"], [input], ["Score"]);
        var probabilities = output[0].GetTensorDataAsSpan<float>().ToArray();
        int classes = probabilities.Length / rows.Count;
        return [.. Enumerable.Range(0, rows.Count).Select(i => probabilities[(i * classes)..((i + 1) * classes)])];
    }

    private static List<float[]> Scores(ITransformer model, IDataView data) => [.. model.Transform(data).GetColumn<float[]>("Score")];

    private static double MaxDifference(List<float[]> expected, List<float[]> actual)
    {
        Assert.HasCount(expected.Count, actual);
        double max = 0;
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.HasCount(expected[i].Length, actual[i]);
            for (int k = 0; k < expected[i].Length; k++) max = Math.Max(max, Math.Abs(expected[i][k] - actual[i][k]));
        }
        return max;
    }

    private static int ArgMax(float[] p) => Array.IndexOf(p, p.Max());

    /// <summary>Batch norm's running statistics moved off their initial 0 and 1, so that the export must carry them.</summary>
    private static void AssertRunningStatisticsWereLearned(nn.Module<Tensor, Tensor> network)
    {
        var means = network.named_buffers().Where(b => b.name.EndsWith("running_mean", StringComparison.Ordinal)).ToList();
        Assert.IsNotEmpty(means);
        Assert.IsTrue(means.All(b => b.buffer.abs().max().item<float>() > 0), "every batch norm saw training batches");
    }
}
