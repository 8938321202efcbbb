using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console.Cli;
using WideMinima.Models;
using WideMinima.Schedules;
using WideMinima.Training;
using WideMinima.Training.Checkpoints;
using static TorchSharp.torch;

namespace WideMinima.Sweeps.Benchmarks;

/// <summary>
/// Checkpoint size and write/read time for the 784-512-512-10 MLP and ResNet-18 (3x32x32, 10 classes) on the CPU:
/// a few SGD steps on random data (so the momentum buffers exist), a checkpoint after each, then each file read back
/// and verified. Prints the file size against the raw bytes of the weights and momentum, and the median times.
/// </summary>
internal sealed class CheckpointBenchmark : Command<CheckpointBenchmark.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--repeats <N>")] [Description("Checkpoints per model (default 5).")] public int Repeats { get; init; } = 5;
        [CommandOption("--threads <N>")] [Description("Torch threads (default 2).")] public int Threads { get; init; } = 2;
        [CommandOption("--out <DIR>")] [Description("Scratch folder (default: a temporary one, deleted afterwards).")] public string? Out { get; init; }
        [CommandOption("--model <KIND>")] [Description("mlp, resnet18 or both (default both).")] public string Model { get; init; } = "both";
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        if (s.Repeats < 1) throw new Config.SweepConfigException("--repeats", s.Repeats, "must be at least 1");
        var models = s.Model switch
        {
            "mlp" => new[] { ModelKind.Mlp },
            "resnet18" => [ModelKind.ResNet18],
            "both" => [ModelKind.Mlp, ModelKind.ResNet18],
            _ => throw new Config.SweepConfigException("--model", s.Model, "must be mlp, resnet18 or both"),
        };
        string root = s.Out ?? Path.Combine(Path.GetTempPath(), $"wideminima-bench-checkpoint-{Environment.ProcessId}");
        try
        {
            System.Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{Environment.ProcessorCount} cores, {s.Threads} torch thread(s), {s.Repeats} checkpoints per model, folder {root}"));
            System.Console.WriteLine("model      parameters   raw MB   file MB   write s (median)   read+verify s (median)   write MB/s");
            foreach (var kind in models) Measure(kind, s, root, cancellationToken);
            return 0;
        }
        finally
        {
            if (s.Out is null && Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }

    private static void Measure(ModelKind kind, Settings s, string root, CancellationToken ct)
    {
        var spec = kind == ModelKind.Mlp
            ? new NetworkSpec(ModelKind.Mlp, 784, 10, [512, 512], null, true)
            : new NetworkSpec(ModelKind.ResNet18, 3 * 32 * 32, 10, [], new ImageShape(3, 32, 32), true);
        const int batch = 16;
        int examples = batch * (s.Repeats + 1); // every checkpoint falls mid-epoch, with the data order in it
        var random = new Random(1);
        var features = new float[examples * spec.InputSize];
        for (int i = 0; i < features.Length; i++) features[i] = (float)random.NextDouble();
        var labels = Enumerable.Range(0, examples).Select(i => (long)(i % 10)).ToArray();
        var data = new ClassifierData(features, labels, spec.InputSize, 10);
        var sink = new CheckpointDirectory(Path.Combine(root, kind.ToString()));
        var options = new TrainingOptions
        {
            Epochs = 1,
            BatchSize = batch,
            Schedule = new KneeScheduleOptions { PeakLearningRate = 0.01 },
            Threads = s.Threads,
            Checkpoints = new CheckpointPlan { AtSteps = [.. Enumerable.Range(1, s.Repeats).Select(i => (long)i)], Sink = sink },
            StopAfterStep = s.Repeats,
        };
        using var result = ClassifierTraining.Train(data, null, options, spec, 1, CPU, _ => { }, ct);
        long parameters = result.Model.parameters().Sum(p => p.numel());
        double raw = 2.0 * parameters * sizeof(float) / 1e6; // weights + momentum
        var reads = new List<double>();
        foreach (var saved in sink.Saved)
        {
            var clock = Stopwatch.StartNew();
            using (CheckpointFile.Read(saved.Path, saved.Sha256)) { }
            reads.Add(clock.Elapsed.TotalSeconds);
        }
        double mb = sink.Saved[0].Bytes / 1e6;
        double write = Median(sink.Saved.Select(c => c.WriteSeconds));
        System.Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{kind,-10} {parameters,10:N0} {raw,8:F1} {mb,9:F1} {write,18:F3} {Median(reads),24:F3} {mb / write,12:F0}"));
        foreach (var saved in sink.Saved) File.Delete(saved.Path);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
