using System.Diagnostics;
using System.Text;

namespace WideMinima.Tests;

/// <summary>Runs a command line program to completion, as a user would in a shell, and captures its output.</summary>
internal static class Cli
{
    public sealed record Result(int ExitCode, string Output)
    {
        /// <summary>Fails the test, showing the command and its output, unless the program exited with 0.</summary>
        public Result AssertSuccess(string what)
        {
            Assert.AreEqual(0, ExitCode, $"{what} failed (exit {ExitCode}):\n{Tail(Output)}");
            return this;
        }
    }

    /// <summary>
    /// Runs <paramref name="file"/> with <paramref name="args"/> in <paramref name="workingDirectory"/>. Environment
    /// entries set to null are removed. Output and error are interleaved as the program wrote them.
    /// </summary>
    public static Result Run(string file, IEnumerable<string> args, string workingDirectory,
        IReadOnlyDictionary<string, string?>? environment = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        // Quiet, reproducible .NET CLI runs: no banners, no telemetry, no build servers left behind.
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        info.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        info.Environment["NO_COLOR"] = "1";
        // The test host's own MSBuild/SDK variables must not leak into a nested `dotnet build`.
        foreach (var key in new[] { "MSBuildSDKsPath", "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "DOTNET_HOST_PATH" })
            info.Environment.Remove(key);
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                if (value is null) info.Environment.Remove(key);
                else info.Environment[key] = value;
            }
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var limit = timeout ?? TimeSpan.FromMinutes(5);
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"{file} {string.Join(' ', args)} did not finish in {limit}:\n{Tail(output.ToString())}");
        }
        process.WaitForExit(); // drains the asynchronous output readers
        lock (output) return new Result(process.ExitCode, output.ToString());
    }

    /// <summary>Runs the .NET CLI.</summary>
    public static Result Dotnet(string workingDirectory, IReadOnlyDictionary<string, string?>? environment, params string[] args) =>
        Run("dotnet", args, workingDirectory, environment);

    /// <summary>The repository's root folder (the one holding WideMinima.sln), found from the test assembly's folder.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "WideMinima.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("WideMinima.sln not found above " + AppContext.BaseDirectory);
    }

    private static string Tail(string text, int chars = 6000) => text.Length <= chars ? text : "…" + text[^chars..];
}
