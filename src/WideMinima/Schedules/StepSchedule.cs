using System.Globalization;
using System.Text.Json.Serialization;
using WideMinima.Internal;

namespace WideMinima.Schedules;

/// <summary>
/// Step decay: the peak, multiplied by <see cref="Factor"/> once for every milestone already passed
/// (PyTorch's <c>MultiStepLR</c>). A milestone <c>m</c> means "after <c>m</c> steps", so step <c>m + 1</c>
/// is the first at the lower rate.
/// </summary>
public sealed class StepSchedule : LearningRateSchedule
{
    private readonly long[] _milestones;

    /// <summary>Creates a step schedule.</summary>
    /// <param name="peakLearningRate">The rate before the first milestone.</param>
    /// <param name="totalSteps">The budget in steps.</param>
    /// <param name="milestones">Strictly increasing steps in [1, totalSteps] after which the rate drops.</param>
    /// <param name="factor">The multiplier at each milestone, in (0, 1]; default 0.1.</param>
    /// <param name="warmupSteps">Linear warmup steps (default 0).</param>
    [JsonConstructor]
    public StepSchedule(double peakLearningRate, long totalSteps, IReadOnlyList<long> milestones, double factor = 0.1, long warmupSteps = 0)
        : base(peakLearningRate, totalSteps, warmupSteps)
    {
        ArgumentNullException.ThrowIfNull(milestones);
        _milestones = [.. milestones];
        for (int i = 0; i < _milestones.Length; i++)
        {
            long m = _milestones[i];
            if (m < 1 || m > totalSteps)
                throw Guard.Fail($"{nameof(milestones)}[{i}]", m, $"must be in [1, totalSteps = {totalSteps}]");
            if (i > 0 && m <= _milestones[i - 1])
                throw Guard.Fail($"{nameof(milestones)}[{i}]", m, $"must be greater than the milestone before it ({_milestones[i - 1]}): milestones must be sorted and distinct");
        }
        Factor = Guard.Positive(factor, nameof(factor));
        if (factor > 1) throw Guard.Fail(nameof(factor), factor, "must be in (0, 1]");
    }

    /// <summary>Creates the classic step baseline with milestones at the given fractions of the budget (e.g. 0.5 and 0.75).</summary>
    public static StepSchedule AtFractions(double peakLearningRate, long totalSteps, IReadOnlyList<double> milestoneFractions,
        double factor = 0.1, long warmupSteps = 0)
    {
        ArgumentNullException.ThrowIfNull(milestoneFractions);
        Guard.Positive(totalSteps, nameof(totalSteps));
        var steps = new long[milestoneFractions.Count];
        for (int i = 0; i < steps.Length; i++)
        {
            double f = Guard.Fraction(milestoneFractions[i], $"{nameof(milestoneFractions)}[{i}]");
            steps[i] = Math.Max(1, (long)Math.Round(f * totalSteps, MidpointRounding.AwayFromZero));
            // On tiny budgets two fractions can round to the same step; keep every drop by moving the later one on.
            if (i > 0 && steps[i] <= steps[i - 1]) steps[i] = steps[i - 1] + 1;
            if (steps[i] > totalSteps)
                throw Guard.Fail(nameof(totalSteps), totalSteps, $"is too small to place {milestoneFractions.Count} distinct milestones");
        }
        return new StepSchedule(peakLearningRate, totalSteps, steps, factor, warmupSteps);
    }

    /// <summary>Steps after which the rate is multiplied by <see cref="Factor"/>.</summary>
    public IReadOnlyList<long> Milestones => _milestones;

    /// <summary>The multiplier applied at each milestone.</summary>
    public double Factor { get; }

    /// <inheritdoc />
    [JsonIgnore]
    public override string Kind => "step";

    /// <inheritdoc />
    [JsonIgnore]
    public override string Description => string.Create(CultureInfo.InvariantCulture,
        $"step(peak={PeakLearningRate}, warmup={WarmupSteps}, milestones=[{string.Join(",", _milestones)}], factor={Factor})");

    /// <inheritdoc />
    protected override double AfterWarmup(long step)
    {
        int passed = 0;
        while (passed < _milestones.Length && _milestones[passed] < step) passed++;
        return PeakLearningRate * Math.Pow(Factor, passed);
    }
}
