namespace WideMinima.Tuning;

/// <summary>A promotion ASHA asks for: these trials (one, or several branches of one Knee proposal) go to rung <see cref="Rung"/>.</summary>
/// <param name="Rung">The index of the rung they are promoted to.</param>
/// <param name="TrialIds">The trials.</param>
public sealed record AshaPromotion(int Rung, IReadOnlyList<int> TrialIds);

/// <summary>
/// Asynchronous successive halving (Li et al., 2018) over budget rungs: rung k trains a trial's whole schedule in
/// <c>Rungs[k]</c> epochs, so every trial compared at a rung has finished its decay there (see docs/design.md).
/// A trial is promoted from rung k once it is in the top 1/η of the trials that have a result at rung k; new trials
/// start at rung 0 only when nothing can be promoted. Pure: no training, no I/O, no clock.
/// </summary>
public sealed class Asha
{
    private readonly Dictionary<int, Entry> _trials = [];

    private sealed class Entry(int group)
    {
        public int Group { get; } = group;
        public Dictionary<int, double> Results { get; } = [];
        public int Started { get; set; } = -1;
    }

    /// <summary>Creates the rungs for a full budget of <paramref name="maxEpochs"/>.</summary>
    /// <param name="maxEpochs">The full budget in epochs: the top rung.</param>
    /// <param name="gracePeriod">The smallest rung in epochs (at least 1, at most <paramref name="maxEpochs"/>).</param>
    /// <param name="reductionFactor">η, at least 2: one trial in η is promoted, and each rung is η times the one below.</param>
    public Asha(int maxEpochs, int gracePeriod, int reductionFactor)
    {
        Rungs = BudgetRungs(maxEpochs, gracePeriod, reductionFactor);
        ReductionFactor = reductionFactor;
    }

    /// <summary>The rungs' budgets in epochs, ascending; the last is the full budget.</summary>
    public IReadOnlyList<int> Rungs { get; }

    /// <summary>η.</summary>
    public int ReductionFactor { get; }

    /// <summary>The budget rungs: the full budget, divided by η again and again (rounded) while it stays at or above the grace period.</summary>
    public static IReadOnlyList<int> BudgetRungs(int maxEpochs, int gracePeriod, int reductionFactor)
    {
        Internal.Guard.Positive(maxEpochs, "epochs");
        if (gracePeriod < 1 || gracePeriod > maxEpochs) throw Internal.Guard.Fail("grace_period", gracePeriod, $"must be between 1 and the epochs ({maxEpochs})");
        if (reductionFactor < 2) throw Internal.Guard.Fail("reduction_factor", reductionFactor, "must be at least 2");
        var rungs = new List<int> { maxEpochs };
        for (double b = maxEpochs / (double)reductionFactor; ; b /= reductionFactor)
        {
            int r = (int)Math.Round(b, MidpointRounding.AwayFromZero);
            if (r < gracePeriod || r < 1) break;
            if (r < rungs[^1]) rungs.Add(r);
        }
        rungs.Reverse();
        return rungs;
    }

    /// <summary>Adds a new trial; it starts at rung 0.</summary>
    /// <param name="trialId">The trial.</param>
    /// <param name="group">Its proposal: Knee branches of one proposal share a group and are promoted together when they can be.</param>
    public void Add(int trialId, int group)
    {
        _trials.Add(trialId, new Entry(group) { Started = 0 });
    }

    /// <summary>Marks that the trials of <paramref name="promotion"/> run at its rung.</summary>
    public void Start(AshaPromotion promotion)
    {
        ArgumentNullException.ThrowIfNull(promotion);
        foreach (int id in promotion.TrialIds) _trials[id].Started = promotion.Rung;
    }

    /// <summary>Records a trial's validation accuracy at a rung; NaN for a diverged or failed trial (never promoted).</summary>
    public void Record(int trialId, int rung, double accuracy) => _trials[trialId].Results[rung] = accuracy;

    /// <summary>The highest rung the trial has a result at, or -1.</summary>
    public int HighestRung(int trialId) => _trials[trialId].Results.Count == 0 ? -1 : _trials[trialId].Results.Keys.Max();

    /// <summary>The trial's result at a rung, if it has one.</summary>
    public double? Accuracy(int trialId, int rung) => _trials[trialId].Results.TryGetValue(rung, out double a) ? a : null;

    /// <summary>
    /// The next promotion, checking the highest rungs first; null when no trial can be promoted (start a new one).
    /// A Knee branch is promoted together with the other promotable branches of its proposal at that rung.
    /// </summary>
    public AshaPromotion? Next()
    {
        for (int rung = Rungs.Count - 2; rung >= 0; rung--)
        {
            var candidates = Promotable(rung);
            if (candidates.Count == 0) continue;
            int first = candidates[0];
            int group = _trials[first].Group;
            return new AshaPromotion(rung + 1, [first, .. candidates.Skip(1).Where(id => _trials[id].Group == group)]);
        }
        return null;
    }

    /// <summary>Trials in the top 1/η at <paramref name="rung"/> that have not started the next rung, best first.</summary>
    public IReadOnlyList<int> Promotable(int rung)
    {
        var ranked = Ranked(rung);
        int top = ranked.Count / ReductionFactor;
        return [.. ranked.Take(top).Where(id => _trials[id].Started <= rung && !double.IsNaN(_trials[id].Results[rung]))];
    }

    /// <summary>The trials with a result at <paramref name="rung"/>, best first (NaN last, ties by id).</summary>
    public IReadOnlyList<int> Ranked(int rung) =>
        [.. _trials.Where(t => t.Value.Results.ContainsKey(rung))
            .OrderByDescending(t => double.IsNaN(t.Value.Results[rung]) ? double.NegativeInfinity : t.Value.Results[rung])
            .ThenBy(t => t.Key)
            .Select(t => t.Key)];
}
