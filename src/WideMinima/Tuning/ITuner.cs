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
/// Seeded random search over a <see cref="TuningSpace"/> that covers the space evenly, with a simple model-based
/// refinement. Random proposals take the families in turn (each round a seeded shuffle of all of them), and each
/// family's peak rates follow a low-discrepancy sequence over the log range (van der Corput, shifted by a seeded
/// offset per family): its first two are half the range apart, its first four a quarter, and so on, so no family is
/// left with only low or only high peaks by the luck of the draw. Once <see cref="RandomProposals"/> proposals have
/// results, every other proposal samples around the best result seen at the highest rung (its family, its peak rate
/// times a log-normal factor of about half a decade). Proposals depend only on the seed and the results reported, so
/// a resumed tuning replays them exactly.
/// </summary>
public sealed class RandomTuner : ITuner
{
    private readonly TuningSpace _space;
    private readonly Random _random;
    private readonly Queue<ScheduleFamily> _round = new();
    private readonly Dictionary<ScheduleFamily, (int Drawn, double Offset)> _peaks = [];
    private int _proposed;
    private (int Rung, double Accuracy, TrialSettings Settings)? _best;

    /// <summary>Creates the tuner; the space is validated here.</summary>
    public RandomTuner(TuningSpace space, int seed)
    {
        ArgumentNullException.ThrowIfNull(space);
        space.Validate();
        _space = space;
        _random = new Random(seed);
        foreach (var family in space.Families.Distinct()) _peaks[family] = (0, _random.NextDouble());
    }

    /// <summary>Proposals drawn purely at random before refinement starts. Default 8.</summary>
    public int RandomProposals { get; init; } = 8;

    /// <inheritdoc />
    public IReadOnlyList<TrialSettings> Propose()
    {
        _proposed++;
        double u = _random.NextDouble();
        double warmup = _space.WarmupShare?.Uniform(_random) ?? 0;
        double? wd = _space.WeightDecay?.LogUniform(_random);
        double z = Normal(_random);
        ScheduleFamily family;
        double lr;
        if (_best is { } best && _proposed > RandomProposals && u < 0.5)
        {
            family = best.Settings.Family;
            lr = Math.Clamp(best.Settings.PeakLearningRate * Math.Pow(10, 0.5 * z), _space.PeakLearningRate.Min, _space.PeakLearningRate.Max);
            warmup = best.Settings.WarmupShare;
            wd = best.Settings.WeightDecay;
        }
        else
        {
            if (_round.Count == 0)
            {
                var families = _space.Families.Distinct().ToArray();
                _random.Shuffle(families);
                foreach (var f in families) _round.Enqueue(f);
            }
            family = _round.Dequeue();
            var (drawn, offset) = _peaks[family];
            _peaks[family] = (drawn + 1, offset);
            double q = VanDerCorput(drawn) + offset;
            lr = _space.PeakLearningRate.LogAt(q - Math.Floor(q));
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

    /// <summary>The base-2 van der Corput sequence: 0, 1/2, 1/4, 3/4, 1/8, 5/8, ... (the bits of <paramref name="index"/> mirrored).</summary>
    public static double VanDerCorput(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        double value = 0, place = 0.5;
        for (int n = index; n > 0; n >>= 1, place /= 2)
            if ((n & 1) == 1) value += place;
        return value;
    }

    private static double Normal(Random random)
    {
        double u1 = 1 - random.NextDouble(), u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
