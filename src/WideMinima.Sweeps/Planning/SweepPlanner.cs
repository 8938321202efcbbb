using System.Globalization;
using WideMinima.Schedules;
using WideMinima.Sweeps.Config;

namespace WideMinima.Sweeps.Planning;

/// <summary>Expands a sweep definition into its runs. Pure: no I/O, the same config always gives the same plan.</summary>
public static class SweepPlanner
{
    /// <summary>The runs of <paramref name="config"/>, seeds outermost.</summary>
    public static IReadOnlyList<PlannedRun> Plan(SweepConfig config)
    {
        SweepConfigValidator.Validate(config);
        var settings = Settings(config);
        var runs = new List<PlannedRun>(settings.Count * config.Seeds);
        for (int s = 0; s < config.Seeds; s++)
        {
            int seed = config.FirstSeed + s;
            foreach (var (setting, schedule, explore, options) in settings)
                runs.Add(new PlannedRun($"{setting}-s{seed}", runs.Count, setting, schedule, explore, seed, options));
        }
        return runs;
    }

    /// <summary>The distinct schedule settings, in plan order: Knee by explore share, then each baseline.</summary>
    public static IReadOnlyList<(string Setting, string Schedule, double? Explore, ScheduleOptions Options)> Settings(SweepConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var list = new List<(string, string, double?, ScheduleOptions)>();
        foreach (var f in config.ExploreFractions)
            list.Add(($"knee-e{F(f)}", "knee", f, new KneeScheduleOptions { ExploreFraction = f }));
        foreach (var b in config.Baselines)
        {
            switch (b)
            {
                case "explore-step":
                    foreach (var f in config.ExploreFractions)
                        list.Add(($"explore-step-e{F(f)}", b, f, new ExploreStepScheduleOptions { ExploreFraction = f }));
                    break;
                case "cosine": list.Add((b, b, null, new CosineScheduleOptions())); break;
                case "step": list.Add((b, b, null, new StepScheduleOptions { MilestoneFractions = [.. config.StepMilestones] })); break;
                case "linear": list.Add((b, b, null, new LinearScheduleOptions())); break;
                case "one-cycle": list.Add((b, b, null, new OneCycleScheduleOptions())); break;
                case "constant": list.Add((b, b, null, new ConstantScheduleOptions())); break;
                default: throw new SweepConfigException("baselines", b, "is not a known schedule");
            }
        }
        foreach (var (_, _, _, options) in list)
        {
            options.PeakLearningRate = config.PeakLr;
            options.WarmupFraction = config.WarmupFraction;
        }
        return list;
    }

    // Round-trip formatting keeps distinct fractions distinct in ids (0.125 stays 0.125).
    private static string F(double f) => f.ToString("R", CultureInfo.InvariantCulture);
}
