using WideMinima.Models;
using WideMinima.Training;
using static TorchSharp.torch;

namespace WideMinima.Tuning;

/// <summary>The fork-and-decay trainer the tuning runs with.</summary>
internal static class TuningForks
{
    /// <summary>
    /// Fork-and-decay for Knee branches; null until the checkpoint primitive is available, in which case every share
    /// trains on its own (same numbers, no saving).
    /// </summary>
    public static ClassifierTrialRunner.ForkTrainer? Trainer => null;
}
