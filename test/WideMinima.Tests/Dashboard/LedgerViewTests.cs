using WideMinima.Ledger;
using WideMinima.Reports;
using WideMinima.Sweeps.Benchmarks;
using WideMinima.Sweeps.Config;
using WideMinima.Tests.Scale;

namespace WideMinima.Tests.Dashboard;

/// <summary>The queries the dashboard added to LedgerView, on SQLite and on PostgreSQL (the tests' private server).</summary>
[TestClass]
public sealed class LedgerViewTests
{
    private static (IRunLedger Writer, LedgerView View, string Sweep, LedgerTarget Target) New(string kind, int runs = 160)
    {
        var target = Ledgers.NewTarget(kind, "view");
        var writer = target.Open();
        DashboardBenchmark.Generate(writer, "view", runs, seed: 3);
        return (writer, target.View(), "view", target);
    }

    [TestMethod]
    [DataRow("sqlite")]
    [DataRow("postgres")]
    public void The_stamp_changes_with_every_write_and_only_then(string kind)
    {
        var (writer, view, _, _) = New(kind);
        using var _w = writer;
        using var _v = view;
        string stamp = view.Stamp().Text;
        Assert.AreEqual(stamp, view.Stamp().Text, "reading changes nothing");
        var run = writer.Claim("w2", TimeSpan.FromMinutes(5), _ => true)!;
        string claimed = view.Stamp().Text;
        Assert.AreNotEqual(stamp, claimed, "a claim");
        Assert.IsTrue(writer.Heartbeat(run.Lease, "epoch 2/20"));
        string renewed = view.Stamp().Text;
        Assert.AreNotEqual(claimed, renewed, "a heartbeat");
        Assert.IsTrue(writer.Complete(run.Lease, new RunOutcome(RunStatus.Failed, null, "x")));
        Assert.AreNotEqual(renewed, view.Stamp().Text, "a result");
    }

    [TestMethod]
    [DataRow("sqlite")]
    [DataRow("postgres")]
    public void One_sweeps_overview_is_the_lists_entry_and_summary_columns_match_the_full_rows(string kind)
    {
        var (writer, view, sweep, _) = New(kind);
        using var _w = writer;
        using var _v = view;
        var listed = view.Sweeps().Single(s => s.Name == sweep);
        var one = view.Overview(sweep)!;
        Assert.AreEqual(listed with { BestAccuracy = 0 }, one with { BestAccuracy = 0 });
        Assert.AreEqual(listed.BestAccuracy!.Value, one.BestAccuracy!.Value, 1e-12, "PostgreSQL may sum in another order");
        Assert.IsNull(view.Overview("no-such-sweep"));
        var full = view.Runs(sweep, withResults: true);
        var slim = view.SummaryRuns(sweep);
        Assert.HasCount(full.Count, slim);
        for (int i = 0; i < full.Count; i++)
        {
            var (f, s) = (full[i], slim[i]);
            Assert.AreEqual((f.RunId, f.Ordinal, f.Kind, f.Phase, f.Budget, f.PeakLr, f.Setting, f.Schedule, f.ExploreFraction, f.Seed, f.Status, f.Attempts, f.FinishedAt),
                (s.RunId, s.Ordinal, s.Kind, s.Phase, s.Budget, s.PeakLr, s.Setting, s.Schedule, s.ExploreFraction, s.Seed, s.Status, s.Attempts, s.FinishedAt));
            Assert.AreEqual((f.TestAccuracy, f.ValidationAccuracy, f.Sharpness, f.TrainSeconds, f.WidthSeconds), (s.TestAccuracy, s.ValidationAccuracy, s.Sharpness, s.TrainSeconds, s.WidthSeconds));
        }
        var overview = view.Overview(sweep)!;
        var done = full.Where(r => r.Status is RunStatus.Done or RunStatus.Diverged).ToList();
        Assert.AreEqual(done.Average(r => (r.FinishedAt!.Value - r.StartedAt!.Value) / 1000.0), overview.MeanRunSeconds!.Value, 1e-9, "the pace, summed over settings");
        var best = SweepSummary.From(sweep, full).Best!;
        Assert.AreEqual(best.Setting, overview.BestSetting);
        Assert.AreEqual(best.Seeds, overview.BestRuns);
    }

    [TestMethod]
    [DataRow("sqlite")]
    [DataRow("postgres")]
    public void Measures_carry_the_hessian_and_adaptive_parts_of_results_and_nothing_else(string kind)
    {
        var (writer, view, sweep, _) = New(kind, runs: 300);
        using var _w = writer;
        using var _v = view;
        var pending = writer.Runs().First(r => r.Status == RunStatus.Pending);
        var record = new RunRecord
        {
            RunId = pending.RunId, Setting = pending.Setting, Schedule = pending.Schedule, Seed = pending.Seed, Status = RunStatus.Done, ConfigJson = "{}", ScheduleJson = "{}",
            TestAccuracy = 0.9, TrainSeconds = 1, LearningRateCurve = [[1, 0.1]], Epochs = [], Threads = 1,
            Hessian = new HessianSummary(12.5, 300, double.NaN, 7, true, 2), Adaptive = new AdaptiveSummary(0.03, 0.1, 0.13, 5, 1),
        };
        var lease = writer.Claim("w", TimeSpan.FromMinutes(1), _ => true)!.Lease;
        Assert.AreEqual(pending.RunId, lease.RunId);
        writer.Complete(lease, new RunOutcome(RunStatus.Done, record, null));

        var all = view.Measures(sweep, 0);
        var byKey = view.Measures(sweep, [pending.RunId, "no-such-run"]);
        var measured = byKey.Single();
        Assert.AreEqual(all.Single(m => m.RunId == pending.RunId), measured);
        Assert.AreEqual(1, measured.Attempts);
        var full = view.Run(sweep, pending.RunId)!;
        var fromFull = RunMetrics.Of(full);
        var fromMeasures = RunMetrics.Of(full with { ResultJson = measured.Json });
        Assert.AreEqual(fromFull, fromMeasures, "the metrics read the same from the measures as from the whole result");
        Assert.AreEqual(12.5, fromMeasures.HessianTop);
        Assert.AreEqual(0.03, fromMeasures.Adaptive);
        Assert.DoesNotContain("learning_rate_curve", measured.Json!, "the rest of the result stays in the database");
        var other = all.First(m => m.RunId != pending.RunId && m.Json is not null);
        Assert.IsNull(RunMetrics.Of(full with { ResultJson = other.Json }).HessianTop, "a result without the measures reads as none");
        Assert.IsEmpty(view.Measures(sweep, long.MaxValue));
    }
}
