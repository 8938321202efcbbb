using WideMinima.Ledger;
using WideMinima.Schedules;
using WideMinima.Sweeps.Config;
using WideMinima.Tuning;

namespace WideMinima.Sweeps.Planning;

/// <summary>One run of a sweep: a schedule setting and a seed.</summary>
/// <param name="RunId">Stable id, e.g. <c>knee-e0.50-s2</c>: the same definition always plans the same ids.</param>
/// <param name="Ordinal">Position in the plan (seeds outermost, so partial sweeps cover every setting).</param>
/// <param name="Setting">The schedule setting without the seed, e.g. <c>knee-e0.50</c>: what reports group by.</param>
/// <param name="Schedule">The schedule, e.g. <see cref="ScheduleFamily.Knee"/> (stored as its config name, <c>knee</c>).</param>
/// <param name="ExploreFraction">The explore share, for schedules that have one.</param>
/// <param name="Seed">The seed.</param>
/// <param name="ScheduleOptions">The budget-independent schedule the trainer builds.</param>
public sealed record PlannedRun(string RunId, int Ordinal, string Setting, ScheduleFamily Schedule, double? ExploreFraction, int Seed, ScheduleOptions ScheduleOptions)
{
    /// <summary>The stage: a calibration run (scored on the validation split) or a final run (scored on the test set). Default final.</summary>
    public RunPhase Phase { get; init; } = RunPhase.Final;

    /// <summary>The budget as a share of the config's epochs. Default 1 (the full budget).</summary>
    public double Budget { get; init; } = 1;

    /// <summary>The run as the ledger stores it: the schedule as its spelled name, the schedule options as the payload.</summary>
    public NewRun ToNewRun() => new(RunId, Setting, ConfigNames.Name(Schedule), ExploreFraction, Seed,
        System.Text.Json.JsonSerializer.Serialize(ScheduleOptions, ScheduleJson.Options))
    {
        Ordinal = Ordinal,
        PeakLr = ScheduleOptions.PeakLearningRate,
        Phase = Phase,
        Budget = Budget,
    };
}
