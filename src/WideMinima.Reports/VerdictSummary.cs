using System.Globalization;
using WideMinima.Ledger;

namespace WideMinima.Reports;

/// <summary>
/// The verdict's numbers beside the summary: each setting's calibrated peak rate and its validation curve, the compute
/// each setting needs to match the reference, the minimum detectable difference of each Knee-against-baseline
/// comparison, what stopped the seeds, and the compute spent on calibration and on the final runs. Accuracies are in
/// percent (the ledger's fractions × 100), like the margin and the CI target. Pure.
/// </summary>
/// <param name="Peaks">Per setting and budget with calibration runs: the curve and the chosen peak (empty without calibration).</param>
/// <param name="Match">Compute to match, or null when it does not apply (one budget and no reference named) or without final results.</param>
/// <param name="Detectable">Per Knee-against-baseline comparison at the full budget: the difference, its CI and the minimum detectable difference.</param>
/// <param name="Seeds">What the seeds rule says, or null when no <see cref="SeedRounds"/> were given or no pair to compare.</param>
/// <param name="Compute">The compute of the calibration and of the final runs.</param>
public sealed record VerdictSummary(IReadOnlyList<PeakCurve> Peaks, ComputeToMatch? Match, IReadOnlyList<DetectableDifference> Detectable,
    SeedsStop? Seeds, ComputeSpent Compute)
{
    /// <summary>Computes the verdict of <paramref name="runs"/>.</summary>
    /// <param name="runs">Every run of the sweep (both phases).</param>
    /// <param name="settings">The final settings (<see cref="SettingSummary.From"/> of <paramref name="runs"/>).</param>
    /// <param name="match">The reference and the margin.</param>
    /// <param name="seeds">The seeds rounds, or null for a plain seed count.</param>
    /// <param name="epochs">Epochs of a full-budget run, or null: compute is then counted in full-budget runs.</param>
    public static VerdictSummary From(IReadOnlyList<LedgerRun> runs, IReadOnlyList<SettingSummary> settings, MatchOptions match, SeedRounds? seeds, int? epochs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(match);
        // The comparisons are made at the largest budget, where the planner adds the seed rounds.
        double top = SettingSummary.FullBudget(settings);
        var full = settings.Where(s => s.Budget == top && s.Accuracies.Count > 0).ToList();
        var knees = full.Where(s => s.Schedule == ScheduleNames.Knee).ToList();
        var baselines = full.Where(s => s.Schedule != ScheduleNames.Knee).ToList();
        // The pair the seed rounds compared: chosen by the planner's rule on every setting's first min seeds (all
        // seeds without rounds), so a pair that later seeds would rank differently is still the one reported.
        var (k, b) = ComparedPair.Choose([.. full.Select(s => new PairCandidate(s.Schedule == ScheduleNames.Knee, FirstSeeds(s, seeds?.Min)))]);
        var bestKnee = k >= 0 ? full[k] : null;
        var bestBaseline = b >= 0 ? full[b] : null;

        var cosine = baselines.Where(s => s.Schedule == ScheduleNames.Cosine).OrderByDescending(s => s.MeanAccuracy).FirstOrDefault();
        var step = baselines.Where(s => s.IsStep).OrderByDescending(s => s.MeanAccuracy).FirstOrDefault();
        var compared = new[] { cosine, step }.Where(b => b is not null).Select(b => b!).ToList();
        if (bestBaseline is not null && !compared.Contains(bestBaseline)) compared.Add(bestBaseline);
        var detectable = knees.SelectMany(k => compared.Select(b =>
        {
            // The CI as the Knee table computes it (Statistics.Difference), so one comparison reads the same in both tables.
            var (difference, half) = Statistics.Difference(Percent(k), Percent(b));
            double detectable = WelchComparison.Of(Percent(k), Percent(b)).MinimumDetectableDifference();
            return new DetectableDifference(k.Setting, b.Setting, difference, half, detectable, Math.Min(k.Accuracies.Count, b.Accuracies.Count));
        })).ToList();

        SeedsStop? stop = null;
        if (seeds is not null && bestKnee is not null && bestBaseline is not null)
        {
            var d = SeedsRule.Decide(Percent(bestKnee), Percent(bestBaseline), seeds.TargetCi, seeds.Min, seeds.Max);
            stop = new SeedsStop(bestKnee.Setting, bestBaseline.Setting, d, seeds);
        }

        // Compute to match applies when the sweep runs more than one budget, or when a reference was named.
        bool matchApplies = settings.Select(s => s.Budget).Distinct().Count() > 1 || match.Reference != MatchOptions.BestBaseline;
        return new VerdictSummary(PeakCurves(runs), matchApplies && MatchOf(settings, baselines, match) is { } m ? m with { Epochs = epochs } : null, detectable, stop, ComputeOf(runs, epochs));
    }

    /// <summary>Each setting's calibration curve at each budget, in plan order (see <see cref="PeakCurve"/>).</summary>
    public static IReadOnlyList<PeakCurve> PeakCurves(IReadOnlyList<LedgerRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        return
        [
            .. runs.Where(r => r.Phase == RunPhase.Calibration).GroupBy(r => (r.Setting, r.Budget)).OrderBy(g => g.Min(r => r.Ordinal)).Select(g =>
            {
                var points = g.Where(r => r.Status == RunStatus.Done && r.PeakLr is not null && r.ValidationAccuracy is double v && double.IsFinite(v))
                    .GroupBy(r => r.PeakLr!.Value).OrderBy(p => p.Key)
                    .Select(p => new PeakPoint(p.Key, Statistics.Mean([.. p.Select(r => r.ValidationAccuracy!.Value * 100)]), p.Count())).ToList();
                // The best validation accuracy; on a tie the smaller peak (the points are in increasing peak order).
                PeakPoint? chosen = null;
                foreach (var p in points) if (chosen is null || p.ValidationAccuracy > chosen.ValidationAccuracy) chosen = p;
                bool settled = runs.Any(r => r.Phase == RunPhase.Final && r.Setting == g.Key.Setting && r.Budget == g.Key.Budget);
                // Peaks tried whose every run diverged or failed: no score, unlike a peak never tried.
                var unscored = g.Where(r => r.PeakLr is not null && (r.Status == RunStatus.Diverged || r.Status == RunStatus.Failed)).Select(r => r.PeakLr!.Value)
                    .Distinct().Where(x => points.All(p => p.PeakLr != x)).Order().ToList();
                return new PeakCurve(g.Key.Setting, g.Key.Budget, g.First().Schedule, points, chosen?.PeakLr, g.Count()) { Settled = settled, Unscored = unscored };
            }),
        ];
    }

    private static ComputeToMatch? MatchOf(IReadOnlyList<SettingSummary> settings, IReadOnlyList<SettingSummary> baselines, MatchOptions match)
    {
        SettingSummary? reference = match.Reference == MatchOptions.BestBaseline
            ? baselines.OrderByDescending(s => s.MeanAccuracy).FirstOrDefault()
            : baselines.Where(s => s.Setting == match.Reference || s.Schedule == match.Reference).OrderByDescending(s => s.MeanAccuracy).FirstOrDefault();
        if (reference is null) return settings.Any(s => s.Accuracies.Count > 0) ? new ComputeToMatch(match, null, double.NaN, []) : null;
        var referenceValues = Percent(reference);
        var rows = settings.GroupBy(s => s.Setting).Select(g =>
        {
            var tests = g.OrderBy(s => s.Budget).Select(s => (s.Budget, Test: NonInferiority.Test(Percent(s), referenceValues, match.Margin))).ToList();
            var matched = tests.FirstOrDefault(t => t.Test.Decision == NonInferiorityDecision.NonInferior);
            if (matched.Test is not null) return new MatchRow(g.Key, NonInferiorityDecision.NonInferior, matched.Budget, matched.Test);
            var shown = tests.LastOrDefault(t => t.Test.Decision == NonInferiorityDecision.NotShown);
            return shown.Test is not null
                ? new MatchRow(g.Key, NonInferiorityDecision.NotShown, null, shown.Test)
                : new MatchRow(g.Key, NonInferiorityDecision.Undecidable, null, tests.Count > 0 ? tests[^1].Test : null);
        }).ToList();
        return new ComputeToMatch(match, reference.Setting, Statistics.Mean(referenceValues), rows);
    }

    private static ComputeSpent ComputeOf(IReadOnlyList<LedgerRun> runs, int? epochs)
    {
        // A forked run trained only the steps after its fork: the trunk it was forked from trained (and counts) the rest.
        double Sum(RunPhase phase) => runs.Where(r => r.Phase == phase && r.Status.IsFinished())
            .Sum(r => (epochs is int e ? Budgets.Epochs(r.Budget, e) : r.Budget) * RunMetrics.Of(r).TrainedShare);
        return new ComputeSpent(Sum(RunPhase.Calibration), Sum(RunPhase.Final), epochs is not null,
            runs.Count(r => r.Phase == RunPhase.Calibration && r.Status.IsFinished()), runs.Count(r => r.Phase == RunPhase.Final && r.Status.IsFinished()));
    }

    private static List<double> Percent(SettingSummary s) => [.. s.Accuracies.Select(a => a * 100)];

    /// <summary>
    /// Test accuracies (points) of the finished, finite runs among the setting's <paramref name="count"/> smallest seeds
    /// (every seed when null): the values the planner chose the compared pair by.
    /// </summary>
    private static List<double> FirstSeeds(SettingSummary s, int? count)
    {
        var seeds = (s.Runs.Count > 0 ? s.Runs : s.Done).Select(r => r.Seed).Distinct().Order().Take(count ?? int.MaxValue).ToHashSet();
        return [.. s.Done.Where(r => seeds.Contains(r.Seed) && r.TestAccuracy is double a && double.IsFinite(a)).Select(r => r.TestAccuracy!.Value * 100)];
    }

    /// <summary>The verdict's sections as report blocks, each only where it applies.</summary>
    public IReadOnlyList<ReportBlock> Blocks()
    {
        var blocks = new List<ReportBlock>();
        if (Peaks.Count > 0) PeakBlocks(blocks);
        if (Match is { } m) MatchBlocks(blocks, m);
        if (Detectable.Count > 0)
        {
            blocks.Add(new HeadingBlock(2, "What the seeds could detect"));
            blocks.Add(new ParagraphBlock("Each Knee setting against the baselines at the full budget: the observed difference of mean test accuracy (points) with its 95% CI (Welch), and the minimum detectable difference: the smallest true difference these seeds detect with 80% power at 95% confidence. A true difference smaller than it may well go unseen."));
            blocks.Add(new TableBlock(["Knee setting", "baseline", "difference", "95% CI", "detectable (80% power)", "seeds"],
                [ColumnAlign.Left, ColumnAlign.Left, ColumnAlign.Right, ColumnAlign.Right, ColumnAlign.Right, ColumnAlign.Right],
                [.. Detectable.Select(d => (IReadOnlyList<string>)[d.Knee, d.Baseline, Signed(d.Difference),
                    double.IsNaN(d.HalfWidth) ? NumberFormat.Missing : $"[{Signed(d.Difference - d.HalfWidth)}, {Signed(d.Difference + d.HalfWidth)}]",
                    NumberFormat.Significant(d.MinimumDetectable), d.Seeds.ToString(CultureInfo.InvariantCulture)])]) { Id = "detectable" });
        }
        if (Seeds is { } s)
        {
            string why = s.Decision.Kind switch
            {
                SeedsDecisionKind.TargetReached => $"the target was reached: the 95% CI of the difference is {NumberFormat.Significant(s.Decision.Width)} points wide, within the target {NumberFormat.Significant(s.Rounds.TargetCi)}, at {s.Decision.Seeds} seeds",
                SeedsDecisionKind.MaxSeedsReached => $"the maximum of {s.Rounds.Max} seeds was reached; the 95% CI of the difference is still {NumberFormat.Significant(s.Decision.Width)} points wide, above the target {NumberFormat.Significant(s.Rounds.TargetCi)}",
                SeedsDecisionKind.Continue => $"not stopped yet: the rule asks for {s.Decision.Seeds} seeds (CI width {NumberFormat.Significant(s.Decision.Width)} points, target {NumberFormat.Significant(s.Rounds.TargetCi)})",
                _ => throw new ArgumentOutOfRangeException(nameof(s), s.Decision.Kind, "is not a known seeds decision"),
            };
            blocks.Add(new HeadingBlock(2, "Seeds"));
            blocks.Add(new ParagraphBlock($"Seeds were added in rounds ({s.Rounds.Min} to {s.Rounds.Max}) to the best Knee setting ({s.Knee}) and the best baseline ({s.Baseline}): **{why}**."));
        }
        if (Compute.CalibrationRuns > 0)
        {
            string unit = Compute.InEpochs ? "epochs" : "full-budget runs";
            double total = Compute.Calibration + Compute.Final;
            blocks.Add(new HeadingBlock(2, "Compute"));
            blocks.Add(new TableBlock(["stage", "runs", unit, "share"], [ColumnAlign.Left, ColumnAlign.Right, ColumnAlign.Right, ColumnAlign.Right],
            [
                ["calibration", Compute.CalibrationRuns.ToString(CultureInfo.InvariantCulture), NumberFormat.Significant(Compute.Calibration), Share(Compute.Calibration, total)],
                ["final", Compute.FinalRuns.ToString(CultureInfo.InvariantCulture), NumberFormat.Significant(Compute.Final), Share(Compute.Final, total)],
            ]) { Id = "compute" });
        }
        return blocks;
    }

    private void PeakBlocks(List<ReportBlock> blocks)
    {
        var peaks = Peaks.SelectMany(p => p.Points.Select(x => x.PeakLr).Concat(p.Unscored)).Distinct().Order().ToList();
        bool budgets = Peaks.Any(p => p.Budget != 1);
        blocks.Add(new HeadingBlock(2, "Peak rate per setting"));
        blocks.Add(new ParagraphBlock("Each setting was calibrated on the validation split (never the test set): one run per peak rate; the chosen peak has the best validation accuracy, the smaller peak on a tie. The cells are validation accuracy (%) at each peak rate; 'diverged': the run at that peak diverged or failed (`run --retry-failed` tries a failed one again); '-': not tried (the search refines only around the best coarse point)."));
        var edge = Peaks.Where(p => p.ChosenPeak is double c && peaks.Count > 1 && (c == peaks[0] || c == peaks[^1])).Select(p => SettingSummary.LabelOf(p.Setting, p.Budget)).ToList();
        if (edge.Count > 0)
            blocks.Add(new ParagraphBlock($"**At an end of the range:** {string.Join(", ", edge)}. The best peak may lie outside it: widen `calibrate` (min or max) and run again."));
        var columns = new List<string> { "setting" };
        var align = new List<ColumnAlign> { ColumnAlign.Left };
        if (budgets) { columns.Add("budget"); align.Add(ColumnAlign.Right); }
        columns.Add("chosen peak");
        align.Add(ColumnAlign.Right);
        columns.AddRange(peaks.Select(p => NumberFormat.Significant(p)));
        align.AddRange(peaks.Select(_ => ColumnAlign.Right));
        var rows = Peaks.Select(p =>
        {
            var row = new List<string> { p.Setting };
            if (budgets) row.Add(p.Budget.ToString("0.###", CultureInfo.InvariantCulture));
            row.Add(p.ChosenText);
            row.AddRange(peaks.Select(x => p.Points.FirstOrDefault(q => q.PeakLr == x) is { } q ? NumberFormat.Significant(q.ValidationAccuracy)
                : p.Unscored.Contains(x) ? "diverged" : "-"));
            return (IReadOnlyList<string>)row;
        }).ToList();
        blocks.Add(new TableBlock(columns, align, rows) { Id = "peaks" });
    }

    private static void MatchBlocks(List<ReportBlock> blocks, ComputeToMatch m)
    {
        blocks.Add(new HeadingBlock(2, "Compute to match"));
        string margin = NumberFormat.Significant(m.Options.Margin);
        if (m.Reference is null)
        {
            blocks.Add(new ParagraphBlock(m.Options.Reference == MatchOptions.BestBaseline
                ? "No baseline has final results at the full budget, so there is no reference to match."
                : $"The reference '{m.Options.Reference}' has no final results at the full budget, so there is nothing to match."));
            return;
        }
        blocks.Add(new ParagraphBlock($"Reference: {m.Reference} at the full budget, {NumberFormat.Significant(m.ReferenceAccuracy)}% mean test accuracy. For each setting, the smallest budget whose mean test accuracy is shown to be no more than {margin} points below the reference (one-sided Welch test at 95% confidence), and the compute it saves. 'not shown': no budget passed the test (more seeds may tell); 'undecidable': fewer than two seeds on a side."));
        blocks.Add(new TableBlock(["setting", "matches at budget", "compute saved", "difference", "lower bound (95%)"],
            [ColumnAlign.Left, ColumnAlign.Right, ColumnAlign.Right, ColumnAlign.Right, ColumnAlign.Right],
            [.. m.Rows.Select(r => (IReadOnlyList<string>)[r.Setting,
                r.Decision switch
                {
                    NonInferiorityDecision.NonInferior => r.Budget!.Value.ToString("0.###", CultureInfo.InvariantCulture)
                        + (m.Epochs is int e ? $" ({Budgets.Epochs(r.Budget.Value, e)} of {e} epochs)" : ""),
                    NonInferiorityDecision.NotShown => "not shown",
                    NonInferiorityDecision.Undecidable => "undecidable",
                    _ => throw new ArgumentOutOfRangeException(nameof(m), r.Decision, "is not a known decision"),
                },
                r.Budget is double b ? NumberFormat.Significant(m.Saved(b) * 100) + "%" : "-",
                r.Test is { } t ? Signed(t.Difference) : NumberFormat.Missing,
                r.Test is { } u ? Signed(u.LowerBound) : NumberFormat.Missing])]) { Id = "match" });
    }

    private static string Share(double part, double total) => total > 0 ? NumberFormat.Significant(part / total * 100) + "%" : NumberFormat.Missing;

    /// <summary>A difference with its sign and three significant digits (<c>+0.123</c>, <c>-1.20</c>, <c>0</c>).</summary>
    internal static string Signed(double v)
    {
        string text = NumberFormat.Significant(v);
        return v > 0 && double.IsFinite(v) && text != "0" && !text.StartsWith('-') ? "+" + text : text;
    }
}

/// <summary>One point of a calibration curve.</summary>
/// <param name="PeakLr">The peak learning rate.</param>
/// <param name="ValidationAccuracy">Mean validation accuracy at it (%).</param>
/// <param name="Runs">Runs it is the mean of.</param>
public sealed record PeakPoint(double PeakLr, double ValidationAccuracy, int Runs);

/// <summary>A setting's calibration at one budget.</summary>
/// <param name="Setting">The setting.</param>
/// <param name="Budget">The budget.</param>
/// <param name="Schedule">Its schedule.</param>
/// <param name="Points">The finished points, in increasing peak order.</param>
/// <param name="ChosenPeak">The peak with the best validation accuracy (the smaller on a tie), or null before any point.</param>
/// <param name="Planned">Calibration runs planned.</param>
public sealed record PeakCurve(string Setting, double Budget, string Schedule, IReadOnlyList<PeakPoint> Points, double? ChosenPeak, int Planned)
{
    /// <summary>
    /// True once the calibration is over: the ledger holds the setting's final runs at this budget, which the planner
    /// adds only when its calibration is complete. Before, <see cref="ChosenPeak"/> is only the best so far.
    /// </summary>
    public bool Settled { get; init; }

    /// <summary>Peaks tried whose runs all diverged or failed, in increasing order (they have no point).</summary>
    public IReadOnlyList<double> Unscored { get; init; } = [];

    /// <summary>
    /// The chosen peak as reports show it: <c>0.100</c>; <c>0.100 (so far)</c> before the calibration is over; <c>none: every
    /// point diverged or failed</c> when every planned point ended without a score (the planner gives such a setting no
    /// final runs; <c>run --retry-failed</c> tries failed points again);
    /// <c>none yet</c> before any point.
    /// </summary>
    public string ChosenText => ChosenPeak is double c ? NumberFormat.Significant(c) + (Settled ? "" : " (so far)")
        : Unscored.Count > 0 && Unscored.Count == Planned ? "none: every point diverged or failed" : "none yet";
}

/// <summary>Compute to match.</summary>
/// <param name="Options">The reference and the margin asked for.</param>
/// <param name="Reference">The reference setting, or null when the sweep has none at the full budget.</param>
/// <param name="ReferenceAccuracy">Its mean test accuracy (%).</param>
/// <param name="Rows">One per setting.</param>
public sealed record ComputeToMatch(MatchOptions Options, string? Reference, double ReferenceAccuracy, IReadOnlyList<MatchRow> Rows)
{
    /// <summary>Epochs of a full-budget run, or null when unknown (compute is then the budget share).</summary>
    public int? Epochs { get; init; }

    /// <summary>
    /// The share of the full budget's compute saved by matching at <paramref name="budget"/>: counted in the whole epochs
    /// the budget trains when <see cref="Epochs"/> is known (0.75 of 7 epochs trains 5, saving 2/7), else 1 − budget.
    /// </summary>
    public double Saved(double budget) => Epochs is int e ? 1 - (double)Budgets.Epochs(budget, e) / e : 1 - budget;
}

/// <summary>A setting's compute to match.</summary>
/// <param name="Setting">The setting.</param>
/// <param name="Decision">Non-inferior at some budget, not shown at any, or undecidable at every one.</param>
/// <param name="Budget">The smallest non-inferior budget, or null.</param>
/// <param name="Test">The test at that budget (or at the largest not-shown budget), or null without results.</param>
public sealed record MatchRow(string Setting, NonInferiorityDecision Decision, double? Budget, NonInferiorityResult? Test);

/// <summary>A Knee-against-baseline comparison with its minimum detectable difference (points).</summary>
/// <param name="Knee">The Knee setting.</param>
/// <param name="Baseline">The baseline.</param>
/// <param name="Difference">Knee minus baseline, mean test accuracy.</param>
/// <param name="HalfWidth">Half-width of its 95% CI (NaN below two seeds a side).</param>
/// <param name="MinimumDetectable">The minimum detectable difference at 80% power and 95% confidence.</param>
/// <param name="Seeds">The smaller seed count of the two.</param>
public sealed record DetectableDifference(string Knee, string Baseline, double Difference, double HalfWidth, double MinimumDetectable, int Seeds);

/// <summary>What the seeds rule says for the best Knee setting against the best baseline.</summary>
/// <param name="Knee">The best Knee setting.</param>
/// <param name="Baseline">The best baseline.</param>
/// <param name="Decision">The rule's decision.</param>
/// <param name="Rounds">The rounds asked for.</param>
public sealed record SeedsStop(string Knee, string Baseline, SeedsDecision Decision, SeedRounds Rounds);

/// <summary>Compute spent by finished runs: the sum of budget × epochs (or of budgets, in full-budget runs), times the share each trained itself (below 1 for a run forked by fork-and-decay).</summary>
/// <param name="Calibration">The calibration's compute.</param>
/// <param name="Final">The final runs' compute.</param>
/// <param name="InEpochs">True when in epochs, false when in full-budget runs.</param>
/// <param name="CalibrationRuns">Finished calibration runs.</param>
/// <param name="FinalRuns">Finished final runs.</param>
public sealed record ComputeSpent(double Calibration, double Final, bool InEpochs, int CalibrationRuns, int FinalRuns);
