using System.ComponentModel;
using System.Globalization;
using Microsoft.ML;
using Spectre.Console.Cli;
using WideMinima.MLNet;
using WideMinima.Sharpness;
using WideMinima.Sweeps.Config;
using WideMinima.Sweeps.Reports;
using WideMinima.Sweeps.Execution;
using WideMinima.Ledger;
using WideMinima.Reports;

namespace WideMinima.Sweeps.Commands;

/// <summary>
/// <c>landscape</c>: loss-landscape pictures of a run kept by a sweep with <c>save_models: true</c>: 1-D and 2-D slices
/// along filter-normalised random directions, and with <c>--against</c> the interpolation between two runs' weights.
/// </summary>
internal sealed class LandscapeCommand : Command<LandscapeCommand.Settings>
{
    internal sealed class Settings : OutSettings
    {
        [CommandOption("--run <RUN_ID>")] [Description("The run to picture, e.g. knee-e0.5-s1.")] public string? Run { get; init; }
        [CommandOption("--against <RUN_ID>")] [Description("Also draw the loss along the straight line to this run's weights, e.g. step-s1.")] public string? Against { get; init; }
        [CommandOption("--points <N>")] [Description("Points along a 1-D line (default 41).")] public int Points { get; init; } = 41;
        [CommandOption("--grid-points <N>")] [Description("Points per axis of the 2-D surface (default 21).")] public int GridPoints { get; init; } = 21;
        [CommandOption("--range <R>")] [Description("Reach of the slices in filter-normalised units (default 1).")] public double Range { get; init; } = 1;
        [CommandOption("--sample-size <N>")] [Description("Training examples the loss is measured on (default 2048).")] public int SampleSize { get; init; } = 2048;
        [CommandOption("--seed <N>")] [Description("Seed of the sample and the directions (default 0).")] public int Seed { get; init; }
        [CommandOption("--no-surface")] [Description("Skip the 2-D surface (its cost is grid-points squared evaluations).")] public bool NoSurface { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        string folder = settings.ExistingSweepFolder();
        var options = new LandscapeOptions
        {
            Points = settings.Points,
            GridPoints = settings.GridPoints,
            Range = settings.Range,
            SampleSize = settings.SampleSize,
            BatchSize = Math.Min(settings.SampleSize > 0 ? settings.SampleSize : 1, 2048),
            Seed = settings.Seed,
        };
        Check(() => options.Validate());
        string run = Model(folder, settings.Run, "--run");
        string? against = settings.Against is null ? null : Model(folder, settings.Against, "--against");

        SweepConfig config;
        using (var ledger = LedgerTarget.Sqlite(folder).Open())
            config = SweepConfigJson.Parse(ledger.ReadSweep()!.ConfigJson, folder);
        var ml = new MLContext(seed: settings.Seed);
        var data = SweepData.Load(ml, config.Dataset);
        string output = Path.Combine(folder, "landscape");
        Directory.CreateDirectory(output);

        var first = WideMinimaModel.Load(ml, run, out _);
        try
        {
            var slice = ml.MulticlassClassification.LossLandscapeSlice(first, data.Train, options);
            Write(output, $"{settings.Run}-slice", LandscapePlots.Csv(slice));
            LandscapePlots.Line(Path.Combine(output, $"{settings.Run}-slice.png"), $"{settings.Run}: loss along a filter-normalised direction", "α", [(settings.Run!, slice)]);
            System.Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"1-D slice of {settings.Run}: {slice.Losses.Count} points in {slice.Elapsed.TotalSeconds:F1} s"));
            if (!settings.NoSurface)
            {
                var surface = ml.MulticlassClassification.LossLandscapeSurface(first, data.Train, options);
                Write(output, $"{settings.Run}-surface", LandscapePlots.Csv(surface));
                LandscapePlots.Surface(Path.Combine(output, $"{settings.Run}-surface.png"), $"{settings.Run}: loss on a filter-normalised plane", surface);
                System.Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"2-D surface of {settings.Run}: {surface.X.Count}x{surface.Y.Count} points in {surface.Elapsed.TotalSeconds:F1} s"));
            }
            if (against is not null)
            {
                var second = WideMinimaModel.Load(ml, against, out _);
                try
                {
                    var line = ml.MulticlassClassification.LossInterpolation(first, second, data.Train, options);
                    string name = $"{settings.Run}-vs-{settings.Against}";
                    Write(output, name, LandscapePlots.Csv(line));
                    LandscapePlots.Line(Path.Combine(output, name + ".png"), $"Loss from {settings.Run} (t = 0) to {settings.Against} (t = 1)", "t", [($"{settings.Run} → {settings.Against}", line)]);
                    System.Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"interpolation {settings.Run} -> {settings.Against}: {line.Losses.Count} points in {line.Elapsed.TotalSeconds:F1} s"));
                }
                finally
                {
                    (second as IDisposable)?.Dispose();
                }
            }
        }
        finally
        {
            (first as IDisposable)?.Dispose();
        }
        System.Console.WriteLine($"Wrote {output}");
        return ExitCodes.Success;
    }

    /// <summary>The kept model of <paramref name="runId"/>, or an error naming the option.</summary>
    private static string Model(string folder, string? runId, string option)
    {
        if (string.IsNullOrWhiteSpace(runId)) throw new SweepConfigException(option, runId, "is required: a run id from results.csv");
        if (runId.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || runId.Contains("..", StringComparison.Ordinal))
            throw new SweepConfigException(option, runId, "is not a run id");
        string path = SweepFolder.ModelPath(folder, runId);
        if (!File.Exists(path))
            throw new SweepConfigException(option, runId, $"has no kept model ({path}): run the sweep with 'save_models: true' in its config to keep each run's weights");
        return path;
    }

    private static void Check(Action validate)
    {
        try
        {
            validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            string flag = e.ParamName switch
            {
                nameof(LandscapeOptions.Points) => "--points",
                nameof(LandscapeOptions.GridPoints) => "--grid-points",
                nameof(LandscapeOptions.Range) => "--range",
                nameof(LandscapeOptions.SampleSize) or nameof(LandscapeOptions.BatchSize) => "--sample-size",
                _ => e.ParamName ?? "option",
            };
            throw new SweepConfigException($"{flag}: {e.Message.Split(" (Parameter")[0]}");
        }
    }

    private static void Write(string folder, string name, string csv) => File.WriteAllText(Path.Combine(folder, name + ".csv"), csv);
}
