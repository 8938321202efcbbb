using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Transforms.Onnx;
using Spectre.Console.Cli;
using TorchSharp;
using WideMinima.Data;
using WideMinima.MLNet;
using WideMinima.Models;
using WideMinima.Sweeps.Config;
using WideMinima.Sweeps.Execution;
using WideMinima.Training;
using static TorchSharp.torch;

namespace WideMinima.Sweeps.Benchmarks;

/// <summary>
/// Scoring throughput of an exported model against the WideMinima transformer, on the Fashion-MNIST test set, in
/// rows per second: batch 1 (<c>PredictionEngine.Predict</c> per row), bulk (<c>Transform</c> over the IDataView,
/// reading the Score column; both transformers score row by row), and batch 1024 (the TorchSharp network's forward
/// pass with softmax against ONNX Runtime's <c>InferenceSession.Run</c>, same thread count).
/// </summary>
internal sealed class OnnxBenchmark : Command<OnnxBenchmark.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--model <KIND>")] [Description("Mlp (784-512-512-10, default) or Cnn.")] public ModelKind Model { get; init; } = ModelKind.Mlp;
        [CommandOption("--threads <N>")] [Description("Threads for TorchSharp and ONNX Runtime (default 2).")] public int Threads { get; init; } = 2;
        [CommandOption("--repeats <N>")] [Description("Timings of each (best and median reported; default 3).")] public int Repeats { get; init; } = 3;
        [CommandOption("--subset")] [Description("Score the 2000 test rows of the shipped subset instead of the full 10,000.")] public bool Subset { get; init; }
        [CommandOption("--batch-size <N>")] [Description("Rows per call in the batched comparison (default 1024).")] public int BatchSize { get; init; } = 1024;
    }

    private const string Batch1 = "batch 1: PredictionEngine.Predict per row";
    private const string Bulk = "bulk: Transform(IDataView), read Score";

    private sealed class Row
    {
        public float[] Features { get; set; } = [];
    }

    private sealed class Scored
    {
        public float[] Score { get; set; } = [];
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        if (s.Model is not (ModelKind.Mlp or ModelKind.Cnn)) throw new SweepConfigException("--model", s.Model.ToString(), "must be Mlp or Cnn (Fashion-MNIST images)");
        if (s.Threads < 1) throw new SweepConfigException("--threads", s.Threads, "must be at least 1");
        if (s.Repeats < 1) throw new SweepConfigException("--repeats", s.Repeats, "must be at least 1");
        if (s.BatchSize < 1) throw new SweepConfigException("--batch-size", s.BatchSize, "must be at least 1");

        var ml = new MLContext(seed: 1);
        var train = FashionMnist.LoadFolder(ml, SweepData.SubsetFolder, FashionMnistSplit.Train);
        var test = s.Subset ? FashionMnist.LoadFolder(ml, SweepData.SubsetFolder, FashionMnistSplit.Test) : FashionMnist.Load(ml, FashionMnistSplit.Test);
        using var model = new WideMinimaTrainer(ml, new WideMinimaTrainer.Options { Model = s.Model, Epochs = 1, Seed = 1, Threads = s.Threads, Device = DeviceKind.Cpu })
            .Fit(train, cancellationToken);
        set_num_threads(s.Threads);

        string folder = Path.Combine(Path.GetTempPath(), "wideminima-bench-onnx-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        try
        {
            string path = Path.Combine(folder, "model.onnx");
            WideMinimaModel.ExportOnnx(model, path);
            using var onnx = ml.Transforms.ApplyOnnxModel(new OnnxOptions
            {
                ModelFile = path,
                InputColumns = ["Features"],
                OutputColumns = ["Score"],
                IntraOpNumThreads = s.Threads,
                InterOpNumThreads = 1,
            }).Fit(test);
            using var sessionOptions = new SessionOptions { IntraOpNumThreads = s.Threads, InterOpNumThreads = 1 };
            using var session = new InferenceSession(path, sessionOptions);

            var features = test.GetColumn<float[]>("Features").ToArray();
            int n = features.Length, size = model.Spec.InputSize, classes = model.Spec.ClassCount;
            var batches = features.Chunk(s.BatchSize).Select(c => c.SelectMany(f => f).ToArray()).ToArray();
            var inputDefinition = SchemaDefinition.Create(typeof(Row));
            inputDefinition[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, size);
            var rows = features.Select(f => new Row { Features = f }).ToArray();

            string batched = $"batch {s.BatchSize}: forward+softmax / InferenceSession.Run";
            var timings = new Dictionary<(string What, bool Onnx), List<double>>();
            void Time(string what, bool isOnnx, Action run)
            {
                var clock = Stopwatch.StartNew();
                run();
                double seconds = clock.Elapsed.TotalSeconds;
                if (!timings.TryGetValue((what, isOnnx), out var list)) timings[(what, isOnnx)] = list = [];
                list.Add(n / seconds);
            }

            using var torchEngine = ml.Model.CreatePredictionEngine<Row, Scored>(model, inputSchemaDefinition: inputDefinition);
            using var onnxEngine = ml.Model.CreatePredictionEngine<Row, Scored>(onnx, inputSchemaDefinition: inputDefinition);
            float sink = 0;
            // One untimed round warms up the JIT, the allocators and both runtimes; then the two alternate.
            for (int r = -1; r < s.Repeats; r++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Time(Batch1, false, () => sink += PredictAll(torchEngine, rows));
                Time(Batch1, true, () => sink += PredictAll(onnxEngine, rows));
                Time(Bulk, false, () => sink += ReadScores(model.Transform(test)));
                Time(Bulk, true, () => sink += ReadScores(onnx.Transform(test)));
                Time(batched, false, () => sink += TorchBatches(model.Network, batches, size, classes));
                Time(batched, true, () => sink += OnnxBatches(session, batches, size, classes));
                if (r < 0) timings.Clear();
            }

            string name = s.Model == ModelKind.Mlp ? "MLP 784-512-512-10" : "CNN (2 conv + BN, 256 hidden)";
            System.Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}, {n} Fashion-MNIST test rows{(s.Subset ? " (shipped subset)" : "")}, {s.Threads} threads, {s.Repeats} alternating runs each; rows per second, best (median):"));
            System.Console.WriteLine($"{"what",-48} {"WideMinima (TorchSharp)",-26} {"ONNX Runtime",-26} ONNX/WideMinima (best)");
            foreach (var what in new[] { Batch1, Bulk, batched })
            {
                var torchRates = timings[(what, false)];
                var onnxRates = timings[(what, true)];
                System.Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{what,-48} {Format(torchRates),-26} {Format(onnxRates),-26} {onnxRates.Max() / torchRates.Max():F2}x"));
            }
            if (float.IsNaN(sink)) System.Console.WriteLine("(a score was NaN)");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        return 0;
    }

    private static string Format(List<double> rates) => string.Create(CultureInfo.InvariantCulture, $"{rates.Max(),9:F0} ({Median(rates):F0})");

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static float PredictAll(PredictionEngine<Row, Scored> engine, Row[] rows)
    {
        var output = new Scored();
        float sum = 0;
        foreach (var row in rows)
        {
            engine.Predict(row, ref output);
            sum += output.Score[0];
        }
        return sum;
    }

    private static float ReadScores(IDataView scored)
    {
        var column = scored.Schema["Score"];
        using var cursor = scored.GetRowCursor([column]);
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        var buffer = default(VBuffer<float>);
        float sum = 0;
        while (cursor.MoveNext())
        {
            getter(ref buffer);
            sum += buffer.GetValues()[0];
        }
        return sum;
    }

    /// <summary>The trained network on batches, as <c>Evaluate</c> runs it: tensor in, forward, softmax, probabilities out.</summary>
    private static float TorchBatches(nn.Module<Tensor, Tensor> network, float[][] batches, int size, int classes)
    {
        var output = new float[batches[0].Length / size * classes];
        float sum = 0;
        using var _ = no_grad();
        foreach (var batch in batches)
        {
            using var scope = NewDisposeScope();
            int rows = batch.Length / size;
            var probabilities = nn.functional.softmax(network.call(tensor(batch, [rows, size])), 1);
            probabilities.data<float>().CopyTo(output, 0);
            sum += output[0];
        }
        return sum;
    }

    private static float OnnxBatches(InferenceSession session, float[][] batches, int size, int classes)
    {
        var output = new float[batches[0].Length / size * classes];
        float sum = 0;
        using var runOptions = new RunOptions();
        foreach (var batch in batches)
        {
            using var input = OrtValue.CreateTensorValueFromMemory(batch, [batch.Length / size, size]);
            using var result = session.Run(runOptions, ["Features"], [input], ["Score"]);
            result[0].GetTensorDataAsSpan<float>().CopyTo(output);
            sum += output[0];
        }
        return sum;
    }
}
