using System.Globalization;

namespace WideMinima.Tuning;

/// <summary>
/// The search: ASHA decides promotions, the tuner proposes new trials, the runner trains, the store keeps finished
/// jobs. Runs job by job until the budget would be exceeded; replays jobs the store already holds (a resume), so
/// the same seed and results give the same proposals and decisions. No I/O of its own: the clock, runner, store and
/// progress are injected.
/// </summary>
public sealed class TuningSearch
{
    private readonly ITuner _tuner;
    private readonly Asha _asha;
    private readonly ITrialRunner _runner;
    private readonly TuningBudget _budget;
    private readonly Func<TimeSpan> _clock;
    private readonly int _seed;

    /// <summary>Creates a search.</summary>
    /// <param name="tuner">Proposes trials.</param>
    /// <param name="asha">Successive halving over budget rungs.</param>
    /// <param name="runner">Trains jobs.</param>
    /// <param name="budget">When to stop.</param>
    /// <param name="clock">Elapsed time since the search started (a <c>Stopwatch</c>'s, or a fake).</param>
    /// <param name="seed">Every trial's seed.</param>
    public TuningSearch(ITuner tuner, Asha asha, ITrialRunner runner, TuningBudget budget, Func<TimeSpan> clock, int seed)
    {
        ArgumentNullException.ThrowIfNull(tuner);
        ArgumentNullException.ThrowIfNull(asha);
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(budget);
        ArgumentNullException.ThrowIfNull(clock);
        if (budget.Epochs is null && budget.WallTime is null) throw Internal.Guard.Fail("budget", "none", "must cap compute (epochs) or wall time, or both");
        (_tuner, _asha, _runner, _budget, _clock, _seed) = (tuner, asha, runner, budget, clock, seed);
    }

    /// <summary>Compute kept back from the search for the final fits, in epochs of the whole training set.</summary>
    public double ReservedEpochs { get; init; }

    /// <summary>Keeps finished jobs; null keeps nothing.</summary>
    public ITrialStore? Store { get; init; }

    /// <summary>Receives progress on the search's thread.</summary>
    public IProgress<TuningProgress>? Progress { get; init; }

    /// <summary>Stops after this many proposals (a safety cap; the budget normally ends the search). Default 10,000.</summary>
    public int MaxProposals { get; init; } = 10_000;

    /// <summary>Runs the search.</summary>
    public TuningOutcome Run(CancellationToken cancellationToken = default)
    {
        var trials = new List<Trial>();
        var epochsTrained = new Dictionary<int, int>();
        var failed = new Dictionary<int, TrialOutcomeStatus>();
        var history = new List<BestSoFar>();
        double spent = 0, secondsPerEpoch = 0, measuredSeconds = 0, measuredEpochs = 0;
        int jobs = 0, proposals = 0;
        TimeSpan replayed = TimeSpan.Zero; // time spent replaying does not count against the wall-time budget
        double? searchBudget = _budget.Epochs is double b ? b - ReservedEpochs : null;
        string stop;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var promotion = _asha.Next();
            TrialJob job;
            List<Trial>? proposed = null;
            if (promotion is not null)
            {
                job = new TrialJob(promotion.Rung, _asha.Rungs[promotion.Rung], [.. promotion.TrialIds.Select(id => trials[id])]);
            }
            else
            {
                if (proposals >= MaxProposals) { stop = $"the cap of {MaxProposals} proposals was reached"; break; }
                int group = proposals;
                proposed = [.. _tuner.Propose().Select((s, i) => new Trial(trials.Count + i, group, s, _seed))];
                job = new TrialJob(0, _asha.Rungs[0], proposed);
            }

            var stored = Store?.Find(job);
            if (stored is null)
            {
                double cost = _runner.Cost(job);
                if (searchBudget is double cap && spent + cost > cap + 1e-9)
                {
                    stop = string.Create(CultureInfo.InvariantCulture, $"the compute budget is spent ({spent:0.##} of {cap:0.##} epochs for the search; the next job needs {cost:0.##})");
                    break;
                }
                if (_budget.WallTime is TimeSpan wall)
                {
                    var elapsed = _clock() - replayed;
                    var needed = TimeSpan.FromSeconds(secondsPerEpoch * (cost + ReservedEpochs));
                    if (elapsed + needed > wall)
                    {
                        stop = $"the wall-time budget is spent ({elapsed.TotalMinutes:0.#} of {wall.TotalMinutes:0.#} minutes; the next job and the final fit need about {needed.TotalMinutes:0.#})";
                        break;
                    }
                }
            }

            // Commit to the job only now that it fits.
            if (proposed is not null)
            {
                proposals++;
                foreach (var t in proposed) { trials.Add(t); _asha.Add(t.Id, t.Group); epochsTrained[t.Id] = 0; }
            }
            else
            {
                _asha.Start(promotion!);
            }

            Progress?.Report(new TuningProgress(TuningEventKind.JobStarted, job, null, stored is not null, spent, searchBudget, null, $"{Describe(job)}"));
            var started = _clock();
            var result = stored ?? _runner.Run(job, cancellationToken);
            if (stored is null)
            {
                Store?.Save(job, result);
                measuredSeconds += result.Seconds;
                measuredEpochs += result.ComputeEpochs;
                if (measuredEpochs > 0) secondsPerEpoch = measuredSeconds / measuredEpochs;
            }
            else
            {
                replayed += _clock() - started;
            }
            jobs++;
            spent += result.ComputeEpochs;
            foreach (var o in result.Outcomes)
            {
                _asha.Record(o.TrialId, job.Rung, o.Status == TrialOutcomeStatus.Done ? o.ValidationAccuracy : double.NaN);
                epochsTrained[o.TrialId] += job.Epochs;
                if (o.Status == TrialOutcomeStatus.Done) failed.Remove(o.TrialId); else failed[o.TrialId] = o.Status;
                _tuner.Update(trials[o.TrialId].Settings, job.Epochs, o.Status == TrialOutcomeStatus.Done ? o.ValidationAccuracy : double.NaN);
            }
            var best = Outcome(Summaries(trials, epochsTrained, failed), spent, jobs, "", history).Best;
            if (best is not null) history.Add(new BestSoFar(spent, best.ValidationAccuracy, best.Rung));
            Progress?.Report(new TuningProgress(TuningEventKind.JobFinished, job, result, stored is not null, spent, searchBudget, best,
                $"{Describe(job)}: {string.Join(", ", result.Outcomes.Select(o => o.Status == TrialOutcomeStatus.Done ? o.ValidationAccuracy.ToString("P2", CultureInfo.InvariantCulture) : o.Status.ToString().ToLowerInvariant()))}"));
        }
        var outcome = Outcome(Summaries(trials, epochsTrained, failed), spent, jobs, stop, history);
        Progress?.Report(new TuningProgress(TuningEventKind.Stopped, null, null, false, spent, searchBudget, outcome.Best, $"search stopped: {stop}"));
        return outcome;
    }

    private TuningOutcome Outcome(IReadOnlyList<TrialSummary> summaries, double spent, int jobs, string stop, List<BestSoFar> history) =>
        new(summaries, _asha.Rungs, spent, jobs, stop, [.. history]);

    private List<TrialSummary> Summaries(List<Trial> trials, Dictionary<int, int> epochsTrained, Dictionary<int, TrialOutcomeStatus> failed)
    {
        var list = new List<TrialSummary>(trials.Count);
        foreach (var t in trials)
        {
            int rung = _asha.HighestRung(t.Id);
            if (rung < 0) continue; // proposed but not finished (cannot happen between jobs)
            var accuracies = Enumerable.Range(0, rung + 1).Select(r => _asha.Accuracy(t.Id, r) ?? double.NaN).ToArray();
            var status = failed.TryGetValue(t.Id, out var f) ? (f == TrialOutcomeStatus.Diverged ? TrialStatus.Diverged : TrialStatus.Failed)
                : rung == _asha.Rungs.Count - 1 ? TrialStatus.Completed : TrialStatus.Stopped;
            list.Add(new TrialSummary(t, rung, _asha.Rungs[rung], epochsTrained[t.Id], accuracies[rung], status, accuracies));
        }
        return list;
    }

    private static string Describe(TrialJob job) =>
        $"rung {job.Rung} ({job.Epochs} epochs): " + (job.Trials.Count == 1
            ? $"trial {job.Trials[0].Id} {job.Trials[0].Settings.Label}"
            : $"trials {string.Join(",", job.Trials.Select(t => t.Id))} {job.Trials[0].Settings.Family.Name()} lr {job.Trials[0].Settings.PeakLearningRate.ToString("0.####", CultureInfo.InvariantCulture)} x{job.Trials.Count} explore shares");
}
