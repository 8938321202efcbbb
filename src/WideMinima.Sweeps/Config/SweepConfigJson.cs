using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using WideMinima.Ledger;
using WideMinima.Models;
using WideMinima.Sharpness;
using WideMinima.Training;
using WideMinima.Tuning;

namespace WideMinima.Sweeps.Config;

/// <summary>
/// Reads and writes sweep definitions as JSON (or YAML) with snake_case keys; unknown keys are errors, not silently
/// ignored. Earlier versions' keys still read (see <see cref="Upgrade"/>), so old config files and the configs stored in
/// old ledgers keep working.
/// </summary>
public static class SweepConfigJson
{
    /// <summary>The training settings a sweep sets itself, per run: not keys of a sweep config.</summary>
    private static readonly string[] NotSweepKeys = ["schedule", "on_divergence"];

    /// <summary>The serializer options for configs and the jobs and results the console stores.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        // Spelled names, with errors naming the value and the known names.
        Converters =
        {
            new ConfigNameConverter<ScheduleFamily>(), new ConfigNameConverter<ModelKind>(), new ConfigNameConverter<OptimizerKind>(),
            new ConfigNameConverter<DeviceKind>(), new ConfigNameConverter<AscentMethod>(), new ConfigNameConverter<Augmentation>(),
            new ConfigNameConverter<DivergenceAction>(), new ConfigNameConverter<DatasetKind>(),
            new ConfigNameConverter<WidthMetric>(), new ConfigNameConverter<AdaptiveNorm>(),
            new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower),
        },
        TypeInfoResolver = new DefaultJsonTypeInfoResolver
        {
            Modifiers =
            {
                info =>
                {
                    // A hessian: section starts from the sweep's profile, the one used when the section is absent,
                    // so that the keys it leaves out keep those values (as width: fills in KeskarWidthOptions.Fast()).
                    if (info.Type == typeof(HessianOptions)) info.CreateObject = HessianOptions.Fast;
                    if (info.Type != typeof(SweepConfig)) return;
                    foreach (var p in info.Properties.Where(p => NotSweepKeys.Contains(p.Name)).ToList()) info.Properties.Remove(p);
                },
            },
        },
    };

    /// <summary>Parses a config; malformed JSON or unknown keys throw <see cref="SweepConfigException"/> with the position.</summary>
    public static SweepConfig Parse(string json, string source)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            string line = e.LineNumber is long l ? $" (line {l + 1})" : "";
            throw new SweepConfigException($"{source}: malformed config{line}: {e.Message}", e);
        }
        if (node is not JsonObject root) throw new SweepConfigException($"{source}: the config must be an object, but was '{node?.ToJsonString() ?? "null"}'.");
        var aliases = Upgrade(root, source);
        try
        {
            return root.Deserialize<SweepConfig>(Options) ?? throw new SweepConfigException($"{source}: the config is 'null'.");
        }
        catch (ConfigNameException e) when (e.Path is not null)
        {
            // An unknown schedule, model, device, ... name: the field as the validator names it, and the value.
            throw new SweepConfigException(source, AsWritten(Field(e.Path), aliases), e.Value, e.Rule);
        }
        catch (JsonException e)
        {
            string where = e.Path is null ? "" : $" at {e.Path}";
            throw new SweepConfigException($"{source}: malformed config{where}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Earlier versions' keys, read as today's: <c>model: {kind, hidden}</c> as <c>model</c> and <c>hidden_sizes</c>,
    /// <c>augment: true</c> as <c>augmentation: crop-and-flip</c>, <c>threads_per_run</c> as <c>threads</c>, a width
    /// <c>patience: 0</c> ("never stop early") as <c>patience: null</c>, and the derived <c>tune.space</c> that stored
    /// configs carried is dropped. Giving an old key and its new one at once is an error.
    /// </summary>
    /// <returns>Each moved key's earlier name, so that errors name a key as the file spells it.</returns>
    internal static Dictionary<string, string> Upgrade(JsonObject root, string source)
    {
        var aliases = new Dictionary<string, string>(StringComparer.Ordinal);
        void Move(string from, string to, Func<JsonNode?, JsonNode?> convert)
        {
            if (!root.TryGetPropertyValue(from, out var value)) return;
            if (root.ContainsKey(to)) throw new SweepConfigException($"{source}: '{from}' is the earlier name of '{to}'; give only '{to}'.");
            root.Remove(from);
            root[to] = convert(value);
            aliases[to] = from;
        }
        if (root["model"] is JsonObject model)
        {
            root.Remove("model");
            foreach (var (key, value) in model.ToList())
            {
                model.Remove(key);
                string to = key switch
                {
                    "kind" => "model",
                    "hidden" => "hidden_sizes",
                    _ => throw new SweepConfigException(source, $"model.{key}", value?.ToJsonString(), "is not a key of the earlier 'model: {kind, hidden}' form (today: 'model: mlp' and 'hidden_sizes: [512, 512]')"),
                };
                if (root.ContainsKey(to)) throw new SweepConfigException($"{source}: 'model.{key}' is the earlier name of '{to}'; give only '{to}'.");
                root[to] = value;
                aliases[to] = "model." + key;
            }
        }
        Move("augment", "augmentation", v => v?.GetValueKind() switch
        {
            JsonValueKind.True => "crop-and-flip",
            JsonValueKind.False => "none",
            _ => throw new SweepConfigException(source, "augment", v?.ToJsonString(), "must be true or false"),
        });
        Move("threads_per_run", "threads", v => v);
        // Earlier versions wrote the tune section's derived search space beside the keys it was derived from into
        // the configs they stored; it says nothing the other keys do not.
        if (root["tune"] is JsonObject tune && tune["space"] is JsonObject) tune.Remove("space");
        if (root["width"] is JsonObject width && width["patience"] is JsonValue p && p.GetValueKind() == JsonValueKind.Number && p.GetValue<double>() == 0)
            width["patience"] = null;
        return aliases;
    }

    /// <summary>A field as the file spells it: <c>model</c> moved from <c>model.kind</c> is named <c>model.kind</c>, and so on inside it.</summary>
    private static string AsWritten(string field, Dictionary<string, string> aliases)
    {
        foreach (var (now, before) in aliases)
            if (field == now || field.StartsWith(now + "[", StringComparison.Ordinal) || field.StartsWith(now + ".", StringComparison.Ordinal))
                return before + field[now.Length..];
        return field;
    }

    /// <summary>
    /// The config key of a setting as an options type names it (<c>Width.Epsilon</c>, <c>HiddenSizes[1]</c>):
    /// <c>width.epsilon</c>, <c>hidden_sizes[1]</c>, following the serializer's names from <paramref name="root"/>.
    /// </summary>
    public static string Key(Type root, string setting)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(setting);
        var type = root;
        var parts = new List<string>();
        foreach (var part in setting.Split('.'))
        {
            int bracket = part.IndexOf('[', StringComparison.Ordinal);
            string name = bracket < 0 ? part : part[..bracket];
            string index = bracket < 0 ? "" : part[bracket..];
            var info = Options.GetTypeInfo(type).Properties.FirstOrDefault(p => p.AttributeProvider is System.Reflection.PropertyInfo pi && pi.Name == name);
            parts.Add((info?.Name ?? JsonNamingPolicy.SnakeCaseLower.ConvertName(name)) + index);
            type = info is null ? typeof(object) : Nullable.GetUnderlyingType(info.PropertyType) ?? info.PropertyType;
        }
        return string.Join('.', parts);
    }

    /// <summary>
    /// Runs an options type's own checks for the config section <paramref name="prefix"/> (empty for the top level),
    /// turning the setting it names into the config key: a <see cref="SweepConfigException"/> for the console (exit 2).
    /// </summary>
    public static void Check(Type root, string prefix, Action validate)
    {
        ArgumentNullException.ThrowIfNull(validate);
        try
        {
            validate();
        }
        catch (ArgumentOutOfRangeException e) when (Settings.Rule(e) is { } rule)
        {
            throw new SweepConfigException(prefix + Key(root, e.ParamName ?? ""), e.ActualValue, rule);
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
    /// The part of a config that defines the runs' results (workers, TensorBoard, saved models and fork-and-decay excluded: they do not change them),
    /// as compact JSON; a ledger refuses a different one.
    /// </summary>
    public static string Definition(SweepConfig config) =>
        JsonSerializer.Serialize(config with { Workers = 0, Tensorboard = false, Tune = null, SaveModels = null, ForkAndDecay = true }, Compact);

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
