using System.Text.Json.Serialization;

namespace WideMinima.Training;

/// <summary>The training optimizer. Each member carries the name config files spell it with.</summary>
public enum OptimizerKind
{
    /// <summary><c>sgd</c>: SGD with (Nesterov) momentum: the paper's optimizer for image classification.</summary>
    [JsonStringEnumMemberName("sgd")] Sgd,

    /// <summary><c>adamw</c>: AdamW (decoupled weight decay).</summary>
    [JsonStringEnumMemberName("adamw")] AdamW,

    /// <summary>
    /// <c>schedule-free-sgd</c>: <see cref="Optim.ScheduleFreeSgd"/>; the momentum is its interpolation β, in (0, 1).
    /// Training steps are taken at y; validation, test, width measures and the returned network use the average x.
    /// </summary>
    [JsonStringEnumMemberName("schedule-free-sgd")] ScheduleFreeSgd,

    /// <summary>
    /// <c>schedule-free-adamw</c>: <see cref="Optim.ScheduleFreeAdamW"/>; the momentum is its β1, in (0, 1) (β2 0.999,
    /// ε 1e-8). Evaluated at the average x, as Schedule-Free SGD.
    /// </summary>
    [JsonStringEnumMemberName("schedule-free-adamw")] ScheduleFreeAdamW,
}
