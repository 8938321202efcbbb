using System.Globalization;
using Spectre.Console;
using WideMinima.Tuning;

namespace WideMinima.Sweeps.Terminal;

/// <summary>
/// Spectre.Console progress for <c>tune</c>, like <c>run</c>'s <see cref="LiveView"/>: a bar of the search's compute
/// (epochs spent of the budget) with the best so far, one bar per job in flight, and the finished trials printed
/// above the bars as the rows of a table that grows as jobs finish.
/// </summary>
internal sealed class TuneLiveView(ProgressContext context, double? searchBudget) : IProgress<TuningProgress>
{
    private readonly ProgressTask _overall = context.AddTask("[bold]search epochs[/]", maxValue: searchBudget is double b && b > 0 ? b : 1);
    private readonly Dictionary<string, ProgressTask> _jobs = [];
    private bool _headerShown;

    public void Report(TuningProgress value)
    {
        switch (value.Kind)
        {
            case TuningEventKind.JobStarted:
                var job = context.AddTask($"[grey]{Markup.Escape(value.Message)}[/]", maxValue: 1);
                job.IsIndeterminate = true;
                _jobs[value.Job!.Key] = job;
                break;
            case TuningEventKind.JobFinished:
                if (_jobs.Remove(value.Job!.Key, out var done))
                {
                    done.IsIndeterminate = false;
                    done.Value = done.MaxValue;
                    done.StopTask();
                }
                if (!_headerShown)
                {
                    AnsiConsole.MarkupLine($"[bold]{Markup.Escape(TuneLine.Header)}[/]");
                    _headerShown = true;
                }
                if (value.Result is { } result)
                    foreach (var (row, outcome) in TuneLine.Rows(value).Zip(result.Outcomes))
                    {
                        string colour = outcome.Status switch
                        {
                            TrialOutcomeStatus.Done => "green",
                            TrialOutcomeStatus.Diverged => "yellow",
                            TrialOutcomeStatus.Failed => "red",
                            _ => throw new ArgumentOutOfRangeException(nameof(value), outcome.Status, "unknown trial status"),
                        };
                        AnsiConsole.MarkupLine($"[{colour}]{Markup.Escape(row)}[/]");
                    }
                break;
            case TuningEventKind.Stopped:
                foreach (var left in _jobs.Values) left.StopTask();
                _jobs.Clear();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(value), value.Kind, "unknown tuning event");
        }
        if (searchBudget is null) _overall.MaxValue = Math.Max(_overall.MaxValue, value.SpentEpochs);
        _overall.Value = Math.Min(value.SpentEpochs, _overall.MaxValue);
        string best = value.Best is { } t
            ? string.Create(CultureInfo.InvariantCulture, $" [grey]best {t.ValidationAccuracy:P2} ({Markup.Escape(t.Trial.Settings.Label)}, rung {t.Rung})[/]")
            : "";
        _overall.Description = $"[bold]search epochs[/]{best}";
    }
}

/// <summary>A writer whose lines go through <see cref="AnsiConsole"/>, so that they print above live progress bars.</summary>
internal sealed class AnsiLineWriter : TextWriter
{
    private readonly System.Text.StringBuilder _line = new();

    public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

    public override void Write(char value)
    {
        if (value == '\n')
        {
            AnsiConsole.WriteLine(_line.ToString().TrimEnd('\r'));
            _line.Clear();
        }
        else
        {
            _line.Append(value);
        }
    }

    public override void Flush()
    {
        if (_line.Length == 0) return;
        AnsiConsole.WriteLine(_line.ToString());
        _line.Clear();
    }
}
