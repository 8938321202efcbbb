using System.Globalization;
using System.Reflection;
using System.Text.Json.Serialization;

namespace WideMinima.Sweeps.Config;

/// <summary>Invalid sweep input, found before any training: names the field and the value. Exit code 2.</summary>
public sealed class SweepConfigException : Exception
{
    /// <summary>Creates the exception for a field and its value.</summary>
    public SweepConfigException(string field, object? value, string rule)
        : base(string.Create(CultureInfo.InvariantCulture, $"{field}: {rule}, but was {Format(value)}."))
    {
        Field = field;
    }

    /// <summary>Creates the exception for a field and its value in a config file, named first.</summary>
    public SweepConfigException(string source, string field, object? value, string rule)
        : base(string.Create(CultureInfo.InvariantCulture, $"{source}: {field}: {rule}, but was {Format(value)}."))
    {
        Field = field;
    }

    /// <summary>Creates the exception with a message.</summary>
    public SweepConfigException(string message) : base(message)
    {
        Field = "";
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public SweepConfigException(string message, Exception innerException) : base(message, innerException)
    {
        Field = "";
    }

    /// <summary>Creates the exception.</summary>
    public SweepConfigException() : this("Invalid sweep configuration.")
    {
    }

    /// <summary>The offending field, e.g. <c>explore_fractions[2]</c>.</summary>
    public string Field { get; }

    private static string Format(object? value) => value switch
    {
        null => "null",
        string s => $"'{s}'",
        Enum e => $"'{e.GetType().GetField(e.ToString())?.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? e.ToString()}'",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "null",
    };
}
