namespace WideMinima.Tests;

/// <summary>Fresh temporary folders for tests that write files.</summary>
internal static class TestFolders
{
    public static string New(string name = "t")
    {
        string dir = Path.Combine(Path.GetTempPath(), "wideminima-tests", name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }
}
