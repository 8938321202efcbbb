namespace WideMinima;

/// <summary>
/// How an options type says which of its settings holds a bad value: every check throws an
/// <see cref="ArgumentOutOfRangeException"/> whose <see cref="ArgumentException.ParamName"/> is the setting as the type
/// names it (<c>WeightDecay</c>, <c>HiddenSizes[1]</c>),
/// whose <see cref="ArgumentOutOfRangeException.ActualValue"/> is the value, and whose rule (<c>must be a finite number
/// greater than 0</c>) <see cref="Rule"/> returns, so that a caller can say the same in its own words: the sweep console
/// turns the setting into the config's key (<c>width.epsilon</c>) and exits with code 2.
/// </summary>
public static class Settings
{
    private const string RuleKey = "WideMinima.Rule";

    /// <summary>The error for <paramref name="setting"/> holding <paramref name="value"/>, which breaks <paramref name="rule"/>.</summary>
    public static ArgumentOutOfRangeException OutOfRange(string setting, object? value, string rule)
    {
        var e = new ArgumentOutOfRangeException(setting, value, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"'{setting}' {rule}, but was {Format(value)}."));
        e.Data[RuleKey] = rule;
        return e;
    }

    /// <summary>The rule an error of <see cref="OutOfRange"/> says the value breaks, or null for any other error.</summary>
    public static string? Rule(ArgumentOutOfRangeException error) => error?.Data[RuleKey] as string;

    private static string Format(object? value) => value switch
    {
        null => "null",
        double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "null",
    };
}
