using Microsoft.ML;
using Microsoft.ML.Data;
using WideMinima.MLNet;
using WideMinima.Models;
using WideMinima.Schedules;
using WideMinima.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace WideMinima.Tests.MLNet;

[TestClass]
public sealed class SaveLoadTests
{
    private static string TempFile() => Path.Combine(TestFolders.New("model"), "model.wmmodel");

    private static (MLContext Ml, ITransformer Model, IDataView Train, IDataView Test) Fitted(ModelKind kind = ModelKind.Mlp)
    {
        var ml = new MLContext(seed: 1);
        var train = SyntheticData.Blobs(ml, 300, 1);
        var pipeline = ml.Transforms.NormalizeMeanVariance("Features")
            .Append(ml.MulticlassClassification.Trainers.WideMinima(new WideMinimaTrainer.Options
            {
                Model = kind,
                HiddenSizes = [16],
                ImageShape = kind == ModelKind.Cnn ? new ImageShape(2, 2, 2) : null,
                Epochs = 3,
                BatchSize = 32,
                Seed = 2,
                Device = DeviceKind.Cpu,
                Schedule = new CosineScheduleOptions { PeakLearningRate = 0.05 },
            }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedClass", "PredictedLabel"));
        return (ml, pipeline.Fit(train), train, SyntheticData.Blobs(ml, 100, 2));
    }

    /// <summary>A copy of a model file with each entry passed through <paramref name="edit"/>.</summary>
    private static string Rewrite(string path, Func<string, byte[], byte[]> edit)
    {
        string target = TempFile();
        using var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Read);
        using var copy = System.IO.Compression.ZipFile.Open(target, System.IO.Compression.ZipArchiveMode.Create);
        foreach (var entry in zip.Entries)
        {
            using var source = entry.Open();
            using var buffer = new MemoryStream();
            source.CopyTo(buffer);
            using var output = copy.CreateEntry(entry.FullName).Open();
            output.Write(edit(entry.Name, buffer.ToArray()));
        }
        return target;
    }

    private static float[] Scores(ITransformer model, IDataView data) =>
        [.. model.Transform(data).GetColumn<float[]>("Score").SelectMany(s => s)];

    [TestMethod]
    public void Whole_pipeline_round_trips_through_one_file_with_bit_identical_scores()
    {
        var (ml, model, train, test) = Fitted();
        string path = TempFile();
        WideMinimaModel.Save(ml, model, train.Schema, path);
        Assert.IsTrue(File.Exists(path));

        var loaded = WideMinimaModel.Load(new MLContext(seed: 5), path, out var schema);
        Assert.AreEqual(train.Schema.Count, schema.Count);
        var expected = Scores(model, test);
        var actual = Scores(loaded, test);
        CollectionAssert.AreEqual(expected.Select(BitConverter.SingleToInt32Bits).ToArray(), actual.Select(BitConverter.SingleToInt32Bits).ToArray());

        var names = loaded.Transform(test).GetColumn<ReadOnlyMemory<char>>("PredictedClass").Select(n => n.ToString()).ToList();
        Assert.HasCount(100, names, "the transform after the network was saved and loaded too");
        var (_, network, _) = WideMinimaModel.Split(loaded);
        Assert.AreEqual(2, network.TrainingReport.Seed);
        Assert.HasCount(3, network.TrainingReport.Epochs);
        Assert.AreEqual("cosine", ScheduleJson.Deserialize(network.TrainingReport.ScheduleJson).Kind);
    }

    [TestMethod]
    public void Cnn_with_batch_norm_round_trips()
    {
        var ml = new MLContext(seed: 1);
        var train = WideMinima.Data.IdxDataView.Create(ml, Data.IdxFileTests.Images(64, 8, 8),
            [.. Enumerable.Range(0, 64).Select(i => (byte)(i % 3))], ["a", "b", "c"], "generated");
        var test = train;
        var model = ml.MulticlassClassification.Trainers.WideMinima(new WideMinimaTrainer.Options
        {
            Model = ModelKind.Cnn, Epochs = 2, BatchSize = 16, Seed = 3, Device = DeviceKind.Cpu,
        }).Fit(train);
        Assert.AreEqual(1, model.Spec.ImageShape!.Channels, "the shape comes from the column's 8 x 8 dimensions");
        string path = TempFile();
        WideMinimaModel.Save(ml, model, train.Schema, path);
        CollectionAssert.AreEqual(Scores(model, test), Scores(WideMinimaModel.Load(ml, path, out _), test));
    }

    [TestMethod]
    public void Truncated_corrupted_and_foreign_files_fail_clearly()
    {
        var (ml, model, train, _) = Fitted();
        string path = TempFile();
        WideMinimaModel.Save(ml, model, train.Schema, path);
        var bytes = File.ReadAllBytes(path);

        string truncated = TempFile();
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        var e1 = Assert.ThrowsExactly<InvalidDataException>(() => WideMinimaModel.Load(ml, truncated, out _));
        StringAssert.Contains(e1.Message, "truncated or corrupted");

        string foreign = TempFile();
        ml.Model.Save(ml.Transforms.NormalizeMinMax("Features").Fit(train), train.Schema, foreign);
        var e2 = Assert.ThrowsExactly<InvalidDataException>(() => WideMinimaModel.Load(ml, foreign, out _));
        StringAssert.Contains(e2.Message, "not a WideMinima model");

        // Flip bytes inside the stored weights: the zip stays readable, the checksum catches it.
        string corrupted = Rewrite(path, (name, data) =>
        {
            if (name == "network.bin") data[data.Length / 2] ^= 0xff;
            return data;
        });
        var e3 = Assert.ThrowsExactly<InvalidDataException>(() => WideMinimaModel.Load(ml, corrupted, out _));
        StringAssert.Contains(e3.Message, "network.bin");
        StringAssert.Contains(e3.Message, "corrupted");
    }

    [TestMethod]
    public void A_newer_format_version_is_refused_with_both_versions_named()
    {
        var (ml, model, train, _) = Fitted();
        string path = TempFile();
        WideMinimaModel.Save(ml, model, train.Schema, path);
        string newer = Rewrite(path, (name, data) => name != "manifest.json" ? data
            : System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(data).Replace("\"formatVersion\":1", "\"formatVersion\":2", StringComparison.Ordinal)));
        var e = Assert.ThrowsExactly<InvalidDataException>(() => WideMinimaModel.Load(ml, newer, out _));
        StringAssert.Contains(e.Message, "version 2");
        StringAssert.Contains(e.Message, "reads version 1");
    }

    [TestMethod]
    public void Mlnet_model_save_explains_the_alternative()
    {
        var (ml, model, train, _) = Fitted();
        var e = Assert.ThrowsExactly<NotSupportedException>(() => ml.Model.Save(model, train.Schema, TempFile()));
        StringAssert.Contains(e.Message, "WideMinimaModel.Save");
    }

    [TestMethod]
    public void Custom_networks_need_their_factory_to_load()
    {
        var ml = new MLContext(seed: 1);
        var train = SyntheticData.Blobs(ml, 120, 1);
        nn.Module<Tensor, Tensor> Factory(int inputs, int classes) => nn.Sequential(nn.Linear(inputs, 6), nn.Tanh(), nn.Linear(6, classes));
        var model = ml.MulticlassClassification.Trainers.WideMinima(new WideMinimaTrainer.Options
        {
            Model = ModelKind.Custom, ModelFactory = Factory, Epochs = 2, Seed = 1, Device = DeviceKind.Cpu,
        }).Fit(train);
        string path = TempFile();
        WideMinimaModel.Save(ml, model, train.Schema, path);
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => WideMinimaModel.Load(ml, path, out _));
        StringAssert.Contains(e.Message, "ModelFactory");
        var loaded = WideMinimaModel.Load(ml, path, out _, Factory);
        CollectionAssert.AreEqual(Scores(model, train), Scores(loaded, train));
    }
}
