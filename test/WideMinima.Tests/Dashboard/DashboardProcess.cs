using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using WideMinima.Tests.Scale;
using WideMinima.Tests.Sweeps;

namespace WideMinima.Tests.Dashboard;

/// <summary><c>wideminima dashboard</c> as a child process, as a user starts it: its printed address, its output, Ctrl+C.</summary>
internal sealed partial class DashboardProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private DashboardProcess(Process process)
    {
        _process = process;
    }

    /// <summary>The address it printed (with <c>?token=</c> when it has a token).</summary>
    public string Url { get; private set; } = "";

    /// <summary>The address without path and query, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string Origin => new Uri(Url).GetLeftPart(UriPartial.Authority);

    /// <summary>Everything it printed so far.</summary>
    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    /// <summary>Starts <c>dashboard</c> with <paramref name="args"/> (on any free port unless given) and waits for its address.</summary>
    public static DashboardProcess Start(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var all = new List<string> { "dashboard" };
        all.AddRange(args);
        if (!args.Contains("--port")) all.AddRange(["--port", "0"]);
        var process = TinySweep.StartWith(environment, [.. all]);
        var dashboard = new DashboardProcess(process);
        var address = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (dashboard._output) dashboard._output.AppendLine(e.Data);
            if (Address().Match(e.Data) is { Success: true } m) address.TrySetResult(m.Groups[1].Value);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (dashboard._output) dashboard._output.AppendLine(e.Data);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!address.Task.Wait(TimeSpan.FromSeconds(60)))
        {
            dashboard.Dispose();
            Assert.Fail($"dashboard printed no address in 60 s (exited: {process.HasExited}):\n{dashboard.Output}");
        }
        dashboard.Url = address.Task.Result;
        return dashboard;
    }

    /// <summary>Ctrl+C, and the exit code.</summary>
    public int Stop()
    {
        PostgresServer.Run("kill", "-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (!_process.WaitForExit(TimeSpan.FromSeconds(30))) Assert.Fail("dashboard did not stop within 30 s of Ctrl+C");
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    [GeneratedRegex(@" at (http://\S+)$")]
    private static partial Regex Address();
}
