using System.Text.Json.Serialization;

namespace WideMinima.Sharpness;

/// <summary>
/// The measures of minima width a sweep or a training run can record. In config files they are spelled
/// <c>keskar</c>, <c>hessian_top</c>, <c>hessian_trace</c> and <c>adaptive</c>. For every one, lower means flatter.
/// </summary>
public enum WidthMetric
{
    /// <summary>Keskar et al.'s ε-sharpness (<see cref="KeskarWidth"/>).</summary>
    [JsonStringEnumMemberName("keskar")]
    Keskar,

    /// <summary>The Hessian's top eigenvalue (<see cref="HessianSpectrum"/>).</summary>
    [JsonStringEnumMemberName("hessian_top")]
    HessianTop,

    /// <summary>The Hessian's trace by Hutchinson's estimator (<see cref="HessianSpectrum"/>).</summary>
    [JsonStringEnumMemberName("hessian_trace")]
    HessianTrace,

    /// <summary>Adaptive sharpness (<see cref="AdaptiveSharpness"/>).</summary>
    [JsonStringEnumMemberName("adaptive")]
    Adaptive,
}
