using System.Globalization;
using Microsoft.ML;
using WideMinima.Data;
using WideMinima.MLNet;
using WideMinima.Models;
using WideMinima.Training;

namespace WideMinima.Tests.MLNet;

/// <summary>
/// Every architecture the exporter writes, checked by ONNX's own tools: <c>onnx.checker.check_model(full_check=True)</c>
/// and strict, type-checking shape inference, from Debian's python3-onnx (build/setup.sh installs it).
/// </summary>
[TestClass]
public sealed class OnnxCheckerTests
{
    private const string Script = """
        import sys
        import onnx
        from onnx import shape_inference
        for path in sys.argv[1:]:
            model = onnx.load(path)
            onnx.checker.check_model(model, full_check=True)
            inferred = shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
            dims = [d.dim_param or str(d.dim_value) for d in inferred.graph.output[0].type.tensor_type.shape.dim]
            print("checked", path, "output", ",".join(dims), "inferred", len(inferred.graph.value_info), "onnx", onnx.__version__)
        """;

    public TestContext TestContext { get; set; } = null!;

    private static string SubsetFolder => Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist-subset");

    [TestMethod]
    public void Mlp_cnn_and_resnet18_exports_pass_onnx_checker_and_strict_shape_inference()
    {
        string folder = TestFolders.New("onnx-checker");
        var ml = new MLContext(seed: 1);
        var fashion = FashionMnist.LoadFolder(ml, SubsetFolder, FashionMnistSplit.Train, take: 100);
        string cifar = Cifar10.Find(Data.Cifar10Tests.Batches(perTrainBatch: 4, trainBatches: 1, test: 2))!;
        var exports = new (ModelKind Kind, IDataView Data, int Classes)[]
        {
            (ModelKind.Mlp, fashion, 10), (ModelKind.Cnn, fashion, 10), (ModelKind.ResNet18, Cifar10.Load(ml, cifar, train: true), 10),
        };
        var paths = new List<string>();
        string broken = Path.Combine(folder, "broken.onnx");
        foreach (var (kind, data, _) in exports)
        {
            var options = new WideMinimaTrainer.Options { Model = kind, Epochs = 1, BatchSize = 16, Seed = 1, Threads = 2, Device = DeviceKind.Cpu };
            using var model = ml.MulticlassClassification.Trainers.WideMinima(options).Fit(data);
            string path = Path.Combine(folder, $"{kind}.onnx");
            WideMinimaModel.ExportOnnx(model, path);
            paths.Add(path);
            if (kind != ModelKind.Mlp) continue;
            // The control: the MLP with its first layer's weight declared as doubles (the same bytes, read as half as
            // many values), which Gemm cannot multiply with float features.
            var proto = WideMinimaModel.ToOnnx(model.Network, model.Spec, model.Columns, model.Label);
            var weight = proto.Graph.Initializer.Single(t => t.Name == "fc0.weight");
            weight.DataType = (int)WideMinima.MLNet.Onnx.Proto.TensorProto.Types.DataType.Double;
            weight.Dims[1] /= 2;
            using var file = File.Create(broken);
            Google.Protobuf.MessageExtensions.WriteTo(proto, file);
        }
        string script = Path.Combine(folder, "check.py");
        File.WriteAllText(script, Script);

        var control = Cli.Run(Python(), [script, broken], folder);
        Assert.AreNotEqual(0, control.ExitCode, "the checks refuse a graph whose shapes do not fit:\n" + control.Output);
        StringAssert.Contains(control.Output, "Error", control.Output);

        var run = Cli.Run(Python(), [script, .. paths], folder);
        TestContext.WriteLine(run.Output);
        Assert.AreEqual(0, run.ExitCode, $"ONNX's checker or shape inference refused an export (python3-onnx is installed by build/setup.sh):\n{run.Output}");
        var lines = run.Output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("checked ", StringComparison.Ordinal)).ToList();
        Assert.HasCount(3, lines, run.Output);
        for (int i = 0; i < exports.Length; i++)
        {
            var words = lines[i].Split(' ');
            Assert.AreEqual(paths[i], words[1]);
            Assert.AreEqual(string.Create(CultureInfo.InvariantCulture, $"N,{exports[i].Classes}"), words[3], $"{exports[i].Kind}: the probabilities are N x classes, the batch symbolic");
            Assert.IsGreaterThan(0, int.Parse(words[5], CultureInfo.InvariantCulture), $"{exports[i].Kind}: shape inference typed the intermediate values");
        }
        Directory.Delete(Path.GetDirectoryName(cifar)!, recursive: true);
    }

    /// <summary>Debian's interpreter, which python3-onnx installs into; another python3 on PATH (pyenv, a venv) may lack onnx.</summary>
    private static string Python() => File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}
