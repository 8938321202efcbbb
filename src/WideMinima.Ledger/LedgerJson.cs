using System.Text.Json;
using System.Text.Json.Serialization;

namespace WideMinima.Ledger;

/// <summary>
/// How the ledger writes JSON (run records, job payloads, reports): snake_case keys, enums by their spelled names
/// (<see cref="JsonStringEnumMemberNameAttribute"/>), and NaN and infinities as <c>"NaN"</c>/<c>"Infinity"</c>
/// (a diverged run's losses are exactly that). The sweep config's options derive from these.
/// </summary>
public static class LedgerJson
{
    /// <summary>The serializer options of everything the ledger stores as JSON.</summary>
    public static JsonSerializerOptions Options { get; } = Create(writeIndented: false);

    /// <summary>The same options, indented (files people read: results.json, presets).</summary>
    public static JsonSerializerOptions Indented { get; } = Create(writeIndented: true);

    /// <summary>A fresh copy of the options, for a layer that adds converters of its own.</summary>
    public static JsonSerializerOptions Create(bool writeIndented) => new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = writeIndented,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };
}
