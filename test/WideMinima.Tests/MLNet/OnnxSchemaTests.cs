using System.Text.RegularExpressions;
using Google.Protobuf.Reflection;
using WideMinima.MLNet.Onnx.Proto;

namespace WideMinima.Tests.MLNet;

/// <summary>
/// The exporter's own small copy of ONNX's schema (src/WideMinima.MLNet/Onnx/onnx.proto) against the full one that
/// Debian's libonnx-dev installs (build/setup.sh installs it): every message, field and enum value kept must have
/// ONNX's name, number, label and type, or the files written would not be ONNX.
/// </summary>
[TestClass]
public sealed partial class OnnxSchemaTests
{
    private const string OfficialSchema = "/usr/include/onnx/onnx.proto";

    [TestMethod]
    public void Every_field_and_enum_value_of_the_exporters_schema_matches_onnx_proto()
    {
        if (!File.Exists(OfficialSchema))
            Assert.Fail($"{OfficialSchema} is missing: install Debian's libonnx-dev (bash build/setup.sh does).");
        var official = Parse(File.ReadAllText(OfficialSchema));
        var ours = new Dictionary<string, string>(StringComparer.Ordinal);
        Assert.AreEqual("onnx", OnnxReflection.Descriptor.Package);
        foreach (var message in OnnxReflection.Descriptor.MessageTypes) Collect(message, ours);

        Assert.IsGreaterThan(60, ours.Count, "the schema's messages were all visited");
        foreach (var message in new[] { "ModelProto", "GraphProto", "NodeProto", "AttributeProto", "TensorProto", "ValueInfoProto", "TypeProto", "TensorShapeProto", "OperatorSetIdProto", "StringStringEntryProto" })
            Assert.IsTrue(ours.Keys.Any(k => k.StartsWith($"onnx.{message}.", StringComparison.Ordinal)), message);
        var mismatches = ours.Where(p => !official.TryGetValue(p.Key, out var v) || v != p.Value)
            .Select(p => $"{p.Key}: ours '{p.Value}', ONNX '{(official.TryGetValue(p.Key, out var v) ? v : "absent")}'").ToList();
        Assert.IsEmpty(mismatches, string.Join("; ", mismatches));
    }

    [TestMethod]
    public void The_parser_of_the_official_schema_reads_fields_oneofs_and_enums()
    {
        var parsed = Parse("""
            package onnx;
            message A { // comment
              enum Kind {
                NONE = 0;
                BIG = 0x0000000000000002;
              }
              optional int64 x = 1;   // trailing
              repeated float y = 4 [packed = true];
              message B {
                oneof value {
                  int64 n = 1;
                  string s = 2;
                };
              };
              reserved 3, 5 to 9;
            }
            """);
        Assert.AreEqual("optional int64 = 1", parsed["onnx.A.x"]);
        Assert.AreEqual("repeated float = 4", parsed["onnx.A.y"]);
        Assert.AreEqual("oneof string = 2", parsed["onnx.A.B.s"]);
        Assert.AreEqual("= 2", parsed["onnx.A.Kind.BIG"]);
        Assert.HasCount(6, parsed);
    }

    /// <summary>Fields as "label type = number" and enum values as "= number", by full name.</summary>
    private static void Collect(MessageDescriptor message, Dictionary<string, string> into)
    {
        foreach (var field in message.Fields.InDeclarationOrder())
        {
            string label = field.IsRepeated ? "repeated" : field.RealContainingOneof is not null ? "oneof" : "optional";
            into[field.FullName] = $"{label} {TypeName(field)} = {field.FieldNumber}";
        }
        foreach (var e in message.EnumTypes)
        {
            foreach (var value in e.Values) into[$"{e.FullName}.{value.Name}"] = $"= {value.Number}";
        }
        foreach (var nested in message.NestedTypes) Collect(nested, into);
    }

    private static string TypeName(FieldDescriptor field) => field.FieldType switch
    {
        FieldType.Message => field.MessageType.Name,
        FieldType.Enum => field.EnumType.Name,
        FieldType.Int64 => "int64",
        FieldType.Int32 => "int32",
        FieldType.String => "string",
        FieldType.Bytes => "bytes",
        FieldType.Float => "float",
        FieldType.Double => "double",
        FieldType.UInt64 => "uint64",
        _ => field.FieldType.ToString(),
    };

    /// <summary>A small reader for .proto text: message, enum and oneof scopes, fields and enum values.</summary>
    private static Dictionary<string, string> Parse(string proto)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var scopes = new Stack<(string Kind, string Name)>();
        string package = "";
        foreach (var raw in proto.Split('\n'))
        {
            string line = raw.Split("//")[0].Trim();
            if (line.Length == 0) continue;
            string path = string.Join('.', new[] { package }.Concat(scopes.Reverse().Where(s => s.Kind != "oneof").Select(s => s.Name)));
            Match m;
            if ((m = PackageLine().Match(line)).Success) package = m.Groups[1].Value;
            else if ((m = ScopeLine().Match(line)).Success) scopes.Push((m.Groups[1].Value, m.Groups[2].Value));
            else if (line.StartsWith('}')) scopes.Pop();
            else if (scopes.Count > 0 && scopes.Peek().Kind == "enum" && (m = EnumValueLine().Match(line)).Success)
            {
                string number = m.Groups[2].Value;
                long value = number.StartsWith("0x", StringComparison.Ordinal) ? Convert.ToInt64(number[2..], 16) : long.Parse(number, System.Globalization.CultureInfo.InvariantCulture);
                result[$"{path}.{m.Groups[1].Value}"] = $"= {value}";
            }
            else if (scopes.Count > 0 && scopes.Peek().Kind != "enum" && (m = FieldLine().Match(line)).Success)
            {
                string label = m.Groups[1].Success ? m.Groups[1].Value : scopes.Peek().Kind == "oneof" ? "oneof" : "optional";
                result[$"{path}.{m.Groups[3].Value}"] = $"{label} {m.Groups[2].Value} = {m.Groups[4].Value}";
            }
        }
        return result;
    }

    [GeneratedRegex(@"^package\s+([\w.]+)\s*;")]
    private static partial Regex PackageLine();

    [GeneratedRegex(@"^(message|enum|oneof)\s+(\w+)\s*\{")]
    private static partial Regex ScopeLine();

    [GeneratedRegex(@"^(\w+)\s*=\s*(0x[0-9a-fA-F]+|-?\d+)\s*;")]
    private static partial Regex EnumValueLine();

    [GeneratedRegex(@"^(?:(optional|repeated|required)\s+)?([\w.]+)\s+(\w+)\s*=\s*(\d+)")]
    private static partial Regex FieldLine();
}
