using WideMinima.Sweeps.Terminal;
using WideMinima.Tuning;

namespace WideMinima.Tests.Tuning;

[TestClass]
public sealed class TuneLineTests
{
    private static readonly TrialSettings Knee = new(ScheduleFamily.Knee, 0.05, 0.5, 0, null);
    private static readonly TrialSettings Cosine = new(ScheduleFamily.Cosine, 0.5, null, 0, null);

    private static TuningProgress Finished(bool replayed)
    {
        var job = new TrialJob(1, 3, [new Trial(4, 2, Knee, 1), new Trial(5, 2, Cosine, 1)]);
        var result = new JobResult([new TrialOutcome(4, TrialOutcomeStatus.Done, 0.8912), new TrialOutcome(5, TrialOutcomeStatus.Diverged, double.NaN, "loss is NaN")], 2.5, 10);
        var best = new TrialSummary(job.Trials[0], 1, 3, 4, 0.8912, TrialStatus.Completed, [0.85, 0.8912]);
        return new TuningProgress(TuningEventKind.JobFinished, job, result, replayed, 12.34, 40, best, "rung 1 (3 epochs): trials 4-5");
    }

    [TestMethod]
    public void RowsShowEveryTrialOfAFinishedJobWithItsSettingsRungStatusAndAccuracy()
    {
        var rows = TuneLine.Rows(Finished(replayed: false));

        Assert.HasCount(2, rows);
        StringAssert.Matches(rows[0], new System.Text.RegularExpressions.Regex(@"^\s+4 " + System.Text.RegularExpressions.Regex.Escape(Knee.Label) + @"\s+1\s+3 done\s+89\.12\s+12\.3$"));
        StringAssert.Matches(rows[1], new System.Text.RegularExpressions.Regex(@"^\s+5 " + System.Text.RegularExpressions.Regex.Escape(Cosine.Label) + @"\s+1\s+3 diverged\s+-\s+12\.3  loss is NaN$"));
    }

    [TestMethod]
    public void ReplayedJobsAreMarkedAsComingFromTheLedger()
    {
        StringAssert.EndsWith(TuneLine.Rows(Finished(replayed: true))[0], "(ledger)");
        StringAssert.Contains(TuneLine.Plain(Finished(replayed: true), 40), "ep, ledger]");
    }

    [TestMethod]
    public void OnlyFinishedJobsMakeRows()
    {
        var started = Finished(false) with { Kind = TuningEventKind.JobStarted, Result = null };
        Assert.IsEmpty(TuneLine.Rows(started));
    }

    [TestMethod]
    public void PlainLineShowsComputeSpentOfTheBudgetTheJobAndTheBestSoFar()
    {
        Assert.AreEqual($"[  12.3/40 ep] rung 1 (3 epochs): trials 4-5 | best 89.12 % ({Knee.Label}, rung 1)", TuneLine.Plain(Finished(false), 40));
        Assert.AreEqual($"[  12.3 ep] rung 1 (3 epochs): trials 4-5 | best 89.12 % ({Knee.Label}, rung 1)", TuneLine.Plain(Finished(false), null));
    }
}
