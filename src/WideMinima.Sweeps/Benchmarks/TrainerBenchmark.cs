using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Spectre.Console.Cli;
using TorchSharp;
using WideMinima.Data;
using WideMinima.MLNet;
using WideMinima.Models;
using WideMinima.Schedules;
using WideMinima.Optim;
using WideMinima.Training;
using static TorchSharp.torch;

namespace WideMinima.Sweeps.Benchmarks;

/// <summary>
/// The trainer's overhead: one epoch of <c>Fit</c> (IDataView in, fitted transformer out) against a raw TorchSharp
/// loop over the same model, batch size, optimizer, schedule and threads, timed from feature and label arrays in
/// memory (into tensors, model, optimizer, epochs); and, with --accuracy, the accuracy bars.
/// </summary>
internal sealed class TrainerBenchmark : Command<TrainerBenchmark.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--epochs <N>")] [Description("Epochs per timing (default 1).")] public int Epochs { get; init; } = 1;
        [CommandOption("--threads <N>")] [Description("Torch threads (default 2).")] public int Threads { get; init; } = 2;
        [CommandOption("--repeats <N>")] [Description("Timings of each (the median is reported; default 3).")] public int Repeats { get; init; } = 3;
        [CommandOption("--accuracy")] [Description("Also train the default MLP and the CNN for 10 epochs and report test accuracy.")] public bool Accuracy { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var ml = new MLContext(seed: 1);
        var train = FashionMnist.Load(ml, FashionMnistSplit.Train);
        var test = FashionMnist.Load(ml, FashionMnistSplit.Test);
        var trainer = new List<double>();
        var raw = new List<double>();
        // One untimed round warms up the JIT and the allocators; then the two alternate, so that drifts in
        // the machine's speed hit both alike. Minimum and median are both reported: on a shared virtual
        // machine the minimum is the steadier estimate of the work itself.
        for (int r = -1; r < s.Repeats; r++)
        {
            var clock = Stopwatch.StartNew();
            using (new WideMinimaTrainer(ml, Options(s)).Fit(train, cancellationToken)) { }
            double fit = clock.Elapsed.TotalSeconds;
            double loop = RawLoop(train, s);
            if (r < 0) continue;
            trainer.Add(fit);
            raw.Add(loop);
        }
        System.Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"MLP 784-512-512-10, batch 128, SGD + Knee, {s.Epochs} epoch(s), {s.Threads} threads, {s.Repeats} alternating runs each: " +
            $"trainer (IDataView in, transformer out) min {trainer.Min():F2} s, median {Median(trainer):F2} s; " +
            $"raw TorchSharp loop min {raw.Min():F2} s, median {Median(raw):F2} s; " +
            $"ratio of minima {trainer.Min() / raw.Min():F3}, of medians {Median(trainer) / Median(raw):F3}"));

        if (s.Accuracy)
        {
            foreach (var kind in new[] { ModelKind.Mlp, ModelKind.Cnn })
            {
                var options = new WideMinimaTrainer.Options { Model = kind, Epochs = 10, Seed = 1, Threads = s.Threads, Device = DeviceKind.Cpu };
                var clock = Stopwatch.StartNew();
                using var model = new WideMinimaTrainer(ml, options).Fit(train, cancellationToken);
                double seconds = clock.Elapsed.TotalSeconds;
                var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
                System.Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{kind}, 10 epochs, Knee explore 0.5: test accuracy {metrics.MicroAccuracy:P2}, fit {seconds:F0} s"));
            }
        }
        return 0;
    }

    private static WideMinimaTrainer.Options Options(Settings s) => new() { Epochs = s.Epochs, Seed = 1, Threads = s.Threads, Device = DeviceKind.Cpu };

    /// <summary>The loop a TorchSharp user would write by hand, from arrays already in memory.</summary>
    private static double RawLoop(IDataView data, Settings s)
    {
        var labels = data.GetColumn<uint>("Label").Select(l => (long)l - 1).ToArray();
        var features = data.GetColumn<float[]>("Features").SelectMany(f => f).ToArray();
        int n = labels.Length;
        set_num_threads(s.Threads);
        manual_seed(1);
        // Timed as a user's own loop would run: arrays into tensors, model and optimizer, then the epochs.
        var clock = Stopwatch.StartNew();
        using var x = tensor(features, [n, 784]);
        using var y = tensor(labels);
        var model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10));
        int steps = (n + 127) / 128;
        var sgd = optim.SGD(model.parameters(), 0.1, momentum: 0.9, weight_decay: 5e-4, nesterov: true);
        var scheduler = new KneeLRScheduler(sgd, 0.1, 0, steps * s.Epochs / 2, steps * s.Epochs);
        using var generator = new Generator(1);
        for (int epoch = 0; epoch < s.Epochs; epoch++)
        {
            using var order = randperm(n, generator: generator);
            for (int b = 0; b < steps; b++)
            {
                using var scope = NewDisposeScope();
                var index = order.narrow(0, b * 128, Math.Min(128, n - b * 128));
                sgd.zero_grad();
                var loss = nn.functional.cross_entropy(model.call(x.index_select(0, index)), y.index_select(0, index));
                loss.backward();
                sgd.step();
                scheduler.step();
            }
        }
        double seconds = clock.Elapsed.TotalSeconds;
        model.Dispose();
        return seconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
