using WideMinima.Internal;

namespace WideMinima.Schedules;

/// <summary>Options shared by the schedules that decay to a floor over the whole budget (cosine, linear).</summary>
public abstract class FloorDecayScheduleOptions : ScheduleOptions
{
    /// <summary>The rate the decay ends at. Default 0.</summary>
    public double FloorLearningRate { get; set; }

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        Guard.Floor(FloorLearningRate, PeakLearningRate, nameof(FloorLearningRate));
    }
}
