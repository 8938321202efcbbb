using System.Runtime.InteropServices;
using TorchSharp;

namespace WideMinima.MLNet;

/// <summary>
/// Keeps libtorch's own warnings off the user's console and the sweep's logs. libtorch writes them straight to the
/// process's standard error, out of .NET's reach: on a CPU without NNPACK's instruction set, for example, every
/// one-row convolution prints "Could not initialize NNPACK! Reason: Unsupported hardware." The trainer, the
/// transformer and the tuner raise libtorch's log threshold (c10's <c>FLAGS_caffe2_log_level</c>, which every
/// <c>LOG(WARNING)</c> and <c>TORCH_WARN</c> is checked against) from warning to error, once per process. Nothing that is
/// computed changes. Set the environment variable <c>WIDEMINIMA_TORCH_WARNINGS=1</c> to leave libtorch's warnings on.
/// </summary>
internal static class NativeWarnings
{
    /// <summary>The environment variable that keeps libtorch's warnings on: 1 or true.</summary>
    public const string EnvironmentVariable = "WIDEMINIMA_TORCH_WARNINGS";

    /// <summary>c10's log levels: 0 info, 1 warning (libtorch's default), 2 error, 3 fatal.</summary>
    private const int ErrorLevel = 2;

    private static int _applied;

    /// <summary>Raises libtorch's log threshold to errors, once per process, unless <see cref="EnvironmentVariable"/> asks for warnings.</summary>
    public static void Quiet()
    {
        if (Interlocked.Exchange(ref _applied, 1) == 1) return;
        if (WarningsRequested(Environment.GetEnvironmentVariable(EnvironmentVariable))) return;
        _ = torch.get_num_threads(); // loads libtorch, if nothing has yet
        if (LogLevel() is { } level && Marshal.ReadInt32(level) < ErrorLevel) Marshal.WriteInt32(level, ErrorLevel);
    }

    /// <summary>Whether the environment variable's value asks for libtorch's warnings.</summary>
    internal static bool WarningsRequested(string? value) =>
        value is not null && (value.Trim() == "1" || value.Trim().Equals("true", StringComparison.OrdinalIgnoreCase));

    /// <summary>The address of c10's log threshold in the libc10 this process loaded, or null where it cannot be found.</summary>
    internal static IntPtr? LogLevel()
    {
        string library = OperatingSystem.IsWindows() ? "c10.dll" : OperatingSystem.IsMacOS() ? "libc10.dylib" : "libc10.so";
        if (!NativeLibrary.TryLoad(library, typeof(torch).Assembly, null, out var handle)) return null;
        // A global C++ variable: unmangled on Linux and macOS, mangled by MSVC on Windows.
        foreach (var name in new[] { "FLAGS_caffe2_log_level", "?FLAGS_caffe2_log_level@@3HA" })
        {
            if (NativeLibrary.TryGetExport(handle, name, out var address)) return address;
        }
        return null;
    }
}
