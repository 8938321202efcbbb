using Microsoft.ML;
using Microsoft.ML.Data;
using System.Runtime.InteropServices;
using WideMinima.Data;
using WideMinima.MLNet;
using WideMinima.Models;
using WideMinima.Training;

namespace WideMinima.Tests.MLNet;

/// <summary>
/// libtorch writes its warnings straight to the process's standard error (a CPU without NNPACK's instruction set
/// gets "Could not initialize NNPACK!" on every one-row convolution). The library keeps them off the console unless
/// WIDEMINIMA_TORCH_WARNINGS=1 asks for them. Checked in a child process (this test assembly, running one test), whose
/// standard error is the one libtorch writes to.
/// </summary>
[TestClass]
public sealed class NativeWarningsTests
{
    private const string ChildTest = nameof(A_cnn_trains_on_small_images_and_scores_them_one_row_at_a_time);

    public sealed class Prediction
    {
        public float[] Score { get; set; } = [];
    }

    public sealed class Image
    {
        [VectorType(8, 8)] public float[] Features { get; set; } = [];
    }

    /// <summary>What the child process runs; a test on its own too.</summary>
    [TestMethod]
    public void A_cnn_trains_on_small_images_and_scores_them_one_row_at_a_time()
    {
        var ml = new MLContext(seed: 1);
        const int count = 41; // batches of 8 and a last one of 1: a one-row convolution in training too
        var pixels = new byte[count * 64];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)((i / 64) % 2 == 0 ? (i % 64) * 2 : 255 - (i % 64) * 2);
        var labels = Enumerable.Range(0, count).Select(i => (byte)(i % 2)).ToArray();
        var data = IdxDataView.Create(ml, new IdxImages(count, 8, 8, pixels), labels, ["rising", "falling"], "generated");
        using var model = ml.MulticlassClassification.Trainers.WideMinima(new WideMinimaTrainer.Options
        {
            Model = ModelKind.Cnn, Epochs = 1, BatchSize = 8, Seed = 1, Threads = 1, Device = DeviceKind.Cpu,
        }).Fit(data);
        using var engine = ml.Model.CreatePredictionEngine<Image, Prediction>(model, new PredictionEngineOptions { OwnsTransformer = false });
        var images = data.GetColumn<float[]>("Features").Take(3).ToList();
        foreach (var image in images)
            Assert.AreEqual(1f, engine.Predict(new Image { Features = image }).Score.Sum(), 1e-5f);
    }

    [TestMethod]
    public void Libtorch_warnings_stay_off_the_console_unless_asked_for()
    {
        var quiet = Child(warnings: null);
        var asked = Child(warnings: "1");
        if (!asked.Output.Contains("NNPACK", StringComparison.Ordinal))
        {
            Assert.Inconclusive("libtorch printed no NNPACK warning even when asked: this CPU initializes NNPACK, so there is nothing to hide here.\n" + asked.Output);
        }
        StringAssert.Contains(asked.Output, "Could not initialize NNPACK", "WIDEMINIMA_TORCH_WARNINGS=1 leaves libtorch's warnings on");
        Assert.IsFalse(quiet.Output.Contains("NNPACK", StringComparison.Ordinal), "by default no NNPACK line reaches the console:\n" + quiet.Output);
        Assert.IsFalse(quiet.Output.Split('\n').Any(l => l.StartsWith("[W", StringComparison.Ordinal)), "nor any other libtorch warning:\n" + quiet.Output);
    }

    [TestMethod]
    public void The_switch_takes_1_or_true_and_the_threshold_is_found_in_libc10()
    {
        Assert.IsTrue(NativeWarnings.WarningsRequested("1"));
        Assert.IsTrue(NativeWarnings.WarningsRequested(" TRUE "));
        Assert.IsFalse(NativeWarnings.WarningsRequested(null));
        Assert.IsFalse(NativeWarnings.WarningsRequested("0"));
        Assert.IsFalse(NativeWarnings.WarningsRequested("yes please"));
        NativeWarnings.Quiet();
        var level = NativeWarnings.LogLevel();
        Assert.IsNotNull(level, "c10's FLAGS_caffe2_log_level is exported by the libc10 TorchSharp loaded");
        int expected = NativeWarnings.WarningsRequested(Environment.GetEnvironmentVariable(NativeWarnings.EnvironmentVariable)) ? 1 : 2;
        Assert.AreEqual(expected, Marshal.ReadInt32(level.Value), "errors only (2) unless warnings were asked for (libtorch's default, 1)");
    }

    /// <summary>Runs <see cref="ChildTest"/> alone in a new process of this test assembly.</summary>
    private static Cli.Result Child(string? warnings)
    {
        string assembly = Path.Combine(AppContext.BaseDirectory, "WideMinima.Tests.dll");
        string results = TestFolders.New("child-results");
        var result = Cli.Run("dotnet", [assembly, "--results-directory", results, "--filter", $"FullyQualifiedName={typeof(NativeWarningsTests).FullName}.{ChildTest}"],
            TestFolders.New("child"), new Dictionary<string, string?> { [NativeWarnings.EnvironmentVariable] = warnings }, TimeSpan.FromMinutes(3));
        result.AssertSuccess($"the child test (WIDEMINIMA_TORCH_WARNINGS={warnings ?? "unset"})");
        StringAssert.Contains(result.Output, "succeeded: 1", "the child ran its one test");
        return result;
    }
}
