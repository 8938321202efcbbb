using WideMinima.Ledger;
using WideMinima.Models;
using WideMinima.Sharpness;
using WideMinima.Training;
using WideMinima.Tuning;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace WideMinima.Sweeps.Config;

/// <summary>
/// The config's use of spelled enum names (<see cref="EnumNames"/>: the names on the enums themselves, core enums
/// included): parsing a name from a config file or a flag into a value, with an error that names the field, the value
/// and the known names. Names are case-sensitive.
/// </summary>
public static class ConfigNames
{
    /// <summary>The spelled name of <paramref name="value"/>; an undefined value throws.</summary>
    public static string Name<T>(T value) where T : struct, Enum => EnumNames.Name(value);

    /// <summary>The value spelled <paramref name="name"/>, if there is one a config may use.</summary>
    public static bool TryParse<T>(string? name, out T value) where T : struct, Enum =>
        EnumNames.TryParse(name, out value) && All<T>().Contains(name!);

    /// <summary>The value spelled <paramref name="name"/>, or <see cref="SweepConfigException"/> naming the field and listing the names.</summary>
    public static T Parse<T>(string field, string? name) where T : struct, Enum =>
        TryParse(name, out T value) ? value : throw new SweepConfigException(field, name, Rule<T>());

    /// <summary>
    /// Every spelled name a config may use, in declaration order: all of the enum's, except <c>custom</c> for the model
    /// (a network built by code has no place in a config file).
    /// </summary>
    public static IReadOnlyList<string> All<T>() where T : struct, Enum =>
        typeof(T) == typeof(ModelKind) ? [.. EnumNames.All<T>().Where(n => n != EnumNames.Name(ModelKind.Custom))] : EnumNames.All<T>();

    /// <summary>"is not a known schedule (cosine, step, ...)": the rule an unknown name breaks.</summary>
    public static string Rule<T>() where T : struct, Enum => $"is not a known {Describe<T>()} ({string.Join(", ", All<T>())})";

    /// <summary>What a value of <typeparamref name="T"/> is, in words, for messages.</summary>
    public static string Describe<T>() where T : struct, Enum => typeof(T) switch
    {
        var t when t == typeof(ScheduleFamily) => "schedule",
        var t when t == typeof(ModelKind) => "model kind",
        var t when t == typeof(OptimizerKind) => "optimizer",
        var t when t == typeof(DeviceKind) => "device",
        var t when t == typeof(AscentMethod) => "width method",
        var t when t == typeof(Augmentation) => "augmentation",
        var t when t == typeof(DivergenceAction) => "divergence action",
        var t when t == typeof(DatasetKind) => "dataset kind",
        var t when t == typeof(WidthMetric) => "metric",
        var t when t == typeof(AdaptiveNorm) => "adaptive norm",
        _ => typeof(T).Name,
    };

    /// <summary>Throws <see cref="SweepConfigException"/> naming the field when <paramref name="value"/> is not a defined member.</summary>
    public static void CheckDefined<T>(T value, string field) where T : struct, Enum
    {
        if (!Enum.IsDefined(value)) throw new SweepConfigException(field, value, Rule<T>());
    }
}

/// <summary>An unknown name in a config file: carries the value and the rule, so the error names both.</summary>
public sealed class ConfigNameException : JsonException
{
    /// <summary>Creates the exception.</summary>
    public ConfigNameException(string? value, string rule) : base($"{rule}, but was '{value}'")
    {
        Value = value;
        Rule = rule;
    }

    /// <summary>Creates the exception.</summary>
    public ConfigNameException() : this(null, "is not a known name")
    {
    }

    /// <summary>Creates the exception.</summary>
    public ConfigNameException(string message) : this(null, message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ConfigNameException(string message, Exception innerException) : base(message, innerException)
    {
        Rule = message;
    }

    /// <summary>The text found (null when it was not a string).</summary>
    public string? Value { get; }

    /// <summary>The rule it breaks, e.g. <c>is not a known schedule (cosine, ...)</c>.</summary>
    public string Rule { get; }
}

/// <summary>Reads and writes a config enum as its spelled name; anything else is a <see cref="ConfigNameException"/>.</summary>
public sealed class ConfigNameConverter<T> : JsonConverter<T> where T : struct, Enum
{
    /// <inheritdoc/>
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            string found = reader.TokenType is JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null
                ? System.Text.Encoding.UTF8.GetString(reader.ValueSpan) : reader.TokenType.ToString();
            throw new ConfigNameException(found, $"must be a name: one of {string.Join(", ", ConfigNames.All<T>())}");
        }
        string? name = reader.GetString();
        return ConfigNames.TryParse(name, out T value) ? value : throw new ConfigNameException(name, ConfigNames.Rule<T>());
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(ConfigNames.Name(value));
    }
}
