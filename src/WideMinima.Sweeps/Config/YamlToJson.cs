using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace WideMinima.Sweeps.Config;

/// <summary>
/// Turns a YAML sweep config into the equivalent JSON, so that YAML and JSON configs go through one parser with
/// the same checks (unknown keys, types, paths in error messages). Plain scalars become null, booleans or numbers
/// where they read as such; quoted scalars stay strings.
/// </summary>
public static class YamlToJson
{
    /// <summary>The JSON text of the YAML document; malformed YAML throws <see cref="SweepConfigException"/> with the line.</summary>
    public static string Convert(string yaml, string source)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new SweepConfigException($"{source}: malformed YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's scanner reports some unterminated flow collections this way, without a position.
            throw new SweepConfigException($"{source}: malformed YAML ({e.Message})", e);
        }
        if (stream.Documents.Count == 0) return "{}";
        return (Node(stream.Documents[0].RootNode) ?? new JsonObject()).ToJsonString();
    }

    private static JsonNode? Node(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(p => KeyValuePair.Create(
            p.Key is YamlScalarNode key ? key.Value ?? "" : throw new SweepConfigException($"Keys must be plain names (line {p.Key.Start.Line})."),
            Node(p.Value)))),
        YamlSequenceNode list => new JsonArray([.. list.Children.Select(Node)]),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new SweepConfigException($"Unsupported YAML node at line {node.Start.Line}."),
    };

    private static JsonValue? Scalar(YamlScalarNode scalar)
    {
        string text = scalar.Value ?? "";
        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted) return JsonValue.Create(text);
        if (text is "" or "~" or "null" or "Null" or "NULL") return null;
        if (text is "true" or "True" or "TRUE") return JsonValue.Create(true);
        if (text is "false" or "False" or "FALSE") return JsonValue.Create(false);
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long integer)) return JsonValue.Create(integer);
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double number)) return JsonValue.Create(number);
        return JsonValue.Create(text);
    }
}
