using System.Text.Json;
using System.Text.Json.Serialization;
using WideMinima.Reports;

namespace WideMinima.Sweeps.Config;

/// <summary>
/// The config's <c>peak_lr</c>: either one peak learning rate shared by every setting (<c>peak_lr: 0.1</c>, as before),
/// or a calibration that chooses each setting's own peak at each budget on a validation split
/// (<c>peak_lr: { calibrate: { min: 0.01, max: 1.0, points: 7, validation_share: 0.1 } }</c>).
/// A number converts to it implicitly, so <c>PeakLr = 0.1</c> keeps meaning what it meant.
/// </summary>
[JsonConverter(typeof(PeakRateConverter))]
public sealed record PeakRate
{
    /// <summary>The shared peak rate, or null when <see cref="Calibrate"/> chooses one per setting.</summary>
    public double? Shared { get; init; }

    /// <summary>The calibration, or null for a shared peak.</summary>
    public PeakCalibration? Calibrate { get; init; }

    /// <summary>A shared peak rate.</summary>
    public static implicit operator PeakRate(double shared) => new() { Shared = shared };

    /// <summary>A shared peak rate (the named alternative of the implicit conversion).</summary>
    public static PeakRate FromDouble(double shared) => shared;

    /// <summary>The shared rate; throws when the peak is calibrated.</summary>
    public double Value => Shared ?? throw new InvalidOperationException("peak_lr is calibrated per setting; there is no shared peak rate.");

    /// <inheritdoc/>
    public override string ToString() => Shared is double s ? s.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : $"calibrate {Calibrate}";
}

/// <summary>
/// <c>peak_lr.calibrate</c>: each setting trains at <see cref="Points"/> peaks spaced evenly in log between
/// <see cref="Min"/> and <see cref="Max"/> (one seed each, coarse points first, then the two neighbours of the best), scored
/// on a seeded, stratified <see cref="ValidationShare"/> of the training data; its final runs use the best.
/// </summary>
public sealed record PeakCalibration
{
    /// <summary>The default <see cref="Min"/>: 0.01.</summary>
    public const double DefaultMin = 0.01;

    /// <summary>The default <see cref="Max"/>: 1.0.</summary>
    public const double DefaultMax = 1.0;

    /// <summary>The default <see cref="Points"/>: 7.</summary>
    public const int DefaultPoints = 7;

    /// <summary>The default <see cref="ValidationShare"/>: 0.1.</summary>
    public const double DefaultValidationShare = 0.1;

    /// <summary>The smallest peak tried (&gt; 0). Default <see cref="DefaultMin"/>.</summary>
    public double Min { get; init; } = DefaultMin;

    /// <summary>The largest peak tried (&gt; <see cref="Min"/>). Default <see cref="DefaultMax"/>.</summary>
    public double Max { get; init; } = DefaultMax;

    /// <summary>The grid's points, at least 3, both ends included. Default <see cref="DefaultPoints"/>.</summary>
    public int Points { get; init; } = DefaultPoints;

    /// <summary>The share of the training data held out to score the calibration, in (0, 0.5]. Default <see cref="DefaultValidationShare"/>.</summary>
    public double ValidationShare { get; init; } = DefaultValidationShare;

    /// <summary>The grid's <paramref name="index"/>-th peak: <c>min · (max/min)^(index/(points−1))</c>, the ends exact.</summary>
    public double Peak(int index)
    {
        if (index <= 0) return Min;
        if (index >= Points - 1) return Max;
        return Min * Math.Pow(Max / Min, index / (double)(Points - 1));
    }
}

/// <summary>
/// The config's <c>seeds</c>: a count every setting runs (<c>seeds: 3</c>, as before), or rounds
/// (<c>seeds: { min: 3, max: 20, target_ci: 0.15 }</c>, <see cref="SeedRounds"/>). An int converts to it implicitly, and
/// it converts to the seeds every final setting runs (the count, or <see cref="SeedRounds.Min"/>), so code that treated
/// <c>Seeds</c> as a number keeps working.
/// </summary>
[JsonConverter(typeof(SeedCountConverter))]
public sealed record SeedCount
{
    /// <summary>A fixed count of seeds per setting, or null when <see cref="Rounds"/> decides.</summary>
    public int? Fixed { get; init; }

    /// <summary>Seeds in rounds, or null for a fixed count.</summary>
    public SeedRounds? Rounds { get; init; }

    /// <summary>The seeds every final setting runs: the fixed count, or the rounds' minimum.</summary>
    public int Min => Fixed ?? Rounds?.Min ?? SeedRounds.DefaultMin;

    /// <summary>A fixed count.</summary>
    public static implicit operator SeedCount(int count) => new() { Fixed = count };

    /// <summary>The seeds every final setting runs (<see cref="Min"/>).</summary>
    public static implicit operator int(SeedCount seeds) => seeds?.Min ?? 0;

    /// <summary>A fixed count (the named alternative of the implicit conversion).</summary>
    public static SeedCount FromInt32(int count) => count;

    /// <summary>The seeds every final setting runs (the named alternative of the implicit conversion).</summary>
    public int ToInt32() => Min;

    /// <inheritdoc/>
    public override string ToString() => Fixed is int n ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{Rounds}";
}

/// <summary>Reads and writes <see cref="PeakRate"/>: a number, or <c>{calibrate: {...}}</c>.</summary>
public sealed class PeakRateConverter : JsonConverter<PeakRate>
{
    /// <inheritdoc/>
    public override PeakRate? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType is JsonTokenType.Number or JsonTokenType.String) return JsonSerializer.Deserialize<double>(ref reader, options);
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("peak_lr must be a number or { calibrate: { min, max, points, validation_share } }.");
        var shape = JsonSerializer.Deserialize<CalibrateShape>(ref reader, options) ?? throw new JsonException("peak_lr must not be null.");
        return new PeakRate { Calibrate = shape.Calibrate ?? throw new JsonException("peak_lr needs 'calibrate: { min, max, points, validation_share }'.") };
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, PeakRate value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        if (value.Shared is double s) JsonSerializer.Serialize(writer, s, options);
        else JsonSerializer.Serialize(writer, new CalibrateShape { Calibrate = value.Calibrate }, options);
    }

    private sealed record CalibrateShape
    {
        public PeakCalibration? Calibrate { get; init; }
    }
}

/// <summary>Reads and writes <see cref="SeedCount"/>: a whole number, or <c>{min, max, target_ci}</c>.</summary>
public sealed class SeedCountConverter : JsonConverter<SeedCount>
{
    /// <inheritdoc/>
    public override SeedCount? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number) return JsonSerializer.Deserialize<int>(ref reader, options);
        if (reader.TokenType != JsonTokenType.StartObject) throw new JsonException("seeds must be a whole number or { min, max, target_ci }.");
        return new SeedCount { Rounds = JsonSerializer.Deserialize<SeedRounds>(ref reader, options) ?? throw new JsonException("seeds must not be null.") };
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, SeedCount value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        if (value.Fixed is int n) writer.WriteNumberValue(n);
        else JsonSerializer.Serialize(writer, value.Rounds, options);
    }
}
