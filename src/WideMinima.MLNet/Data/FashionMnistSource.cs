namespace WideMinima.Data;

/// <summary>Where <see cref="FashionMnist"/> looks for the data, and whether and how it may download it.</summary>
public sealed class FashionMnistSource
{
    /// <summary>An explicit folder holding the four IDX files (plain or .gz). When set, nothing else is tried.</summary>
    public string? Path { get; set; }

    /// <summary>The user cache folder; default <c>$XDG_CACHE_HOME/wideminima/fashion-mnist</c> or <c>~/.cache/wideminima/fashion-mnist</c>.</summary>
    public string CacheDirectory { get; set; } = DefaultCacheDirectory();

    /// <summary>The folders of system packages; default the Debian/Ubuntu package's <c>/usr/share/datasets/fashion-mnist</c>.</summary>
    public IReadOnlyList<string> SystemDirectories { get; set; } = ["/usr/share/datasets/fashion-mnist"];

    /// <summary>Whether to download into the cache when no copy is found. Default true.</summary>
    public bool AllowDownload { get; set; } = true;

    /// <summary>Where the four .gz files are served; default the dataset's canonical location.</summary>
    public Uri DownloadBaseUri { get; set; } = FashionMnist.CanonicalBaseUri;

    /// <summary>SHA-256 of each file's decompressed content, by file name; default the real dataset's.</summary>
    public IReadOnlyDictionary<string, string> ExpectedSha256 { get; set; } = FashionMnist.CanonicalSha256;

    /// <summary>The HTTP handler for downloads (tests pass a local one); null uses the default.</summary>
    public HttpMessageHandler? HttpHandler { get; set; }

    /// <summary>Reads the environment variable <see cref="FashionMnist.EnvironmentVariable"/>; tests may replace it.</summary>
    public Func<string, string?> GetEnvironmentVariable { get; set; } = Environment.GetEnvironmentVariable;

    private static string DefaultCacheDirectory()
    {
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string root = !string.IsNullOrEmpty(xdg)
            ? xdg
            : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return System.IO.Path.Combine(root, "wideminima", "fashion-mnist");
    }
}
