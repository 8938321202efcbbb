namespace WideMinima.Tuning;

/// <summary>
/// Proposes what to try next and learns from results, as ML.NET AutoML's <c>ITuner</c> does
/// (<c>Propose</c> / <c>Update</c>); an adapter to that package maps one onto the other.
/// </summary>
public interface ITuner
{
    /// <summary>
    /// The next proposal: one or more settings that differ only in Knee's explore share (a Knee proposal holds
    /// one per share, trained together by fork-and-decay; any other family holds one).
    /// </summary>
    IReadOnlyList<TrialSettings> Propose();

    /// <summary>Reports a trial's validation accuracy at a rung (NaN when it diverged or failed).</summary>
    void Update(TrialSettings settings, int rungEpochs, double validationAccuracy);
}

/// <summary>
/// Seeded random search over a <see cref="TuningSpace"/>, with a simple model-based refinement: once
/// <see cref="RandomProposals"/> proposals have results, every other proposal samples around the best result seen
/// at the highest rung (its family, its peak rate times a log-normal factor of about half a decade). Proposals
/// depend only on the seed and the results reported, so a resumed tuning replays them exactly.
/// </summary>
public sealed class RandomTuner : ITuner
{
    private readonly TuningSpace _space;
    private readonly Random _random;
    private int _proposed;
    private (int Rung, double Accuracy, TrialSettings Settings)? _best;

    /// <summary>Creates the tuner; the space is validated here.</summary>
    public RandomTuner(TuningSpace space, int seed)
    {
        ArgumentNullException.ThrowIfNull(space);
        space.Validate();
        _space = space;
        _random = new Random(seed);
    }

    /// <summary>Proposals drawn purely at random before refinement starts. Default 8.</summary>
    public int RandomProposals { get; init; } = 8;

    /// <inheritdoc />
    public IReadOnlyList<TrialSettings> Propose()
    {
        _proposed++;
        // Every draw happens whatever the branch, so the random stream does not depend on which branch ran.
        double u = _random.NextDouble();
        var family = _space.Families[_random.Next(_space.Families.Count)];
        double lr = _space.PeakLearningRate.LogUniform(_random);
        double warmup = _space.WarmupShare?.Uniform(_random) ?? 0;
        double? wd = _space.WeightDecay?.LogUniform(_random);
        double z = Normal(_random);
        if (_best is { } best && _proposed > RandomProposals && u < 0.5)
        {
            family = best.Settings.Family;
            lr = Math.Clamp(best.Settings.PeakLearningRate * Math.Pow(10, 0.5 * z), _space.PeakLearningRate.Min, _space.PeakLearningRate.Max);
            warmup = best.Settings.WarmupShare;
            wd = best.Settings.WeightDecay;
        }
        return family == ScheduleFamily.Knee
            ? [.. _space.ExploreShares.Order().Select(s => new TrialSettings(family, lr, s, warmup, wd))]
            : [new TrialSettings(family, lr, null, warmup, wd)];
    }

    /// <inheritdoc />
    public void Update(TrialSettings settings, int rungEpochs, double validationAccuracy)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (double.IsNaN(validationAccuracy)) return;
        if (_best is not { } best || rungEpochs > best.Rung || (rungEpochs == best.Rung && validationAccuracy > best.Accuracy))
            _best = (rungEpochs, validationAccuracy, settings);
    }

    private static double Normal(Random random)
    {
        double u1 = 1 - random.NextDouble(), u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
