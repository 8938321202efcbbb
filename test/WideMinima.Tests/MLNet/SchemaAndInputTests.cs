using Microsoft.ML;
using Microsoft.ML.Data;
using WideMinima.MLNet;
using WideMinima.Schedules;
using WideMinima.Training;

namespace WideMinima.Tests.MLNet;

[TestClass]
public sealed class SchemaAndInputTests
{
    private sealed class DoubleRow
    {
        [VectorType(8)] public double[] Features { get; set; } = [];
        [KeyType(3)] public uint Label { get; set; }
    }

    private sealed class VariableRow
    {
        public float[] Features { get; set; } = [];
        [KeyType(3)] public uint Label { get; set; }
    }

    private sealed class TextLabelRow
    {
        [VectorType(8)] public float[] Features { get; set; } = [];
        public string Label { get; set; } = "";
    }

    private sealed class WideRow
    {
        [VectorType(5)] public float[] Features { get; set; } = [];
        [KeyType(3)] public uint Label { get; set; }
    }

    private static WideMinimaTrainer Trainer(MLContext ml, Action<WideMinimaTrainer.Options>? edit = null)
    {
        var o = new WideMinimaTrainer.Options { HiddenSizes = [8], Epochs = 1, Seed = 1, Device = DeviceKind.Cpu };
        edit?.Invoke(o);
        return ml.MulticlassClassification.Trainers.WideMinima(o);
    }

    private static void AssertMentions(Exception e, params string[] parts)
    {
        foreach (var p in parts) StringAssert.Contains(e.Message, p);
    }

    [TestMethod]
    public void Missing_columns_name_the_column_and_what_exists()
    {
        var ml = new MLContext(1);
        var data = SyntheticData.Blobs(ml, 30, 1);
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Trainer(ml, o => o.FeatureColumnName = "Pixels").Fit(data));
        AssertMentions(e, "'Pixels'", "'Features'", "'Label'");
        var e2 = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Trainer(ml, o => o.LabelColumnName = "Class").GetOutputSchema(Shapes.Of(data.Schema)));
        AssertMentions(e2, "'Class'");
    }

    [TestMethod]
    public void Wrong_feature_type_and_variable_size_are_refused_with_both_types()
    {
        var ml = new MLContext(1);
        var doubles = ml.Data.LoadFromEnumerable(new[] { new DoubleRow { Features = new double[8], Label = 0 } });
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Trainer(ml).Fit(doubles));
        AssertMentions(e, "'Features'", "Vector<Double", "vector of Single");
        var e2 = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Trainer(ml).GetOutputSchema(Shapes.Of(doubles.Schema)));
        AssertMentions(e2, "'Features'", "Double");

        var variable = ml.Data.LoadFromEnumerable(new[] { new VariableRow { Features = new float[3] } });
        var e3 = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Trainer(ml).Fit(variable));
        AssertMentions(e3, "'Features'", "known size", "varies");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Trainer(ml).GetOutputSchema(Shapes.Of(variable.Schema)));
    }

    [TestMethod]
    public void Text_label_is_refused_with_the_type_it_needs()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromEnumerable(new[] { new TextLabelRow { Features = new float[8], Label = "a" } });
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Trainer(ml).Fit(data));
        AssertMentions(e, "'Label'", "key type or an integer type", "String");
    }

    [TestMethod]
    public void Output_schema_adds_score_and_predicted_label()
    {
        var ml = new MLContext(1);
        var shape = Trainer(ml).GetOutputSchema(Shapes.Of(SyntheticData.Blobs(ml, 3, 1).Schema));
        var names = shape.Select(c => c.Name).ToList();
        CollectionAssert.IsSubsetOf(new[] { "Features", "Label", "Score", "PredictedLabel" }, names);
        Assert.IsTrue(shape.Single(c => c.Name == "PredictedLabel").IsKey);
    }

    [TestMethod]
    public void NaN_features_and_empty_data_fail_before_training()
    {
        var ml = new MLContext(1);
        var rows = SyntheticData.Rows(20, 1);
        rows[7].Features[3] = float.NaN;
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => Trainer(ml).Fit(ml.Data.LoadFromEnumerable(rows)));
        AssertMentions(e, "'Features'", "NaN", "row 7", "index 3");

        var empty = ml.Data.LoadFromEnumerable(Array.Empty<SyntheticData.Row>());
        AssertMentions(Assert.ThrowsExactly<InvalidOperationException>(() => Trainer(ml).Fit(empty)), "no rows");
    }

    [TestMethod]
    public void Labels_out_of_range_fail_with_the_value()
    {
        var ml = new MLContext(1);
        var negative = SyntheticData.IntegerLabels(ml, 10, 1);
        var shifted = ml.Transforms.Expression("Label", "x => x - 5", "Label").Fit(negative).Transform(negative);
        AssertMentions(Assert.ThrowsExactly<InvalidOperationException>(() => Trainer(ml).Fit(shifted)), "'Label'", "-5");

        var model = Trainer(ml).Fit(SyntheticData.IntegerLabels(ml, 30, 1));
        var bigger = ml.Transforms.Expression("Label", "x => x + 10", "Label").Fit(negative).Transform(negative);
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => model.Evaluate(bigger));
        AssertMentions(e, "'Label'", "out of range", "3 classes");
    }

    [TestMethod]
    public void A_feature_size_that_differs_at_transform_time_is_refused()
    {
        var ml = new MLContext(1);
        var model = Trainer(ml).Fit(SyntheticData.Blobs(ml, 30, 1));
        var wide = ml.Data.LoadFromEnumerable(new[] { new WideRow { Features = new float[5] } });
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Transform(wide));
        AssertMentions(e, "'Features'", "8 values", "has 5");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.GetOutputSchema(wide.Schema));
    }

    [TestMethod]
    public void Bad_options_name_the_option_and_the_value()
    {
        var ml = new MLContext(1);
        void Rejects(Action<WideMinimaTrainer.Options> edit, string name, string value)
        {
            var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Trainer(ml, edit));
            Assert.AreEqual(name, e.ParamName);
            StringAssert.Contains(e.Message, value);
        }
        Rejects(o => o.Epochs = 0, "Epochs", "0");
        Rejects(o => o.BatchSize = -3, "BatchSize", "-3");
        Rejects(o => o.WeightDecay = double.NaN, "WeightDecay", "NaN");
        Rejects(o => o.Schedule = new KneeScheduleOptions { ExploreFraction = 1.5 }, "ExploreFraction", "1.5");
        Rejects(o => o.Schedule = new CosineScheduleOptions { PeakLearningRate = -1 }, "PeakLearningRate", "-1");
        Rejects(o => o.HiddenSizes = [64, 0], "HiddenSizes[1]", "0");
        Rejects(o => o.GradientClipNorm = 0, "GradientClipNorm", "0");
        Rejects(o => o.Width = new WideMinima.Sharpness.KeskarWidthOptions { Epsilon = -1 }, "Epsilon", "-1");
        var custom = Assert.ThrowsExactly<ArgumentException>(() => Trainer(ml, o => o.Model = WideMinima.Models.ModelKind.Custom));
        Assert.AreEqual("ModelFactory", custom.ParamName);
    }

    [TestMethod]
    public void Cuda_request_without_cuda_falls_back_to_the_cpu_with_a_message()
    {
        var (device, warning) = TorchDevices.Choose(DeviceKind.Cuda, cudaAvailable: false);
        Assert.AreEqual(TorchSharp.DeviceType.CPU, device);
        Assert.IsNotNull(warning);
        StringAssert.Contains(warning, "CUDA is not available");
        Assert.AreEqual((TorchSharp.DeviceType.CPU, (string?)null), TorchDevices.Choose(DeviceKind.Auto, cudaAvailable: false));
        Assert.AreEqual((TorchSharp.DeviceType.CUDA, (string?)null), TorchDevices.Choose(DeviceKind.Auto, cudaAvailable: true));
        Assert.AreEqual((TorchSharp.DeviceType.CUDA, (string?)null), TorchDevices.Choose(DeviceKind.Cuda, cudaAvailable: true));
        Assert.AreEqual((TorchSharp.DeviceType.CPU, (string?)null), TorchDevices.Choose(DeviceKind.Cpu, cudaAvailable: true));

        var ml = new MLContext(1);
        var warnings = new List<string>();
        ml.Log += (_, e) => { if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning) warnings.Add(e.Message); };
        var model = Trainer(ml, o => o.Device = DeviceKind.Cuda).Fit(SyntheticData.Blobs(ml, 30, 1));
        if (!TorchSharp.torch.cuda.is_available())
        {
            Assert.AreEqual("cpu", model.TrainingReport.Device);
            Assert.IsTrue(warnings.Any(w => w.Contains("CUDA is not available", StringComparison.Ordinal)), "the fallback is logged");
        }
        else
        {
            StringAssert.StartsWith(model.TrainingReport.Device, "cuda");
        }
    }
}
