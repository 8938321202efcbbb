using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Spectre.Console.Cli;
using WideMinima.Models;
using WideMinima.Sweeps.Config;
using WideMinima.Sweeps.Execution;
using WideMinima.Training;
using WideMinima.Tuning;

namespace WideMinima.Sweeps.Benchmarks;

/// <summary>
/// Fork-and-decay against independent runs: the Knee schedule at explore shares 0, 0.25, 0.5, 0.75 and 0.9 at one
/// peak rate and seed, on Fashion-MNIST with the 784-512-512-10 MLP, trained as the tuner trains a Knee proposal
/// (90/10 validation split) once by fork-and-decay and once share by share. Prints each share's validation accuracy
/// both ways (they must be identical), the compute in run-equivalents and the wall times.
/// </summary>
internal sealed class ForkBenchmark : Command<ForkBenchmark.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandOption("--dataset <KIND>")] [Description("fashion-mnist (default, the full set) or fashion-mnist-subset.")] public string Dataset { get; init; } = "fashion-mnist";
        [CommandOption("--epochs <N>")] [Description("Budget per run (default 10, the default preset's).")] public int Epochs { get; init; } = 10;
        [CommandOption("--train-limit <N>")] [Description("Use the first N training images.")] public int? TrainLimit { get; init; }
        [CommandOption("--threads <N>")] [Description("Torch threads (default: the cores).")] public int? Threads { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var dataset = new DatasetConfig { Kind = ConfigNames.Parse<DatasetKind>("--dataset", s.Dataset), TrainLimit = s.TrainLimit };
        SweepData.CheckExists(dataset);
        var ml = new MLContext(seed: 1);
        var data = SweepData.Load(ml, dataset);
        var (all, _) = MLNet.TrainingDataReader.Read(data.Train, "Features", "Label", null, "training data");
        var (trainIndex, validationIndex) = StratifiedSplit.Carve(all.Labels, 0.1, 1);
        var train = ClassifierTrialRunner.Subset(all, trainIndex);
        var validation = ClassifierTrialRunner.Subset(all, validationIndex);
        var spec = new NetworkSpec(ModelKind.Mlp, all.FeatureCount, all.ClassCount, [512, 512], null, true);
        var options = new TrainingOptions { Threads = s.Threads ?? Environment.ProcessorCount };
        double[] shares = [0, 0.25, 0.5, 0.75, 0.9];
        var job = new TrialJob(0, s.Epochs, [.. shares.Select((e, i) => new Trial(i, 0, new TrialSettings(ScheduleFamily.Knee, 0.1, e, 0, null), 1))]);
        string scratch = Path.Combine(Path.GetTempPath(), $"wideminima-bench-fork-{Environment.ProcessId}");
        Directory.CreateDirectory(scratch);
        try
        {
            var forked = new ClassifierTrialRunner(train, validation, options, spec, TorchSharp.torch.CPU, all.Count, _ => { }, TuningForks.Trainer(scratch));
            var independent = new ClassifierTrialRunner(train, validation, options, spec, TorchSharp.torch.CPU, all.Count, _ => { }, null);
            // CPU time as well as wall time: on a shared machine the wall time depends on what else runs.
            using var self = Process.GetCurrentProcess();
            var clock = Stopwatch.StartNew();
            var cpu = self.TotalProcessorTime;
            var a = forked.Run(job, cancellationToken);
            double forkSeconds = clock.Elapsed.TotalSeconds;
            self.Refresh();
            double forkCpu = (self.TotalProcessorTime - cpu).TotalSeconds;
            clock.Restart();
            cpu = self.TotalProcessorTime;
            var b = independent.Run(job, cancellationToken);
            double independentSeconds = clock.Elapsed.TotalSeconds;
            self.Refresh();
            double independentCpu = (self.TotalProcessorTime - cpu).TotalSeconds;
            long total = ForkAndDecay.TotalSteps(train.Count, options with { Epochs = s.Epochs });
            var knee = new Schedules.KneeScheduleOptions { PeakLearningRate = 0.1 };
            double exact = ForkAndDecay.RunEquivalents(total, shares.Select(e => ForkAndDecay.KneeStep(knee, e, total)));
            bool identical = a.Outcomes.SequenceEqual(b.Outcomes);
            var c = CultureInfo.InvariantCulture;
            System.Console.WriteLine(string.Create(c, $"Knee, peak 0.1, seed 1, shares {string.Join(", ", shares)}; MLP 784-512-512-10; {train.Count} training / {validation.Count} validation images ({s.Dataset}); {s.Epochs} epochs; {options.Threads} thread(s)"));
            for (int i = 0; i < shares.Length; i++)
                System.Console.WriteLine(string.Create(c, $"  share {shares[i]:0.##}: validation accuracy fork {a.Outcomes[i].ValidationAccuracy:R}, independent {b.Outcomes[i].ValidationAccuracy:R}"));
            System.Console.WriteLine(string.Create(c, $"identical: {identical}"));
            System.Console.WriteLine(string.Create(c, $"compute: fork {exact:0.###} run-equivalents (exact, in steps), independent {shares.Length}; ratio {exact / shares.Length:0.###}"));
            System.Console.WriteLine(string.Create(c, $"wall: fork {forkSeconds:F1} s, independent {independentSeconds:F1} s; ratio {forkSeconds / independentSeconds:0.###} (checkpoint writes included)"));
            System.Console.WriteLine(string.Create(c, $"CPU: fork {forkCpu:F1} s, independent {independentCpu:F1} s; ratio {forkCpu / independentCpu:0.###}"));
            return identical ? 0 : 1;
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }
}
