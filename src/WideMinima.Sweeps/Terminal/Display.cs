using Spectre.Console;

namespace WideMinima.Sweeps.Terminal;

/// <summary>How the console shows progress: live Spectre.Console bars on a terminal, plain lines when redirected.</summary>
internal static class Display
{
    /// <summary>True on an interactive terminal (live bars); false when the output is redirected (plain lines for logs and pipes).</summary>
    public static bool Interactive => !System.Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="work"/> under the console's progress bars (the same columns for every command).</summary>
    public static T WithProgress<T>(Func<ProgressContext, T> work)
    {
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx => result = work(ctx));
        return result;
    }
}
