using Spectre.Console;
using WideMinima.Sweeps.Execution;
using WideMinima.Ledger;

namespace WideMinima.Sweeps.Terminal;

/// <summary>Spectre.Console progress bars: the sweep's run count with an ETA, and one bar per run in flight showing its epoch.</summary>
internal sealed class LiveView(ProgressContext context, int total) : SweepCoordinator.IView
{
    private readonly ProgressTask _overall = context.AddTask("[bold]runs[/]", maxValue: total);
    private readonly Dictionary<string, ProgressTask> _running = [];
    private bool _headerShown;

    public void Update(IReadOnlyList<LedgerRun> runs, IReadOnlyList<LedgerRun> newlyFinished)
    {
        // Finished runs print above the bars as the rows of a table that grows as they finish.
        foreach (var r in newlyFinished)
        {
            if (!_headerShown)
            {
                AnsiConsole.MarkupLine($"[bold]{Markup.Escape(RunLine.Header)}[/]");
                _headerShown = true;
            }
            string colour = r.Status == RunStatus.Done ? "green" : r.Status == RunStatus.Diverged ? "yellow" : "red";
            AnsiConsole.MarkupLine($"[{colour}]{Markup.Escape(RunLine.Row(r))}[/]");
        }
        _overall.Value = runs.Count(r => r.Status.IsFinished());

        var inFlight = runs.Where(r => r.Status == RunStatus.Running).ToDictionary(r => r.RunId);
        foreach (var (id, task) in _running.ToList())
        {
            if (inFlight.ContainsKey(id)) continue;
            task.Value = task.MaxValue;
            task.StopTask();
            _running.Remove(id);
        }
        foreach (var r in inFlight.Values)
        {
            if (!_running.TryGetValue(r.RunId, out var task))
            {
                task = context.AddTask(Markup.Escape(r.RunId), maxValue: 1);
                _running[r.RunId] = task;
            }
            if (RunLine.Epoch(r.Progress) is var (epoch, epochs))
            {
                task.MaxValue = epochs;
                task.Value = epoch;
                task.Description = $"{Markup.Escape(r.RunId)} [grey]epoch {epoch}/{epochs}[/]";
            }
            else
            {
                task.Description = $"{Markup.Escape(r.RunId)} [grey]{Markup.Escape(r.Progress ?? "")}[/]";
            }
        }
    }

    public void Log(string line) => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(line)}[/]");
}
