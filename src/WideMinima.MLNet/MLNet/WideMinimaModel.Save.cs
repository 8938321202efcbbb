using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;
using WideMinima.Models;
using WideMinima.Schedules;
using WideMinima.Training;
using static TorchSharp.torch;

namespace WideMinima.MLNet;

/// <summary>
/// Saves and loads a whole fitted pipeline that contains a <see cref="WideMinimaTransformer"/> (ML.NET
/// transforms before and after it included) as one file.
/// </summary>
/// <remarks>
/// The file is a zip archive: the ML.NET transforms before and after the network in ML.NET's own format
/// (saved with <c>mlContext.Model.Save</c>), the network's TorchSharp weights, a JSON description (architecture,
/// columns, classes, training report), and a manifest with a format version and a SHA-256 for every entry, so
/// that a corrupted, truncated or incompatible file fails with a clear error instead of a broken model.
/// </remarks>
public static partial class WideMinimaModel
{
    /// <summary>The format version this library writes and reads.</summary>
    public const int FormatVersion = 1;

    private const string FormatName = "WideMinima.Model";
    private const string ManifestEntry = "manifest.json";
    private const string DescriptionEntry = "model.json";
    private const string WeightsEntry = "network.bin";
    private const string BeforeEntry = "before.mlnet";
    private const string AfterEntry = "after.mlnet";

    private sealed record Manifest(string Format, int FormatVersion, string Library, Dictionary<string, string> Sha256);

    private sealed record Description(NetworkSpec Spec, ModelColumns Columns, LabelInfo Label, TrainingReport Report);

    /// <summary>Saves <paramref name="model"/> (a WideMinima transformer or a chain holding one) to <paramref name="path"/>.</summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="model">The fitted pipeline.</param>
    /// <param name="inputSchema">The schema of the data the pipeline takes (<c>trainData.Schema</c>), as for <c>mlContext.Model.Save</c>.</param>
    /// <param name="path">The file to write; it is replaced only once the new file is complete.</param>
    public static void Save(MLContext mlContext, ITransformer model, DataViewSchema inputSchema, string path)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var (before, network, after) = Split(model);

        var entries = new Dictionary<string, byte[]>();
        entries[BeforeEntry] = SaveChain(mlContext, before, inputSchema);
        var schemaAfterBefore = before.Aggregate(inputSchema, (schema, t) => t.GetOutputSchema(schema));
        if (after.Count > 0) entries[AfterEntry] = SaveChain(mlContext, after, network.GetOutputSchema(schemaAfterBefore));
        using (var weights = new MemoryStream())
        {
            using (var writer = new BinaryWriter(weights, System.Text.Encoding.UTF8, leaveOpen: true)) network.Network.save(writer);
            entries[WeightsEntry] = weights.ToArray();
        }
        entries[DescriptionEntry] = JsonSerializer.SerializeToUtf8Bytes(
            new Description(network.Spec, network.Columns, network.Label, network.TrainingReport), ScheduleJson.Options);
        var manifest = new Manifest(FormatName, FormatVersion, typeof(WideMinimaModel).Assembly.GetName().Version?.ToString() ?? "?",
            entries.ToDictionary(e => e.Key, e => Convert.ToHexStringLower(SHA256.HashData(e.Value))));

        string full = Path.GetFullPath(path);
        string temporary = full + ".tmp";
        using (var file = File.Create(temporary))
        using (var zip = new ZipArchive(file, ZipArchiveMode.Create))
        {
            Write(zip, ManifestEntry, JsonSerializer.SerializeToUtf8Bytes(manifest, ScheduleJson.Options));
            foreach (var (name, bytes) in entries) Write(zip, name, bytes);
        }
        File.Move(temporary, full, overwrite: true);
    }

    /// <summary>Loads a pipeline written by <see cref="Save"/>.</summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="path">The file.</param>
    /// <param name="inputSchema">The schema of the data the pipeline takes, as saved.</param>
    /// <param name="modelFactory">For custom networks only: the same factory that built the network for training.</param>
    /// <param name="device">Where to score. Default the CPU.</param>
    /// <param name="scoring">How to score (rows per forward pass, threads); null: <see cref="ScoringOptions"/>' defaults.</param>
    /// <exception cref="InvalidDataException">The file is not a WideMinima model, is truncated or corrupted, or was written by an incompatible version.</exception>
    public static ITransformer Load(MLContext mlContext, string path, out DataViewSchema inputSchema,
        Func<int, int, nn.Module<Tensor, Tensor>>? modelFactory = null, DeviceKind device = DeviceKind.Cpu, ScoringOptions? scoring = null)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var (entries, description) = Open(path);
        var before = LoadChain(mlContext, entries[BeforeEntry], out inputSchema);
        var (torchDevice, _) = TorchDevices.Resolve(device);
        var network = description.Spec.Build(null, null, modelFactory);
        using (var reader = new BinaryReader(new MemoryStream(entries[WeightsEntry]))) network.load(reader);
        network.to(torchDevice);
        var wideMinima = new WideMinimaTransformer(network, torchDevice, description.Spec, description.Columns, description.Label, description.Report, scoring);

        var parts = new List<ITransformer>(before) { wideMinima };
        if (entries.TryGetValue(AfterEntry, out var afterBytes)) parts.AddRange(LoadChain(mlContext, afterBytes, out _));
        return new TransformerChain<ITransformer>([.. parts]);
    }

    /// <summary>Reads a model file's entries, checking its format, version and checksums, and its description.</summary>
    private static (Dictionary<string, byte[]> Entries, Description Description) Open(string path)
    {
        Dictionary<string, byte[]> entries;
        try
        {
            using var zip = ZipFile.OpenRead(path);
            entries = zip.Entries.ToDictionary(e => e.FullName, Read);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{path}' is not a WideMinima model file, or it is truncated or corrupted: {e.Message}", e);
        }

        var manifest = Parse<Manifest>(entries, ManifestEntry, path);
        if (manifest.Format != FormatName)
            throw new InvalidDataException($"'{path}' is a '{manifest.Format}' file, not a WideMinima model.");
        if (manifest.FormatVersion != FormatVersion)
            throw new InvalidDataException($"'{path}' has model format version {manifest.FormatVersion} (written by WideMinima {manifest.Library}); this library reads version {FormatVersion}.");
        foreach (var (name, expected) in manifest.Sha256)
        {
            if (!entries.TryGetValue(name, out var bytes))
                throw new InvalidDataException($"'{path}' is incomplete: its entry '{name}' is missing.");
            string actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
            if (actual != expected)
                throw new InvalidDataException($"'{path}' is corrupted: entry '{name}' has SHA-256 {actual}, but the manifest records {expected}.");
        }

        return (entries, Parse<Description>(entries, DescriptionEntry, path));
    }

    private static byte[] SaveChain(MLContext ml, IReadOnlyList<ITransformer> transformers, DataViewSchema schema)
    {
        using var stream = new MemoryStream();
        ml.Model.Save(new TransformerChain<ITransformer>([.. transformers]), schema, stream);
        return stream.ToArray();
    }

    private static IEnumerable<ITransformer> LoadChain(MLContext ml, byte[] bytes, out DataViewSchema schema)
    {
        using var stream = new MemoryStream(bytes);
        var loaded = ml.Model.Load(stream, out schema);
        return loaded is IEnumerable<ITransformer> chain ? [.. chain] : [loaded];
    }

    private static T Parse<T>(Dictionary<string, byte[]> entries, string name, string path)
    {
        if (!entries.TryGetValue(name, out var bytes)) throw new InvalidDataException($"'{path}' is not a WideMinima model: it has no '{name}'.");
        try
        {
            return JsonSerializer.Deserialize<T>(bytes, ScheduleJson.Options) ?? throw new InvalidDataException($"'{path}': '{name}' is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}': '{name}' is not valid ({e.Message}).", e);
        }
    }

    private static void Write(ZipArchive zip, string name, byte[] bytes)
    {
        using var stream = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
        stream.Write(bytes);
    }

    private static byte[] Read(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
