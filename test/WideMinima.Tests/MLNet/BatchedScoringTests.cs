using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;
using WideMinima.Data;
using WideMinima.MLNet;
using WideMinima.Models;
using WideMinima.Training;
using static TorchSharp.torch;

namespace WideMinima.Tests.MLNet;

/// <summary>
/// The transformer's batched bulk scoring (<c>Transform</c>) and its one-row path (<c>PredictionEngine</c>) against
/// the network run on one row at a time, for the MLP, the CNN and ResNet-18; and the IDataView contracts the batching
/// cursor keeps: row order, input columns served per row, row ids, shuffling and cursor sets.
/// </summary>
[TestClass]
public sealed class BatchedScoringTests
{
    /// <summary>
    /// The largest difference allowed between a probability scored in a batch and the same one scored alone: float
    /// precision, a few units in the last place near 1 (a batched matrix product sums in another order than a one-row one).
    /// </summary>
    private const double Tolerance = 2e-6;

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

    public sealed class Prediction
    {
        public float[] Score { get; set; } = [];
        public uint PredictedLabel { get; set; }
    }

    public sealed class IdRow
    {
        [VectorType(8)] public float[] Features { get; set; } = [];
        [KeyType(3)] public uint Label { get; set; }
        public int Id { get; set; }
        public string Name { get; set; } = "";
    }

    [TestMethod]
    public void Mlp_scores_in_batches_as_one_row_at_a_time()
    {
        var ml = new MLContext(seed: 1);
        var train = FashionMnist.LoadFolder(ml, SubsetFolder, FashionMnistSplit.Train, take: 300);
        var test = FashionMnist.LoadFolder(ml, SubsetFolder, FashionMnistSplit.Test, take: 600);
        using var model = ml.MulticlassClassification.Trainers.WideMinima(Options(ModelKind.Mlp)).Fit(train);
        AssertBatchesMatchSingleRows(ml, model, test, ModelKind.Mlp, [256, 7]);
    }

    [TestMethod]
    public void Cnn_scores_in_batches_as_one_row_at_a_time()
    {
        var ml = new MLContext(seed: 1);
        var train = FashionMnist.LoadFolder(ml, SubsetFolder, FashionMnistSplit.Train, take: 200);
        var test = FashionMnist.LoadFolder(ml, SubsetFolder, FashionMnistSplit.Test, take: 300);
        using var model = ml.MulticlassClassification.Trainers.WideMinima(Options(ModelKind.Cnn)).Fit(train);
        AssertBatchesMatchSingleRows(ml, model, test, ModelKind.Cnn, [256, 7]);
    }

    [TestMethod]
    public void ResNet18_scores_in_batches_as_one_row_at_a_time()
    {
        var ml = new MLContext(seed: 1);
        string folder = Cifar10.Find(Data.Cifar10Tests.Batches(perTrainBatch: 8, trainBatches: 2, test: 7))!;
        try
        {
            var options = Options(ModelKind.ResNet18);
            options.BatchSize = 8;
            using var model = ml.MulticlassClassification.Trainers.WideMinima(options).Fit(Cifar10.Load(ml, folder, train: true));
            AssertBatchesMatchSingleRows(ml, model, Cifar10.Load(ml, folder, train: false), ModelKind.ResNet18, [4]);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(folder)!, recursive: true);
        }
    }

    [TestMethod]
    public void Rows_keep_their_order_input_columns_and_ids_across_batches()
    {
        var ml = new MLContext(seed: 1);
        var (model, data, reference) = Blobs(ml, rows: 50);
        using var owned = model;
        model.Scoring = new ScoringOptions { BatchSize = 7 };
        var scored = model.Transform(data);
        Assert.AreEqual(50L, scored.GetRowCount());

        var inputRows = ml.Data.CreateEnumerable<IdRow>(data, reuseRowObject: false).ToList();
        var inputIds = Ids(data);
        using var cursor = scored.GetRowCursor(scored.Schema);
        var features = cursor.GetGetter<VBuffer<float>>(scored.Schema["Features"]);
        var label = cursor.GetGetter<uint>(scored.Schema["Label"]);
        var id = cursor.GetGetter<int>(scored.Schema["Id"]);
        var name = cursor.GetGetter<ReadOnlyMemory<char>>(scored.Schema["Name"]);
        var score = cursor.GetGetter<VBuffer<float>>(scored.Schema["Score"]);
        var predicted = cursor.GetGetter<uint>(scored.Schema["PredictedLabel"]);
        var rowId = cursor.GetIdGetter();
        Assert.AreEqual(-1L, cursor.Position);
        Assert.ThrowsExactly<InvalidOperationException>(() => { var v = default(VBuffer<float>); score(ref v); }, "no row before MoveNext");

        VBuffer<float> f = default, s = default;
        uint l = 0, p = 0;
        int i = 0, n = 0;
        ReadOnlyMemory<char> text = default;
        DataViewRowId r = default;
        while (cursor.MoveNext())
        {
            Assert.AreEqual((long)n, cursor.Position);
            features(ref f);
            label(ref l);
            id(ref i);
            name(ref text);
            score(ref s);
            predicted(ref p);
            rowId(ref r);
            Assert.AreEqual(n, i, "rows come in the input's order");
            CollectionAssert.AreEqual(inputRows[n].Features, f.DenseValues().ToArray(), $"row {n}: features as the input holds them");
            Assert.AreEqual(inputRows[n].Label, l, $"row {n}: the label key (row objects read keys raw, as the cursor does)");
            Assert.AreEqual(inputRows[n].Name, text.ToString());
            Assert.AreEqual(inputIds[n], r, $"row {n}: the input's row id");
            AssertClose(reference[n], s.DenseValues().ToArray(), $"row {n}");
            Assert.AreEqual((uint)ArgMax(reference[n]) + 1, p, $"row {n}: predicted key");
            n++;
        }
        Assert.AreEqual(50, n);
        Assert.AreEqual(-1L, cursor.Position, "a finished cursor has no position");
        Assert.IsFalse(cursor.MoveNext(), "and stays finished");
    }

    [TestMethod]
    public void Shuffled_cursors_give_the_inputs_shuffled_order_with_each_rows_own_score()
    {
        var ml = new MLContext(seed: 1);
        var (model, data, reference) = Blobs(ml, rows: 60);
        using var owned = model;
        model.Scoring = new ScoringOptions { BatchSize = 8 };
        var cached = ml.Data.Cache(data);
        var scored = model.Transform(cached);
        Assert.IsTrue(cached.CanShuffle);
        Assert.IsTrue(scored.CanShuffle, "the view shuffles when its input does");

        var expected = new List<int>();
        using (var input = cached.GetRowCursor([cached.Schema["Id"]], new Random(42)))
        {
            var id = input.GetGetter<int>(cached.Schema["Id"]);
            int value = 0;
            while (input.MoveNext()) { id(ref value); expected.Add(value); }
        }
        CollectionAssert.AreNotEqual(Enumerable.Range(0, 60).ToList(), expected, "the input's shuffle moved rows");

        var (ids, scores, _) = Read(scored.GetRowCursor([scored.Schema["Id"], scored.Schema["Score"]], new Random(42)), scored.Schema);
        CollectionAssert.AreEqual(expected, ids, "the same random source gives the input's order");
        for (int k = 0; k < ids.Count; k++) AssertClose(reference[ids[k]], scores[k], $"row {ids[k]}");
    }

    [TestMethod]
    public void Cursor_sets_cover_every_row_once_and_consolidate_by_batch_to_the_serial_order()
    {
        var ml = new MLContext(seed: 1);
        var (model, data, reference) = Blobs(ml, rows: 300);
        using var owned = model;
        model.Scoring = new ScoringOptions { BatchSize = 16 };
        var cached = ml.Data.Cache(data);
        Assert.AreEqual(300, cached.GetColumn<int>("Id").Count()); // fills the cache, so that it can hand out parallel cursors
        var scored = model.Transform(cached);
        var columns = new[] { scored.Schema["Id"], scored.Schema["Score"] };

        var serial = Read(scored.GetRowCursor(columns), scored.Schema).Ids;
        var cursors = scored.GetRowCursorSet(columns, 3);
        TestContext.WriteLine($"{cursors.Length} cursors");
        // Read in turns, as parallel consumers would, so that the input hands its blocks of rows out interleaved.
        var getters = cursors.Select(c => (Id: c.GetGetter<int>(scored.Schema["Id"]), Score: c.GetGetter<VBuffer<float>>(scored.Schema["Score"]))).ToArray();
        var perCursor = cursors.Select(_ => new List<(long Batch, int Id)>()).ToArray();
        var live = cursors.Select(_ => true).ToArray();
        int value = 0;
        VBuffer<float> score = default;
        while (live.Contains(true))
        {
            for (int c = 0; c < cursors.Length; c++)
            {
                if (!live[c] || !(live[c] = cursors[c].MoveNext())) continue;
                getters[c].Id(ref value);
                getters[c].Score(ref score);
                AssertClose(reference[value], score.DenseValues().ToArray(), $"row {value}");
                perCursor[c].Add((cursors[c].Batch, value));
            }
        }
        foreach (var cursor in cursors) cursor.Dispose();
        var all = new List<(long Batch, int Id)>();
        foreach (var rows in perCursor)
        {
            for (int k = 1; k < rows.Count; k++) Assert.IsGreaterThanOrEqualTo(rows[k - 1].Batch, rows[k].Batch, "a cursor's batch ids never decrease");
            TestContext.WriteLine($"cursor: {rows.Count} rows, batches {string.Join(",", rows.Select(r => r.Batch).Distinct())}");
            all.AddRange(rows);
        }
        CollectionAssert.AreNotEqual(serial, all.Select(a => a.Id).ToList(), "the cursors' rows interleave (else the next check proves little)");
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 300).ToList(), all.Select(a => a.Id).ToList(), "every row exactly once");
        // ML.NET's contract for cursor sets: a stable sort on the batch ids gives the serial cursor's rows.
        CollectionAssert.AreEqual(serial, all.OrderBy(a => a.Batch).Select(a => a.Id).ToList());
    }

    [TestMethod]
    public void Cursors_check_their_columns_and_types_and_can_stop_early()
    {
        var ml = new MLContext(seed: 1);
        var (model, data, _) = Blobs(ml, rows: 30);
        using var owned = model;
        var scored = model.Transform(data);
        using (var cursor = scored.GetRowCursor([scored.Schema["Score"]]))
        {
            Assert.IsTrue(cursor.IsColumnActive(scored.Schema["Score"]));
            Assert.IsFalse(cursor.IsColumnActive(scored.Schema["Label"]));
            Assert.ThrowsExactly<InvalidOperationException>(() => cursor.GetGetter<uint>(scored.Schema["Label"]));
            var e = Assert.ThrowsExactly<InvalidOperationException>(() => cursor.GetGetter<VBuffer<double>>(scored.Schema["Score"]));
            StringAssert.Contains(e.Message, "'Score'");
            Assert.IsTrue(cursor.MoveNext());
        } // disposed after one row of a read-ahead batch

        // Only input columns asked for: nothing is scored, and the input's rows come straight through.
        using var plain = scored.GetRowCursor([scored.Schema["Id"]]);
        var id = plain.GetGetter<int>(scored.Schema["Id"]);
        int count = 0, value = 0;
        while (plain.MoveNext()) { id(ref value); Assert.AreEqual(count++, value); }
        Assert.AreEqual(30, count);

        var bad = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Scoring = new ScoringOptions { BatchSize = 0 });
        Assert.AreEqual("BatchSize", bad.ParamName);
        Assert.AreEqual("SingleRowThreads", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Scoring = new ScoringOptions { SingleRowThreads = -1 }).ParamName);
    }

    [TestMethod]
    public void Score_slot_names_and_predicted_label_key_values_are_the_class_names()
    {
        var ml = new MLContext(seed: 1);
        var (model, data, _) = Blobs(ml, rows: 30);
        using var owned = model;
        var schema = model.Transform(data).Schema;
        var names = default(VBuffer<ReadOnlyMemory<char>>);
        schema["Score"].Annotations.GetValue("SlotNames", ref names);
        CollectionAssert.AreEqual(new[] { "1", "2", "3" }, names.DenseValues().Select(v => v.ToString()).ToArray());
        schema["PredictedLabel"].Annotations.GetValue("KeyValues", ref names);
        CollectionAssert.AreEqual(new[] { "1", "2", "3" }, names.DenseValues().Select(v => v.ToString()).ToArray());
        Assert.AreEqual(3UL, ((KeyDataViewType)schema["PredictedLabel"].Type).Count);
        Assert.AreEqual(schema.Count, data.Schema.Count + 2, "the input's columns, then the two new ones");
    }

    [TestMethod]
    public void Predictions_run_with_the_scoring_thread_counts_and_put_the_callers_back()
    {
        var ml = new MLContext(seed: 1);
        var options = Options(ModelKind.Custom);
        options.Threads = 1;
        options.ModelFactory = (inputs, classes) => new ThreadProbe(inputs, classes);
        using var model = ml.MulticlassClassification.Trainers.WideMinima(options).Fit(SyntheticData.Blobs(ml, 60, 1));
        var data = SyntheticData.Blobs(ml, 20, 2);
        int before = get_num_threads();
        try
        {
            set_num_threads(2);
            List<int> Seen(Action score)
            {
                ThreadProbe.Seen.Clear();
                score();
                return [.. ThreadProbe.Seen];
            }
            var engine = ml.Model.CreatePredictionEngine<SyntheticData.Row, Prediction>(model, new PredictionEngineOptions { OwnsTransformer = false });
            var row = SyntheticData.Rows(1, 3)[0];
            CollectionAssert.AreEqual(new[] { 1 }, Seen(() => engine.Predict(row)), "one row: SingleRowThreads, default 1");
            Assert.AreEqual(2, get_num_threads(), "the caller's count is put back");

            model.Scoring = new ScoringOptions { SingleRowThreads = 0 };
            engine = ml.Model.CreatePredictionEngine<SyntheticData.Row, Prediction>(model, new PredictionEngineOptions { OwnsTransformer = false });
            CollectionAssert.AreEqual(new[] { 2 }, Seen(() => engine.Predict(row)), "0 keeps the current count");

            model.Scoring = new ScoringOptions { BatchSize = 8 };
            CollectionAssert.AreEqual(new[] { 2, 2, 2 }, Seen(() => _ = model.Transform(data).GetColumn<float[]>("Score").ToList()), "bulk: Threads 0 keeps the count; 20 rows in batches of 8");
            model.Scoring = new ScoringOptions { BatchSize = 8, Threads = 1 };
            CollectionAssert.AreEqual(new[] { 1, 1, 1 }, Seen(() => _ = model.Transform(data).GetColumn<float[]>("Score").ToList()));
            Assert.AreEqual(2, get_num_threads());
        }
        finally
        {
            set_num_threads(before);
        }
    }

    [TestMethod]
    public void A_prediction_allocates_no_managed_copy_of_the_features()
    {
        var ml = new MLContext(seed: 1);
        var train = FashionMnist.LoadFolder(ml, SubsetFolder, FashionMnistSplit.Train, take: 200);
        using var model = ml.MulticlassClassification.Trainers.WideMinima(Options(ModelKind.Mlp)).Fit(train);
        var rows = ml.Data.CreateEnumerable<FashionRow>(train, reuseRowObject: false).Take(50).ToArray();
        using var engine = ml.Model.CreatePredictionEngine<FashionRow, Prediction>(model, new PredictionEngineOptions { OwnsTransformer = false });
        var output = new Prediction();
        foreach (var row in rows) engine.Predict(row, ref output); // warm-up: the engine's buffers are made once
        long before = GC.GetAllocatedBytesForCurrentThread();
        const int rounds = 8;
        for (int r = 0; r < rounds; r++)
        {
            foreach (var row in rows) engine.Predict(row, ref output);
        }
        double perRow = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)(rounds * rows.Length);
        TestContext.WriteLine($"{perRow:F0} managed bytes per prediction (TorchSharp's tensor handles and scopes; ML.NET's engine)");
        // 784 features are 3,136 bytes: any per-row copy of them, or of the buffers, would exceed this.
        Assert.IsLessThan(784 * sizeof(float), perRow);
        Assert.AreEqual(1f, output.Score.Sum(), 1e-5f);
    }

    [TestMethod]
    public void Two_by_two_max_pooling_by_two_maxima_equals_MaxPool2d_bit_for_bit()
    {
        manual_seed(3);
        foreach (var shape in new long[][] { [1, 32, 28, 28], [5, 3, 7, 9], [2, 1, 4, 4] })
        {
            using var scope = NewDisposeScope();
            var x = randn(shape);
            x[0, 0, 1, 1] = float.NaN;
            var expected = nn.functional.max_pool2d(x, 2);
            var actual = ScoringForward.MaxPool2x2(x);
            CollectionAssert.AreEqual(expected.shape, actual.shape, string.Join("x", shape));
            Assert.IsTrue(expected.isnan().eq(actual.isnan()).all().item<bool>(), "NaN windows stay NaN");
            Assert.IsTrue(expected.nan_to_num().eq(actual.nan_to_num()).all().item<bool>(), $"{string.Join("x", shape)}: the same maxima");
        }
        Assert.IsTrue(ScoringForward.IsHalving(nn.MaxPool2d(2)));
        Assert.IsFalse(ScoringForward.IsHalving(nn.MaxPool2d(3)), "other windows run libtorch's own pooling");
        Assert.IsFalse(ScoringForward.IsHalving(nn.MaxPool2d(2, stride: 1)));
        Assert.IsFalse(ScoringForward.IsHalving(nn.MaxPool2d(2, ceil_mode: true)));
    }

    public sealed class FashionRow
    {
        [VectorType(28, 28)] public float[] Features { get; set; } = [];
    }

    /// <summary>A linear network that records libtorch's thread count on each forward pass.</summary>
    private sealed class ThreadProbe : nn.Module<Tensor, Tensor>
    {
        public static readonly List<int> Seen = [];
        private readonly TorchSharp.Modules.Linear layer;

        public ThreadProbe(int inputs, int classes) : base(nameof(ThreadProbe))
        {
            layer = nn.Linear(inputs, classes);
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            lock (Seen) Seen.Add(get_num_threads());
            return layer.call(input);
        }
    }

    /// <summary>Checks Transform at each batch size, and PredictionEngine, against the network run on each row alone.</summary>
    private void AssertBatchesMatchSingleRows(MLContext ml, WideMinimaTransformer model, IDataView test, ModelKind kind, int[] batchSizes)
    {
        var reference = SingleRows(model, test);
        var expectedKeys = reference.Select(p => (uint)ArgMax(p) + 1).ToArray();
        foreach (int size in batchSizes)
        {
            model.Scoring = new ScoringOptions { BatchSize = size };
            var scored = model.Transform(test);
            var scores = scored.GetColumn<float[]>("Score").ToList();
            var keys = scored.GetColumn<uint>("PredictedLabel").ToArray();
            Assert.HasCount(reference.Count, scores);
            double diff = MaxDifference(reference, scores);
            TestContext.WriteLine($"{kind}: {reference.Count} rows in batches of {size}: max |p_batch - p_row| = {diff:E2}");
            Assert.IsLessThanOrEqualTo(Tolerance, diff, $"{kind}, batches of {size}");
            CollectionAssert.AreEqual(expectedKeys, keys, $"{kind}, batches of {size}: predicted labels");
            // The MLP and the CNN run on the managed kernels where the CPU has AVX-512 or AVX2 with FMA (so these checks test them); ResNet-18 on libtorch.
            bool managed = kind != ModelKind.ResNet18 && ScoringKernels.IsSupported;
            Assert.AreEqual(managed, model.Scorer.LastPassManaged, $"{kind}: managed kernels ({model.Scorer.ManagedUnavailableReason})");
        }

        var definition = SchemaDefinition.Create(typeof(ImageRow));
        definition[nameof(ImageRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, model.Spec.InputSize);
        using var engine = ml.Model.CreatePredictionEngine<ImageRow, Prediction>(model,
            new PredictionEngineOptions { InputSchemaDefinition = definition, OwnsTransformer = false });
        var features = test.GetColumn<float[]>("Features").ToList();
        var predicted = new List<float[]>();
        for (int i = 0; i < features.Count; i++)
        {
            var prediction = engine.Predict(new ImageRow { Features = features[i] });
            predicted.Add(prediction.Score);
            Assert.AreEqual(expectedKeys[i], prediction.PredictedLabel, $"{kind}: PredictionEngine's predicted label of row {i}");
        }
        Assert.AreEqual(kind != ModelKind.ResNet18 && ScoringKernels.IsSupported, model.Scorer.LastPassManaged, $"{kind}: PredictionEngine on the managed kernels");
        double single = MaxDifference(reference, predicted);
        TestContext.WriteLine($"{kind}: PredictionEngine, one row at a time: max |p - p_row| = {single:E2}");
        Assert.IsLessThanOrEqualTo(Tolerance, single, $"{kind} via PredictionEngine");
    }

    public sealed class ImageRow
    {
        public float[] Features { get; set; } = [];
    }

    /// <summary>The network on each row alone, in its own forward pass: the row-by-row scores.</summary>
    private static List<float[]> SingleRows(WideMinimaTransformer model, IDataView data)
    {
        var rows = data.GetColumn<float[]>("Features").ToList();
        var result = new List<float[]>(rows.Count);
        using var _ = no_grad();
        foreach (var row in rows)
        {
            using var scope = NewDisposeScope();
            var p = nn.functional.softmax(model.Network.call(tensor(row, [1, row.Length])), 1);
            result.Add([.. p.data<float>()]);
        }
        return result;
    }

    /// <summary>A small fitted model on generated rows with an Id and a Name, the rows and their one-row scores.</summary>
    private static (WideMinimaTransformer Model, IDataView Data, List<float[]> Reference) Blobs(MLContext ml, int rows)
    {
        var options = Options(ModelKind.Mlp);
        options.HiddenSizes = [16];
        var model = ml.MulticlassClassification.Trainers.WideMinima(options).Fit(SyntheticData.Blobs(ml, 90, 1));
        var data = ml.Data.LoadFromEnumerable(SyntheticData.Rows(rows, 7)
            .Select((r, i) => new IdRow { Features = r.Features, Label = r.Label, Id = i, Name = $"row {i}" }).ToList());
        return (model, data, SingleRows(model, data));
    }

    private static List<DataViewRowId> Ids(IDataView data)
    {
        var ids = new List<DataViewRowId>();
        using var cursor = data.GetRowCursor([]);
        var getter = cursor.GetIdGetter();
        DataViewRowId id = default;
        while (cursor.MoveNext()) { getter(ref id); ids.Add(id); }
        return ids;
    }

    /// <summary>Reads a cursor to its end: each row's Id, Score and batch id. Disposes the cursor.</summary>
    private static (List<int> Ids, List<float[]> Scores, List<long> Batches) Read(DataViewRowCursor cursor, DataViewSchema schema)
    {
        using (cursor)
        {
            var id = cursor.GetGetter<int>(schema["Id"]);
            var score = cursor.GetGetter<VBuffer<float>>(schema["Score"]);
            var (ids, scores, batches) = (new List<int>(), new List<float[]>(), new List<long>());
            int value = 0;
            VBuffer<float> s = default;
            while (cursor.MoveNext())
            {
                id(ref value);
                score(ref s);
                ids.Add(value);
                scores.Add(s.DenseValues().ToArray());
                batches.Add(cursor.Batch);
            }
            return (ids, scores, batches);
        }
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.HasCount(expected.Length, actual, what);
        for (int k = 0; k < expected.Length; k++) Assert.AreEqual(expected[k], actual[k], Tolerance, $"{what}, class {k}");
    }

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
}
