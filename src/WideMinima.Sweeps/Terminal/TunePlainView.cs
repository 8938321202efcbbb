using WideMinima.Tuning;

namespace WideMinima.Sweeps.Terminal;

/// <summary>A tuning's progress as plain log lines, one per finished job, for redirected output (CI logs, files, pipes).</summary>
internal sealed class TunePlainView(TextWriter output, double? searchBudget) : IProgress<TuningProgress>
{
    public void Report(TuningProgress value)
    {
        switch (value.Kind)
        {
            case TuningEventKind.JobStarted:
            case TuningEventKind.Stopped:
                return;
            case TuningEventKind.JobFinished:
                output.WriteLine(TuneLine.Plain(value, searchBudget));
                output.Flush();
                return;
            default:
                throw new ArgumentOutOfRangeException(nameof(value), value.Kind, "unknown tuning event");
        }
    }
}
