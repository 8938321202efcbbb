using Spectre.Console;
using Spectre.Console.Cli;
using WideMinima.Sweeps.Commands;
using WideMinima.Sweeps.Config;

// The sweep console: compares the Knee schedule's explore share with cosine and step baselines,
// recording test accuracy and minima width for every run in a resumable SQLite ledger.
var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("wideminima-sweeps");
    config.PropagateExceptions();
    config.UseStrictParsing();
    config.AddCommand<RunCommand>("run").WithDescription("Run a sweep (or the runs it is missing) into --out.")
        .WithExample("run", "--preset", "quick", "--out", "sweeps/quick");
    config.AddCommand<TuneCommand>("tune").WithDescription("Find the peak rate, explore share and schedule within a budget (ASHA + fork-and-decay); write best.json, best.wmmodel, trials.csv, summary.md, plots.")
        .WithExample("tune", "--preset", "quick-tune", "--out", "tunes/quick");
    config.AddCommand<StatusCommand>("status").WithDescription("Show what a sweep folder holds and what is still running.");
    config.AddCommand<ReportCommand>("report").WithDescription("Rebuild results.csv/json, summary.md and plots/ from the ledger, without training.");
    config.AddCommand<ExportCommand>("export").WithDescription("Write a saved model's network (.wmmodel) as ONNX, for ApplyOnnxModel or ONNX Runtime.")
        .WithExample("export", "--model", "model.wmmodel", "--onnx", "model.onnx");
    config.AddCommand<LandscapeCommand>("landscape").WithDescription("Loss-landscape slices of a kept run (save_models: true), and the line to another run with --against.")
        .WithExample("landscape", "--out", "sweeps/quick", "--run", "knee-e0.5-s1", "--against", "step-s1");
    config.AddCommand<DashboardCommand>("dashboard").WithDescription("A live, read-only web view of the ledger's sweeps and tunings (--out or --ledger); serves until Ctrl+C.")
        .WithExample("dashboard", "--out", "sweeps/quick").WithExample("dashboard", "--ledger", "postgresql://sweeps@db.example.org:5432/sweeps", "--port", "8080");
    config.AddCommand<PresetsCommand>("presets").WithDescription("List the built-in sweeps, or print one as a config file.");
    config.AddBranch("bench", bench =>
    {
        bench.SetDescription("Benchmarks that print their numbers (see docs/benchmarks.md).");
        bench.AddCommand<WideMinima.Sweeps.Benchmarks.WidthBenchmark>("width").WithDescription("Fast sign-gradient width vs the 1000-step SGD protocol on a Fashion-MNIST MLP.");
        bench.AddCommand<WideMinima.Sweeps.Benchmarks.MetricsBenchmark>("metrics").WithDescription("Each width metric's time, and its cost in training epochs, for the MLP and ResNet-18.");
        bench.AddCommand<WideMinima.Sweeps.Benchmarks.TrainerBenchmark>("trainer").WithDescription("One epoch through ML.NET vs a raw TorchSharp loop, and the accuracy bars.");
        bench.AddCommand<WideMinima.Sweeps.Benchmarks.CheckpointBenchmark>("checkpoint").WithDescription("Checkpoint size and write/read time for the MLP and ResNet-18 on the CPU.");
        bench.AddCommand<WideMinima.Sweeps.Benchmarks.ForkBenchmark>("fork").WithDescription("Fork-and-decay on five Knee shares vs five independent runs: identical numbers, compute and wall time.");
        bench.AddCommand<WideMinima.Sweeps.Benchmarks.OnnxBenchmark>("onnx").WithDescription("Scoring throughput of the exported ONNX model (ApplyOnnxModel, ONNX Runtime) vs the WideMinima transformer.");
        bench.AddCommand<WideMinima.Sweeps.Benchmarks.LedgerBenchmark>("ledger").WithDescription("The ledger's cost per run and claims per second with 8 workers, on SQLite and (--ledger) PostgreSQL.");
        bench.AddCommand<WideMinima.Sweeps.Benchmarks.DashboardBenchmark>("dashboard").WithDescription("Each dashboard page and API call on a generated 10,000-run ledger (SQLite, and PostgreSQL with --ledger): p50 and p95.");
        bench.AddCommand<WideMinima.Sweeps.Benchmarks.SweepBenchmark>("sweep").WithDescription("A small grid with workers matched to the cores vs the same runs one by one.");
    });
    config.AddCommand<WorkerCommand>("worker").WithDescription("Join a sweep from any machine: claim and run its runs until none is left (a shared --ledger, or --out).")
        .WithExample("worker", "--ledger", "postgresql://sweeps@db.example.org:5432/sweeps", "--sweep", "quick");
});

try
{
    return app.Run(args);
}
catch (SweepConfigException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return ExitCodes.InvalidInput;
}
catch (WideMinima.Ledger.LedgerException e)
{
    // A file or database that is not (or not yet) a ledger this program can use; it was left untouched.
    Console.Error.WriteLine($"error: {e.Message}");
    return ExitCodes.InvalidInput;
}
catch (WideMinima.Ledger.LedgerUnavailableException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return ExitCodes.InvalidInput;
}
catch (CommandAppException e)
{
    // Unknown commands and options, missing values, values of the wrong type.
    Console.Error.WriteLine($"error: {e.Message}");
    return ExitCodes.InvalidInput;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("stopped");
    return 130;
}
catch (Exception e) when (e is ArgumentException or FileNotFoundException or InvalidDataException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return ExitCodes.InvalidInput;
}
