using WideMinima.Sharpness;
using System.Text.Json;
using System.Text.Json.Serialization;
using WideMinima.Ledger;

namespace WideMinima.Sweeps.Config;

/// <summary>Reads and writes sweep definitions as JSON with snake_case keys; unknown keys are errors, not silently ignored.</summary>
public static class SweepConfigJson
{
    /// <summary>The serializer options for configs, ledgers and reports.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        // The config enums carry their own converter (spelled names, errors naming the value); others go snake_case.
        Converters =
        {
            new ConfigNameConverter<SweepSchedule>(), new ConfigNameConverter<SweepModel>(), new ConfigNameConverter<SweepOptimizer>(),
            new ConfigNameConverter<SweepDevice>(), new ConfigNameConverter<WidthMethod>(), new ConfigNameConverter<DatasetKind>(),
            new Tuning.ScheduleFamilyJsonConverter(),
            new ConfigNameConverter<WidthMetric>(), new ConfigNameConverter<AdaptiveNorm>(),
            new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower),
        },
    };

    /// <summary>Parses a config; malformed JSON or unknown keys throw <see cref="SweepConfigException"/> with the position.</summary>
    public static SweepConfig Parse(string json, string source)
    {
        try
        {
            return JsonSerializer.Deserialize<SweepConfig>(json, Options)
                ?? throw new SweepConfigException($"{source}: the config is 'null'.");
        }
        catch (ConfigNameException e) when (e.Path is not null)
        {
            // An unknown schedule, model, device, ... name: the field as the validator names it, and the value.
            throw new SweepConfigException(source, Field(e.Path), e.Value, e.Rule);
        }
        catch (JsonException e)
        {
            string where = e.Path is null ? "" : $" at {e.Path}";
            string line = e.LineNumber is long l ? $" (line {l + 1})" : "";
            throw new SweepConfigException($"{source}: malformed config{where}{line}: {e.Message}", e);
        }
    }

    /// <summary><c>$.model.kind</c> as <c>model.kind</c>, <c>$.baselines[1]</c> as <c>baselines[1]</c>.</summary>
    private static string Field(string jsonPath) => jsonPath.StartsWith("$.", StringComparison.Ordinal) ? jsonPath[2..] : jsonPath;

    /// <summary>Reads a config file: JSON, or YAML when the name ends in .yaml or .yml (same keys, same checks).</summary>
    public static SweepConfig Read(string path)
    {
        if (!File.Exists(path)) throw new SweepConfigException("--config", path, "must name an existing JSON or YAML file");
        string text = File.ReadAllText(path);
        bool yaml = path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase);
        return Parse(yaml ? YamlToJson.Convert(text, path) : text, path);
    }

    /// <summary>The config as indented JSON.</summary>
    public static string Write(SweepConfig config) => JsonSerializer.Serialize(config, Options);

    /// <summary>
    /// The part of a config that defines the runs' results (workers, TensorBoard and saved models excluded: they do not change them),
    /// as compact JSON; a ledger refuses a different one.
    /// </summary>
    public static string Definition(SweepConfig config) =>
        JsonSerializer.Serialize(config with { Workers = 0, Tensorboard = false, Tune = null, SaveModels = null }, Compact);

    /// <summary>
    /// What defines a tuning's results: the whole config, its <c>tune:</c> section included (workers and TensorBoard
    /// excluded), as compact JSON; a tuning's ledgers refuse a different one.
    /// </summary>
    public static string TuningDefinition(SweepConfig config) =>
        JsonSerializer.Serialize(config with { Workers = 0, Tensorboard = false }, Compact);

    /// <summary>The definition a ledger keeps for <paramref name="config"/>: a tuning's, or a sweep's.</summary>
    public static string DefinitionOf(SweepConfig config) =>
        config?.Tune is null ? Definition(config!) : TuningDefinition(config);

    private static readonly JsonSerializerOptions Compact = new(Options) { WriteIndented = false };
}
