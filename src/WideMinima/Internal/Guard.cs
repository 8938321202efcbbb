using System.Globalization;

namespace WideMinima.Internal;

/// <summary>
/// Argument checks shared by every public entry point. Each message names the parameter and the
/// offending value, so that a bad sweep config or option is fixed from the message alone.
/// </summary>
internal static class Guard
{
    public static double Positive(double value, string name)
    {
        if (!double.IsFinite(value) || value <= 0)
            throw Fail(name, value, "must be a finite number greater than 0");
        return value;
    }

    public static double NonNegative(double value, string name)
    {
        if (!double.IsFinite(value) || value < 0)
            throw Fail(name, value, "must be a finite number greater than or equal to 0");
        return value;
    }

    public static double Fraction(double value, string name)
    {
        if (!double.IsFinite(value) || value < 0 || value > 1)
            throw Fail(name, value, "must be a fraction in [0, 1]");
        return value;
    }

    /// <summary>A fraction strictly between 0 and 1 (an interpolation or averaging coefficient).</summary>
    public static double OpenFraction(double value, string name, string? why = null)
    {
        if (!double.IsFinite(value) || value <= 0 || value >= 1)
            throw Fail(name, value, "must lie strictly between 0 and 1, in (0, 1)" + (why is null ? "" : $" ({why})"));
        return value;
    }

    public static long Positive(long value, string name)
    {
        if (value <= 0) throw Fail(name, value, "must be greater than 0");
        return value;
    }

    public static int Positive(int value, string name)
    {
        if (value <= 0) throw Fail(name, value, "must be greater than 0");
        return value;
    }

    public static long NonNegative(long value, string name)
    {
        if (value < 0) throw Fail(name, value, "must be greater than or equal to 0");
        return value;
    }

    /// <summary>A floor learning rate: finite, not negative, and below the peak.</summary>
    public static double Floor(double floor, double peak, string name)
    {
        NonNegative(floor, name);
        if (floor >= peak) throw Fail(name, floor, string.Create(CultureInfo.InvariantCulture, $"must be below the peak learning rate ({peak})"));
        return floor;
    }

    public static ArgumentOutOfRangeException Fail(string name, object? value, string rule) => Settings.OutOfRange(name, value, rule);
}
