using System.Globalization;
using WideMinima.Schedules;

namespace WideMinima.Tuning;

/// <summary>One point of the search space: a schedule family and its settings.</summary>
/// <param name="Family">The schedule family.</param>
/// <param name="PeakLearningRate">The peak learning rate.</param>
/// <param name="ExploreShare">Knee's explore share of the budget after warmup; null for the other families.</param>
/// <param name="WarmupShare">Linear warmup as a share of the budget.</param>
/// <param name="WeightDecay">Weight decay; null keeps the training options' value.</param>
public sealed record TrialSettings(ScheduleFamily Family, double PeakLearningRate, double? ExploreShare, double WarmupShare, double? WeightDecay)
{
    /// <summary>The schedule these settings describe, independent of the budget.</summary>
    public ScheduleOptions ToSchedule() => Family.Schedule(PeakLearningRate, WarmupShare, ExploreShare);

    /// <summary>A short label, e.g. <c>knee e0.5 lr 0.0912</c>.</summary>
    public string Label
    {
        get
        {
            var s = string.Create(CultureInfo.InvariantCulture, $"{Family.Name()}{(ExploreShare is double e ? $" e{e:0.###}" : "")} lr {PeakLearningRate:0.####}");
            if (WarmupShare > 0) s += string.Create(CultureInfo.InvariantCulture, $" warmup {WarmupShare:0.###}");
            if (WeightDecay is double wd) s += string.Create(CultureInfo.InvariantCulture, $" wd {wd:0.###e0}");
            return s;
        }
    }
}
