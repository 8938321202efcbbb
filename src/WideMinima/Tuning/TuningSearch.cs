using System.Globalization;

namespace WideMinima.Tuning;

/// <summary>
/// The search: ASHA decides promotions, the tuner proposes new trials, the runner trains, the store keeps finished
/// jobs. Runs until the budget would be exceeded, job by job in this process, or with <see cref="Parallelism"/> jobs in
/// flight on a <see cref="Dispatcher"/> (workers); replays jobs already finished (a resume), so the same seed, results
/// and parallelism give the same proposals and decisions. No I/O of its own: the clock, runner, dispatcher, store and
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

    /// <summary>
    /// Trains the jobs elsewhere (workers sharing a ledger) instead of with the runner in this process; the runner then
    /// only prices jobs, and <see cref="Store"/> is not used (the queue keeps the results). Null: the runner trains.
    /// </summary>
    public ITrialDispatcher? Dispatcher { get; init; }

    /// <summary>
    /// Jobs in flight at once (default 1). Job <c>i</c> is decided once the results of jobs <c>0..i-Parallelism</c>
    /// have been taken in, in the order the jobs were decided, so the decisions depend on the seed, the results and
    /// this number, never on which worker finishes first: a search replays exactly after a restart. The price is that
    /// a worker that finishes early may wait for an older job before the next decision.
    /// </summary>
    public int Parallelism { get; init; } = 1;

    /// <summary>Runs the search.</summary>
    public TuningOutcome Run(CancellationToken cancellationToken = default)
    {
        Internal.Guard.Positive(Parallelism, nameof(Parallelism));
        var queue = Dispatcher ?? new InProcessDispatcher(_runner, Store);
        var trials = new List<Trial>();
        var epochsTrained = new Dictionary<int, int>();
        var failed = new Dictionary<int, TrialOutcomeStatus>();
        var history = new List<BestSoFar>();
        var inFlight = new Queue<(TrialJob Job, double Cost, bool Replayed)>();
        double spent = 0, inFlightCost = 0, secondsPerEpoch = 0, measuredSeconds = 0, measuredEpochs = 0;
        int jobs = 0, proposals = 0;
        TimeSpan replayed = TimeSpan.Zero; // time spent replaying does not count against the wall-time budget
        double? searchBudget = _budget.Epochs is double b ? b - ReservedEpochs : null;
        string stop;
        // A proposal that did not fit the compute budget while jobs were in flight waits here and is the next one
        // used, so a proposal is never drawn twice under the same trial ids (a restart replays the same jobs).
        List<Trial>? pending = null;
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
                if (pending is null)
                {
                    if (proposals >= MaxProposals)
                    {
                        if (inFlight.Count > 0) { Finish(inFlight.Dequeue()); continue; }
                        stop = $"the cap of {MaxProposals} proposals was reached";
                        break;
                    }
                    int group = proposals;
                    pending = [.. _tuner.Propose().Select((s, i) => new Trial(trials.Count + i, group, s, _seed))];
                }
                proposed = pending;
                job = new TrialJob(0, _asha.Rungs[0], proposed);
            }

            var state = queue.State(job);
            double cost = _runner.Cost(job);
            // The compute budget is checked for every job, replayed or not: it depends on the results alone, so a
            // restart makes the same decisions. With jobs in flight, their results may change the next decision: take
            // the oldest in and decide again.
            if (searchBudget is double cap && spent + inFlightCost + cost > cap + 1e-9)
            {
                if (inFlight.Count > 0) { Finish(inFlight.Dequeue()); continue; }
                stop = string.Create(CultureInfo.InvariantCulture, $"the compute budget is spent ({spent:0.##} of {cap:0.##} epochs for the search; the next job needs {cost:0.##})");
                break;
            }
            // The wall-time budget only for new jobs (a replay is not timed): time only runs on, so once it is spent
            // the jobs in flight are taken in and the search stops.
            if (state == TrialJobState.New && _budget.WallTime is TimeSpan wall)
            {
                var elapsed = _clock() - replayed;
                var needed = TimeSpan.FromSeconds(secondsPerEpoch * (cost + ReservedEpochs));
                if (elapsed + needed > wall)
                {
                    while (inFlight.Count > 0) Finish(inFlight.Dequeue());
                    stop = $"the wall-time budget is spent ({elapsed.TotalMinutes:0.#} of {wall.TotalMinutes:0.#} minutes; the next job and the final fit need about {needed.TotalMinutes:0.#})";
                    break;
                }
            }

            // Commit to the job only now that it fits.
            if (proposed is not null)
            {
                proposals++;
                pending = null;
                foreach (var t in proposed) { trials.Add(t); _asha.Add(t.Id, t.Group); epochsTrained[t.Id] = 0; }
            }
            else
            {
                _asha.Start(promotion!);
            }

            bool isReplay = state == TrialJobState.Finished;
            Progress?.Report(new TuningProgress(TuningEventKind.JobStarted, job, null, isReplay, spent, searchBudget, null, $"{Describe(job)}"));
            if (state == TrialJobState.New) queue.Submit(job);
            inFlight.Enqueue((job, cost, isReplay));
            inFlightCost += cost;
            while (inFlight.Count >= Parallelism) Finish(inFlight.Dequeue());
        }
        var outcome = Outcome(Summaries(trials, epochsTrained, failed), spent, jobs, stop, history);
        Progress?.Report(new TuningProgress(TuningEventKind.Stopped, null, null, false, spent, searchBudget, outcome.Best, $"search stopped: {stop}"));
        return outcome;

        // Takes a job's result in: ASHA, the tuner and the books.
        void Finish((TrialJob Job, double Cost, bool Replayed) entry)
        {
            var (job, cost, isReplay) = entry;
            var started = _clock();
            var result = queue.Wait(job, cancellationToken);
            if (isReplay)
            {
                replayed += _clock() - started;
            }
            else
            {
                measuredSeconds += result.Seconds;
                measuredEpochs += result.ComputeEpochs;
                if (measuredEpochs > 0) secondsPerEpoch = measuredSeconds / measuredEpochs;
            }
            jobs++;
            inFlightCost -= cost;
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
            Progress?.Report(new TuningProgress(TuningEventKind.JobFinished, job, result, isReplay, spent, searchBudget, best,
                $"{Describe(job)}: {string.Join(", ", result.Outcomes.Select(o => o.Status == TrialOutcomeStatus.Done ? o.ValidationAccuracy.ToString("P2", CultureInfo.InvariantCulture) : o.Status.ToString().ToLowerInvariant()))}"));
        }
    }

    /// <summary>The queue of a search in one process: the runner trains a job when it is waited for; the store keeps it.</summary>
    private sealed class InProcessDispatcher(ITrialRunner runner, ITrialStore? store) : ITrialDispatcher
    {
        private readonly Dictionary<string, JobResult> _finished = [];

        public TrialJobState State(TrialJob job)
        {
            if (store?.Find(job) is { } stored) _finished[job.Key] = stored;
            return _finished.ContainsKey(job.Key) ? TrialJobState.Finished : TrialJobState.New;
        }

        public void Submit(TrialJob job)
        {
        }

        public JobResult Wait(TrialJob job, CancellationToken cancellationToken)
        {
            if (_finished.Remove(job.Key, out var stored)) return stored;
            var result = runner.Run(job, cancellationToken);
            store?.Save(job, result);
            return result;
        }
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
