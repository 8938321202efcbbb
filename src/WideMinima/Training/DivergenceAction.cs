using System.Text.Json.Serialization;

namespace WideMinima.Training;

/// <summary>What to do when the training loss becomes NaN or infinite.</summary>
public enum DivergenceAction
{
    /// <summary>Throw <see cref="TrainingDivergedException"/>: no model is returned. The default.</summary>
    [JsonStringEnumMemberName("throw")] Throw,
    /// <summary>
    /// Stop training and return the model with <c>TrainingReport.Diverged</c> set, for sweeps that record
    /// divergence as an outcome. Such a model's scores are not meaningful.
    /// </summary>
    [JsonStringEnumMemberName("stop")] Stop,
}
