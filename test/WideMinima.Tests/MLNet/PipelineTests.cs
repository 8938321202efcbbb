using Microsoft.ML;
using Microsoft.ML.Data;
using WideMinima.MLNet;
using WideMinima.Schedules;
using WideMinima.Sharpness;
using WideMinima.Training;

namespace WideMinima.Tests.MLNet;

[TestClass]
public sealed class PipelineTests
{
    private static WideMinimaTrainer.Options SmallOptions() => new()
    {
        HiddenSizes = [32],
        Epochs = 5,
        BatchSize = 32,
        Seed = 11,
        Threads = 1,
        Device = DeviceKind.Cpu,
        Schedule = new KneeScheduleOptions { PeakLearningRate = 0.05, ExploreFraction = 0.5 },
    };

    public sealed class Prediction
    {
        public float[] Score { get; set; } = [];
        public uint PredictedLabel { get; set; }
    }

    [TestMethod]
    public void Fit_transform_evaluate_and_predict_on_generated_data()
    {
        var ml = new MLContext(seed: 1);
        var train = SyntheticData.Blobs(ml, 600, seed: 1);
        var test = SyntheticData.Blobs(ml, 300, seed: 2);
        var options = SmallOptions();
        options.ValidationSet = test;
        options.Width = new KeskarWidthOptions { MaxSteps = 20, Method = AscentMethod.SignGradient };
        var epochs = new List<EpochReport>();
        options.Progress = new SyncProgress<EpochReport>(epochs.Add);
        var logs = new List<string>();
        ml.Log += (_, e) => { if (e.Source.Contains(nameof(WideMinimaTrainer), StringComparison.Ordinal)) logs.Add(e.Message); };

        var model = ml.MulticlassClassification.Trainers.WideMinima(options).Fit(train);
        var scored = model.Transform(test);
        var metrics = ml.MulticlassClassification.Evaluate(scored);

        Assert.IsGreaterThan(0.9, metrics.MicroAccuracy, $"accuracy {metrics.MicroAccuracy}");
        Assert.AreEqual(metrics.MicroAccuracy, model.Evaluate(test).Accuracy, 1e-9, "bulk evaluation agrees with ML.NET's evaluator");
        Assert.IsInstanceOfType<KeyDataViewType>(scored.Schema["PredictedLabel"].Type);
        Assert.AreEqual(3UL, ((KeyDataViewType)scored.Schema["PredictedLabel"].Type).Count);
        Assert.AreEqual(3, ((VectorDataViewType)scored.Schema["Score"].Type).Size);

        var engine = ml.Model.CreatePredictionEngine<SyntheticData.Row, Prediction>(model);
        var row = SyntheticData.Rows(3, seed: 5)[1];
        var prediction = engine.Predict(row);
        Assert.AreEqual(1.0, prediction.Score.Sum(), 1e-5, "scores are probabilities");
        // Row objects read a key column's raw value, which is 1-based (0 means missing); the input row held it 0-based.
        Assert.AreEqual(row.Label + 1, prediction.PredictedLabel);

        var report = model.TrainingReport;
        Assert.AreEqual(11, report.Seed);
        Assert.HasCount(5, report.Epochs);
        Assert.HasCount(5, epochs, "progress saw every epoch");
        Assert.IsTrue(epochs.All(e => e.ValidationAccuracy is > 0));
        Assert.AreEqual(report.StepsPerEpoch * 5, report.LearningRates.Length);
        var schedule = ScheduleJson.Deserialize(report.ScheduleJson);
        for (int s = 1; s <= report.LearningRates.Length; s++)
            Assert.AreEqual((float)schedule.LearningRate(s), report.LearningRates[s - 1], $"lr of step {s}");
        Assert.IsNotNull(report.Width);
        Assert.IsGreaterThanOrEqualTo(0.0, report.Width.Sharpness);
        Assert.IsTrue(logs.Any(l => l.Contains("epoch 5/5", StringComparison.Ordinal)), "progress reaches MLContext.Log");
    }

    [TestMethod]
    public void Map_key_to_value_turns_predictions_into_class_names()
    {
        var ml = new MLContext(seed: 1);
        var train = WideMinima.Data.IdxDataView.Create(ml, new WideMinima.Data.IdxImages(60, 2, 2,
            [.. Enumerable.Range(0, 240).Select(i => (byte)((i / 4) % 2 == 0 ? 10 : 240))]),
            [.. Enumerable.Range(0, 60).Select(i => (byte)(i % 2))], ["dark", "light"], "generated");
        var options = SmallOptions();
        options.Epochs = 10;
        var model = ml.MulticlassClassification.Trainers.WideMinima(options).Fit(train);
        var named = ml.Transforms.Conversion.MapKeyToValue("PredictedName", "PredictedLabel").Fit(model.Transform(train)).Transform(model.Transform(train));
        var names = named.GetColumn<ReadOnlyMemory<char>>("PredictedName").Select(m => m.ToString()).ToList();
        CollectionAssert.AreEqual(Enumerable.Range(0, 60).Select(i => i % 2 == 0 ? "dark" : "light").ToList(), names);
    }

    [TestMethod]
    public void Integer_labels_train_and_predict_class_indices()
    {
        var ml = new MLContext(seed: 1);
        var model = ml.MulticlassClassification.Trainers.WideMinima(SmallOptions()).Fit(SyntheticData.IntegerLabels(ml, 300, 3));
        Assert.AreEqual(3, model.Label.ClassCount);
        CollectionAssert.AreEqual(new[] { "0", "1", "2" }, model.Label.KeyValues);
        Assert.IsGreaterThan(0.85, model.Evaluate(SyntheticData.IntegerLabels(ml, 150, 4)).Accuracy);
    }

    [TestMethod]
    public void Same_seed_and_options_give_identical_metrics_twice()
    {
        double[] Run()
        {
            var ml = new MLContext(seed: 1);
            var model = ml.MulticlassClassification.Trainers.WideMinima(SmallOptions()).Fit(SyntheticData.Blobs(ml, 300, 1));
            var scores = model.Transform(SyntheticData.Blobs(ml, 50, 2)).GetColumn<float[]>("Score").SelectMany(s => s).Select(v => (double)v);
            return [.. model.TrainingReport.Epochs.Select(e => e.TrainLoss), .. scores];
        }
        CollectionAssert.AreEqual(Run(), Run());
    }

    [TestMethod]
    public void Seed_defaults_to_the_mlcontext_random_source()
    {
        int SeedOf(int contextSeed)
        {
            var ml = new MLContext(seed: contextSeed);
            var options = SmallOptions();
            options.Seed = null;
            options.Epochs = 1;
            return ml.MulticlassClassification.Trainers.WideMinima(options).Fit(SyntheticData.Blobs(ml, 60, 1)).TrainingReport.Seed;
        }
        Assert.AreEqual(SeedOf(3), SeedOf(3));
        Assert.AreNotEqual(SeedOf(3), SeedOf(4));
    }

    [TestMethod]
    public void Common_overload_sets_columns_epochs_and_explore_fraction()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Transforms.CopyColumns("Pixels", "Features").Append(ml.Transforms.CopyColumns("Class", "Label"))
            .Fit(SyntheticData.Blobs(ml, 90, 1)).Transform(SyntheticData.Blobs(ml, 90, 1));
        var model = ml.MulticlassClassification.Trainers.WideMinima("Class", "Pixels", epochs: 8, exploreFraction: 0.25).Fit(data);
        var knee = (KneeSchedule)ScheduleJson.Deserialize(model.TrainingReport.ScheduleJson);
        Assert.AreEqual(0.25, knee.ExploreFraction, "90 rows in batches of 128: 8 steps, 2 of them explore");
        Assert.HasCount(8, model.TrainingReport.Epochs);
        Assert.AreEqual("Pixels", model.Columns.Features);
    }

    [TestMethod]
    public void Width_can_be_measured_on_any_data_through_the_catalog()
    {
        var ml = new MLContext(seed: 1);
        var pipeline = ml.Transforms.NormalizeMinMax("Features")
            .Append(ml.MulticlassClassification.Trainers.WideMinima(SmallOptions()));
        var model = pipeline.Fit(SyntheticData.Blobs(ml, 300, 1));
        var width = ml.MulticlassClassification.MeasureWidth(model, SyntheticData.Blobs(ml, 200, 9), KeskarWidthOptions.Fast());
        Assert.IsGreaterThan(0.0, width.Sharpness);
        Assert.AreEqual(200, width.SampleSize);
    }

    [TestMethod]
    public void Hessian_adaptive_sharpness_and_landscapes_are_measured_through_the_catalog_and_the_training_report()
    {
        var ml = new MLContext(seed: 1);
        var options = SmallOptions();
        options.Hessian = new HessianOptions { SampleSize = 100, MaxIterations = 5, Probes = 3 };
        options.Adaptive = new AdaptiveSharpnessOptions { SampleSize = 100, MaxSteps = 5 };
        var pipeline = ml.Transforms.NormalizeMinMax("Features").Append(ml.MulticlassClassification.Trainers.WideMinima(options));
        var model = pipeline.Fit(SyntheticData.Blobs(ml, 300, 1));
        var report = model.LastTransformer.TrainingReport;
        Assert.IsGreaterThan(0.0, report.Hessian!.TopEigenvalue!.Value);
        Assert.IsNotNull(report.Hessian.Trace);
        Assert.IsGreaterThanOrEqualTo(0.0, report.Adaptive!.Sharpness);
        Assert.IsGreaterThan(0.0, report.MeasureSeconds);

        var data = SyntheticData.Blobs(ml, 200, 9);
        var hessian = ml.MulticlassClassification.MeasureHessian(model, data, new HessianOptions { SampleSize = 150, MaxIterations = 5, Probes = 3 });
        Assert.AreEqual(150, hessian.SampleSize);
        Assert.IsGreaterThan(0.0, hessian.TopEigenvalue!.Value);
        var adaptive = ml.MulticlassClassification.MeasureAdaptiveSharpness(model, data, new AdaptiveSharpnessOptions { Rho = 0.05, MaxSteps = 5 });
        Assert.IsGreaterThan(0.0, adaptive.Sharpness);
        var slice = ml.MulticlassClassification.LossLandscapeSlice(model, data, new LandscapeOptions { Points = 5 });
        Assert.HasCount(5, slice.Losses);
        var surface = ml.MulticlassClassification.LossLandscapeSurface(model, data, new LandscapeOptions { GridPoints = 3 });
        Assert.HasCount(3, surface.Losses);
        var other = pipeline.Fit(SyntheticData.Blobs(ml, 300, 2));
        var line = ml.MulticlassClassification.LossInterpolation(model, other, data, new LandscapeOptions { Points = 3, InterpolationStart = 0, InterpolationEnd = 1 });
        Assert.HasCount(3, line.Losses);
        Assert.AreEqual(slice.Losses[2], line.Losses[0], 1e-5, "t = 0 is the first model, as is the slice's centre");
    }

    [TestMethod]
    public void Huge_learning_rate_diverges_with_a_clear_exception_or_a_flag()
    {
        var ml = new MLContext(seed: 1);
        var options = SmallOptions();
        options.Schedule = new ConstantScheduleOptions { PeakLearningRate = 1e12 };
        var e = Assert.ThrowsExactly<TrainingDivergedException>(() => ml.MulticlassClassification.Trainers.WideMinima(options).Fit(SyntheticData.Blobs(ml, 300, 1)));
        StringAssert.Contains(e.Message, "diverged");
        Assert.AreEqual(1e12, e.LearningRate, 1e12 * 1e-6);

        options.OnDivergence = DivergenceAction.Stop;
        var model = ml.MulticlassClassification.Trainers.WideMinima(options).Fit(SyntheticData.Blobs(ml, 300, 1));
        Assert.IsTrue(model.TrainingReport.Diverged);
        var stopped = model.TrainingReport;
        Assert.IsLessThan(stopped.StepsPerEpoch * 5, stopped.LearningRates.Length, "training stopped before the budget ended");
        Assert.IsFalse(double.IsFinite(stopped.Epochs[^1].TrainLoss), "the report shows the diverged loss");
    }

    [TestMethod]
    public void Options_of_mlnet_torchsharp_trainers_carry_over()
    {
        var source = new Microsoft.ML.TorchSharp.NasBert.TextClassificationTrainer.TextClassificationOptions
        {
            LabelColumnName = "Class",
            ScoreColumnName = "Probabilities",
            PredictionColumnName = "Guess",
            BatchSize = 16,
            MaxEpoch = 3,
            WeightDecay = 0.01,
        };
        var options = WideMinimaTrainer.Options.From(source);
        Assert.AreEqual("Class", options.LabelColumnName);
        Assert.AreEqual("Probabilities", options.ScoreColumnName);
        Assert.AreEqual("Guess", options.PredictedLabelColumnName);
        Assert.AreEqual(16, options.BatchSize);
        Assert.AreEqual(3, options.Epochs);
        Assert.AreEqual(0.01, options.WeightDecay);

        // And they train, with Microsoft.ML.TorchSharp (built against TorchSharp 0.102.7) loaded next to 0.107.
        var ml = new MLContext(seed: 1);
        options.Seed = 1;
        options.HiddenSizes = [16];
        var data = ml.Transforms.CopyColumns("Class", "Label").Fit(SyntheticData.Blobs(ml, 90, 1)).Transform(SyntheticData.Blobs(ml, 90, 1));
        var model = ml.MulticlassClassification.Trainers.WideMinima(options).Fit(data);
        Assert.HasCount(3, model.TrainingReport.Epochs);
        Assert.IsTrue(model.Transform(data).Schema.GetColumnOrNull("Guess").HasValue);
        Assert.AreEqual(typeof(TorchSharp.torch).Assembly.GetName().Version, new Version(0, 107, 0, 0));
    }
}

/// <summary>An IProgress that reports synchronously, so tests see every report before Fit returns.</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
