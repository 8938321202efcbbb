using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;
using TorchSharp.Modules;
using WideMinima.Data;
using WideMinima.MLNet;
using WideMinima.Models;
using WideMinima.Training;
using static TorchSharp.torch;

namespace WideMinima.Tests.MLNet;

/// <summary>
/// The managed scoring kernels (<see cref="ManagedNetwork"/>, <see cref="ScoringKernels"/>) against libtorch: on
/// networks of every shape they claim to run, when the network changes after they were compiled, on NaN features, and
/// where they must step aside. On a CPU with neither AVX-512 nor AVX2 and FMA the kernels do not run; the tests then check that libtorch
/// scored and say why.
/// </summary>
[TestClass]
public sealed class ManagedScoringTests
{
    /// <summary>As <c>BatchedScoringTests</c>: float rounding of probabilities (sums in another order).</summary>
    private const double Tolerance = 2e-6;

    public TestContext TestContext { get; set; } = null!;

    private static string SubsetFolder => Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist-subset");

    [TestMethod]
    public void Kernels_run_a_sequential_network_of_every_supported_layer_as_libtorch_does()
    {
        manual_seed(5);
        // 3 x 15 x 20 images: 3 input channels (a partial block), a 5 x 5 kernel, 20 columns (overlapping runs of 14),
        // 48 channels (a pair of blocks and a single one), a convolution without pooling before one with it, pooling of
        // an odd height, BatchNorm with running statistics, a dense layer of 37 (no multiple of 16), Dropout, 5 classes.
        int c = 3, h = 15, w = 20, features = c * h * w;
        var mean = Enumerable.Range(0, features).Select(i => (i % 7) * 0.1f).ToArray();
        var std = Enumerable.Range(0, features).Select(i => 0.5f + (i % 5) * 0.2f).ToArray();
        var bn = RandomBatchNorm(48);
        var net = nn.Sequential(
            ("standardize", new Standardize(mean, std)),
            ("image", nn.Unflatten(1, [c, h, w])),
            ("conv1", nn.Conv2d(c, 16, 5, padding: 2)),
            ("relu1", nn.ReLU()),
            ("conv2", nn.Conv2d(16, 48, 3, padding: 1)),
            ("bn", bn),
            ("pool", nn.MaxPool2d(2)),
            ("flatten", nn.Flatten()),
            ("fc", nn.Linear(48 * 7 * 10, 37)),
            ("relu3", nn.ReLU()),
            ("dropout", nn.Dropout(0.5)),
            ("classifier", nn.Linear(37, 5)));
        net.eval();
        AssertKernelsMatchLibTorch(net, features, 5, "CNN-like");

        // A dense network without standardisation, 10 inputs (one partial vector).
        var mlp = nn.Sequential(("fc", nn.Linear(10, 7)), ("relu", nn.ReLU()), ("out", nn.Linear(7, 3)));
        mlp.eval();
        AssertKernelsMatchLibTorch(mlp, 10, 3, "MLP");
    }

    [TestMethod]
    public void Winograd_convolutions_run_as_libtorch_does()
    {
        manual_seed(7);
        var (net, features) = WinogradNetwork();
        if (ScoringKernels.IsSupported)
        {
            var managed = ManagedNetwork.TryCreate(net, features, 5, out string reason);
            Assert.IsNotNull(managed, reason);
            Assert.AreEqual(2, managed.WinogradConvolutions, "the two 3 x 3 convolutions run as Winograd F(2x2, 3x3), the 5 x 5 one directly");
        }
        AssertKernelsMatchLibTorch(net, features, 5, "Winograd");
    }

    [TestMethod]
    public void Networks_the_kernels_do_not_run_say_why_and_are_left_to_libtorch()
    {
        (nn.Module<Tensor, Tensor> Net, int Features, string Reason)[] cases =
        [
            (nn.Sequential(("image", nn.Unflatten(1, [1, 16, 16])), ("conv", nn.Conv2d(1, 16, 3, stride: 2, padding: 1)), ("flatten", nn.Flatten()), ("fc", nn.Linear(16 * 64, 3))), 256, "stride 1"),
            (nn.Sequential(("image", nn.Unflatten(1, [1, 8, 8])), ("conv", nn.Conv2d(1, 16, 3, padding: 1)), ("flatten", nn.Flatten()), ("fc", nn.Linear(16 * 64, 3))), 64, "8 columns"),
            (nn.Sequential(("image", nn.Unflatten(1, [1, 16, 16])), ("conv", nn.Conv2d(1, 8, 3, padding: 1)), ("flatten", nn.Flatten()), ("fc", nn.Linear(8 * 256, 3))), 256, "8 output channels"),
            (nn.Sequential(("fc", nn.Linear(4, 5)), ("tanh", nn.Tanh()), ("out", nn.Linear(5, 3))), 4, "Tanh"),
            (nn.Sequential(("fc", nn.Linear(4, 5)), ("out", nn.Linear(5, 2))), 4, "2 values for 3 classes"),
            (nn.Linear(4, 3), 4, "not nn.Sequential"),
        ];
        foreach (var (net, featureCount, expected) in cases)
        {
            var managed = ManagedNetwork.TryCreate(net, featureCount, 3, out string reason);
            TestContext.WriteLine($"{expected}: {reason}");
            Assert.IsNull(managed, expected);
            StringAssert.Contains(reason, ScoringKernels.IsSupported ? expected : "AVX-512");
        }
    }

    [TestMethod]
    [DataRow(ModelKind.Mlp, 1)]
    [DataRow(ModelKind.Cnn, 1)]
    [DataRow(ModelKind.Cnn, 2)]
    public void A_single_row_on_the_kernels_allocates_no_managed_memory(ModelKind kind, int threads)
    {
        // The transformer's own hot path (the row mapper ML.NET builds PredictionEngine on), without the engine's
        // copying of the user's class: a row whose features move on each time, and the Score getter read.
        var ml = new MLContext(seed: 1);
        var train = FashionMnist.LoadFolder(ml, SubsetFolder, FashionMnistSplit.Train, take: 100);
        using var model = ml.MulticlassClassification.Trainers.WideMinima(new WideMinimaTrainer.Options
        {
            Model = kind, Epochs = 1, BatchSize = 32, Seed = 1, Threads = 1, Device = DeviceKind.Cpu,
        }).Fit(train);
        model.Scoring = new ScoringOptions { SingleRowThreads = threads };
        var features = train.GetColumn<float[]>("Features").Take(16).ToArray();
        var input = new MovingRow(train.Schema, features);
        var mapper = ((ITransformer)model).GetRowToRowMapper(train.Schema);
        using var row = mapper.GetRow(input, [mapper.OutputSchema["Score"], mapper.OutputSchema["PredictedLabel"]]);
        var score = row.GetGetter<VBuffer<float>>(row.Schema["Score"]);
        var label = row.GetGetter<uint>(row.Schema["PredictedLabel"]);
        VBuffer<float> value = default;
        uint predicted = 0;
        for (int i = 0; i < 32; i++) { input.MoveTo(i); score(ref value); label(ref predicted); } // warm-up: buffers made once
        if (!ScoringKernels.IsSupported)
        {
            Assert.IsFalse(model.Scorer.LastPassManaged, "without the kernels libtorch scores (its tensor handles are managed objects)");
            Assert.Inconclusive("This CPU has neither AVX-512 nor AVX2 with FMA: the managed kernels, whose hot path this measures, do not run here.");
        }
        Assert.IsTrue(model.Scorer.LastPassManaged, "the kernels scored");
        // Three windows of 1,000 rows after a full collection; the least of them counts. A per-row allocation shows
        // in every window (the smallest object is 24 bytes: 24,000 bytes a window); a collection that other tests'
        // threads set off can move this thread's allocation context by about 8 KB once (seen), never in all three.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        const int rows = 1000;
        var windows = new List<long>();
        for (int w = 0, i = 32; w < 3; w++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int end = i + rows; i < end; i++)
            {
                input.MoveTo(i);
                score(ref value);
                label(ref predicted);
            }
            windows.Add(GC.GetAllocatedBytesForCurrentThread() - before);
        }
        TestContext.WriteLine($"{kind}, {threads} thread(s): managed bytes in three windows of {rows} rows: {string.Join(", ", windows)}");
        Assert.IsLessThan((long)rows, windows.Min(), $"every window of {rows} rows allocated ({string.Join(", ", windows)} bytes): something is allocated per row");
        Assert.AreEqual(1f, value.DenseValues().Sum(), 1e-5f);
    }

    /// <summary>A row over fixed feature vectors whose position the test moves; its getters allocate nothing once warm.</summary>
    private sealed class MovingRow(DataViewSchema schema, float[][] features) : DataViewRow
    {
        private long _position = -1;

        public void MoveTo(long position) => _position = position;

        public override DataViewSchema Schema => schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

        public override bool IsColumnActive(DataViewSchema.Column column) => true;

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Name != "Features") return (ref TValue value) => value = default!;
            ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> value) =>
            {
                var source = features[_position % features.Length];
                var editor = VBufferEditor.Create(ref value, source.Length);
                source.CopyTo(editor.Values);
                value = editor.Commit();
            };
            return (ValueGetter<TValue>)(Delegate)getter;
        }
    }

    [TestMethod]
    public void Scores_follow_the_network_when_its_weights_change_after_the_first_pass()
    {
        var ml = new MLContext(seed: 1);
        var train = FashionMnist.LoadFolder(ml, SubsetFolder, FashionMnistSplit.Train, take: 100);
        var test = FashionMnist.LoadFolder(ml, SubsetFolder, FashionMnistSplit.Test, take: 40);
        using var model = ml.MulticlassClassification.Trainers.WideMinima(new WideMinimaTrainer.Options
        {
            Model = ModelKind.Cnn, Epochs = 1, BatchSize = 32, Seed = 1, Threads = 1, Device = DeviceKind.Cpu,
        }).Fit(train);
        model.Scoring = new ScoringOptions { BatchSize = 16 };
        var rows = test.GetColumn<float[]>("Features").ToList();
        var layers = ((Sequential)model.Network).named_children().ToDictionary(c => c.name, c => c.module);
        AssertScoresAreTheNetworks(model, test, rows, "as trained");

        // In place, as an optimizer step or a width measure changes them: the re-laid convolution weights and the
        // folded BatchNorm must be redone, the dense weights are read where they are.
        using (no_grad())
        {
            ((Conv2d)layers["conv2"]).weight!.mul_(1.5);
            ((BatchNorm2d)layers["bn1"]).running_var!.add_(0.25);
            ((BatchNorm2d)layers["bn2"]).bias!.sub_(0.1);
            ((Linear)layers["fc"]).weight!.mul_(0.5);
            layers["standardize"].get_buffer("mean")!.add_(3);
        }
        AssertScoresAreTheNetworks(model, test, rows, "weights changed in place");

        // A replaced parameter: the kernels are compiled again.
        var classifier = (Linear)layers["classifier"];
        using (no_grad()) classifier.weight = new Parameter(classifier.weight!.detach().clone() * 2f);
        AssertScoresAreTheNetworks(model, test, rows, "a parameter replaced");

        // Training mode: BatchNorm and Dropout behave otherwise, which libtorch runs as the modules say.
        model.Network.train();
        _ = model.Transform(test).GetColumn<float[]>("Score").ToList();
        Assert.IsFalse(model.Scorer.LastPassManaged, "a network in training mode is scored by libtorch");
        model.Network.eval();
        AssertScoresAreTheNetworks(model, test, rows, "back in eval mode");
    }

    [TestMethod]
    public void NaN_features_give_NaN_scores_and_a_missing_label_as_with_libtorch()
    {
        var ml = new MLContext(seed: 1);
        var train = FashionMnist.LoadFolder(ml, SubsetFolder, FashionMnistSplit.Train, take: 100);
        foreach (var kind in new[] { ModelKind.Mlp, ModelKind.Cnn })
        {
            using var model = ml.MulticlassClassification.Trainers.WideMinima(new WideMinimaTrainer.Options
            {
                Model = kind, Epochs = 1, BatchSize = 32, Seed = 1, Threads = 1, Device = DeviceKind.Cpu,
            }).Fit(train);
            var rows = ml.Data.CreateEnumerable<BatchedScoringTests.FashionRow>(train, reuseRowObject: false).Take(6).ToArray();
            rows[2].Features[300] = float.NaN;
            var data = ml.Data.LoadFromEnumerable(rows);
            foreach (var backend in new[] { ScoringBackend.Auto, ScoringBackend.LibTorch })
            {
                model.Scoring = new ScoringOptions { BatchSize = 4, Backend = backend };
                var scored = model.Transform(data);
                var scores = scored.GetColumn<float[]>("Score").ToList();
                var keys = scored.GetColumn<uint>("PredictedLabel").ToList();
                Assert.AreEqual(backend == ScoringBackend.Auto && ScoringKernels.IsSupported, model.Scorer.LastPassManaged, $"{kind}, {backend}");
                Assert.IsTrue(scores[2].All(float.IsNaN), $"{kind}, {backend}: the NaN row's probabilities are NaN");
                Assert.AreEqual(0u, keys[2], $"{kind}, {backend}: its predicted label is missing");
                Assert.IsFalse(scores[1].Any(float.IsNaN) || scores[3].Any(float.IsNaN), $"{kind}, {backend}: the NaN stays in its row");
            }
        }
    }

    /// <summary>Transform (batches of 16, one and two threads) and PredictionEngine against libtorch's forward pass on each row.</summary>
    private void AssertScoresAreTheNetworks(WideMinimaTransformer model, IDataView test, List<float[]> rows, string when)
    {
        var reference = new List<float[]>();
        using (no_grad())
        {
            foreach (var row in rows)
            {
                using var scope = NewDisposeScope();
                reference.Add([.. nn.functional.softmax(model.Network.call(tensor(row, [1, row.Length])), 1).data<float>()]);
            }
        }
        foreach (int threads in new[] { 1, 2 })
        {
            model.Scoring = new ScoringOptions { BatchSize = 16, Threads = threads };
            var scores = model.Transform(test).GetColumn<float[]>("Score").ToList();
            Assert.AreEqual(ScoringKernels.IsSupported, model.Scorer.LastPassManaged, $"{when}: the kernels ran");
            double diff = MaxDifference(reference, scores);
            TestContext.WriteLine($"{when}, {threads} thread(s): max |p_kernels - p_libtorch| = {diff:E2}");
            Assert.IsLessThanOrEqualTo(Tolerance, diff, $"{when}, {threads} thread(s)");
        }
        using var engine = model.Scorer.CreateBatch(1);
        var predicted = new List<float[]>();
        foreach (var row in rows)
        {
            row.CopyTo(engine.Features, 0);
            engine.Score(1, 1);
            predicted.Add([.. engine.Scores]);
        }
        Assert.IsLessThanOrEqualTo(Tolerance, MaxDifference(reference, predicted), $"{when}, one row at a time");
    }

    /// <summary>
    /// A network of Winograd convolutions (5 classes, from the current libtorch seed) on 20 x 12 x 22 images: 3 x 3
    /// convolutions on 6 x 11 = 66 tiles of 2 x 2 pixels (for a pair of output blocks on AVX-512 runs of 14 and a last run
    /// of 7 that overlaps the one before; for a single block runs of 14, the last overlapping; on AVX2 runs of 5, the last
    /// overlapping): 20 input channels (a partial block) into 48 (a pair of blocks and a single one) with BatchNorm and
    /// ReLU, not pooled; then a 5 x 5 convolution, which stays direct; then 16 into 32 with neither, pooled in the output
    /// transform.
    /// </summary>
    internal static (nn.Module<Tensor, Tensor> Net, int Features) WinogradNetwork()
    {
        int c = 20, h = 12, w = 22;
        var net = nn.Sequential(
            ("image", nn.Unflatten(1, [c, h, w])),
            ("conv1", nn.Conv2d(c, 48, 3, padding: 1)),
            ("bn", RandomBatchNorm(48)),
            ("relu1", nn.ReLU()),
            ("conv2", nn.Conv2d(48, 16, 5, padding: 2)),
            ("conv3", nn.Conv2d(16, 32, 3, padding: 1)),
            ("pool", nn.MaxPool2d(2)),
            ("flatten", nn.Flatten()),
            ("classifier", nn.Linear(32 * 6 * 11, 5)));
        net.eval();
        return (net, c * h * w);
    }

    /// <summary>A BatchNorm2d in eval form with random running statistics, scale and shift.</summary>
    private static BatchNorm2d RandomBatchNorm(int channels)
    {
        var bn = nn.BatchNorm2d(channels);
        using (no_grad())
        {
            bn.running_mean!.copy_(randn(channels) * 0.3f);
            bn.running_var!.copy_(rand(channels) + 0.5f);
            bn.weight!.copy_(randn(channels));
            bn.bias!.copy_(randn(channels));
        }
        return bn;
    }

    /// <summary>
    /// The kernels on 1, 3 and 40 rows (one and two threads: one row split by layers, 40 rows in three chunks of rows)
    /// against libtorch's softmax(net(x)).
    /// </summary>
    private void AssertKernelsMatchLibTorch(nn.Module<Tensor, Tensor> net, int features, int classes, string name)
    {
        var managed = ManagedNetwork.TryCreate(net, features, classes, out string reason);
        if (!ScoringKernels.IsSupported)
        {
            Assert.IsNull(managed);
            StringAssert.Contains(reason, "AVX-512");
            return;
        }
        Assert.IsNotNull(managed, reason);
        var workspace = managed.CreateWorkspace();
        foreach (int rows in new[] { 1, 3, 40 })
        {
            foreach (int threads in new[] { 1, 2 })
            {
                using var scope = NewDisposeScope();
                var x = randn(rows, features) * 2f;
                if (rows == 40) x[4, features / 2] = float.NaN;
                float[] input = [.. x.data<float>()], scores = new float[rows * classes];
                float[] expected;
                using (no_grad()) expected = [.. nn.functional.softmax(net.call(x), 1).data<float>()];
                Assert.AreEqual(ManagedNetwork.Outcome.Scored, managed.TryScore(workspace, input, rows, scores, threads));
                double diff = 0;
                for (int i = 0; i < scores.Length; i++)
                {
                    Assert.AreEqual(float.IsNaN(expected[i]), float.IsNaN(scores[i]), $"{name}, {rows} rows: NaN at {i}");
                    if (!float.IsNaN(expected[i])) diff = Math.Max(diff, Math.Abs(expected[i] - scores[i]));
                }
                TestContext.WriteLine($"{name}: {rows} rows, {threads} thread(s): max |p_kernels - p_libtorch| = {diff:E2}");
                Assert.IsLessThanOrEqualTo(Tolerance, diff, $"{name}, {rows} rows, {threads} thread(s)");
            }
        }
    }

    private static double MaxDifference(List<float[]> expected, List<float[]> actual)
    {
        Assert.HasCount(expected.Count, actual);
        double max = 0;
        for (int i = 0; i < expected.Count; i++)
        {
            for (int k = 0; k < expected[i].Length; k++) max = Math.Max(max, Math.Abs(expected[i][k] - actual[i][k]));
        }
        return max;
    }
}
