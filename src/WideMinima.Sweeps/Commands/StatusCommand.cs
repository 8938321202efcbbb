using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using WideMinima.Sweeps.Config;
using WideMinima.Sweeps.Execution;
using WideMinima.Ledger;
using WideMinima.Reports;

namespace WideMinima.Sweeps.Commands;

/// <summary><c>status</c>: what a sweep folder holds: counts by state, runs in flight, results per setting.</summary>
internal sealed class StatusCommand : Command<LedgerSettings>
{
    public override int Execute(CommandContext context, LedgerSettings settings, CancellationToken cancellationToken)
    {
        Print(settings.ExistingTarget(needFolder: false));
        return ExitCodes.Success;
    }

    /// <summary>Prints the status of a sweep.</summary>
    public static void Print(LedgerTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        using var ledger = target.Open();
        var header = ledger.ReadSweep();
        var runs = ledger.Runs();
        var config = header is null ? null : SweepConfigJson.Parse(header.ConfigJson, ledger.Description);
        string name = config?.Name ?? "?";
        string folder = target.IsShared ? target.Location!.Display : target.Folder!;
        var counts = runs.GroupBy(r => r.Status).ToDictionary(g => g.Key, g => g.Count());
        int Count(RunStatus s) => counts.TryGetValue(s, out int n) ? n : 0;
        AnsiConsole.MarkupLine(Markup.Escape($"Sweep '{name}' in {folder}: {runs.Count} runs: {Count(RunStatus.Done)} done, {Count(RunStatus.Diverged)} diverged, " +
            $"{Count(RunStatus.Failed)} failed, {Count(RunStatus.Running)} running, {Count(RunStatus.Pending)} pending."));

        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var r in runs.Where(r => r.Status == RunStatus.Running))
        {
            bool alive = WorkerIdentity.IsAlive(r.Worker ?? "") && (r.LeaseExpiresAt ?? long.MaxValue) >= now;
            AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"  running {r.RunId} on {r.Worker} ({r.Progress}, last heard {(now - (r.HeartbeatAt ?? now)) / 1000.0:F0} s ago{(alive ? "" : ", worker gone or its lease expired: it will run again")})")));
        }
        var durations = runs.Where(r => r.Status == RunStatus.Done && r.StartedAt is not null && r.FinishedAt is not null)
            .Select(r => (r.FinishedAt!.Value - r.StartedAt!.Value) / 1000.0).ToList();
        int left = Count(RunStatus.Pending) + Count(RunStatus.Running);
        if (left > 0 && durations.Count > 0 && config is not null)
        {
            int workers = Math.Max(1, config.Workers);
            AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"  about {durations.Average() * left / workers / 60:F1} minutes left at {durations.Average():F1} s per run with {workers} worker(s)")));
        }

        if (config?.Tune is not null)
        {
            PrintJobs(ledger, runs);
            return;
        }
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumns("setting", "done", "accuracy % (mean ± std)", "sharpness (mean ± std)", "train s");
        foreach (var row in SettingRows(runs)) table.AddRow([.. row.Select(Markup.Escape)]);
        AnsiConsole.Write(table);
        var calibration = runs.Where(r => r.Phase == RunPhase.Calibration).ToList();
        if (calibration.Count > 0)
        {
            var peaks = VerdictSummary.PeakCurves(runs);
            AnsiConsole.MarkupLine(Markup.Escape(
                $"  calibration: {calibration.Count(r => r.Status.IsFinished())} of {calibration.Count} runs finished; peaks: "
                + string.Join(", ", peaks.Select(p => $"{SettingSummary.LabelOf(p.Setting, p.Budget)} {p.ChosenText}"))));
        }
    }

    /// <summary>
    /// The status table's rows: one per final setting and budget, with accuracy (%) and Keskar sharpness as mean ± std
    /// and training seconds, each with three significant digits for its scale (<see cref="NumberFormat"/>).
    /// </summary>
    internal static IReadOnlyList<string[]> SettingRows(IReadOnlyList<LedgerRun> runs) =>
    [
        .. SettingSummary.From(runs).Select(s =>
        {
            var acc = s.Accuracies.Select(a => a * 100).ToList();
            return new[]
            {
                s.Label, string.Create(CultureInfo.InvariantCulture, $"{s.Done.Count}/{s.Planned}"),
                NumberFormat.MeanStd(Statistics.Mean(acc), Statistics.StandardDeviation(acc)),
                NumberFormat.MeanStd(Statistics.Mean(s.Sharpness), Statistics.StandardDeviation(s.Sharpness)),
                NumberFormat.Significant(Statistics.Mean([.. s.Done.Select(r => r.TrainSeconds ?? double.NaN)])),
            };
        }),
    ];

    /// <summary>A tuning's jobs: one row each, with the validation accuracy of each of its trials.</summary>
    private static void PrintJobs(IRunLedger ledger, IReadOnlyList<LedgerRun> runs)
    {
        AnsiConsole.MarkupLine(Markup.Escape(ledger.IsOpen()
            ? "  a tuning, held open by its coordinator: workers wait for its next jobs"
            : "  a tuning, closed (finished, or its coordinator stopped): workers exit when nothing is left; best.json and trials.csv are in tune's --out"));
        var table = new Table().Border(TableBorder.Rounded).AddColumns("job", "trials", "status", "worker", "validation % (a final fit: test %)", "s");
        foreach (var r in runs)
        {
            string accuracies = "-";
            if (r.Status == RunStatus.Done && r.ResultJson is not null && TuneJobs.IsFinal(r))
            {
                var fit = System.Text.Json.JsonSerializer.Deserialize<FinalFit>(r.ResultJson, SweepConfigJson.Options);
                accuracies = fit?.TestAccuracy is double test ? $"test {F(test * 100, 2)}" : "diverged";
            }
            else if (r.Status == RunStatus.Done && r.ResultJson is not null)
            {
                var result = System.Text.Json.JsonSerializer.Deserialize<Tuning.JobResult>(r.ResultJson, SweepConfigJson.Options);
                if (result is not null)
                    accuracies = string.Join(" ", result.Outcomes.Select(o => o.Status == Tuning.TrialOutcomeStatus.Done ? F(o.ValidationAccuracy * 100, 1) : o.Status.ToString().ToLowerInvariant()));
            }
            double? seconds = r.StartedAt is long a && r.FinishedAt is long b ? (b - a) / 1000.0 : null;
            table.AddRow(Markup.Escape(r.RunId), Markup.Escape(r.Setting), r.Status.ToText() + (r.Status == RunStatus.Running && r.Progress is not null ? $" ({Markup.Escape(r.Progress)})" : ""),
                Markup.Escape(r.Worker ?? "-"), accuracies, seconds is double sec ? F(sec, 1) : "-");
        }
        AnsiConsole.Write(table);
    }

    private static string F(double v, int digits) => double.IsNaN(v) ? "-" : v.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
