using WideMinima.Sharpness;

namespace WideMinima.Training;

/// <summary>What happened while training a WideMinima model: the record a sweep keeps of each run.</summary>
public sealed record TrainingReport
{
    /// <summary>The seed that fixed initialisation, shuffling and the width sample.</summary>
    public required int Seed { get; init; }

    /// <summary>The schedule followed, as JSON (see <c>ScheduleJson</c>).</summary>
    public required string ScheduleJson { get; init; }

    /// <summary>Optimizer steps per epoch.</summary>
    public required int StepsPerEpoch { get; init; }

    /// <summary>The learning rate used by each optimizer step, in order.</summary>
    public required float[] LearningRates { get; init; }

    /// <summary>Per-epoch metrics.</summary>
    public required IReadOnlyList<EpochReport> Epochs { get; init; }

    /// <summary>The width of the trained model, when width options were given.</summary>
    public WidthReport? Width { get; init; }

    /// <summary>The Hessian's top eigenvalue and trace at the trained weights, when Hessian options were given.</summary>
    public HessianReport? Hessian { get; init; }

    /// <summary>The adaptive sharpness of the trained model, when adaptive options were given.</summary>
    public AdaptiveSharpnessReport? Adaptive { get; init; }

    /// <summary>Seconds spent on the Hessian and adaptive measures (0 when not measured).</summary>
    public double MeasureSeconds { get; init; }

    /// <summary>True when training stopped because the loss became NaN or infinite (<see cref="DivergenceAction.Stop"/>).</summary>
    public bool Diverged { get; init; }

    /// <summary>Seconds spent training (data copy into tensors included, width excluded).</summary>
    public required double TrainSeconds { get; init; }

    /// <summary>Seconds spent measuring the width (0 when not measured).</summary>
    public double WidthSeconds { get; init; }

    /// <summary>The device trained on, e.g. <c>cpu</c> or <c>cuda:0</c>.</summary>
    public required string Device { get; init; }

    /// <summary>Torch intra-op threads used.</summary>
    public required int Threads { get; init; }

    /// <summary>Training examples.</summary>
    public required int TrainingExamples { get; init; }

    /// <summary>The optimizer step of the checkpoint this training resumed or forked from; 0 when it started from scratch.</summary>
    public long ResumedFromStep { get; init; }

    /// <summary>The final epoch's mean training loss.</summary>
    public double FinalTrainLoss => Epochs.Count == 0 ? double.NaN : Epochs[^1].TrainLoss;
}
