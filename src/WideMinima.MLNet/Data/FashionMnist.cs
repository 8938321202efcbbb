using System.Security.Cryptography;
using Microsoft.ML;

namespace WideMinima.Data;

/// <summary>
/// Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017; MIT licence) as an ML.NET <see cref="IDataView"/>:
/// <c>Label</c> is a key over the 10 classes (with their names as key values), <c>Features</c> a
/// <c>vector&lt;float&gt;[28, 28]</c> of pixels scaled to 0..1.
/// </summary>
/// <remarks>
/// The files are found in this order: an explicit path; the environment variable
/// <c>WIDEMINIMA_FASHION_MNIST</c>; the user cache; <c>/usr/share/datasets/fashion-mnist</c> (Debian and
/// Ubuntu package <c>dataset-fashion-mnist</c>); else the four files are downloaded from the dataset's
/// canonical location into the cache and their SHA-256 checked. Checksums are of the decompressed IDX
/// content, so a copy that was recompressed (as Debian's is) verifies too.
/// </remarks>
public static class FashionMnist
{
    /// <summary>The environment variable that may name a folder holding the files.</summary>
    public const string EnvironmentVariable = "WIDEMINIMA_FASHION_MNIST";

    /// <summary>The dataset's canonical download location.</summary>
    public static Uri CanonicalBaseUri { get; } = new("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/");

    /// <summary>SHA-256 of the decompressed content of each canonical file.</summary>
    public static IReadOnlyDictionary<string, string> CanonicalSha256 { get; } = new Dictionary<string, string>
    {
        ["train-images-idx3-ubyte"] = "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        ["train-labels-idx1-ubyte"] = "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        ["t10k-images-idx3-ubyte"] = "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        ["t10k-labels-idx1-ubyte"] = "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    };

    /// <summary>The ten class names, in label order.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>The four file names (without .gz).</summary>
    public static IReadOnlyList<string> FileNames { get; } =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    /// <summary>Loads a split, looking for the files as described on <see cref="FashionMnist"/>.</summary>
    /// <param name="ml">The ML.NET context.</param>
    /// <param name="split">Train or test.</param>
    /// <param name="path">An explicit folder with the files; null searches.</param>
    /// <param name="take">Load only the first <paramref name="take"/> examples; null loads all.</param>
    public static IDataView Load(MLContext ml, FashionMnistSplit split, string? path = null, int? take = null) =>
        Load(ml, split, new FashionMnistSource { Path = path }, take);

    /// <summary>Loads a split from the given source.</summary>
    public static IDataView Load(MLContext ml, FashionMnistSplit split, FashionMnistSource source, int? take = null)
    {
        ArgumentNullException.ThrowIfNull(ml);
        string folder = Locate(source);
        return LoadFolder(ml, folder, split, take);
    }

    /// <summary>Loads a split from a folder holding the IDX files (used for the subset shipped with the sweeps too).</summary>
    public static IDataView LoadFolder(MLContext ml, string folder, FashionMnistSplit split, int? take = null)
    {
        ArgumentNullException.ThrowIfNull(ml);
        string prefix = split == FashionMnistSplit.Train ? "train" : "t10k";
        string images = FindFile(folder, $"{prefix}-images-idx3-ubyte")
            ?? throw new FileNotFoundException($"No {prefix}-images-idx3-ubyte[.gz] in '{folder}'.");
        string labels = FindFile(folder, $"{prefix}-labels-idx1-ubyte")
            ?? throw new FileNotFoundException($"No {prefix}-labels-idx1-ubyte[.gz] in '{folder}'.");
        var pixels = IdxFile.ReadImages(images, take);
        var classes = IdxFile.ReadLabels(labels, take);
        return IdxDataView.Create(ml, pixels, classes, ClassNames, $"{Path.GetFileName(images)} + {Path.GetFileName(labels)}");
    }

    /// <summary>Finds (or downloads) a folder holding all four files and returns it.</summary>
    /// <exception cref="FileNotFoundException">No copy was found and none could be downloaded; the message says how to get one.</exception>
    public static string Locate(FashionMnistSource? source = null)
    {
        source ??= new FashionMnistSource();
        if (source.Path is not null)
        {
            return HasAllFiles(source.Path) ? source.Path
                : throw new FileNotFoundException($"The Fashion-MNIST path '{source.Path}' does not hold the four IDX files ({string.Join(", ", FileNames)}, plain or .gz).");
        }
        string? fromEnvironment = source.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return HasAllFiles(fromEnvironment) ? fromEnvironment
                : throw new FileNotFoundException($"{EnvironmentVariable}='{fromEnvironment}' does not hold the four Fashion-MNIST IDX files ({string.Join(", ", FileNames)}, plain or .gz).");
        }
        var tried = new List<string> { $"{EnvironmentVariable} (unset)" };
        foreach (var folder in new[] { source.CacheDirectory }.Concat(source.SystemDirectories))
        {
            if (HasAllFiles(folder)) return folder;
            tried.Add(folder);
        }
        if (!source.AllowDownload) throw NotFound(tried, "downloads are disabled");
        try
        {
            Download(source);
            return source.CacheDirectory;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or UnauthorizedAccessException or TaskCanceledException)
        {
            throw NotFound(tried, $"the download from {source.DownloadBaseUri} failed: {e.Message}", e);
        }
    }

    /// <summary>Downloads the four .gz files into the cache, verifying each before it takes its final name.</summary>
    internal static void Download(FashionMnistSource source)
    {
        Directory.CreateDirectory(source.CacheDirectory);
        using var http = source.HttpHandler is null ? new HttpClient() : new HttpClient(source.HttpHandler, disposeHandler: false);
        http.Timeout = TimeSpan.FromMinutes(5);
        foreach (var name in FileNames)
        {
            string target = Path.Combine(source.CacheDirectory, name + ".gz");
            if (File.Exists(target)) continue;
            string partial = target + ".part";
            try
            {
                using (var response = http.GetAsync(new Uri(source.DownloadBaseUri, name + ".gz"), HttpCompletionOption.ResponseHeadersRead).GetAwaiter().GetResult())
                {
                    response.EnsureSuccessStatusCode();
                    using var body = response.Content.ReadAsStream();
                    using var file = File.Create(partial);
                    body.CopyTo(file);
                }
                Verify(partial, name, source.ExpectedSha256);
                File.Move(partial, target, overwrite: true);
            }
            finally
            {
                if (File.Exists(partial)) File.Delete(partial);
            }
        }
    }

    private static void Verify(string path, string name, IReadOnlyDictionary<string, string> expected)
    {
        if (!expected.TryGetValue(name, out var want))
            throw new InvalidDataException($"No expected SHA-256 for {name}; refusing an unverified download.");
        string got;
        try
        {
            using var stream = IdxFile.Open(path);
            got = Convert.ToHexStringLower(SHA256.HashData(stream));
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"Downloaded {name}.gz is not valid gzip data: {e.Message}", e);
        }
        if (!string.Equals(got, want, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"Downloaded {name}.gz failed its checksum: SHA-256 of the content is {got}, expected {want}. The file was discarded.");
    }

    private static FileNotFoundException NotFound(List<string> tried, string why, Exception? inner = null) => new(
        $"Fashion-MNIST was not found ({string.Join("; ", tried)}) and {why}. To get it: " +
        "'sudo apt-get install dataset-fashion-mnist' (Debian/Ubuntu), or download the four *-ubyte.gz files from " +
        $"{CanonicalBaseUri} into a folder and pass it as the path or in {EnvironmentVariable}.", inner);

    private static bool HasAllFiles(string folder) => FileNames.All(n => FindFile(folder, n) is not null);

    private static string? FindFile(string folder, string name)
    {
        foreach (var candidate in new[] { name + ".gz", name })
        {
            string path = Path.Combine(folder, candidate);
            if (File.Exists(path)) return path;
        }
        return null;
    }
}
