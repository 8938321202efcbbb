using WideMinima.Build;

namespace WideMinima.Tests.Build;

/// <summary>The GLIBCXX_3.4.32 load fix (build/tasks/WeakenVersionNeed.cs) on the real TorchSharp library.</summary>
[TestClass]
public sealed class NativeLoadFixTests
{
    private const string Version = "GLIBCXX_3.4.32";
    private const string Symbol = "_ZSt21ios_base_library_initv";

    private static string OutputCopy() => Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    private static string CacheCopy()
    {
        string root = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return Path.Combine(root, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
    }

    private static byte[] Strong(byte[] elf)
    {
        // Undo an earlier patch in memory, so each test starts from the library as shipped.
        var r = ElfVersionNeeds.Read(elf).Single(v => v.Version == Version);
        elf[r.FlagsOffset] &= unchecked((byte)~0x2);
        return elf;
    }

    [TestMethod]
    public void The_shipped_library_needs_the_version_for_exactly_one_never_called_symbol()
    {
        if (!OperatingSystem.IsLinux()) Assert.Inconclusive("The TorchSharp Linux library is only in the output on Linux.");
        byte[] elf = Strong(File.ReadAllBytes(OutputCopy()));
        var need = ElfVersionNeeds.Read(elf).Single(v => v.Version == Version);
        Assert.AreEqual("libstdc++.so.6", need.File);
        Assert.IsFalse(need.IsWeak);
        CollectionAssert.AreEqual(new[] { Symbol }, ElfVersionNeeds.SymbolsNeeding(elf, need.Index));
    }

    [TestMethod]
    public void Weaken_sets_only_the_weak_flag_of_that_one_entry()
    {
        if (!OperatingSystem.IsLinux()) Assert.Inconclusive("The TorchSharp Linux library is only in the output on Linux.");
        byte[] original = Strong(File.ReadAllBytes(OutputCopy()));
        byte[] patched = (byte[])original.Clone();
        Assert.AreEqual(WeakenOutcome.Weakened, ElfVersionNeeds.Weaken(patched, "libstdc++.so.6", Version, [Symbol]));
        var diffs = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToList();
        Assert.HasCount(1, diffs, "exactly one byte changes");
        Assert.IsTrue(ElfVersionNeeds.Read(patched).Single(v => v.Version == Version).IsWeak);
        Assert.IsTrue(ElfVersionNeeds.Read(patched).Where(v => v.Version != Version).All(v => !v.IsWeak), "no other requirement changes");
        Assert.AreEqual(WeakenOutcome.AlreadyWeak, ElfVersionNeeds.Weaken(patched, "libstdc++.so.6", Version, [Symbol]), "idempotent");
        Assert.AreEqual(WeakenOutcome.NotRequired, ElfVersionNeeds.Weaken(patched, "libstdc++.so.6", "GLIBCXX_9.9.9", [Symbol]));
    }

    [TestMethod]
    public void Weaken_refuses_when_a_symbol_that_may_be_called_needs_the_version()
    {
        if (!OperatingSystem.IsLinux()) Assert.Inconclusive("The TorchSharp Linux library is only in the output on Linux.");
        byte[] elf = Strong(File.ReadAllBytes(OutputCopy()));
        var e = Assert.ThrowsExactly<InvalidDataException>(() => ElfVersionNeeds.Weaken(elf, "libstdc++.so.6", Version, []));
        StringAssert.Contains(e.Message, Symbol);
    }

    [TestMethod]
    public void Rejects_files_that_are_not_elf64()
    {
        Assert.ThrowsExactly<InvalidDataException>(() => ElfVersionNeeds.Read(new byte[100]));
        Assert.ThrowsExactly<InvalidDataException>(() => ElfVersionNeeds.Read([0x7f, (byte)'E', (byte)'L', (byte)'F']));
    }

    [TestMethod]
    public void The_build_patched_the_output_copy_exactly_when_the_system_needs_it_and_never_the_nuget_cache()
    {
        if (!OperatingSystem.IsLinux()) Assert.Inconclusive("The fix applies to Linux only.");
        string? system = SystemLibraries.FindLibStdCxx();
        Assert.IsNotNull(system, "a Linux machine that runs .NET has a libstdc++");
        bool systemHasIt = ElfVersionNeeds.DefinesVersion(File.ReadAllBytes(system), Version);
        bool outputWeak = ElfVersionNeeds.Read(File.ReadAllBytes(OutputCopy())).Single(v => v.Version == Version).IsWeak;
        Assert.AreEqual(!systemHasIt, outputWeak, $"system {system} defines {Version}: {systemHasIt}");
        if (File.Exists(CacheCopy()))
            Assert.IsFalse(ElfVersionNeeds.Read(File.ReadAllBytes(CacheCopy())).Single(v => v.Version == Version).IsWeak,
                "the NuGet cache copy must stay as shipped");
    }

    [TestMethod]
    public void DefinesVersion_matches_whole_names_only()
    {
        byte[] lib = "\0GLIBCXX_3.4.30\0GLIBCXX_3.4.3\0"u8.ToArray();
        Assert.IsTrue(ElfVersionNeeds.DefinesVersion(lib, "GLIBCXX_3.4.30"));
        Assert.IsTrue(ElfVersionNeeds.DefinesVersion(lib, "GLIBCXX_3.4.3"));
        Assert.IsFalse(ElfVersionNeeds.DefinesVersion(lib, "GLIBCXX_3.4.32"));
        Assert.IsFalse(ElfVersionNeeds.DefinesVersion(lib, "3.4.30"));
    }
}
