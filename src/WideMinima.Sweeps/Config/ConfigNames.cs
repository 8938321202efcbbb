using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using WideMinima.Ledger;

namespace WideMinima.Sweeps.Config;

/// <summary>
/// The spelled names of the config enums (their <see cref="JsonStringEnumMemberNameAttribute"/>): the one place
/// that turns a name from a config file or a flag into an enum value and back. Names are case-sensitive.
/// </summary>
public static class ConfigNames
{
    /// <summary>The spelled name of <paramref name="value"/>; an undefined value throws.</summary>
    public static string Name<T>(T value) where T : struct, Enum =>
        Table<T>.ByValue.TryGetValue(value, out string? name) ? name
        : throw new ArgumentOutOfRangeException(nameof(value), value, $"is not a defined {typeof(T).Name}");

    /// <summary>The value spelled <paramref name="name"/>, if there is one.</summary>
    public static bool TryParse<T>(string? name, out T value) where T : struct, Enum
    {
        if (name is not null && Table<T>.ByName.TryGetValue(name, out value)) return true;
        value = default;
        return false;
    }

    /// <summary>The value spelled <paramref name="name"/>, or <see cref="SweepConfigException"/> naming the field and listing the names.</summary>
    public static T Parse<T>(string field, string? name) where T : struct, Enum =>
        TryParse(name, out T value) ? value : throw new SweepConfigException(field, name, Rule<T>());

    /// <summary>Every spelled name, in declaration order.</summary>
    public static IReadOnlyList<string> All<T>() where T : struct, Enum => Table<T>.Names;

    /// <summary>"is not a known schedule (cosine, step, ...)": the rule an unknown name breaks.</summary>
    public static string Rule<T>() where T : struct, Enum => $"is not a known {Describe<T>()} ({string.Join(", ", All<T>())})";

    /// <summary>What a value of <typeparamref name="T"/> is, in words, for messages.</summary>
    public static string Describe<T>() where T : struct, Enum => typeof(T).Name switch
    {
        nameof(SweepSchedule) => "schedule",
        nameof(SweepModel) => "model kind",
        nameof(SweepOptimizer) => "optimizer",
        nameof(SweepDevice) => "device",
        nameof(WidthMethod) => "width method",
        nameof(DatasetKind) => "dataset kind",
        nameof(WideMinima.Ledger.WidthMetric) => "metric",
        nameof(WideMinima.Sharpness.AdaptiveNorm) => "adaptive norm",
        _ => throw new ArgumentException($"{typeof(T).Name} is not a config enum.", nameof(T)),
    };

    /// <summary>Throws <see cref="SweepConfigException"/> naming the field when <paramref name="value"/> is not a defined member.</summary>
    public static void CheckDefined<T>(T value, string field) where T : struct, Enum
    {
        if (!Enum.IsDefined(value)) throw new SweepConfigException(field, value, Rule<T>());
    }

    private static class Table<T> where T : struct, Enum
    {
        public static readonly IReadOnlyList<string> Names;
        public static readonly Dictionary<string, T> ByName = new(StringComparer.Ordinal);
        public static readonly Dictionary<T, string> ByValue = [];

        static Table()
        {
            var names = new List<string>();
            foreach (var field in typeof(T).GetFields(BindingFlags.Public | BindingFlags.Static))
            {
                string name = field.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name
                    ?? throw new InvalidOperationException($"{typeof(T).Name}.{field.Name} has no spelled name.");
                var value = (T)field.GetValue(null)!;
                ByName.Add(name, value);
                ByValue.Add(value, name);
                names.Add(name);
            }
            Names = names;
        }
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
