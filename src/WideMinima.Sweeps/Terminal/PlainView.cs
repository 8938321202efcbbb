using WideMinima.Sweeps.Execution;
using WideMinima.Ledger;

namespace WideMinima.Sweeps.Terminal;

/// <summary>Progress as plain log lines, for redirected output (CI logs, files, pipes).</summary>
internal sealed class PlainView(TextWriter output) : SweepCoordinator.IView
{
    private readonly Dictionary<string, string?> _progress = [];

    public void Update(IReadOnlyList<LedgerRun> runs, IReadOnlyList<LedgerRun> newlyFinished)
    {
        int finished = runs.Count(r => r.Status.IsFinished());
        foreach (var r in newlyFinished) output.WriteLine($"[{finished}/{runs.Count}] {RunLine.Describe(r)}");
        foreach (var r in runs.Where(r => r.Status == RunStatus.Running))
        {
            if (_progress.TryGetValue(r.RunId, out var last) && last == r.Progress) continue;
            _progress[r.RunId] = r.Progress;
            if (r.Progress is not null) output.WriteLine($"[{finished}/{runs.Count}] {r.RunId}: {r.Progress}");
        }
        output.Flush();
    }

    public void Log(string line)
    {
        output.WriteLine(line);
        output.Flush();
    }
}
