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
    public static IReadOnlyList<(string Setting, SweepSchedule Schedule, double? Explore, ScheduleOptions Options)> Settings(SweepConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var list = new List<(string, SweepSchedule, double?, ScheduleOptions)>();
        foreach (var f in config.ExploreFractions)
            list.Add(($"{KneeName}-e{F(f)}", SweepSchedule.Knee, f, new KneeScheduleOptions { ExploreFraction = f }));
        foreach (var b in config.Baselines)
        {
            string name = ConfigNames.Name(b);
            switch (b)
            {
                case SweepSchedule.ExploreStep:
                    foreach (var f in config.ExploreFractions)
                        list.Add(($"{name}-e{F(f)}", b, f, new ExploreStepScheduleOptions { ExploreFraction = f }));
                    break;
                case SweepSchedule.Cosine: list.Add((name, b, null, new CosineScheduleOptions())); break;
                case SweepSchedule.Step: list.Add((name, b, null, new StepScheduleOptions { MilestoneFractions = [.. config.StepMilestones] })); break;
                case SweepSchedule.Linear: list.Add((name, b, null, new LinearScheduleOptions())); break;
                case SweepSchedule.OneCycle: list.Add((name, b, null, new OneCycleScheduleOptions())); break;
                case SweepSchedule.Constant: list.Add((name, b, null, new ConstantScheduleOptions())); break;
                case SweepSchedule.Knee:
                default: throw new SweepConfigException("baselines", b, "is not a baseline schedule");
            }
        }
        foreach (var (_, _, _, options) in list)
        {
            options.PeakLearningRate = config.PeakLr;
            options.WarmupFraction = config.WarmupFraction;
        }
        return list;
    }

    private static readonly string KneeName = ConfigNames.Name(SweepSchedule.Knee);

    // Round-trip formatting keeps distinct fractions distinct in ids (0.125 stays 0.125).
    private static string F(double f) => f.ToString("R", CultureInfo.InvariantCulture);
}
