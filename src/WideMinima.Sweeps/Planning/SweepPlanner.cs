using System.Globalization;
using WideMinima.Schedules;
using WideMinima.Sweeps.Config;
using WideMinima.Tuning;

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

    /// <summary>The distinct schedule settings, in plan order: Knee by explore share, then each baseline (once per explore share where it has one).</summary>
    public static IReadOnlyList<(string Setting, ScheduleFamily Schedule, double? Explore, ScheduleOptions Options)> Settings(SweepConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var list = new List<(string, ScheduleFamily, double?, ScheduleOptions)>();
        foreach (var family in (IEnumerable<ScheduleFamily>)[ScheduleFamily.Knee, .. config.Baselines])
        {
            string name = family.Name();
            if (family.HasExploreShare())
            {
                foreach (var f in config.ExploreFractions)
                    list.Add(($"{name}-e{F(f)}", family, f, family.Schedule(config.PeakLr, config.WarmupFraction, f)));
            }
            else
            {
                list.Add((name, family, null, family.Schedule(config.PeakLr, config.WarmupFraction, stepMilestones: config.StepMilestones)));
            }
        }
        return list;
    }

    // Round-trip formatting keeps distinct fractions distinct in ids (0.125 stays 0.125).
    private static string F(double f) => f.ToString("R", CultureInfo.InvariantCulture);
}
