namespace WideMinima.Tests;

/// <summary>
/// Fresh temporary folders for tests that write files. All of one test run's folders live under one folder,
/// <c>$TMPDIR/wideminima-tests/run-…</c>, which <see cref="TestRunCleanup"/> removes when the run ends; folders of
/// runs that died (killed before their cleanup) are removed by a later run once they are a day old.
/// </summary>
internal static class TestFolders
{
    private static readonly string Parent = Path.Combine(Path.GetTempPath(), "wideminima-tests");
    private static readonly Lazy<string> Root = new(() =>
    {
        string root = Path.Combine(Parent, "run-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(root);
        return root;
    });

    /// <summary>A new empty folder under this run's root.</summary>
    public static string New(string name = "t")
    {
        string dir = Path.Combine(Root.Value, name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Removes this run's folders, and those of earlier runs that are more than a day old.</summary>
    public static void RemoveAll()
    {
        if (Root.IsValueCreated) DeleteQuietly(Root.Value);
        if (!Directory.Exists(Parent)) return;
        foreach (var stale in Directory.EnumerateDirectories(Parent))
        {
            if (Directory.GetLastWriteTimeUtc(stale) < DateTime.UtcNow.AddDays(-1)) DeleteQuietly(stale);
        }
        if (!Directory.EnumerateFileSystemEntries(Parent).Any()) DeleteQuietly(Parent);
    }

    /// <summary>Deletes a folder tree; a folder that another process is still writing to is left for a later run.</summary>
    public static void DeleteQuietly(string dir)
    {
        try
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>Stops the shared PostgreSQL server (its data folder is one of ours) and removes the test run's temporary folders when it ends.</summary>
[TestClass]
public sealed class TestRunCleanup
{
    [AssemblyCleanup]
    public static void RemoveTemporaryFolders()
    {
        Scale.PostgresServer.StopShared();
        TestFolders.RemoveAll();
    }
}

/// <summary>The folders one test made, removed when it ends (<c>[TestCleanup]</c>), so a long suite does not pile them up.</summary>
internal sealed class OwnedFolders
{
    private readonly List<string> _folders = [];

    /// <summary>A new empty folder (see <see cref="TestFolders.New"/>), removed by <see cref="RemoveAll"/>.</summary>
    public string New(string name) => Own(TestFolders.New(name));

    /// <summary>Takes a folder made elsewhere (generated data) to be removed with the others; returns it.</summary>
    public string Own(string folder)
    {
        _folders.Add(folder);
        return folder;
    }

    /// <summary>Removes every folder taken.</summary>
    public void RemoveAll()
    {
        foreach (var folder in _folders) if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        _folders.Clear();
    }
}
