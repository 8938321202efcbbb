using System.Text.Json;
using System.Text.Json.Serialization;

namespace WideMinima.Schedules;

/// <summary>JSON round trip for schedules, with a <c>kind</c> discriminator: what sweeps record and checkpoints hold.</summary>
public static class ScheduleJson
{
    /// <summary>The options used for schedules and every other record WideMinima writes: camelCase names,
    /// enums as strings, and NaN or infinities as named literals (a diverged run's loss is NaN).</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals | JsonNumberHandling.AllowReadingFromString,
    };

    /// <summary>Serializes any schedule with its kind.</summary>
    public static string Serialize(LearningRateSchedule schedule) => JsonSerializer.Serialize(schedule, Options);

    /// <summary>Reads a schedule back; malformed JSON or invalid parameters throw with the reason.</summary>
    public static LearningRateSchedule Deserialize(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<LearningRateSchedule>(json, Options)
                ?? throw new JsonException("The schedule JSON is 'null'.");
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException)
        {
            throw new JsonException($"Not a schedule JSON (a 'kind' of knee, cosine, linear, step, explore-step, one-cycle or constant is required): {e.Message}", e);
        }
    }
}
