using System.Text.Json;
using System.Text.Json.Serialization;
using WideMinima.Schedules;
using WideMinima.Training;

namespace WideMinima.Tuning;

/// <summary>
/// The learning-rate schedule families that sweeps compare and the tuner searches: the one enum of schedule names in
/// config files, ledgers and reports.
/// </summary>
[JsonConverter(typeof(ScheduleFamilyJsonConverter))]
public enum ScheduleFamily
{
    /// <summary><c>knee</c>: explore at the peak for a share of the budget, then decay linearly to 0.</summary>
    [JsonStringEnumMemberName("knee")] Knee,

    /// <summary><c>cosine</c>: cosine decay to 0.</summary>
    [JsonStringEnumMemberName("cosine")] Cosine,

    /// <summary><c>step</c>: step decay, x0.1 at each milestone (50% and 75% of the budget by default).</summary>
    [JsonStringEnumMemberName("step")] Step,

    /// <summary><c>explore-step</c>: the paper's Section 3 protocol (explore, then x0.1 steps), once per explore share.</summary>
    [JsonStringEnumMemberName("explore-step")] ExploreStep,

    /// <summary><c>linear</c>: linear decay to 0 (Knee with no explore).</summary>
    [JsonStringEnumMemberName("linear")] Linear,

    /// <summary><c>one-cycle</c>: PyTorch's one-cycle.</summary>
    [JsonStringEnumMemberName("one-cycle")] OneCycle,

    /// <summary><c>constant</c>: the peak rate throughout (after any warmup).</summary>
    [JsonStringEnumMemberName("constant")] Constant,

    /// <summary>
    /// <c>schedule-free</c>: no schedule at all: the constant rate with warmup under the Schedule-Free optimizer of the
    /// training's optimizer family (Defazio et al. 2024): SGD gives Schedule-Free SGD, AdamW Schedule-Free AdamW.
    /// </summary>
    [JsonStringEnumMemberName("schedule-free")] ScheduleFree,
}

/// <summary>The rules of <see cref="ScheduleFamily"/>: names, and what a family trains (one exhaustive switch each).</summary>
public static class ScheduleFamilies
{
    /// <summary>Every family, in order.</summary>
    public static IReadOnlyList<ScheduleFamily> Every { get; } = Enum.GetValues<ScheduleFamily>();

    /// <summary>The families the tuner searches by default: knee, cosine, step, one-cycle.</summary>
    public static IReadOnlyList<ScheduleFamily> DefaultTuned { get; } = [ScheduleFamily.Knee, ScheduleFamily.Cosine, ScheduleFamily.Step, ScheduleFamily.OneCycle];

    /// <summary>The spelled name, e.g. <c>knee</c>, <c>one-cycle</c> or <c>schedule-free</c>.</summary>
    public static string Name(this ScheduleFamily family) => family switch
    {
        ScheduleFamily.Knee => "knee",
        ScheduleFamily.Cosine => "cosine",
        ScheduleFamily.Step => "step",
        ScheduleFamily.OneCycle => "one-cycle",
        ScheduleFamily.ExploreStep => "explore-step",
        ScheduleFamily.Linear => "linear",
        ScheduleFamily.Constant => "constant",
        ScheduleFamily.ScheduleFree => "schedule-free",
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, "not a schedule family"),
    };

    /// <summary>Parses a spelled name; null when it is not one.</summary>
    public static ScheduleFamily? Parse(string? name) => name switch
    {
        "knee" => ScheduleFamily.Knee,
        "cosine" => ScheduleFamily.Cosine,
        "step" => ScheduleFamily.Step,
        "one-cycle" => ScheduleFamily.OneCycle,
        "explore-step" => ScheduleFamily.ExploreStep,
        "linear" => ScheduleFamily.Linear,
        "constant" => ScheduleFamily.Constant,
        "schedule-free" => ScheduleFamily.ScheduleFree,
        _ => null,
    };

    /// <summary>The error for a name that is not a family.</summary>
    public static string Unknown(string? name) =>
        $"'{name}' is not a schedule family ({string.Join(", ", Every.Select(f => f.Name()))})";

    /// <summary>True for the families that run once per explore share (Knee and the explore-step protocol).</summary>
    public static bool HasExploreShare(this ScheduleFamily family) => family switch
    {
        ScheduleFamily.Knee or ScheduleFamily.ExploreStep => true,
        ScheduleFamily.Cosine or ScheduleFamily.Step or ScheduleFamily.OneCycle or ScheduleFamily.Linear or ScheduleFamily.Constant or ScheduleFamily.ScheduleFree => false,
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, "not a schedule family"),
    };

    /// <summary>
    /// The budget-free schedule of <paramref name="family"/> at peak <paramref name="peak"/> with linear warmup
    /// <paramref name="warmup"/> (a share of the budget); <paramref name="explore"/> for the families that have one,
    /// <paramref name="stepMilestones"/> for step (null: its default, 50% and 75%).
    /// </summary>
    public static ScheduleOptions Schedule(this ScheduleFamily family, double peak, double warmup, double? explore = null, IReadOnlyList<double>? stepMilestones = null)
    {
        ScheduleOptions options = family switch
        {
            ScheduleFamily.Knee => new KneeScheduleOptions { ExploreFraction = explore ?? throw new ArgumentException("A Knee schedule needs an explore share.", nameof(explore)) },
            ScheduleFamily.ExploreStep => new ExploreStepScheduleOptions { ExploreFraction = explore ?? throw new ArgumentException("An explore-step schedule needs an explore share.", nameof(explore)) },
            ScheduleFamily.Cosine => new CosineScheduleOptions(),
            ScheduleFamily.Step => stepMilestones is null ? new StepScheduleOptions() : new StepScheduleOptions { MilestoneFractions = [.. stepMilestones] },
            ScheduleFamily.OneCycle => new OneCycleScheduleOptions(),
            ScheduleFamily.Linear => new LinearScheduleOptions(),
            ScheduleFamily.Constant or ScheduleFamily.ScheduleFree => new ConstantScheduleOptions(),
            _ => throw new ArgumentOutOfRangeException(nameof(family), family, "not a schedule family"),
        };
        options.PeakLearningRate = peak;
        options.WarmupFraction = warmup;
        return options;
    }

    /// <summary>
    /// The optimizer a family trains with, given the training's own: the Schedule-Free one of the same family for
    /// <see cref="ScheduleFamily.ScheduleFree"/> (SGD or AdamW), the training's own for every other family.
    /// </summary>
    public static OptimizerKind Optimizer(this ScheduleFamily family, OptimizerKind training) => family switch
    {
        ScheduleFamily.ScheduleFree => training switch
        {
            OptimizerKind.Sgd or OptimizerKind.ScheduleFreeSgd => OptimizerKind.ScheduleFreeSgd,
            OptimizerKind.AdamW or OptimizerKind.ScheduleFreeAdamW => OptimizerKind.ScheduleFreeAdamW,
            _ => throw new ArgumentOutOfRangeException(nameof(training), training, "not an optimizer"),
        },
        ScheduleFamily.Knee or ScheduleFamily.Cosine or ScheduleFamily.Step or ScheduleFamily.OneCycle or ScheduleFamily.ExploreStep
            or ScheduleFamily.Linear or ScheduleFamily.Constant => training,
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, "not a schedule family"),
    };
}

/// <summary>Reads and writes <see cref="ScheduleFamily"/> by its spelled name; an unknown name is an error that names it.</summary>
public sealed class ScheduleFamilyJsonConverter : JsonConverter<ScheduleFamily>
{
    /// <inheritdoc />
    public override ScheduleFamily Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String) throw new JsonException($"a schedule family must be a string ({string.Join(", ", ScheduleFamilies.Every.Select(f => f.Name()))}), not {reader.TokenType}");
        string? name = reader.GetString();
        return ScheduleFamilies.Parse(name) ?? throw new JsonException(ScheduleFamilies.Unknown(name));
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, ScheduleFamily value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.Name());
    }
}
