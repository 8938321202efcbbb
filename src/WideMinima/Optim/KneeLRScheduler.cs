using WideMinima.Schedules;
using static TorchSharp.torch.optim;

namespace WideMinima.Optim;

/// <summary>
/// The paper's reference <c>KneeLRScheduler(optimizer, peak_lr, warmup_steps, explore_steps, total_steps)</c>,
/// with the same arguments and behaviour, for code ported from Python: every parameter group gets the same
/// rate; construction sets <c>lr(1)</c>; the k-th <c>step()</c> sets <c>lr(k+1)</c>.
/// </summary>
/// <remarks>
/// Two differences, both where the reference fails: a budget whose explore phase fills it
/// (<c>warmup + explore == total</c>) holds the peak and then 0 instead of dividing by zero, and invalid
/// arguments throw <see cref="ArgumentException"/> naming the argument instead of an <c>assert</c>.
/// </remarks>
public sealed class KneeLRScheduler : ScheduledLR
{
    /// <summary>Creates the reference Knee scheduler.</summary>
    public KneeLRScheduler(Optimizer optimizer, double peakLr, long warmupSteps, long exploreSteps, long totalSteps)
        : base(optimizer, new KneeSchedule(peakLr, totalSteps, exploreSteps, warmupSteps), UnitScales(optimizer))
    {
    }

    private static double[] UnitScales(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        return [.. optimizer.ParamGroups.Select(_ => 1.0)];
    }
}
