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
/// Scoring throughput of an exported model against the WideMinima transformer, in rows per second, the two sides
/// alternating in one process: batch 1 (<c>PredictionEngine.Predict</c> per row), bulk (<c>Transform</c> over the
/// IDataView, reading the Score column), and batch 1024 (the TorchSharp network's forward pass with softmax against
/// ONNX Runtime's <c>InferenceSession.Run</c>). Each model and thread count given is measured in turn, and the issue's
/// bars are checked at the end: bulk at least as fast as ONNX Runtime, batch 1 within 1.25x of it, and the CNN at
/// batch 1 no slower with two threads than with one.
/// </summary>
internal sealed class OnnxBenchmark : Command<OnnxBenchmark.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--model <KIND>")] [Description("Mlp (784-512-512-10, default) or Cnn; repeat to measure both in one run.")] public ModelKind[] Models { get; init; } = [ModelKind.Mlp];
        [CommandOption("--threads <N>")] [Description("Threads for TorchSharp and ONNX Runtime (default 2); repeat (--threads 1 --threads 2) to measure each.")] public int[] Threads { get; init; } = [2];
        [CommandOption("--repeats <N>")] [Description("Timings of each (best and median reported; default 3).")] public int Repeats { get; init; } = 3;
        [CommandOption("--subset")] [Description("Score the 2000 test rows of the shipped subset instead of the full 10,000.")] public bool Subset { get; init; }
        [CommandOption("--batch-size <N>")] [Description("Rows per call in the batched comparison (default 1024).")] public int BatchSize { get; init; } = 1024;
        [CommandOption("--scoring-batch <N>")] [Description("Rows per forward pass of the transformer's Transform (ScoringOptions.BatchSize, default 128).")] public int ScoringBatch { get; init; } = ScoringOptions.DefaultBatchSize;
        [CommandOption("--libtorch")] [Description("Also time the transformer with ScoringOptions.Backend = LibTorch (batch 1 and bulk), as it scored before the managed kernels.")] public bool LibTorch { get; init; }
    }

    private const string Batch1 = "batch 1: PredictionEngine.Predict per row";
    private const string Batch1AllThreads = "batch 1, SingleRowThreads = threads";
    private const string Bulk = "bulk: Transform(IDataView), read Score";
    private const string Batch1LibTorch = "batch 1, Backend = LibTorch";
    private const string BulkLibTorch = "bulk, Backend = LibTorch";

    /// <summary>ONNX Runtime's time over the transformer's (best rates): at most this in bulk.</summary>
    private const double BulkBar = 1.0;

    /// <summary>At most this at batch 1.</summary>
    private const double Batch1Bar = 1.25;

    private sealed class Row
    {
        public float[] Features { get; set; } = [];
    }

    private sealed class Scored
    {
        public float[] Score { get; set; } = [];
    }

    /// <summary>One table: a model at a thread count, rows per second of each side.</summary>
    private sealed record Table(ModelKind Model, int Threads, Dictionary<(string What, bool Onnx), List<double>> Rates);

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        foreach (var model in s.Models)
        {
            if (model is not (ModelKind.Mlp or ModelKind.Cnn)) throw new SweepConfigException("--model", model.ToString(), "must be Mlp or Cnn (Fashion-MNIST images)");
        }
        foreach (int threads in s.Threads)
        {
            if (threads < 1) throw new SweepConfigException("--threads", threads, "must be at least 1");
        }
        if (s.Models.Length == 0) throw new SweepConfigException("--model", "", "must name at least one model");
        if (s.Threads.Length == 0) throw new SweepConfigException("--threads", "", "must name at least one thread count");
        if (s.Repeats < 1) throw new SweepConfigException("--repeats", s.Repeats, "must be at least 1");
        if (s.BatchSize < 1) throw new SweepConfigException("--batch-size", s.BatchSize, "must be at least 1");
        if (s.ScoringBatch < 1) throw new SweepConfigException("--scoring-batch", s.ScoringBatch, "must be at least 1");

        var ml = new MLContext(seed: 1);
        var train = FashionMnist.LoadFolder(ml, SweepData.SubsetFolder, FashionMnistSplit.Train);
        var test = s.Subset ? FashionMnist.LoadFolder(ml, SweepData.SubsetFolder, FashionMnistSplit.Test) : FashionMnist.Load(ml, FashionMnistSplit.Test);
        System.Console.WriteLine($"start: {MachineLoad.Describe()}; {MachineLoad.Allocator()}");
        var tables = new List<Table>();
        foreach (var kind in s.Models.Distinct())
        {
            using var model = new WideMinimaTrainer(ml, new WideMinimaTrainer.Options { Model = kind, Epochs = 1, Seed = 1, Threads = s.Threads.Max(), Device = DeviceKind.Cpu })
                .Fit(train, cancellationToken);
            tables.AddRange(Measure(ml, model, test, kind, [.. s.Threads.Distinct()], s, cancellationToken));
        }
        System.Console.WriteLine($"end: {MachineLoad.Describe()}");
        PrintBars(tables);
        return 0;
    }

    /// <summary>One thread count's side of the comparison: the ONNX transformer and session, and the prediction engines.</summary>
    private sealed class Side(int threads, ITransformer onnx, InferenceSession session, PredictionEngine<Row, Scored> torchEngine,
        PredictionEngine<Row, Scored> onnxEngine, PredictionEngine<Row, Scored>? allThreadsEngine, PredictionEngine<Row, Scored>? libTorchEngine) : IDisposable
    {
        public PredictionEngine<Row, Scored>? LibTorchEngine => libTorchEngine;
        public int Threads => threads;
        public ITransformer Onnx => onnx;
        public InferenceSession Session => session;
        public PredictionEngine<Row, Scored> TorchEngine => torchEngine;
        public PredictionEngine<Row, Scored> OnnxEngine => onnxEngine;
        public PredictionEngine<Row, Scored>? AllThreadsEngine => allThreadsEngine;
        public Dictionary<(string What, bool Onnx), List<double>> Rates { get; } = [];

        public void Dispose()
        {
            torchEngine.Dispose();
            allThreadsEngine?.Dispose();
            libTorchEngine?.Dispose();
            onnxEngine.Dispose();
            session.Dispose();
            (onnx as IDisposable)?.Dispose();
        }
    }

    /// <summary>
    /// Times every measure at every thread count, in rounds: within a round each thread count in turn, and within a thread
    /// count the two sides in turn, so that the machine's drifts hit all alike. The first round is an untimed warm-up.
    /// </summary>
    private static List<Table> Measure(MLContext ml, WideMinimaTransformer model, IDataView test, ModelKind kind, int[] threadCounts, Settings s, CancellationToken cancellationToken)
    {
        string folder = Path.Combine(Path.GetTempPath(), "wideminima-bench-onnx-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var sides = new List<Side>();
        try
        {
            string path = Path.Combine(folder, "model.onnx");
            WideMinimaModel.ExportOnnx(model, path);
            var features = test.GetColumn<float[]>("Features").ToArray();
            int n = features.Length, size = model.Spec.InputSize, classes = model.Spec.ClassCount;
            var batches = features.Chunk(s.BatchSize).Select(c => c.SelectMany(f => f).ToArray()).ToArray();
            var inputDefinition = SchemaDefinition.Create(typeof(Row));
            inputDefinition[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, size);
            var rows = features.Select(f => new Row { Features = f }).ToArray();
            // A prediction engine disposes its transformer unless told otherwise; the model is measured again after it.
            var engineOptions = new PredictionEngineOptions { InputSchemaDefinition = inputDefinition, OwnsTransformer = false };

            // The transformer as a user sets it for a thread count: bulk on that many threads, single rows on the default (1).
            ScoringOptions Scoring(int threads, int singleRowThreads = ScoringOptions.DefaultSingleRowThreads, ScoringBackend backend = ScoringOptions.DefaultBackend) =>
                new() { BatchSize = s.ScoringBatch, Threads = threads, SingleRowThreads = singleRowThreads, Backend = backend };
            foreach (int threads in threadCounts)
            {
                var onnx = ml.Transforms.ApplyOnnxModel(new OnnxOptions
                {
                    ModelFile = path,
                    InputColumns = ["Features"],
                    OutputColumns = ["Score"],
                    IntraOpNumThreads = threads,
                    InterOpNumThreads = 1,
                }).Fit(test);
                using var sessionOptions = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 };
                model.Scoring = Scoring(threads);
                var torchEngine = ml.Model.CreatePredictionEngine<Row, Scored>(model, engineOptions);
                PredictionEngine<Row, Scored>? allThreads = null;
                if (threads > 1)
                {
                    // What the default policy avoids: one row's forward pass split over all the threads.
                    model.Scoring = Scoring(threads, threads);
                    allThreads = ml.Model.CreatePredictionEngine<Row, Scored>(model, engineOptions);
                }
                PredictionEngine<Row, Scored>? libTorch = null;
                if (s.LibTorch)
                {
                    model.Scoring = Scoring(threads, backend: ScoringBackend.LibTorch);
                    libTorch = ml.Model.CreatePredictionEngine<Row, Scored>(model, engineOptions);
                }
                sides.Add(new Side(threads, onnx, new InferenceSession(path, sessionOptions), torchEngine,
                    ml.Model.CreatePredictionEngine<Row, Scored>(onnx, engineOptions), allThreads, libTorch));
            }

            string batched = $"batch {s.BatchSize}: forward+softmax / InferenceSession.Run";
            float sink = 0;
            string load = MachineLoad.Describe();
            for (int r = -1; r < s.Repeats; r++)
            {
                foreach (var side in sides)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    void Time(string what, bool isOnnx, Func<float> run)
                    {
                        var clock = Stopwatch.StartNew();
                        sink += run();
                        double seconds = clock.Elapsed.TotalSeconds;
                        if (r < 0) return;
                        if (!side.Rates.TryGetValue((what, isOnnx), out var list)) side.Rates[(what, isOnnx)] = list = [];
                        list.Add(n / seconds);
                    }
                    set_num_threads(side.Threads);
                    model.Scoring = Scoring(side.Threads);
                    Time(Batch1, false, () => PredictAll(side.TorchEngine, rows));
                    Time(Batch1, true, () => PredictAll(side.OnnxEngine, rows));
                    Time(Bulk, false, () => ReadScores(model.Transform(test)));
                    Time(Bulk, true, () => ReadScores(side.Onnx.Transform(test)));
                    Time(batched, false, () => TorchBatches(model.Network, batches, size, classes));
                    Time(batched, true, () => OnnxBatches(side.Session, batches, size, classes));
                    if (side.AllThreadsEngine is { } engine) Time(Batch1AllThreads, false, () => PredictAll(engine, rows));
                    if (side.LibTorchEngine is { } libTorch)
                    {
                        Time(Batch1LibTorch, false, () => PredictAll(libTorch, rows));
                        model.Scoring = Scoring(side.Threads, backend: ScoringBackend.LibTorch);
                        Time(BulkLibTorch, false, () => ReadScores(model.Transform(test)));
                    }
                }
            }

            string name = kind == ModelKind.Mlp ? "MLP 784-512-512-10" : "CNN (2 conv + BN, 256 hidden)";
            var tables = new List<Table>();
            foreach (var side in sides)
            {
                var timings = side.Rates;
                System.Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name}, {n} Fashion-MNIST test rows{(s.Subset ? " (shipped subset)" : "")}, {side.Threads} thread(s), {s.Repeats} alternating runs each (thread counts {string.Join(" and ", threadCounts)} in turn), {load} -> {MachineLoad.Describe()}; rows per second, best (median):"));
                System.Console.WriteLine($"{"what",-48} {"WideMinima (TorchSharp)",-26} {"ONNX Runtime",-26} ONNX/WideMinima (best)");
                foreach (var what in new[] { Batch1, Bulk, batched })
                {
                    var torchRates = timings[(what, false)];
                    var onnxRates = timings[(what, true)];
                    System.Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{what,-48} {Format(torchRates),-26} {Format(onnxRates),-26} {onnxRates.Max() / torchRates.Max():F2}x"));
                }
                if (timings.TryGetValue((Batch1AllThreads, false), out var all))
                {
                    var onnxRates = timings[(Batch1, true)];
                    System.Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{Batch1AllThreads + " (" + side.Threads + ")",-48} {Format(all),-26} {"(ONNX batch 1 above)",-26} {onnxRates.Max() / all.Max():F2}x"));
                }
                foreach (var (what, onnxWhat) in new[] { (Batch1LibTorch, Batch1), (BulkLibTorch, Bulk) })
                {
                    if (!timings.TryGetValue((what, false), out var rates)) continue;
                    System.Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{what,-48} {Format(rates),-26} {"(ONNX " + (onnxWhat == Bulk ? "bulk" : "batch 1") + " above)",-26} {timings[(onnxWhat, true)].Max() / rates.Max():F2}x"));
                }
                System.Console.WriteLine();
                tables.Add(new Table(kind, side.Threads, timings));
            }
            if (float.IsNaN(sink)) System.Console.WriteLine("(a score was NaN)");
            return tables;
        }
        finally
        {
            foreach (var side in sides) side.Dispose();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// The issue's bars, on the best rates of each table. Batch 1 at <c>t</c> threads is the transformer set for <c>t</c>
    /// threads at batch 1, as ONNX Runtime is (<c>IntraOpNumThreads = t</c>): <c>SingleRowThreads = t</c>. Its default is
    /// one thread whatever <see cref="ScoringOptions.Threads"/> says (the issue's policy: one intra-op thread for batch 1
    /// unless the user sets otherwise), so the default's ratio is printed beside it.
    /// </summary>
    private static void PrintBars(List<Table> tables)
    {
        static string Verdict(bool met) => met ? "met" : "NOT met";
        static List<double> Single(Table t) => t.Threads > 1 && t.Rates.TryGetValue((Batch1AllThreads, false), out var all) ? all : t.Rates[(Batch1, false)];
        System.Console.WriteLine("Bars (best rates; ONNX/WideMinima is ONNX Runtime's rate over the transformer's; batch 1 at t threads: SingleRowThreads = t):");
        foreach (var t in tables)
        {
            double bulk = t.Rates[(Bulk, true)].Max() / t.Rates[(Bulk, false)].Max();
            double single = t.Rates[(Batch1, true)].Max() / Single(t).Max();
            string byDefault = t.Threads > 1 ? string.Create(CultureInfo.InvariantCulture, $"; with the default SingleRowThreads = 1: {t.Rates[(Batch1, true)].Max() / t.Rates[(Batch1, false)].Max():F2}x") : "";
            System.Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {t.Model}, {t.Threads} thread(s): bulk {bulk:F2}x (<= {BulkBar:F2}: {Verdict(bulk <= BulkBar)}), batch 1 {single:F2}x (<= {Batch1Bar:F2}: {Verdict(single <= Batch1Bar)}){byDefault}"));
        }
        foreach (var kind in tables.Select(t => t.Model).Distinct())
        {
            var one = tables.FirstOrDefault(t => t.Model == kind && t.Threads == 1);
            var two = tables.FirstOrDefault(t => t.Model == kind && t.Threads == 2);
            if (one is null || two is null) continue;
            double a = Single(one).Max(), b = Single(two).Max();
            System.Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {kind}, batch 1: {b:F0} rows/s at 2 threads against {a:F0} at 1 ({b / a:F2}x; no slower{(kind == ModelKind.Cnn ? ", the CNN's bar" : "")}: {Verdict(b >= a)})"));
        }
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
