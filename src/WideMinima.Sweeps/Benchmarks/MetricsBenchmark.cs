using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Spectre.Console.Cli;
using WideMinima.Data;
using WideMinima.MLNet;
using WideMinima.Models;
using WideMinima.Sharpness;
using WideMinima.Training;

namespace WideMinima.Sweeps.Benchmarks;

/// <summary>
/// The cost of each width metric, in seconds and in training epochs of the same model on the same machine: the MLP
/// trained on full Fashion-MNIST, and ResNet-18 trained on a slice of it (its epoch time extrapolated to 60k examples).
/// Each metric runs with the sweep's default settings (on a smaller sample for ResNet-18, printed).
/// </summary>
internal sealed class MetricsBenchmark : Command<MetricsBenchmark.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--threads <N>")] [Description("Torch threads (default 2).")] public int Threads { get; init; } = 2;
        [CommandOption("--mlp-epochs <N>")] [Description("MLP training epochs on the full training set, timed (default 2).")] public int MlpEpochs { get; init; } = 2;
        [CommandOption("--resnet-examples <N>")] [Description("Training examples of ResNet-18's one timed epoch (default 2048; 0 skips ResNet-18).")] public int ResNetExamples { get; init; } = 2048;
        [CommandOption("--skip-mlp")] [Description("Measure ResNet-18 only.")] public bool SkipMlp { get; init; }
        [CommandOption("--resnet-sample <N>")] [Description("Examples in each metric's sample for ResNet-18 (default 256).")] public int ResNetSample { get; init; } = 256;
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        if (s.MlpEpochs <= 0) throw new Config.SweepConfigException("--mlp-epochs", s.MlpEpochs, "must be greater than 0");
        if (s.ResNetExamples < 0) throw new Config.SweepConfigException("--resnet-examples", s.ResNetExamples, "must be >= 0 (0 skips ResNet-18)");
        if (s.ResNetSample <= 0) throw new Config.SweepConfigException("--resnet-sample", s.ResNetSample, "must be greater than 0");
        var ml = new MLContext(seed: 1);
        var train = FashionMnist.Load(ml, FashionMnistSplit.Train);
        System.Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {s.Threads} torch threads");
        System.Console.WriteLine("model      metric          value       seconds  epochs   sample");
        if (!s.SkipMlp) Measure(ml, train, ModelKind.Mlp, s.MlpEpochs, null, sample: null, s, cancellationToken);
        if (s.ResNetExamples > 0)
            Measure(ml, ml.Data.TakeRows(train, s.ResNetExamples), ModelKind.ResNet18, 1, 60_000.0 / s.ResNetExamples, s.ResNetSample, s, cancellationToken);
        return 0;
    }

    private static void Measure(MLContext ml, IDataView data, ModelKind kind, int epochs, double? scaleToFullEpoch, int? sample, Settings s, CancellationToken ct)
    {
        var options = new WideMinimaTrainer.Options { Model = kind, Epochs = epochs, Seed = 1, Threads = s.Threads, Device = DeviceKind.Cpu };
        using var model = new WideMinimaTrainer(ml, options).Fit(data, ct);
        double epoch = model.TrainingReport.TrainSeconds / epochs * (scaleToFullEpoch ?? 1);
        string name = kind == ModelKind.Mlp ? "mlp" : "resnet18";
        System.Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-10} train epoch     {"",-10}  {epoch,7:F1}  1.000    {(scaleToFullEpoch is null ? "60000" : $"60000 (from {data.GetRowCount() ?? 0})")}"));

        // The sweep's defaults (WidthConfig, HessianConfig, AdaptiveConfig), on a smaller sample where asked.
        var keskar = new KeskarWidthOptions { Method = AscentMethod.SignGradient, MaxSteps = 50, SampleSize = sample ?? 2048, BatchSize = sample ?? 2048, EvaluateEvery = 1, Patience = 5, Seed = 1 };
        var top = new HessianOptions { Trace = false, MaxIterations = 20, SampleSize = sample ?? 1024, BatchSize = sample ?? 1024, Seed = 1 };
        var trace = new HessianOptions { TopEigenvalue = false, Probes = 10, SampleSize = sample ?? 1024, BatchSize = sample ?? 1024, Seed = 1 };
        var adaptive = new AdaptiveSharpnessOptions { MaxSteps = 20, SampleSize = sample ?? 2048, BatchSize = sample ?? 2048, Seed = 1 };

        void Row(string metric, Func<(double Value, int Sample)> measure)
        {
            var clock = Stopwatch.StartNew();
            var (value, n) = measure();
            double seconds = clock.Elapsed.TotalSeconds;
            System.Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-10} {metric,-14}  {value,10:G4}  {seconds,7:F1}  {seconds / epoch,5:F3}    {n}"));
        }
        Row("keskar", () => { var r = model.MeasureWidth(data, keskar, ct); return (r.Sharpness, r.SampleSize); });
        Row("hessian_top", () => { var r = model.MeasureHessian(data, top, ct); return (r.TopEigenvalue!.Value, r.SampleSize); });
        Row("hessian_trace", () => { var r = model.MeasureHessian(data, trace, ct); return (r.Trace!.Value, r.SampleSize); });
        Row("adaptive", () => { var r = model.MeasureAdaptiveSharpness(data, adaptive, ct); return (r.Sharpness, r.SampleSize); });
    }
}
