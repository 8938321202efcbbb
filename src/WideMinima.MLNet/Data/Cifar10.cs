using Microsoft.ML;

namespace WideMinima.Data;

/// <summary>
/// CIFAR-10 (Krizhevsky, 2009) from its binary version (<c>cifar-10-batches-bin</c>: <c>data_batch_1.bin</c> to
/// <c>data_batch_5.bin</c> and <c>test_batch.bin</c>, each record one label byte then 3072 pixel bytes, the red,
/// green and blue 32 x 32 planes) as an ML.NET data view: <c>Label</c> (key, 10 classes) and <c>Features</c>
/// (<c>vector&lt;float&gt;[3, 32, 32]</c>, channels first, scaled to 0..1). The paper's experiments use it; this
/// machine cannot download it, so the loader is tested on generated files of the same format.
/// </summary>
public static class Cifar10
{
    /// <summary>The environment variable that may name the folder with the binary batches.</summary>
    public const string EnvironmentVariable = "WIDEMINIMA_CIFAR10";

    private const int Pixels = 3 * 32 * 32;

    /// <summary>The ten class names, in label order.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    /// <summary>The folder holding the batches: <paramref name="path"/> itself, its <c>cifar-10-batches-bin</c>, or null.</summary>
    public static string? Find(string? path)
    {
        path ??= Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrEmpty(path)) return null;
        foreach (var folder in new[] { path, Path.Combine(path, "cifar-10-batches-bin") })
        {
            if (File.Exists(Path.Combine(folder, "data_batch_1.bin")) && File.Exists(Path.Combine(folder, "test_batch.bin"))) return folder;
        }
        return null;
    }

    /// <summary>Loads the training batches (<paramref name="train"/>) or the test batch from <paramref name="folder"/>.</summary>
    public static IDataView Load(MLContext ml, string folder, bool train, int? take = null)
    {
        ArgumentNullException.ThrowIfNull(ml);
        var files = train
            ? Enumerable.Range(1, 5).Select(i => Path.Combine(folder, $"data_batch_{i}.bin")).Where(File.Exists).ToList()
            : [Path.Combine(folder, "test_batch.bin")];
        if (files.Count == 0 || !File.Exists(files[0]))
            throw new FileNotFoundException($"No CIFAR-10 binary batches in '{folder}' (expected data_batch_1.bin ... data_batch_5.bin and test_batch.bin).");
        var labels = new List<byte>();
        using var pixels = new MemoryStream();
        var record = new byte[1 + Pixels];
        foreach (var file in files)
        {
            using var stream = File.OpenRead(file);
            if (stream.Length % record.Length != 0)
                throw new InvalidDataException($"{Path.GetFileName(file)}: {stream.Length} bytes is not a whole number of {record.Length}-byte CIFAR-10 records; the file is truncated or not CIFAR-10.");
            while (stream.Position < stream.Length && (take is null || labels.Count < take))
            {
                stream.ReadExactly(record);
                labels.Add(record[0]);
                pixels.Write(record, 1, Pixels);
            }
        }
        return IdxDataView.Create(ml, pixels.ToArray(), labels.Count, [3, 32, 32], [.. labels], ClassNames,
            string.Join(" + ", files.Select(Path.GetFileName)));
    }
}
