using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using WideMinima.MLNet;
using WideMinima.Models;
using WideMinima.Tests.MLNet;
using WideMinima.Training;

namespace WideMinima.Tests.Sweeps;

/// <summary><c>wideminima-sweeps export --model FILE.wmmodel --onnx OUT.onnx</c>, run as a child process.</summary>
[TestClass]
public sealed class ExportCliTests
{
    private static string SavedModel(string folder, ModelKind kind = ModelKind.Mlp)
    {
        var ml = new MLContext(seed: 1);
        var train = SyntheticData.Blobs(ml, 150, 1);
        using var model = ml.MulticlassClassification.Trainers.WideMinima(new WideMinimaTrainer.Options
        {
            Model = kind,
            HiddenSizes = [16],
            ModelFactory = kind == ModelKind.Custom ? (inputs, classes) => torch.nn.Sequential(torch.nn.Linear(inputs, classes)) : null,
            Epochs = 1,
            Seed = 1,
            Device = DeviceKind.Cpu,
        }).Fit(train);
        string path = Path.Combine(folder, $"{kind}.wmmodel");
        WideMinimaModel.Save(ml, model, train.Schema, path);
        return path;
    }

    [TestMethod]
    public void Export_writes_an_onnx_file_that_onnx_runtime_loads_and_that_scores_like_the_saved_model()
    {
        string folder = TestFolders.New("export");
        try
        {
            string model = SavedModel(folder);
            string onnx = Path.Combine(folder, "model.onnx");
            var (code, output, error) = TinySweep.Run("export", "--model", model, "--onnx", onnx);
            Assert.AreEqual(0, code, output + error);
            StringAssert.Contains(output, "Mlp, ONNX opset 17");
            StringAssert.Contains(output, "input 'Features' float[N, 8]");

            var ml = new MLContext(seed: 1);
            var test = SyntheticData.Rows(20, 2);
            var loaded = WideMinimaModel.Load(ml, model, out _);
            var expected = loaded.Transform(ml.Data.LoadFromEnumerable(test)).GetColumn<float[]>("Score").ToList();
            (loaded as IDisposable)?.Dispose();
            using var session = new InferenceSession(onnx);
            Assert.AreEqual("Features", session.InputNames.Single());
            Assert.AreEqual("Score", session.OutputNames.Single());
            Assert.AreEqual("[\"1\",\"2\",\"3\"]", session.ModelMetadata.CustomMetadataMap["wideminima.classes"]);
            using var runOptions = new RunOptions();
            using var input = OrtValue.CreateTensorValueFromMemory(test.SelectMany(r => r.Features).ToArray(), [test.Length, 8]);
            using var result = session.Run(runOptions, ["Features"], [input], ["Score"]);
            var scores = result[0].GetTensorDataAsSpan<float>().ToArray();
            double max = 0;
            for (int i = 0; i < test.Length; i++)
            {
                for (int k = 0; k < 3; k++) max = Math.Max(max, Math.Abs(scores[i * 3 + k] - expected[i][k]));
            }
            Assert.IsLessThanOrEqualTo(1e-5, max);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void Bad_input_exits_2_naming_the_option_and_the_value()
    {
        string folder = TestFolders.New("export");
        try
        {
            string missing = Path.Combine(folder, "missing.wmmodel");
            string onnx = Path.Combine(folder, "out.onnx");
            AssertInvalid(["export", "--model", missing, "--onnx", onnx], "--model", missing);

            string notAModel = Path.Combine(folder, "notes.txt");
            File.WriteAllText(notAModel, "not a model");
            AssertInvalid(["export", "--model", notAModel, "--onnx", onnx], "--model", "not a WideMinima model file");

            string model = SavedModel(folder);
            string noFolder = Path.Combine(folder, "no-such-folder", "out.onnx");
            AssertInvalid(["export", "--model", model, "--onnx", noFolder], "--onnx", noFolder);
            AssertInvalid(["export", "--model", model], "--onnx", "is required");

            string custom = SavedModel(folder, ModelKind.Custom);
            AssertInvalid(["export", "--model", custom, "--onnx", onnx], "--model", "ModelKind.Custom");
            Assert.IsFalse(File.Exists(onnx), "nothing was written");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void AssertInvalid(string[] args, params string[] expected)
    {
        var (code, output, error) = TinySweep.Run(args);
        Assert.AreEqual(2, code, output + error);
        foreach (var text in expected) StringAssert.Contains(error, text);
        Assert.DoesNotContain("   at ", error, "no stack trace for user errors");
    }
}
