using WideMinima.Ledger;
using WideMinima.Reports;

namespace WideMinima.Tests.Dashboard;

/// <summary>TuningView on handcrafted tune-job and final-fit rows, in the JSON the tuning writes (snake_case).</summary>
[TestClass]
public sealed class TuningViewTests
{
    private static int _ordinal;

    private static string Trial(int id, int group, string family, double lr, double? explore, int seed = 1) =>
        $$"""{"id": {{id}}, "group": {{group}}, "settings": {"family": "{{family}}", "peak_learning_rate": {{lr}}, "explore_share": {{(explore is double e ? e.ToString(System.Globalization.CultureInfo.InvariantCulture) : "null")}}, "warmup_share": 0, "weight_decay": null}, "seed": {{seed}}}""";

    private static LedgerRun Job(int rung, int epochs, string[] trials, RunStatus status, string? result, long? finishedAt) => new()
    {
        RunId = $"tune-r{rung}-t{_ordinal}", Ordinal = _ordinal++, Kind = RunKind.TuneJob, Setting = $"r{rung}", Schedule = "knee", Seed = 1,
        PayloadJson = $$"""{"rung": {{rung}}, "epochs": {{epochs}}, "trials": [{{string.Join(", ", trials)}}]}""",
        Status = status, ResultJson = result, FinishedAt = finishedAt,
    };

    private static string Outcomes(double compute, params (int Id, string Status, string Accuracy)[] outcomes) =>
        $$"""{"outcomes": [{{string.Join(", ", outcomes.Select(o => $$"""{"trial_id": {{o.Id}}, "status": "{{o.Status}}", "validation_accuracy": {{o.Accuracy}}, "error": null}"""))}}], "compute_epochs": {{compute}}, "seconds": 1.5}""";

    private static LedgerRun Fit(int trial, int seed, string family, double lr, double? explore, RunStatus status, string? result) => new()
    {
        RunId = $"tune-final-t{trial}-s{seed}", Ordinal = _ordinal++, Kind = RunKind.FinalFit, Setting = "final", Schedule = family, Seed = seed,
        PayloadJson = $$"""{"trial_id": {{trial}}, "settings": {"family": "{{family}}", "peak_learning_rate": {{lr}}, "explore_share": {{(explore is double e ? e.ToString(System.Globalization.CultureInfo.InvariantCulture) : "null")}}, "warmup_share": 0, "weight_decay": null}, "seed": {{seed}}}""",
        Status = status, ResultJson = result,
    };

    private static List<LedgerRun> Rows() =>
    [
        // Rung 0 (1 epoch): trials 0 and 1 (Knee branches of one proposal), trial 2 (cosine, diverged), trial 3 (step).
        Job(0, 1, [Trial(0, 0, "knee", 0.05, 0), Trial(1, 0, "knee", 0.05, 0.5)], RunStatus.Done, Outcomes(1.6, (0, "done", "0.40"), (1, "done", "0.50")), 1000),
        Job(0, 1, [Trial(2, 1, "cosine", 2.0, null)], RunStatus.Done, Outcomes(0.8, (2, "diverged", "\"NaN\"")), 3000),
        Job(0, 1, [Trial(3, 2, "step", 0.1, null)], RunStatus.Done, Outcomes(0.8, (3, "done", "0.45")), 2000),
        // Rung 1 (3 epochs): trial 1 promoted and done; trial 3's job still running.
        Job(1, 3, [Trial(1, 0, "knee", 0.05, 0.5)], RunStatus.Done, Outcomes(2.4, (1, "done", "0.30")), 4000),
        Job(1, 3, [Trial(3, 2, "step", 0.1, null)], RunStatus.Running, null, null),
        Fit(1, 1, "knee", 0.05, 0.5, RunStatus.Done, """{"trial_id": 1, "seed": 1, "test_accuracy": 0.80, "test_loss": 0.5, "sharpness": 0.2, "epochs": 3, "seconds": 2}"""),
        Fit(1, 2, "knee", 0.05, 0.5, RunStatus.Done, """{"trial_id": 1, "seed": 2, "test_accuracy": 0.70, "test_loss": 0.6, "sharpness": 0.4, "epochs": 3, "seconds": 2}"""),
        Fit(1, 3, "knee", 0.05, 0.5, RunStatus.Pending, null),
        // A sweep's run in the same list is ignored.
        new LedgerRun { RunId = "knee-e0-s1", Ordinal = _ordinal++, Setting = "knee-e0", Schedule = "knee", Seed = 1, PayloadJson = "{}", Status = RunStatus.Done },
    ];

    [TestMethod]
    public void Reads_trials_by_rung_with_their_settings_and_last_status()
    {
        var view = TuningView.From(Rows());
        CollectionAssert.AreEqual(new[] { 1, 3 }, view.RungEpochs.ToArray());
        CollectionAssert.AreEqual(new[] { 0, 1, 2, 3 }, view.Trials.Select(t => t.Id).ToArray());
        var t1 = view.Trials[1];
        Assert.AreEqual("knee", t1.Family);
        Assert.AreEqual(0.05, t1.PeakLr);
        Assert.AreEqual(0.5, t1.ExploreShare);
        Assert.AreEqual("knee e0.5 lr 0.05", t1.Label, "the tuner's label, rebuilt where the payload has none");
        Assert.AreEqual(50.0, t1.RungAccuracies[0]!.Value, 1e-12);
        Assert.AreEqual(30.0, t1.RungAccuracies[1]!.Value, 1e-12);
        Assert.AreEqual(1, t1.Rung);
        Assert.AreEqual("done", t1.Status);
        var t2 = view.Trials[2];
        Assert.IsNull(t2.RungAccuracies[0], "a diverged trial has no accuracy");
        Assert.AreEqual("diverged", t2.RungStatus[0]);
        Assert.AreEqual("diverged", t2.Status);
        Assert.AreEqual("running", view.Trials[3].Status, "its rung-1 job is running");
        Assert.AreEqual("running", view.Trials[3].RungStatus[1]);
        Assert.AreEqual(4, view.Jobs.Done);
        Assert.AreEqual(1, view.Jobs.Running);
        Assert.AreEqual(0, view.Unreadable);
    }

    [TestMethod]
    public void Best_so_far_follows_the_jobs_in_finishing_order_ranking_higher_rungs_first()
    {
        var best = TuningView.From(Rows()).BestSoFar;
        // Finished in the order: job 0 (t=1000), job 2 (2000), job 1 (3000), rung-1 job (4000).
        CollectionAssert.AreEqual(new[] { 1.6, 2.4, 3.2, 5.6 }, best.Select(b => Math.Round(b.SpentEpochs, 10)).ToArray());
        CollectionAssert.AreEqual(new[] { 1, 1, 1, 1 }, best.Select(b => b.BestTrial).ToArray());
        CollectionAssert.AreEqual(new[] { 0.5, 0.5, 0.5, 0.3 }, best.Select(b => b.BestAccuracy).ToArray(),
            "a trial at a higher rung outranks any at a lower one, as the tuner chooses (here with a lower accuracy)");
        Assert.AreEqual(1, best[^1].BestRung);
    }

    [TestMethod]
    public void The_chosen_settings_are_the_final_fits_per_trial()
    {
        var view = TuningView.From(Rows());
        var chosen = view.Chosen.Single();
        Assert.AreEqual(1, chosen.TrialId);
        CollectionAssert.AreEqual(new[] { 1, 2, 3 }, chosen.Seeds.ToArray());
        Assert.AreEqual(80.0, chosen.TestAccuracies[0], 1e-12);
        Assert.AreEqual(70.0, chosen.TestAccuracies[1], 1e-12);
        Assert.IsTrue(double.IsNaN(chosen.TestAccuracies[2]), "a pending fit has none yet");
        var table = view.Blocks().OfType<TableBlock>().Single(t => t.Id == "chosen");
        Assert.AreEqual("75.0 ± 7.1", table.Rows[0][3]);
        Assert.AreEqual("done pending", table.Rows[0][6]);
    }

    [TestMethod]
    public void Charts_plot_each_trial_at_its_last_rung()
    {
        var blocks = TuningView.From(Rows()).Blocks().OfType<ChartBlock>().ToDictionary(c => c.Id!);
        var lr = blocks["tune-lr"];
        Assert.IsTrue(lr.LogX);
        var knee = lr.Series.Single(s => s.Name == "knee");
        CollectionAssert.AreEqual(new[] { 40.0, 30.0 }, knee.Y.Select(y => Math.Round(y, 10)).ToArray(), "trial 0 at rung 0, trial 1 at rung 1");
        Assert.IsFalse(lr.Series.Any(s => s.Name == "cosine"), "the diverged trial has no point");
        var explore = blocks["tune-explore"];
        CollectionAssert.AreEqual(new[] { "rung 0", "rung 1" }, explore.Series.Select(s => s.Name).ToArray());
        Assert.AreEqual(4, blocks["tune-best"].Series[0].X.Count);
    }

    [TestMethod]
    public void A_row_it_cannot_read_is_counted_not_thrown()
    {
        var rows = Rows();
        rows.Add(Job(0, 1, [], RunStatus.Done, "not json", 5000) with { PayloadJson = "{\"rung\": \"x\"}" });
        Assert.AreEqual(1, TuningView.From(rows).Unreadable);
    }
}
