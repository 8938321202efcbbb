namespace WideMinima.Tests.Build;

/// <summary>Small ELF shared libraries made with gcc, standing in for libstdc++ and TorchSharp's native library.</summary>
internal static class NativeStandIns
{
    /// <summary>The one symbol for which TorchSharp's library needs GLIBCXX_3.4.32: std::ios_base_library_init().</summary>
    public const string Symbol = "_ZSt21ios_base_library_initv";

    /// <summary>
    /// Compiles <c>libstdc++.so.6</c> into <paramref name="dir"/> with real version definitions: GLIBCXX_3.4.30
    /// (symbol f30), and GLIBCXX_3.4.32 (<see cref="Symbol"/>) when <paramref name="definesGlibcxx3432"/>, as on
    /// Ubuntu 24.04; without it, it stops where Debian 12's and Ubuntu 22.04's do.
    /// </summary>
    public static string LibStdCxx(string dir, bool definesGlibcxx3432)
    {
        Directory.CreateDirectory(dir);
        string map = definesGlibcxx3432
            ? "GLIBCXX_3.4.30 { global: f30; };\nGLIBCXX_3.4.32 { global: " + Symbol + "; } GLIBCXX_3.4.30;\n"
            : "GLIBCXX_3.4.30 { global: f30; };\n";
        string code = definesGlibcxx3432 ? "int f30(void) { return 30; }\nvoid " + Symbol + "(void) { }\n" : "int f30(void) { return 30; }\n";
        File.WriteAllText(Path.Combine(dir, "libstdcxx.map"), map);
        File.WriteAllText(Path.Combine(dir, "libstdcxx.c"), code);
        string library = Path.Combine(dir, "libstdc++.so.6");
        Gcc(dir, "-shared", "-fPIC", "-Wl,-soname,libstdc++.so.6", "-Wl,--version-script=libstdcxx.map", "-o", library, "libstdcxx.c");
        return library;
    }

    /// <summary>
    /// Compiles <c>libLibTorchSharp.so</c> into <paramref name="dir"/>, linked against <paramref name="libStdCxx"/>
    /// (one that defines GLIBCXX_3.4.32): it needs GLIBCXX_3.4.32 for <see cref="Symbol"/> only, as TorchSharp's
    /// does, and GLIBCXX_3.4.30 for f30.
    /// </summary>
    public static string TorchNative(string dir, string libStdCxx)
    {
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "torch.c"), "int f30(void);\nvoid " + Symbol + "(void);\nint use(void) { " + Symbol + "(); return f30(); }\n");
        string library = Path.Combine(dir, "libLibTorchSharp.so");
        Gcc(dir, "-shared", "-fPIC", "-o", library, "torch.c", libStdCxx);
        return library;
    }

    private static void Gcc(string dir, params string[] args) =>
        Cli.Run("gcc", args, dir).AssertSuccess("gcc " + string.Join(' ', args) + " (build/setup.sh installs gcc)");
}
