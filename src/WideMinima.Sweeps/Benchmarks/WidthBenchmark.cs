using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Spectre.Console.Cli;
using TorchSharp;
using WideMinima.Data;
using WideMinima.MLNet;
using WideMinima.Sharpness;
using WideMinima.Training;
using static TorchSharp.torch;

namespace WideMinima.Sweeps.Benchmarks;

/// <summary>
/// Trains the 784-512-512-10 MLP on Fashion-MNIST with the Knee schedule, then measures its width twice on the
/// same 2048-example sample: the reference protocol (SGD, lr 1e-3, 1000 steps of 128-example batches) and the
/// fast one (full-sample sign-gradient ascent with early stopping). Prints both estimates and times.
/// </summary>
internal sealed class WidthBenchmark : Command<WidthBenchmark.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--epochs <N>")] [Description("Training epochs before measuring (default 10).")] public int Epochs { get; init; } = 10;
        [CommandOption("--threads <N>")] [Description("Torch threads (default 2).")] public int Threads { get; init; } = 2;
        [CommandOption("--seeds <N>")] [Description("Width seeds (sample and random start) per protocol (default 3).")] public int Seeds { get; init; } = 3;
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var ml = new MLContext(seed: 1);
        var train = FashionMnist.Load(ml, FashionMnistSplit.Train);
        var clock = Stopwatch.StartNew();
        using var model = new WideMinimaTrainer(ml, new WideMinimaTrainer.Options { Epochs = settings.Epochs, Seed = 1, Threads = settings.Threads, Device = DeviceKind.Cpu }).Fit(train, cancellationToken);
        System.Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"trained MLP 784-512-512-10, {settings.Epochs} epochs, in {clock.Elapsed.TotalSeconds:F1} s"));

        var reference = new KeskarWidthOptions { Method = AscentMethod.Sgd, LearningRate = 1e-3, MaxSteps = 1000, SampleSize = 2048, BatchSize = 128, EvaluateEvery = 50 };
        var fast = KeskarWidthOptions.Fast();
        System.Console.WriteLine("protocol            seed  sharpness   max loss   steps  seconds");
        var totals = new Dictionary<string, (double Sharpness, double Seconds)>();
        foreach (var (name, options) in new[] { ("sgd-1000 (reference)", reference), ("sign-fast", fast) })
        {
            for (int seed = 1; seed <= settings.Seeds; seed++)
            {
                var o = options.Clone();
                o.Seed = seed;
                var report = model.MeasureWidth(train, o, cancellationToken);
                System.Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name,-20}{seed,4}  {report.Sharpness,9:G4}  {report.MaxLoss,9:G5}  {report.Steps,6}  {report.Elapsed.TotalSeconds,7:F2}"));
                totals[name] = totals.TryGetValue(name, out var t) ? (t.Sharpness + report.Sharpness, t.Seconds + report.Elapsed.TotalSeconds) : (report.Sharpness, report.Elapsed.TotalSeconds);
            }
        }
        var (rs, rt) = totals["sgd-1000 (reference)"];
        var (fs, ft) = totals["sign-fast"];
        System.Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"mean sharpness: reference {rs / settings.Seeds:G4} in {rt / settings.Seeds:F2} s; fast {fs / settings.Seeds:G4} in {ft / settings.Seeds:F2} s; " +
            $"fast/reference sharpness {fs / rs:F2}x, time {ft / rt:F3}x"));
        return 0;
    }
}
