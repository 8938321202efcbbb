using System.Globalization;
using System.Text.Json;
using WideMinima.Ledger;

namespace WideMinima.Reports;

/// <summary>
/// A tuning read from its ledger rows alone (no TorchSharp): the trials with their validation accuracy at each rung,
/// the best trial so far against the compute spent, and the chosen settings' final fits. Parses the rows of kind
/// <c>tune-job</c> (payload: the job's rung, epochs and trials; result: one outcome per trial, the compute and the
/// time) and <c>final-fit</c> (payload: the trial and seed; result: the test accuracy, loss and sharpness), in the
/// snake_case JSON the tuning writes. Rows it cannot read are counted in <see cref="Unreadable"/>, not thrown.
/// </summary>
/// <param name="Trials">Every trial, by id.</param>
/// <param name="RungEpochs">Each rung's budget in epochs, by rung index (0 where no job of the rung was seen).</param>
/// <param name="Jobs">Jobs by status: pending, running, done, failed.</param>
/// <param name="BestSoFar">After each finished job, in the order they finished: compute spent and the best trial then.</param>
/// <param name="Chosen">The final fits, one row per trial fitted.</param>
/// <param name="Unreadable">Rows whose payload or result could not be read.</param>
public sealed record TuningView(IReadOnlyList<TuningTrial> Trials, IReadOnlyList<int> RungEpochs, RunCounts Jobs, IReadOnlyList<TuningBestPoint> BestSoFar,
    IReadOnlyList<TuningFinalFit> Chosen, int Unreadable)
{
    /// <summary>Compute spent by the finished jobs, in epochs of the whole training set.</summary>
    public double SpentEpochs => BestSoFar.Count == 0 ? 0 : BestSoFar[^1].SpentEpochs;

    /// <summary>Reads a tuning's rows (rows of kind <c>run</c> are ignored).</summary>
    public static TuningView From(IReadOnlyList<LedgerRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var trials = new SortedDictionary<int, TrialBuilder>();
        var rungs = new SortedDictionary<int, int>();
        var finished = new List<(LedgerRun Run, int Rung, double Compute, List<(int Trial, double Accuracy)> Done)>();
        var fits = new List<(int Trial, TrialBuilder? Settings, LedgerRun Run, double? Test, double? Sharpness)>();
        int unreadable = 0;
        int[] jobs = new int[5];
        foreach (var run in runs.Where(r => r.Kind == RunKind.TuneJob))
        {
            jobs[(int)run.Status]++;
            try
            {
                using var payload = JsonDocument.Parse(run.PayloadJson);
                var job = payload.RootElement;
                int rung = job.GetProperty("rung").GetInt32();
                rungs[rung] = job.GetProperty("epochs").GetInt32();
                foreach (var t in job.GetProperty("trials").EnumerateArray())
                {
                    int id = t.GetProperty("id").GetInt32();
                    if (!trials.TryGetValue(id, out var trial)) trials[id] = trial = TrialBuilder.Read(id, t);
                    trial.Jobs[rung] = run.Status;
                }
                if (run.Status != RunStatus.Done || run.ResultJson is null) continue;
                using var result = JsonDocument.Parse(run.ResultJson);
                var done = new List<(int, double)>();
                foreach (var o in result.RootElement.GetProperty("outcomes").EnumerateArray())
                {
                    int id = o.GetProperty("trial_id").GetInt32();
                    string status = o.GetProperty("status").GetString() ?? "failed";
                    double accuracy = Number(o, "validation_accuracy") ?? double.NaN;
                    if (trials.TryGetValue(id, out var trial)) trial.Outcomes[rung] = (status, accuracy);
                    if (status == "done" && double.IsFinite(accuracy)) done.Add((id, accuracy));
                }
                finished.Add((run, rung, Number(result.RootElement, "compute_epochs") ?? 0, done));
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                unreadable++;
            }
        }
        foreach (var run in runs.Where(r => r.Kind == RunKind.FinalFit))
        {
            try
            {
                using var payload = JsonDocument.Parse(run.PayloadJson);
                int id = payload.RootElement.GetProperty("trial_id").GetInt32();
                var settings = TrialBuilder.Read(id, payload.RootElement);
                double? test = null, sharpness = null;
                if (run.Status == RunStatus.Done && run.ResultJson is not null)
                {
                    using var result = JsonDocument.Parse(run.ResultJson);
                    test = Number(result.RootElement, "test_accuracy");
                    sharpness = Number(result.RootElement, "sharpness");
                }
                fits.Add((id, settings, run, test, sharpness));
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                unreadable++;
            }
        }

        // Best so far, as the tuner ranks trials: the highest rung first, then validation accuracy, then the lowest id.
        var best = new List<TuningBestPoint>();
        var reached = new Dictionary<int, (int Rung, double Accuracy)>();
        double spent = 0;
        foreach (var (run, rung, compute, done) in finished.OrderBy(f => f.Run.FinishedAt ?? long.MaxValue).ThenBy(f => f.Run.Ordinal))
        {
            spent += compute;
            foreach (var (id, accuracy) in done)
                if (!reached.TryGetValue(id, out var r) || rung >= r.Rung) reached[id] = (rung, accuracy);
            if (reached.Count == 0) continue;
            var top = reached.OrderByDescending(kv => kv.Value.Rung).ThenByDescending(kv => kv.Value.Accuracy).ThenBy(kv => kv.Key).First();
            best.Add(new TuningBestPoint(spent, top.Value.Accuracy, top.Key, top.Value.Rung));
        }

        int rungCount = rungs.Count == 0 ? 0 : rungs.Keys.Max() + 1;
        var epochs = Enumerable.Range(0, rungCount).Select(r => rungs.GetValueOrDefault(r)).ToList();
        var chosen = fits.GroupBy(f => f.Trial).OrderBy(g => g.Min(f => f.Run.Ordinal)).Select(g =>
        {
            var s = trials.GetValueOrDefault(g.Key) ?? g.First().Settings!;
            var seeds = g.OrderBy(f => f.Run.Seed).ToList();
            return new TuningFinalFit(g.Key, s.Label, s.Family, s.PeakLr, s.ExploreShare, [.. seeds.Select(f => f.Run.Seed)],
                [.. seeds.Select(f => f.Test is double v ? v * 100 : double.NaN)], [.. seeds.Select(f => f.Sharpness ?? double.NaN)],
                [.. seeds.Select(f => f.Run.Status)]);
        }).ToList();
        return new TuningView([.. trials.Values.Select(t => t.Build(rungCount))], epochs, new RunCounts(jobs[0], jobs[1], jobs[2], jobs[3], jobs[4]), best, chosen, unreadable);
    }

    /// <summary>The tuning as report blocks: trials by rung, validation accuracy against the peak rate and the explore share, best so far against compute, the chosen settings.</summary>
    public IReadOnlyList<ReportBlock> Blocks()
    {
        var blocks = new List<ReportBlock>
        {
            new HeadingBlock(2, "Trials by rung"),
            new ParagraphBlock(string.Create(CultureInfo.InvariantCulture,
                $"Validation accuracy (%) of each trial at each rung it reached. Jobs: {Jobs.Done} done, {Jobs.Running} running, {Jobs.Pending} pending, {Jobs.Failed + Jobs.Diverged} failed; {SpentEpochs:0.##} epochs of compute spent.")),
            new TableBlock(["trial", "settings", "seed", .. RungEpochs.Select((e, i) => string.Create(CultureInfo.InvariantCulture, $"rung {i} ({e} ep)")), "status"],
                [ColumnAlign.Right, ColumnAlign.Left, ColumnAlign.Right, .. RungEpochs.Select(_ => ColumnAlign.Right), ColumnAlign.Left],
                [.. Trials.Select(t => (IReadOnlyList<string>)[t.Id.ToString(CultureInfo.InvariantCulture), t.Label, t.Seed.ToString(CultureInfo.InvariantCulture),
                    .. t.RungAccuracies.Select((a, i) => a is double v ? NumberFormat.Significant(v) : t.RungStatus[i] ?? ""), t.Status])]) { Id = "trials" },
        };
        var ends = Trials.Where(t => t.ValidationAccuracy is double v && double.IsFinite(v)).ToList();
        blocks.Add(new ChartBlock("Validation accuracy against peak rate", "peak learning rate", "validation accuracy (%)",
            [.. ends.GroupBy(t => t.Family).Select(g => new ChartSeries(g.Key, [.. g.Select(t => t.PeakLr)], [.. g.Select(t => t.ValidationAccuracy!.Value)], SeriesStyle.Points))])
        { LogX = true, Id = "tune-lr" });
        blocks.Add(new ChartBlock("Validation accuracy against explore share (Knee)", "explore share", "validation accuracy (%)",
            [.. ends.Where(t => t.ExploreShare is not null).GroupBy(t => t.Rung).OrderBy(g => g.Key).Select(g => new ChartSeries(
                string.Create(CultureInfo.InvariantCulture, $"rung {g.Key}"), [.. g.Select(t => t.ExploreShare!.Value)], [.. g.Select(t => t.ValidationAccuracy!.Value)], SeriesStyle.Points))])
        { Id = "tune-explore" });
        blocks.Add(new ChartBlock("Best so far against compute", "compute spent (epochs)", "best validation accuracy (%)",
            [new ChartSeries("best trial", [.. BestSoFar.Select(p => p.SpentEpochs)], [.. BestSoFar.Select(p => p.BestAccuracy * 100)], SeriesStyle.LinePoints)])
        { Id = "tune-best" });
        blocks.Add(new HeadingBlock(2, "Chosen settings"));
        if (Chosen.Count == 0)
            blocks.Add(new ParagraphBlock("No final fit yet: the search has not chosen its settings."));
        else
            blocks.Add(new TableBlock(["trial", "settings", "seeds", "test accuracy mean ± std", "per seed", "sharpness mean", "status"],
                [ColumnAlign.Right, ColumnAlign.Left, ColumnAlign.Right, ColumnAlign.Right, ColumnAlign.Left, ColumnAlign.Right, ColumnAlign.Left],
                [.. Chosen.Select(c =>
                {
                    var acc = c.TestAccuracies.Where(double.IsFinite).ToList();
                    var sharp = c.Sharpness.Where(double.IsFinite).ToList();
                    return (IReadOnlyList<string>)[c.TrialId.ToString(CultureInfo.InvariantCulture), c.Label, c.Seeds.Count.ToString(CultureInfo.InvariantCulture),
                        NumberFormat.MeanStd(Statistics.Mean(acc), Statistics.StandardDeviation(acc)),
                        string.Join(" ", c.TestAccuracies.Select((a, i) => string.Create(CultureInfo.InvariantCulture, $"s{c.Seeds[i]}: {NumberFormat.Significant(a)}"))),
                        NumberFormat.Significant(Statistics.Mean(sharp)), string.Join(" ", c.Status.Distinct().Select(s => s.ToText()))];
                })]) { Id = "chosen" });
        return blocks;
    }

    private static double? Number(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.ValueKind switch
    {
        JsonValueKind.Number => v.GetDouble(),
        JsonValueKind.String when double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) => d,
        _ => null,
    } : null;

    private sealed class TrialBuilder
    {
        public int Id { get; init; }
        public int Group { get; init; }
        public int Seed { get; init; }
        public required string Family { get; init; }
        public double PeakLr { get; init; }
        public double? ExploreShare { get; init; }
        public double WarmupShare { get; init; }
        public double? WeightDecay { get; init; }
        public required string Label { get; init; }
        public Dictionary<int, (string Status, double Accuracy)> Outcomes { get; } = [];
        public Dictionary<int, RunStatus> Jobs { get; } = [];

        /// <summary>A trial (or a final fit's payload): its id given, its settings and seed read.</summary>
        public static TrialBuilder Read(int id, JsonElement e)
        {
            var s = e.GetProperty("settings");
            string family = s.GetProperty("family").GetString() ?? "?";
            double peak = Number(s, "peak_learning_rate") ?? double.NaN;
            double? explore = Number(s, "explore_share");
            double warmup = Number(s, "warmup_share") ?? 0;
            double? wd = Number(s, "weight_decay");
            string label = s.TryGetProperty("label", out var l) && l.ValueKind == JsonValueKind.String ? l.GetString()! : LabelOf(family, peak, explore, warmup, wd);
            return new TrialBuilder
            {
                Id = id, Group = e.TryGetProperty("group", out var g) ? g.GetInt32() : 0, Seed = e.GetProperty("seed").GetInt32(),
                Family = family, PeakLr = peak, ExploreShare = explore, WarmupShare = warmup, WeightDecay = wd, Label = label,
            };
        }

        // The tuner's own label (TrialSettings.Label), for payloads written without one.
        private static string LabelOf(string family, double peak, double? explore, double warmup, double? wd)
        {
            var s = string.Create(CultureInfo.InvariantCulture, $"{family}{(explore is double x ? $" e{x:0.###}" : "")} lr {peak:0.####}");
            if (warmup > 0) s += string.Create(CultureInfo.InvariantCulture, $" warmup {warmup:0.###}");
            if (wd is double w) s += string.Create(CultureInfo.InvariantCulture, $" wd {w:0.###e0}");
            return s;
        }

        public TuningTrial Build(int rungs)
        {
            var accuracies = Enumerable.Range(0, rungs).Select(r => Outcomes.TryGetValue(r, out var o) && o.Status == "done" && double.IsFinite(o.Accuracy) ? o.Accuracy * 100 : (double?)null).ToList();
            var statuses = Enumerable.Range(0, rungs).Select(r => Outcomes.TryGetValue(r, out var o) ? (o.Status == "done" ? null : o.Status)
                : Jobs.TryGetValue(r, out var j) ? j.ToText() : null).ToList();
            int? last = Outcomes.Count == 0 ? null : Outcomes.Keys.Max();
            int topJob = Jobs.Count == 0 ? -1 : Jobs.Keys.Max();
            string status = topJob > (last ?? -1) ? Jobs[topJob].ToText() : last is int l ? Outcomes[l].Status : "pending";
            double? accuracy = last is int k && Outcomes[k].Status == "done" && double.IsFinite(Outcomes[k].Accuracy) ? Outcomes[k].Accuracy * 100 : null;
            return new TuningTrial(Id, Group, Family, PeakLr, ExploreShare, WarmupShare, WeightDecay, Seed, Label, accuracies, statuses, last, accuracy, status);
        }
    }
}

/// <summary>A trial of a tuning (accuracies in percent).</summary>
/// <param name="Id">The trial's id.</param>
/// <param name="Group">The proposal it came from.</param>
/// <param name="Family">The schedule family: knee, cosine, step or one-cycle.</param>
/// <param name="PeakLr">The peak learning rate.</param>
/// <param name="ExploreShare">Knee's explore share, or null.</param>
/// <param name="WarmupShare">The warmup share.</param>
/// <param name="WeightDecay">The weight decay, or null.</param>
/// <param name="Seed">The seed.</param>
/// <param name="Label">A short label, e.g. <c>knee e0.5 lr 0.0314</c>.</param>
/// <param name="RungAccuracies">Validation accuracy (%) at each rung, null where it has none.</param>
/// <param name="RungStatus">Per rung: null when done or never run, else the outcome (diverged, failed) or the job's state (pending, running).</param>
/// <param name="Rung">The highest rung with an outcome, or null.</param>
/// <param name="ValidationAccuracy">Its validation accuracy (%) there, or null.</param>
/// <param name="Status">done, diverged or failed at its last rung; pending or running while a job of a higher rung is unfinished.</param>
public sealed record TuningTrial(int Id, int Group, string Family, double PeakLr, double? ExploreShare, double WarmupShare, double? WeightDecay, int Seed, string Label,
    IReadOnlyList<double?> RungAccuracies, IReadOnlyList<string?> RungStatus, int? Rung, double? ValidationAccuracy, string Status);

/// <summary>A point of the best-so-far curve.</summary>
/// <param name="SpentEpochs">Compute spent by the jobs finished so far.</param>
/// <param name="BestAccuracy">The best trial's validation accuracy in [0, 1].</param>
/// <param name="BestTrial">That trial's id.</param>
/// <param name="BestRung">Its rung.</param>
public sealed record TuningBestPoint(double SpentEpochs, double BestAccuracy, int BestTrial, int BestRung);

/// <summary>A chosen trial's final fits (accuracies in percent; NaN where a fit has none).</summary>
/// <param name="TrialId">The trial.</param>
/// <param name="Label">Its settings.</param>
/// <param name="Family">Its family.</param>
/// <param name="PeakLr">Its peak rate.</param>
/// <param name="ExploreShare">Its explore share, or null.</param>
/// <param name="Seeds">The fits' seeds.</param>
/// <param name="TestAccuracies">Test accuracy per seed.</param>
/// <param name="Sharpness">Sharpness per seed.</param>
/// <param name="Status">Each fit's run status.</param>
public sealed record TuningFinalFit(int TrialId, string Label, string Family, double PeakLr, double? ExploreShare, IReadOnlyList<int> Seeds,
    IReadOnlyList<double> TestAccuracies, IReadOnlyList<double> Sharpness, IReadOnlyList<RunStatus> Status);
