using System.Globalization;
using WideMinima.Ledger;
using WideMinima.Reports;
using WideMinima.Schedules;
using WideMinima.Sweeps.Config;
using WideMinima.Tuning;

namespace WideMinima.Sweeps.Planning;

/// <summary>What the planner needs to know of a finished (or unfinished) run of the ledger.</summary>
/// <param name="RunId">The run's id.</param>
/// <param name="Status">Its status; only finished ones (done, diverged, failed) count.</param>
/// <param name="Phase">Calibration or final.</param>
/// <param name="Setting">The setting, e.g. <c>knee-e0.5</c>.</param>
/// <param name="Budget">The budget share.</param>
/// <param name="PeakLr">The peak rate it trained at.</param>
/// <param name="Seed">The seed.</param>
/// <param name="ValidationAccuracy">Validation accuracy in [0, 1] (calibration runs).</param>
/// <param name="TestAccuracy">Test accuracy in [0, 1] (final runs).</param>
public sealed record RunResult(string RunId, RunStatus Status, RunPhase Phase, string Setting, double Budget, double? PeakLr, int Seed,
    double? ValidationAccuracy, double? TestAccuracy)
{
    /// <summary>The planner's view of a ledger row.</summary>
    public static RunResult Of(LedgerRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return new(run.RunId, run.Status, run.Phase, run.Setting, run.Budget, run.PeakLr, run.Seed, run.ValidationAccuracy, run.TestAccuracy);
    }
}

/// <summary>Every run needed so far, and whether more can still be added.</summary>
/// <param name="Runs">The runs, by ordinal.</param>
/// <param name="Final">True when no result still to come can add a run: once every run here is finished, the sweep is done.</param>
public sealed record SweepPlan(IReadOnlyList<PlannedRun> Runs, bool Final);

/// <summary>
/// Expands a sweep definition into its runs. Pure: no I/O; the same config and the same results always give the same plan.
/// </summary>
/// <remarks>
/// Rules (see <see cref="Plan(SweepConfig, IReadOnlyList{RunResult})"/>):
/// <list type="number">
/// <item>A shared peak, budgets <c>[1.0]</c> and a fixed seed count plan exactly the runs of earlier versions: ids
/// <c>{setting}-s{seed}</c>, seeds outermost.</item>
/// <item>Calibration, per (setting, budget): a log grid of <c>points</c> peaks; the coarse points first (the even
/// indices and the last, so both ends of the range are tried), one seed (<c>first_seed</c>), phase calibration, id
/// <c>cal-{setting}-b{budget}-lr{peak}</c>; once those finished, the neighbours of the best coarse point not yet tried
/// (fine). Best: the highest validation accuracy; a run without one (diverged, failed) is the worst; ties go to the
/// smaller peak. When every point failed or diverged the setting has no peak at that budget and no final runs.</item>
/// <item>Fork-and-decay (<see cref="Forks"/>): a calibration point of a smaller Knee share is held back while the same
/// point of the largest share (its trunk, <see cref="ForkRole"/>) is planned and unfinished, so that it can fork from
/// the trunk's checkpoint at its knee; so is a final run of a smaller share whose chosen peak is the largest share's
/// at that budget, until the largest share's run of the same seed finished. Holding back never changes a result, only
/// the order and the compute.</item>
/// <item>Final runs of a (setting, budget) at its chosen peak once its calibration is complete (at once without
/// calibration), seeds <c>first_seed ..</c> up to the minimum; id <c>{setting}-s{seed}</c> at budget 1,
/// <c>{setting}-b{budget}-s{seed}</c> otherwise.</item>
/// <item>Seed rounds (<c>seeds: {min, max, target_ci}</c>): once every final setting at the largest budget has its first
/// <c>min</c> seeds finished, the best Knee setting and the best baseline by mean test accuracy over those seeds are fixed;
/// <see cref="SeedsRule.Decide"/> on their test accuracies (points) adds rounds of seeds to both until it stops.</item>
/// </list>
/// Ordinals are fixed by the definition (calibration grid first, then finals with seeds outermost), so a run keeps its
/// ordinal however the plan grows.
/// </remarks>
public static class SweepPlanner
{
    /// <summary>The runs of <paramref name="config"/> known before any result: with calibration, the coarse points.</summary>
    public static IReadOnlyList<PlannedRun> Plan(SweepConfig config) => Plan(config, []).Runs;

    /// <summary>Every run needed so far, given the ledger's runs <paramref name="results"/> (unfinished ones are ignored).</summary>
    public static SweepPlan Plan(SweepConfig config, IReadOnlyList<RunResult> results)
    {
        SweepConfigValidator.Validate(config);
        ArgumentNullException.ThrowIfNull(results);
        var finished = new Dictionary<string, RunResult>(StringComparer.Ordinal);
        foreach (var r in results) if (r.Status.IsFinished()) finished[r.RunId] = r;

        var settings = Settings(config);
        var budgets = config.BudgetShares;
        var calibration = config.PeakLr.Calibrate;
        int points = calibration?.Points ?? 0;
        int calibrationSlots = calibration is null ? 0 : budgets.Count * settings.Count * points;
        var runs = new List<PlannedRun>();
        bool final = true;

        // Stage 1 and the chosen peaks. With fork-and-decay, a calibration point of a smaller Knee share waits for the
        // trunk's (the largest share's point at the same budget and peak) to finish, then forks from its checkpoint.
        int trunk = Forks(config) ? TrunkIndex(settings) : -1;
        var planned = new List<PlannedRun>[budgets.Count, settings.Count]; // each setting's calibration points planned so far
        var peaks = new double?[budgets.Count, settings.Count];
        var settled = new bool[budgets.Count, settings.Count]; // calibration complete (or none): the peak is known, or known to be none
        for (int b = 0; b < budgets.Count; b++)
        {
            for (int s = 0; s < settings.Count; s++)
            {
                if (calibration is null)
                {
                    peaks[b, s] = config.PeakLr.Value;
                    settled[b, s] = true;
                    continue;
                }
                var (setting, family, explore, _) = settings[s];
                PlannedRun Point(int i)
                {
                    double peak = calibration.Peak(i);
                    string id = string.Create(CultureInfo.InvariantCulture, $"cal-{setting}-b{F(budgets[b])}-lr{PeakText(calibration, i)}");
                    return new PlannedRun(id, (b * settings.Count + s) * points + i, setting, family, explore, config.FirstSeed,
                        Schedule(config, family, explore, peak)) { Phase = RunPhase.Calibration, Budget = budgets[b] };
                }
                var coarse = Enumerable.Range(0, points).Where(i => IsCoarse(i, points)).Select(Point).ToList();
                planned[b, s] = [.. coarse];
                if (!coarse.All(r => finished.ContainsKey(r.RunId)))
                {
                    final = false;
                    continue;
                }
                int best = Best(coarse, finished, points);
                var fine = best < 0 ? [] : new[] { best - 1, best + 1 }.Where(i => i >= 0 && i < points && !IsCoarse(i, points)).Select(Point).ToList();
                planned[b, s].AddRange(fine);
                if (!fine.All(r => finished.ContainsKey(r.RunId)))
                {
                    final = false;
                    continue;
                }
                // Every point failed or diverged: no peak, so no final runs for this setting and budget.
                int chosen = Best([.. coarse, .. fine], finished, points);
                peaks[b, s] = chosen >= 0 ? calibration.Peak(chosen) : null;
                settled[b, s] = true;
            }
        }
        for (int b = 0; b < budgets.Count && calibration is not null; b++)
        {
            for (int s = 0; s < settings.Count; s++)
            {
                foreach (var point in planned[b, s])
                {
                    // A branch whose trunk is planned and unfinished waits for it (unless it already finished on its own).
                    var trunkPoint = trunk >= 0 && s != trunk && IsBranch(config, settings[s]) && !finished.ContainsKey(point.RunId)
                        ? planned[b, trunk].Find(t => t.Ordinal % points == point.Ordinal % points) : null;
                    if (trunkPoint is not null && !finished.ContainsKey(trunkPoint.RunId)) final = false;
                    else runs.Add(point);
                }
            }
        }

        // Stage 2: the final runs, seeds outermost.
        int top = IndexOfMax(budgets);
        int seeds = config.Seeds.Min;
        PlannedRun? FinalRun(int b, int s, int seedIndex)
        {
            if (peaks[b, s] is not double peak) return null;
            var (setting, family, explore, options) = settings[s];
            int seed = config.FirstSeed + seedIndex;
            string id = budgets[b] == 1 ? $"{setting}-s{seed}" : $"{setting}-b{F(budgets[b])}-s{seed}";
            int ordinal = calibrationSlots + (seedIndex * budgets.Count + b) * settings.Count + s;
            var schedule = calibration is null ? options : Schedule(config, family, explore, peak);
            return new PlannedRun(id, ordinal, setting, family, explore, seed, schedule) { Budget = budgets[b] };
        }
        // A Knee setting waits while the trunk's peak at that budget is unknown (so that a run once planned stays
        // planned), then, where it chose the same peak, for the trunk's run of the same seed.
        bool Waits(int b, int s, int k, PlannedRun r) =>
            trunk >= 0 && s != trunk && IsBranch(config, settings[s]) && !finished.ContainsKey(r.RunId)
            && (!settled[b, trunk] || (peaks[b, trunk] is double p && peaks[b, s] == p && FinalRun(b, trunk, k) is { } t && !finished.ContainsKey(t.RunId)));
        for (int k = 0; k < seeds; k++)
        {
            for (int b = 0; b < budgets.Count; b++)
            {
                for (int s = 0; s < settings.Count; s++)
                {
                    if (FinalRun(b, s, k) is not { } r) continue;
                    if (Waits(b, s, k, r)) final = false;
                    else runs.Add(r);
                }
            }
        }

        if (config.Seeds.Rounds is { } rounds)
        {
            // The compared pair is fixed by the first min seeds of every setting at the largest budget.
            var atTop = Enumerable.Range(0, settings.Count).Select(s => Enumerable.Range(0, seeds).Select(k => FinalRun(top, s, k)).ToList()).ToList();
            // A setting without a peak (every calibration point failed) has no finals and no say; the others must finish.
            bool ready = Enumerable.Range(0, settings.Count).All(s => settled[top, s]) && atTop.All(list => list.All(r => r is null || finished.ContainsKey(r.RunId)));
            var (knee, baseline) = ready
                ? ComparedPair.Choose([.. atTop.Select((list, s) => new PairCandidate(settings[s].Schedule == ScheduleFamily.Knee, Points(list.OfType<PlannedRun>(), finished)))])
                : (-1, -1);
            if (!ready) final = false;
            else if (knee >= 0 && baseline >= 0)
            {
                int have = seeds;
                while (true)
                {
                    var pairRuns = new[] { knee, baseline }.Select(s => Enumerable.Range(0, have).Select(k => FinalRun(top, s, k)!).ToList()).ToList();
                    if (!pairRuns.All(list => list.All(r => finished.ContainsKey(r.RunId))))
                    {
                        final = false;
                        break;
                    }
                    var a = Points(pairRuns[0], finished);
                    var c = Points(pairRuns[1], finished);
                    var decision = SeedsRule.Decide(a, c, rounds.TargetCi, rounds.Min, rounds.Max);
                    // The rule counts finished, finite seeds (n); failed or diverged seeds of the pair are planned but
                    // count for nothing, so the round adds what the rule still asks for on top of the planned seeds, at
                    // least one, and the maximum bounds the planned seeds (a pair whose seeds keep failing stops there).
                    if (decision.Stop || have >= rounds.Max) break;
                    int counted = Math.Min(a.Count, c.Count);
                    int next = Math.Min(rounds.Max, have + Math.Max(1, decision.Seeds - counted));
                    for (int k = have; k < next; k++)
                        foreach (int s in new[] { knee, baseline }.Order()) runs.Add(FinalRun(top, s, k)!);
                    have = next;
                }
            }
        }
        return new SweepPlan([.. runs.OrderBy(r => r.Ordinal)], final);
    }

    /// <summary>
    /// The most epochs <paramref name="config"/> can train: every calibration point that can be planned (the coarse
    /// points and two fine ones per setting and budget), every setting's minimum seeds at every budget, and the compared
    /// pair's seeds up to the maximum at the largest budget.
    /// </summary>
    public static long WorstCaseEpochs(SweepConfig config)
    {
        SweepConfigValidator.Validate(config);
        var settings = Settings(config);
        var budgets = config.BudgetShares;
        long perSetting = budgets.Sum(b => (long)SweepConfigValidator.BudgetEpochs(b, config.Epochs));
        long total = 0;
        if (config.PeakLr.Calibrate is { } k)
        {
            int coarse = Enumerable.Range(0, k.Points).Count(i => IsCoarse(i, k.Points));
            total += settings.Count * perSetting * Math.Min(k.Points, coarse + 2);
        }
        total += settings.Count * perSetting * config.Seeds.Min;
        if (config.Seeds.Rounds is { } r && config.ExploreFractions.Count > 0 && config.Baselines.Count > 0)
            total += 2L * (r.Max - r.Min) * SweepConfigValidator.BudgetEpochs(budgets.Max(), config.Epochs);
        return total;
    }

    /// <summary>The distinct schedule settings, in plan order: Knee by explore share, then each baseline (once per explore share where it has one).</summary>
    public static IReadOnlyList<(string Setting, ScheduleFamily Schedule, double? Explore, ScheduleOptions Options)> Settings(SweepConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        double peak = config.PeakLr.Shared ?? ScheduleOptions.DefaultPeakLearningRate;
        var list = new List<(string, ScheduleFamily, double?, ScheduleOptions)>();
        foreach (var family in (IEnumerable<ScheduleFamily>)[ScheduleFamily.Knee, .. config.Baselines])
        {
            string name = family.Name();
            if (family.HasExploreShare())
            {
                foreach (var f in config.ExploreFractions)
                    list.Add(($"{name}-e{F(f)}", family, f, Schedule(config, family, f, peak)));
            }
            else
            {
                list.Add((name, family, null, Schedule(config, family, null, peak)));
            }
        }
        return list;
    }

    private static ScheduleOptions Schedule(SweepConfig config, ScheduleFamily family, double? explore, double peak) =>
        explore is double f ? family.Schedule(peak, config.WarmupFraction, f) : family.Schedule(peak, config.WarmupFraction, stepMilestones: config.StepMilestones);

    /// <summary>Coarse points: the even grid indices and the last one, so both ends of the range are always tried.</summary>
    private static bool IsCoarse(int index, int points) => index % 2 == 0 || index == points - 1;

    /// <summary>
    /// The grid index of the best of <paramref name="tried"/> (a calibration run's ordinal modulo the grid's points):
    /// the highest validation accuracy; a run without one (diverged, failed) is the worst; ties go to the smaller peak;
    /// -1 when none has one.
    /// </summary>
    private static int Best(IReadOnlyList<PlannedRun> tried, Dictionary<string, RunResult> finished, int points)
    {
        PlannedRun? best = null;
        double bestScore = double.NegativeInfinity;
        foreach (var r in tried.OrderBy(r => r.Ordinal))
        {
            var result = finished[r.RunId];
            double score = result.Status == RunStatus.Done && result.ValidationAccuracy is double v && double.IsFinite(v) ? v : double.NegativeInfinity;
            if (best is null || score > bestScore) (best, bestScore) = (r, score);
        }
        return double.IsNegativeInfinity(bestScore) ? -1 : best!.Ordinal % points;
    }

    private static int IndexOfMax(IReadOnlyList<double> values)
    {
        int best = 0;
        for (int i = 1; i < values.Count; i++) if (values[i] > values[best]) best = i;
        return best;
    }

    /// <summary>The finished test accuracies of <paramref name="runs"/>, in points; runs without one are left out.</summary>
    private static List<double> Points(IEnumerable<PlannedRun> runs, Dictionary<string, RunResult> finished) =>
        [.. runs.Select(r => finished[r.RunId]).Where(r => r.Status == RunStatus.Done && r.TestAccuracy is double a && double.IsFinite(a)).Select(r => r.TestAccuracy!.Value * 100)];

    /// <summary>
    /// True when the sweep calibrates its Knee shares by fork-and-decay: <c>fork_and_decay</c> on, a calibrated peak
    /// and at least two Knee shares.
    /// </summary>
    public static bool Forks(SweepConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.ForkAndDecay && config.PeakLr.Calibrate is not null && config.ExploreFractions.Distinct().Count() > 1;
    }

    /// <summary>
    /// A run's part in fork-and-decay: the trunk it may fork from (the run of the largest Knee share at the same phase,
    /// budget, seed and calibration point), or for that trunk itself the smaller shares whose knees it saves a
    /// checkpoint at. A final run forks only where its peak is the trunk's (the caller checks; the fork itself refuses
    /// any other). Neither for a baseline, share 0 without warmup, or a sweep that does not fork (<see cref="Forks"/>).
    /// </summary>
    /// <param name="config">The sweep.</param>
    /// <param name="runId">The run's id: <c>cal-{setting}-b{budget}-lr{peak}</c>, or a final run's <c>{setting}-...-s{seed}</c>.</param>
    /// <param name="setting">Its setting, e.g. <c>knee-e0.5</c>.</param>
    /// <param name="phase">Its phase.</param>
    public static (string? TrunkId, IReadOnlyList<double> BranchShares) ForkRole(SweepConfig config, string runId, string setting, RunPhase phase)
    {
        ArgumentNullException.ThrowIfNull(runId);
        if (!Forks(config)) return (null, []);
        var settings = Settings(config);
        int self = -1;
        for (int s = 0; s < settings.Count; s++) if (settings[s].Setting == setting && settings[s].Schedule == ScheduleFamily.Knee) self = s;
        if (self < 0) return (null, []);
        int trunkIndex = TrunkIndex(settings);
        var trunk = settings[trunkIndex];
        if (self == trunkIndex)
            return (null, [.. settings.Where(x => IsBranch(config, x) && x.Explore < trunk.Explore).Select(x => x.Explore!.Value).Distinct()]);
        if (!IsBranch(config, settings[self])) return (null, []);
        string prefix = phase == RunPhase.Calibration ? $"cal-{setting}-" : $"{setting}-";
        string trunkPrefix = phase == RunPhase.Calibration ? $"cal-{trunk.Setting}-" : $"{trunk.Setting}-";
        return runId.StartsWith(prefix, StringComparison.Ordinal) ? (trunkPrefix + runId[prefix.Length..], []) : (null, []);
    }

    /// <summary>
    /// A Knee setting that can fork: one whose knee is past step 0 (share 0 without warmup decays from the first step,
    /// so it has nothing to share and trains on its own).
    /// </summary>
    private static bool IsBranch(SweepConfig config, (string Setting, ScheduleFamily Schedule, double? Explore, ScheduleOptions Options) s) =>
        s.Schedule == ScheduleFamily.Knee && (s.Explore > 0 || config.WarmupFraction > 0);

    /// <summary>The Knee setting with the largest explore share (the first of equals).</summary>
    private static int TrunkIndex(IReadOnlyList<(string Setting, ScheduleFamily Schedule, double? Explore, ScheduleOptions Options)> settings)
    {
        int best = -1;
        for (int s = 0; s < settings.Count; s++)
            if (settings[s].Schedule == ScheduleFamily.Knee && (best < 0 || settings[s].Explore > settings[best].Explore)) best = s;
        return best;
    }

    private static string PeakText(PeakCalibration calibration, int index)
    {
        // Four significant digits, unless two grid points would read the same: then round-trip digits.
        string Short(int i) => calibration.Peak(i).ToString("G4", CultureInfo.InvariantCulture);
        bool unique = Enumerable.Range(0, calibration.Points).Select(Short).Distinct().Count() == calibration.Points;
        return unique ? Short(index) : calibration.Peak(index).ToString("R", CultureInfo.InvariantCulture);
    }

    // Round-trip formatting keeps distinct fractions distinct in ids (0.125 stays 0.125).
    private static string F(double f) => f.ToString("R", CultureInfo.InvariantCulture);
}
