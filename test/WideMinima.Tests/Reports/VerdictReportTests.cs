using System.Text.Json;
using WideMinima.Ledger;
using WideMinima.Reports;
using WideMinima.Sweeps.Commands;

namespace WideMinima.Tests.Reports;

/// <summary>The verdict's reports (issue 14) on synthetic ledger rows: no training.</summary>
[TestClass]
public sealed class VerdictReportTests
{
    private int _ordinal;

    private LedgerRun Final(string setting, string schedule, double? explore, int seed, double accuracy, double budget = 1, double? sharpness = null) => new()
    {
        RunId = $"{setting}-b{budget}-s{seed}", Ordinal = _ordinal++, Setting = setting, Schedule = schedule, ExploreFraction = explore, Seed = seed,
        PayloadJson = "{}", Status = RunStatus.Done, TestAccuracy = accuracy, Sharpness = sharpness, Budget = budget, Phase = RunPhase.Final, PeakLr = 0.1,
    };

    private LedgerRun Calibration(string setting, string schedule, double peak, double validation, double budget = 1) => new()
    {
        RunId = $"{setting}-cal-b{budget}-lr{peak}", Ordinal = _ordinal++, Setting = setting, Schedule = schedule, Seed = 1, PayloadJson = "{}",
        Status = RunStatus.Done, ValidationAccuracy = validation, PeakLr = peak, Budget = budget, Phase = RunPhase.Calibration,
    };

    /// <summary>Knee and cosine, three seeds each at the full budget: Knee 90.0 ± 0.05, cosine 90.0 ± 0.2, step 85.</summary>
    private List<LedgerRun> FullBudget() =>
    [
        Final("knee-e0.5", "knee", 0.5, 1, 0.8995), Final("knee-e0.5", "knee", 0.5, 2, 0.9005), Final("knee-e0.5", "knee", 0.5, 3, 0.9000),
        Final("cosine", "cosine", null, 1, 0.900), Final("cosine", "cosine", null, 2, 0.902), Final("cosine", "cosine", null, 3, 0.898),
        Final("step", "step", null, 1, 0.850), Final("step", "step", null, 2, 0.852), Final("step", "step", null, 3, 0.848),
    ];

    private static TableBlock Table(SweepSummary summary, string id) => summary.Blocks().OfType<TableBlock>().Single(t => t.Id == id);

    [TestMethod]
    public void Peak_rate_per_setting_shows_each_curve_and_chooses_the_best_validation_peak_the_smaller_on_a_tie()
    {
        var runs = FullBudget();
        runs.AddRange([
            Calibration("knee-e0.5", "knee", 0.01, 0.80), Calibration("knee-e0.5", "knee", 0.1, 0.90), Calibration("knee-e0.5", "knee", 1.0, 0.90),
            Calibration("cosine", "cosine", 0.01, 0.89), Calibration("cosine", "cosine", 0.1, 0.88), Calibration("cosine", "cosine", 1.0, 0.70),
        ]);
        var curves = VerdictSummary.PeakCurves(runs);
        Assert.AreEqual(0.1, curves.Single(c => c.Setting == "knee-e0.5").ChosenPeak, "0.1 and 1.0 tie at 90%: the smaller peak");
        Assert.AreEqual(0.01, curves.Single(c => c.Setting == "cosine").ChosenPeak);

        var summary = SweepSummary.From("v", runs);
        var peaks = Table(summary, "peaks");
        CollectionAssert.AreEqual(new[] { "setting", "chosen peak", "0.0100", "0.100", "1.00" }, peaks.Columns.ToArray());
        CollectionAssert.AreEqual(new[] { "knee-e0.5", "0.100", "80.0", "90.0", "90.0" }, peaks.Rows[0].ToArray());
        CollectionAssert.AreEqual(new[] { "cosine", "0.0100", "89.0", "88.0", "70.0" }, peaks.Rows[1].ToArray());
        StringAssert.Contains(SummaryWriter.Markdown(summary), "## Peak rate per setting");

        // Calibration runs never enter the final aggregates: the settings table is the same with and without them.
        var without = SweepSummary.From("v", FullBudget());
        Assert.AreEqual(string.Join("\n", Table(without, "summary").Rows.Select(r => string.Join("|", r))),
            string.Join("\n", Table(summary, "summary").Rows.Select(r => string.Join("|", r))));
        Assert.AreEqual("3/3", Table(summary, "summary").Rows[0][1]);
    }

    [TestMethod]
    public void The_peaks_table_tells_a_diverged_peak_from_one_not_tried_and_flags_a_choice_at_an_end_of_the_range()
    {
        var runs = FullBudget();
        runs.AddRange([
            Calibration("knee-e0.5", "knee", 0.01, 0.80), Calibration("knee-e0.5", "knee", 0.1, 0.90),
            Calibration("knee-e0.5", "knee", 1.0, double.NaN) with { Status = RunStatus.Diverged, ValidationAccuracy = null },
            Calibration("cosine", "cosine", 0.01, 0.70), Calibration("cosine", "cosine", 0.1, 0.80), Calibration("cosine", "cosine", 1.0, 0.89),
            Calibration("step", "step", 0.01, 0) with { Status = RunStatus.Diverged, ValidationAccuracy = null },
            Calibration("step", "step", 1.0, 0) with { Status = RunStatus.Failed, ValidationAccuracy = null },
        ]);
        var peaks = Table(SweepSummary.From("v", runs), "peaks");
        CollectionAssert.AreEqual(new[] { "knee-e0.5", "0.100", "80.0", "90.0", "diverged" }, peaks.Rows[0].ToArray(), "1.0 was tried and diverged");
        CollectionAssert.AreEqual(new[] { "step", "none: every point diverged or failed", "diverged", "-", "diverged" }, peaks.Rows[2].ToArray(), "0.1 was never tried");
        string md = SummaryWriter.Markdown("v", runs);
        StringAssert.Contains(md, "**At an end of the range:** cosine.", "cosine chose 1.0, the largest peak tried");
        Assert.DoesNotContain("At an end of the range:** knee", md, "knee-e0.5 chose an inner peak");
    }

    [TestMethod]
    public void Final_runs_at_the_full_budget_alone_add_no_calibration_match_seeds_or_compute_section()
    {
        string md = SummaryWriter.Markdown("v", FullBudget());
        foreach (var heading in new[] { "## Peak rate per setting", "## Compute to match", "## Seeds", "## Compute\n" })
            Assert.DoesNotContain(heading, md, heading);
        StringAssert.Contains(md, "**Best setting:** cosine, 90.0% mean test accuracy over 3 seeds.");
        StringAssert.Contains(md, "| knee-e0.5 | 3/3 | 90.0 ± 0.0 |");
    }

    [TestMethod]
    public void Compute_to_match_finds_the_smallest_non_inferior_budget_with_the_margin_in_points()
    {
        var runs = FullBudget();
        // Knee at half the budget is as good as cosine at the full one; step is 4 to 5 points below at both budgets;
        // linear has one seed per budget, so no test is possible.
        runs.AddRange([Final("knee-e0.5", "knee", 0.5, 1, 0.8995, 0.5), Final("knee-e0.5", "knee", 0.5, 2, 0.9005, 0.5), Final("knee-e0.5", "knee", 0.5, 3, 0.9000, 0.5)]);
        runs.AddRange([Final("step", "step", null, 1, 0.860, 0.5), Final("step", "step", null, 2, 0.861, 0.5), Final("step", "step", null, 3, 0.859, 0.5)]);
        runs.AddRange([Final("linear", "linear", null, 1, 0.70, 0.5), Final("linear", "linear", null, 1, 0.70)]);

        var summary = SweepSummary.From("v", runs, new MatchOptions { Margin = 0.5 });
        var match = summary.Verdict!.Match!;
        Assert.AreEqual("cosine", match.Reference, "best-baseline: the baseline with the best mean at the full budget");
        Assert.AreEqual(90.0, match.ReferenceAccuracy, 1e-9);
        var knee = match.Rows.Single(r => r.Setting == "knee-e0.5");
        Assert.AreEqual(NonInferiorityDecision.NonInferior, knee.Decision);
        Assert.AreEqual(0.5, knee.Budget);
        Assert.AreEqual(NonInferiorityDecision.NotShown, match.Rows.Single(r => r.Setting == "step").Decision,
            "5 points below is not within 0.5 points (a margin read as a fraction, 50 points, would pass it)");
        Assert.AreEqual(NonInferiorityDecision.Undecidable, match.Rows.Single(r => r.Setting == "linear").Decision);
        var table = Table(summary, "match");
        CollectionAssert.AreEqual(new[] { "knee-e0.5", "0.5", "50.0%" }, table.Rows.Single(r => r[0] == "knee-e0.5").Take(3).ToArray());
        CollectionAssert.AreEqual(new[] { "step", "not shown", "-" }, table.Rows.Single(r => r[0] == "step").Take(3).ToArray());
        CollectionAssert.AreEqual(new[] { "linear", "undecidable", "-" }, table.Rows.Single(r => r[0] == "linear").Take(3).ToArray());

        // The default margin, 0.1 points, is too tight for three seeds of cosine's spread: not shown.
        var tight = SweepSummary.From("v", runs).Verdict!.Match!;
        Assert.AreEqual(NonInferiorityDecision.NotShown, tight.Rows.Single(r => r.Setting == "knee-e0.5").Decision);

        // The per-budget rows: the summary table shows the half-budget row by its label.
        Assert.IsTrue(Table(summary, "summary").Rows.Any(r => r[0] == "knee-e0.5 @ 0.5"));
    }

    [TestMethod]
    public void Compute_to_match_uses_a_reference_named_explicitly_and_says_when_the_sweep_does_not_run_it()
    {
        var runs = FullBudget();
        runs.AddRange([Final("knee-e0.5", "knee", 0.5, 1, 0.8695, 0.5), Final("knee-e0.5", "knee", 0.5, 2, 0.8705, 0.5), Final("knee-e0.5", "knee", 0.5, 3, 0.8700, 0.5)]);
        var named = SweepSummary.From("v", runs, new MatchOptions { Reference = "step", Margin = 0.1 }).Verdict!.Match!;
        Assert.AreEqual("step", named.Reference);
        Assert.AreEqual(85.0, named.ReferenceAccuracy, 1e-9);
        var knee = named.Rows.Single(r => r.Setting == "knee-e0.5");
        Assert.AreEqual(0.5, knee.Budget, "87% at half the budget is above step's 85% at the full one");
        Assert.AreEqual(0.5, named.Saved(0.5), 1e-12, "without epochs the saving is 1 - budget");
        // With 7 epochs the half budget trains round(3.5) = 4 epochs: the saving is 3/7, not 50%.
        var inEpochs = SweepSummary.From("v", runs, new MatchOptions { Reference = "step", Margin = 0.1 }, epochs: 7);
        Assert.AreEqual(3.0 / 7, inEpochs.Verdict!.Match!.Saved(0.5), 1e-12);
        var row = Table(inEpochs, "match").Rows.Single(r => r[0] == "knee-e0.5");
        Assert.AreEqual("0.5 (4 of 7 epochs)", row[1]);
        Assert.AreEqual("42.9%", row[2]);
        var best = SweepSummary.From("v", runs, new MatchOptions { Margin = 0.1 }).Verdict!.Match!;
        var againstCosine = best.Rows.Single(r => r.Setting == "knee-e0.5");
        Assert.AreEqual("cosine", best.Reference);
        Assert.AreEqual(NonInferiorityDecision.NotShown, againstCosine.Decision, "against cosine (90%) the half budget (87%) does not match, nor does the full one within 0.1 points");
        Assert.IsNull(againstCosine.Budget);

        string md = SummaryWriter.Markdown("v", FullBudget(), new MatchOptions { Reference = "linear" });
        StringAssert.Contains(md, "The reference 'linear' has no final results at the full budget");
    }

    [TestMethod]
    public void Each_knee_difference_carries_its_minimum_detectable_difference_beside_the_ci()
    {
        var runs = FullBudget();
        var summary = SweepSummary.From("v", runs);
        var rows = summary.Verdict!.Detectable;
        var cosine = rows.Single(r => r.Baseline == "cosine");
        double[] knee = [89.95, 90.05, 90.00], cos = [90.0, 90.2, 89.8];
        var welch = WelchComparison.Of(knee, cos);
        Assert.AreEqual(welch.MinimumDetectableDifference(0.05, 0.8), cosine.MinimumDetectable, 1e-9);
        Assert.IsGreaterThan(cosine.HalfWidth, cosine.MinimumDetectable, "80% power needs more than the CI's half-width");
        Assert.AreEqual(3, cosine.Seeds);
        Assert.IsTrue(rows.Any(r => r.Baseline == "step"));
        var table = Table(summary, "detectable");
        var row = table.Rows.Single(r => r[1] == "cosine");
        Assert.AreEqual(NumberFormat.Significant(cosine.MinimumDetectable), row[4]);
        var knee2 = Table(summary, "knee").Rows.Single(r => r[0] == "knee-e0.5");
        StringAssert.EndsWith(knee2[1], row[3], "the same CI as the Knee table's");
    }

    [TestMethod]
    public void The_seeds_section_says_which_rule_stopped_the_seeds()
    {
        var runs = FullBudget();
        Assert.IsNull(SweepSummary.From("v", runs).Verdict!.Seeds, "a plain seed count: no seeds section");
        var max = SweepSummary.From("v", runs, seeds: new SeedRounds { Min = 3, Max = 3, TargetCi = 0.01 });
        Assert.AreEqual(SeedsDecisionKind.MaxSeedsReached, max.Verdict!.Seeds!.Decision.Kind);
        Assert.AreEqual("cosine", max.Verdict.Seeds.Baseline);
        StringAssert.Contains(SummaryWriter.Markdown(max), "the maximum of 3 seeds was reached");
        var target = SweepSummary.From("v", runs, seeds: new SeedRounds { Min = 3, Max = 20, TargetCi = 10 });
        Assert.AreEqual(SeedsDecisionKind.TargetReached, target.Verdict!.Seeds!.Decision.Kind);
        StringAssert.Contains(SummaryWriter.Markdown(target), "the target was reached");
    }

    [TestMethod]
    public void The_calibrations_compute_is_reported_beside_the_final_runs()
    {
        var runs = FullBudget(); // 9 final runs at the full budget
        runs.AddRange([Calibration("cosine", "cosine", 0.01, 0.8), Calibration("cosine", "cosine", 0.1, 0.9), Calibration("cosine", "cosine", 1, 0.7),
            Calibration("cosine", "cosine", 0.1, 0.9, 0.5), Calibration("cosine", "cosine", 1, 0.7, 0.5)]);
        var compute = SweepSummary.From("v", runs, epochs: 10).Verdict!.Compute;
        Assert.AreEqual(40, compute.Calibration, 1e-9, "3 runs × 1 × 10 epochs + 2 runs × 0.5 × 10");
        Assert.AreEqual(90, compute.Final, 1e-9);
        var table = Table(SweepSummary.From("v", runs, epochs: 10), "compute");
        CollectionAssert.AreEqual(new[] { "stage", "runs", "epochs", "share" }, table.Columns.ToArray());
        CollectionAssert.AreEqual(new[] { "calibration", "5", "40.0", "30.8%" }, table.Rows[0].ToArray());
        CollectionAssert.AreEqual(new[] { "final", "9", "90.0", "69.2%" }, table.Rows[1].ToArray());
        Assert.AreEqual("full-budget runs", Table(SweepSummary.From("v", runs), "compute").Columns[2]);
    }

    [TestMethod]
    public void A_sharpness_spread_of_ten_percent_reads_as_distinct_three_digit_values_in_summary_and_status()
    {
        // The digits example: results.csv held 0.00295 to 0.00330, and the summary printed 0.003 ± 0.000.
        var runs = new List<LedgerRun>
        {
            Final("knee-e0", "knee", 0, 1, 0.95, sharpness: 0.00294), Final("knee-e0", "knee", 0, 2, 0.95, sharpness: 0.00296),
            Final("knee-e0.5", "knee", 0.5, 1, 0.95, sharpness: 0.00309), Final("knee-e0.5", "knee", 0.5, 2, 0.95, sharpness: 0.00311),
            Final("cosine", "cosine", null, 1, 0.95, sharpness: 0.00329), Final("cosine", "cosine", null, 2, 0.95, sharpness: 0.00331),
        };
        string md = SummaryWriter.Markdown("d", runs);
        StringAssert.Contains(md, "| 0.00295 ± 0.00001 |");
        StringAssert.Contains(md, "| 0.00310 ± 0.00001 |");
        StringAssert.Contains(md, "| 0.00330 ± 0.00001 |");
        Assert.DoesNotContain("0.003 ± 0.000", md);
        var status = StatusCommand.SettingRows(runs);
        CollectionAssert.AreEqual(new[] { "0.00295 ± 0.00001", "0.00310 ± 0.00001", "0.00330 ± 0.00001" }, status.Select(r => r[3]).ToArray());
        Assert.AreEqual("95.0 ± 0.0", status[0][2]);
    }

    [TestMethod]
    public void Results_csv_and_json_carry_phase_budget_peak_and_validation_accuracy_after_the_old_columns()
    {
        var runs = new List<LedgerRun> { Calibration("cosine", "cosine", 0.1, 0.9), Final("cosine", "cosine", null, 1, 0.8, 0.5) };
        var lines = ResultsWriter.Csv(runs).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        var header = lines[0].Split(',');
        CollectionAssert.AreEqual(new[] { "phase", "budget", "peak_lr", "validation_accuracy" }, header[^4..]);
        Assert.AreEqual("measure_seconds", header[^5], "the earlier columns keep their positions");
        CollectionAssert.AreEqual(new[] { "calibration", "1", "0.1", "0.9" }, lines[1].Split(',')[^4..]);
        CollectionAssert.AreEqual(new[] { "final", "0.5", "0.1", "" }, lines[2].Split(',')[^4..]);
        Assert.AreEqual("0.8", lines[2].Split(',')[Array.IndexOf(header, "test_accuracy")]);

        using var json = JsonDocument.Parse(ResultsWriter.Json(runs));
        Assert.AreEqual("calibration", json.RootElement[0].GetProperty("phase").GetString());
        Assert.AreEqual(0.9, json.RootElement[0].GetProperty("validation_accuracy").GetDouble());
        Assert.AreEqual(0.5, json.RootElement[1].GetProperty("budget").GetDouble());
    }

    [TestMethod]
    public void The_peak_and_compute_plots_are_written_only_when_the_sweep_has_calibration_or_several_budgets()
    {
        string plain = TestFolders.New("plots");
        PlotWriter.WriteAll(plain, FullBudget());
        Assert.IsFalse(File.Exists(Path.Combine(plain, PlotWriter.ValidationVsPeakFile)));
        Assert.IsFalse(File.Exists(Path.Combine(plain, PlotWriter.AccuracyVsComputeFile)));

        var runs = FullBudget();
        runs.AddRange([Calibration("cosine", "cosine", 0.01, 0.8), Calibration("cosine", "cosine", 0.1, 0.9), Calibration("knee-e0.5", "knee", 0.1, 0.85)]);
        runs.AddRange([Final("knee-e0.5", "knee", 0.5, 1, 0.88, 0.5), Final("knee-e0.5", "knee", 0.5, 2, 0.89, 0.5)]);
        string folder = TestFolders.New("plots");
        PlotWriter.WriteAll(folder, runs, epochs: 10);
        foreach (var file in new[] { PlotWriter.ValidationVsPeakFile, PlotWriter.AccuracyVsComputeFile }.Concat(PlotWriter.Files))
        {
            var info = new FileInfo(Path.Combine(folder, file));
            Assert.IsTrue(info.Exists, file);
            Assert.IsGreaterThan(1000L, info.Length, file);
        }
    }
}
