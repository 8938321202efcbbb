using System.Text.Json;
using System.Text.Json.Serialization;

namespace WideMinima.Tuning;

/// <summary>The schedule families the tuner compares. In JSON and YAML: <c>knee</c>, <c>cosine</c>, <c>step</c>, <c>one-cycle</c>.</summary>
[JsonConverter(typeof(ScheduleFamilyJsonConverter))]
public enum ScheduleFamily
{
    /// <summary>Knee: explore at the peak for a share of the budget, then decay linearly to 0.</summary>
    Knee,

    /// <summary>Cosine decay to 0.</summary>
    Cosine,

    /// <summary>Step decay, x0.1 at 50% and 75% of the budget.</summary>
    Step,

    /// <summary>One-cycle (PyTorch's defaults).</summary>
    OneCycle,
}

/// <summary>Spelled names of <see cref="ScheduleFamily"/>; one exhaustive switch each way.</summary>
public static class ScheduleFamilies
{
    /// <summary>Every family, in order.</summary>
    public static IReadOnlyList<ScheduleFamily> All { get; } = [ScheduleFamily.Knee, ScheduleFamily.Cosine, ScheduleFamily.Step, ScheduleFamily.OneCycle];

    /// <summary>The spelled name: <c>knee</c>, <c>cosine</c>, <c>step</c> or <c>one-cycle</c>.</summary>
    public static string Name(this ScheduleFamily family) => family switch
    {
        ScheduleFamily.Knee => "knee",
        ScheduleFamily.Cosine => "cosine",
        ScheduleFamily.Step => "step",
        ScheduleFamily.OneCycle => "one-cycle",
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, "not a schedule family"),
    };

    /// <summary>Parses a spelled name; null when it is not one.</summary>
    public static ScheduleFamily? Parse(string? name) => name switch
    {
        "knee" => ScheduleFamily.Knee,
        "cosine" => ScheduleFamily.Cosine,
        "step" => ScheduleFamily.Step,
        "one-cycle" => ScheduleFamily.OneCycle,
        _ => null,
    };

    /// <summary>The error for a name that is not a family.</summary>
    public static string Unknown(string? name) =>
        $"'{name}' is not a schedule family (knee, cosine, step, one-cycle)";
}

/// <summary>Reads and writes <see cref="ScheduleFamily"/> by its spelled name; an unknown name is an error that names it.</summary>
public sealed class ScheduleFamilyJsonConverter : JsonConverter<ScheduleFamily>
{
    /// <inheritdoc />
    public override ScheduleFamily Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String) throw new JsonException($"a schedule family must be a string (knee, cosine, step, one-cycle), not {reader.TokenType}");
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
