using System.IO.Compression;
using System.Text;
using WideMinima.Build;

namespace WideMinima.Tests.Build;

/// <summary>
/// The native-load fix as a build runs it (build/WideMinima.NativeLoad.targets): a small project outside the
/// repository takes a native library from a NuGet package, as TorchSharp's arrives, and builds with each mode.
/// The library and two libstdc++ stand-ins are compiled here with gcc, so the tests decide the "system" libstdc++
/// themselves (-p:WideMinimaLibStdCxx) and give the same answers on any Linux machine.
/// </summary>
[TestClass]
public sealed class NativeLoadFixBuildTests
{
    private const string Version = "GLIBCXX_3.4.32";
    private const string Symbol = NativeStandIns.Symbol;
    private const string PackageId = "WideMinimaTests.FakeTorchNative";

    private static string root = "";
    private static string project = "";
    private static string newLibStdCxx = "";   // defines GLIBCXX_3.4.32, as on Ubuntu 24.04
    private static string oldLibStdCxx = "";   // stops at GLIBCXX_3.4.30, as on Debian 12 and Ubuntu 22.04
    private static string cacheCopy = "";      // the library as extracted into the (test's own) NuGet cache
    private static byte[] shipped = [];        // the library as the package ships it

    [ClassInitialize]
    public static void Prepare(TestContext context)
    {
        _ = context;
        if (!OperatingSystem.IsLinux()) return;
        root = TestFolders.New("native-load");
        // Two libstdc++ stand-ins with real version definitions, and a library that needs GLIBCXX_3.4.32 for
        // exactly the symbol TorchSharp's does (and GLIBCXX_3.4.30 for another one, which must stay strong).
        newLibStdCxx = NativeStandIns.LibStdCxx(Path.Combine(root, "new"), definesGlibcxx3432: true);
        oldLibStdCxx = NativeStandIns.LibStdCxx(Path.Combine(root, "old"), definesGlibcxx3432: false);
        string torch = NativeStandIns.TorchNative(Path.Combine(root, "src"), newLibStdCxx);
        shipped = File.ReadAllBytes(torch);

        // A package that carries it where TorchSharp-cpu's libtorch packages carry theirs, in a local feed.
        string feed = Directory.CreateDirectory(Path.Combine(root, "feed")).FullName;
        WritePackage(Path.Combine(feed, $"{PackageId}.1.0.0.nupkg"), torch);

        // A consumer project outside the repository: it imports the fix's targets file the way the WideMinima
        // package's buildTransitive/WideMinima.targets does, and restores only from the feed into its own cache.
        string app = Directory.CreateDirectory(Path.Combine(root, "app")).FullName;
        string packages = Path.Combine(root, "packages");
        File.WriteAllText(Path.Combine(root, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(root, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(root, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config><add key="globalPackagesFolder" value="{packages}" /></config>
              <packageSources><clear /><add key="feed" value="{feed}" /></packageSources>
              <fallbackPackageFolders><clear /></fallbackPackageFolders>
            </configuration>
            """);
        string targets = Path.Combine(Cli.RepositoryRoot(), "build", "WideMinima.NativeLoad.targets");
        project = Path.Combine(app, "app.csproj");
        File.WriteAllText(project, $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <OutputType>Exe</OutputType>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="{PackageId}" Version="1.0.0" />
              </ItemGroup>
              <Import Project="{targets}" />
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), "System.Console.WriteLine(\"probe\");\n");
        Cli.Dotnet(app, null, "restore", "--nologo").AssertSuccess("dotnet restore of the consumer project");
        cacheCopy = Path.Combine(packages, PackageId.ToLowerInvariant(), "1.0.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        CollectionAssert.AreEqual(shipped, File.ReadAllBytes(cacheCopy), "the package as restored");
    }

    private static void WritePackage(string path, string library)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        using (var writer = new StreamWriter(zip.CreateEntry($"{PackageId}.nuspec").Open(), new UTF8Encoding(false)))
        {
            writer.Write($"""
                <?xml version="1.0" encoding="utf-8"?>
                <package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">
                  <metadata>
                    <id>{PackageId}</id>
                    <version>1.0.0</version>
                    <authors>tests</authors>
                    <description>A native library standing in for TorchSharp's.</description>
                  </metadata>
                </package>
                """);
        }
        zip.CreateEntryFromFile(library, "runtimes/linux-x64/native/libLibTorchSharp.so");
    }

    /// <summary>Builds the consumer into a fresh output folder and returns its copy of the library.</summary>
    private static string Build(string mode, string? libStdCxx, params string[] extra)
    {
        string output = TestFolders.New("out-" + mode);
        var args = new List<string> { "build", project, "--no-restore", "--nologo", "-o", output, $"-p:WideMinimaWeakenGlibcxx={mode}" };
        if (libStdCxx is not null) args.Add($"-p:WideMinimaLibStdCxx={libStdCxx}");
        args.AddRange(extra);
        Cli.Dotnet(root, null, [.. args]).AssertSuccess($"dotnet build with WideMinimaWeakenGlibcxx={mode}");
        string copy = Path.Combine(output, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.IsTrue(File.Exists(copy), "the build copied the library to " + copy);
        return copy;
    }

    private static ElfVersionNeeds.Requirement Need(byte[] elf, string version) =>
        ElfVersionNeeds.Read(elf).Single(r => r.File == "libstdc++.so.6" && r.Version == version);

    private static void AssertWeakenedOnly(byte[] patched)
    {
        Assert.IsTrue(Need(patched, Version).IsWeak, $"{Version} is weak");
        Assert.IsFalse(Need(patched, "GLIBCXX_3.4.30").IsWeak, "the other requirement stays strong");
        Assert.AreEqual(1, Enumerable.Range(0, shipped.Length).Count(i => shipped[i] != patched[i]), "one byte changes");
    }

    private static (long Inode, int Links) Stat(string path)
    {
        var parts = Cli.Run("stat", ["-c", "%i %h", path], root).AssertSuccess("stat").Output.Split(' ', StringSplitOptions.TrimEntries);
        return (long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    private static void LinuxOnly()
    {
        if (!OperatingSystem.IsLinux()) Assert.Inconclusive("The fix applies to Linux builds only.");
    }

    [TestMethod]
    public void The_stand_ins_are_what_the_tests_need()
    {
        LinuxOnly();
        Assert.IsTrue(ElfVersionNeeds.DefinesVersion(File.ReadAllBytes(newLibStdCxx), Version));
        Assert.IsFalse(ElfVersionNeeds.DefinesVersion(File.ReadAllBytes(oldLibStdCxx), Version));
        Assert.IsTrue(ElfVersionNeeds.DefinesVersion(File.ReadAllBytes(oldLibStdCxx), "GLIBCXX_3.4.30"));
        var need = Need(shipped, Version);
        Assert.IsFalse(need.IsWeak);
        CollectionAssert.AreEqual(new[] { Symbol }, ElfVersionNeeds.SymbolsNeeding(shipped, need.Index));
        var e = Assert.ThrowsExactly<InvalidDataException>(() => ElfVersionNeeds.Weaken((byte[])shipped.Clone(), "libstdc++.so.6", "GLIBCXX_3.4.30", [Symbol]));
        StringAssert.Contains(e.Message, "f30", "a version that a callable symbol needs is never weakened");
    }

    [TestMethod]
    public void Auto_is_a_no_op_where_libstdcxx_defines_the_version()
    {
        LinuxOnly();
        CollectionAssert.AreEqual(shipped, File.ReadAllBytes(Build("auto", newLibStdCxx)));
    }

    [TestMethod]
    public void Auto_weakens_the_output_copy_where_libstdcxx_lacks_the_version()
    {
        LinuxOnly();
        AssertWeakenedOnly(File.ReadAllBytes(Build("auto", oldLibStdCxx)));
        CollectionAssert.AreEqual(shipped, File.ReadAllBytes(cacheCopy), "the NuGet cache copy is untouched");
    }

    [TestMethod]
    public void Never_leaves_the_output_copy_as_shipped_even_where_libstdcxx_lacks_the_version()
    {
        LinuxOnly();
        CollectionAssert.AreEqual(shipped, File.ReadAllBytes(Build("never", oldLibStdCxx)));
    }

    [TestMethod]
    public void Always_weakens_the_output_copy_even_where_libstdcxx_defines_the_version()
    {
        LinuxOnly();
        AssertWeakenedOnly(File.ReadAllBytes(Build("always", newLibStdCxx)));
    }

    [TestMethod]
    public void An_output_copy_hard_linked_into_the_nuget_cache_is_replaced_and_the_cache_file_stays_unchanged()
    {
        LinuxOnly();
        string[] hardLinks = ["-p:CreateHardLinksForCopyLocalIfPossible=true", "-p:CreateHardLinksForCopyFilesToOutputDirectoryIfPossible=true"];
        var cacheBefore = Stat(cacheCopy);

        // Without the fix the build's copy is the cache file itself, under a second name: writing into it in
        // place would change the cache, and every other project on the machine that uses the package.
        string linked = Build("never", null, hardLinks);
        Assert.AreEqual(cacheBefore.Inode, Stat(linked).Inode, "the build hard-linked the output copy to the cache file");

        string patched = Build("always", null, hardLinks);
        AssertWeakenedOnly(File.ReadAllBytes(patched));
        Assert.AreNotEqual(cacheBefore.Inode, Stat(patched).Inode, "the patched copy is a file of its own");
        CollectionAssert.AreEqual(shipped, File.ReadAllBytes(cacheCopy), "the cache file is byte for byte as shipped");
        Assert.AreEqual(cacheBefore.Inode, Stat(cacheCopy).Inode);
        CollectionAssert.AreEqual(shipped, File.ReadAllBytes(linked), "the other output's copy, still linked to the cache, too");
    }

    [TestMethod]
    public void An_unknown_mode_fails_the_build_and_names_the_property_and_the_value()
    {
        LinuxOnly();
        var result = Cli.Dotnet(root, null, "build", project, "--no-restore", "--nologo", "-o", TestFolders.New("out-bad"), "-p:WideMinimaWeakenGlibcxx=sometimes");
        Assert.AreNotEqual(0, result.ExitCode, result.Output);
        StringAssert.Contains(result.Output, "WideMinimaWeakenGlibcxx must be auto, always or never; got 'sometimes'");
    }
}
