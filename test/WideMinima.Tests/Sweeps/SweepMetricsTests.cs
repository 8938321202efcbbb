using WideMinima.Tuning;
using WideMinima.Sharpness;
using WideMinima.Sweeps.Config;
using WideMinima.Sweeps.Execution;
using WideMinima.Ledger;
using WideMinima.Reports;

namespace WideMinima.Tests.Sweeps;

[TestClass]
public sealed class SweepMetricsTests
{
    [TestMethod]
    public void Metrics_read_by_their_config_names_and_default_to_keskar_alone()
    {
        var c = SweepConfigJson.Parse("""{ "metrics": ["keskar", "hessian_top", "hessian_trace", "adaptive"], "adaptive": { "rho": 0.05, "norm": "l2" } }""", "test");
        CollectionAssert.AreEqual(new[] { WidthMetric.Keskar, WidthMetric.HessianTop, WidthMetric.HessianTrace, WidthMetric.Adaptive }, c.Metrics!.ToArray());
        Assert.AreEqual(AdaptiveNorm.L2, c.Adaptive!.Norm);
        StringAssert.Contains(SweepConfigJson.Write(c), "\"hessian_top\"");
        CollectionAssert.AreEqual(new[] { WidthMetric.Keskar }, SweepMetrics.Of(new SweepConfig()).ToArray());
        Assert.IsEmpty(SweepMetrics.Of(new SweepConfig { Width = null }));
    }

    [TestMethod]
    public void A_config_without_the_new_keys_keeps_the_definition_older_ledgers_hold()
    {
        string definition = SweepConfigJson.Definition(new SweepConfig());
        foreach (var key in new[] { "metrics", "hessian", "adaptive", "save_models" })
            Assert.DoesNotContain($"\"{key}\"", definition, key);
        Assert.AreEqual(definition, SweepConfigJson.Definition(new SweepConfig { SaveModels = true }), "keeping models does not change results");
        Assert.AreNotEqual(definition, SweepConfigJson.Definition(new SweepConfig { Metrics = [WidthMetric.Keskar, WidthMetric.Adaptive] }));
    }

    [TestMethod]
    public void An_unknown_metric_is_named_with_its_place()
    {
        var e = Assert.ThrowsExactly<SweepConfigException>(() => SweepConfigJson.Parse("""{ "metrics": ["keskar", "hessian_max"] }""", "sweep.json"));
        StringAssert.Contains(e.Message, "metrics[1]: is not a known metric (keskar, hessian_top, hessian_trace, adaptive), but was 'hessian_max'");
    }

    [TestMethod]
    [DataRow("""{ "metrics": ["keskar", "keskar"] }""", "metrics")]
    [DataRow("""{ "adaptive": { "rho": 0 } }""", "adaptive.rho")]
    [DataRow("""{ "adaptive": { "rho": -1 } }""", "adaptive.rho")]
    [DataRow("""{ "adaptive": { "max_steps": 0 } }""", "adaptive.max_steps")]
    [DataRow("""{ "hessian": { "max_iterations": 0 } }""", "hessian.max_iterations")]
    [DataRow("""{ "hessian": { "sample_size": 0 } }""", "hessian.sample_size")]
    [DataRow("""{ "hessian": { "probes": 1 } }""", "hessian.probes")]
    [DataRow("""{ "hessian": { "tolerance": 0 } }""", "hessian.tolerance")]
    public void Bad_metric_settings_are_named_with_their_value(string json, string field)
    {
        var e = Assert.ThrowsExactly<SweepConfigException>(() => SweepConfigValidator.Validate(SweepConfigJson.Parse(json, "test")));
        Assert.AreEqual(field, e.Field);
        StringAssert.Contains(e.Message, "but was");
    }

    [TestMethod]
    public void The_metrics_choose_the_measures_a_run_takes()
    {
        var all = RunExecutor.TrainerOptions(new SweepConfig { Metrics = [WidthMetric.HessianTrace, WidthMetric.Adaptive], Adaptive = new AdaptiveSharpnessOptions { Rho = 0.02 } },
            """{"kind":"constant"}""", ScheduleFamily.Constant, seed: 4, threads: 1);
        Assert.IsNull(all.Width, "keskar was not asked");
        Assert.IsFalse(all.Hessian!.TopEigenvalue);
        Assert.IsTrue(all.Hessian.Trace);
        Assert.AreEqual(4, all.Hessian.Seed);
        Assert.AreEqual(0.02, all.Adaptive!.Rho);
        var plain = RunExecutor.TrainerOptions(new SweepConfig(), """{"kind":"constant"}""", ScheduleFamily.Constant, seed: 4, threads: 1);
        Assert.IsNotNull(plain.Width);
        Assert.IsNull(plain.Hessian);
        Assert.IsNull(plain.Adaptive);
    }

    private static LedgerRun Run(string setting, double? explore, int seed, double accuracy, double keskar, double? top)
    {
        string? json = top is double t
            ? $$"""{ "hessian": { "top_eigenvalue": {{t}}, "trace": {{t * 10}}, "trace_standard_error": 1, "seconds": 2 }, "adaptive": { "sharpness": {{t / 100}}, "seconds": 1 } }"""
            : null;
        return new LedgerRun
        {
            RunId = $"{setting}-s{seed}", Ordinal = 0, Setting = setting, Schedule = setting.StartsWith("knee", StringComparison.Ordinal) ? "knee" : "step",
            ExploreFraction = explore, Seed = seed, PayloadJson = "{}", Status = RunStatus.Done, TestAccuracy = accuracy, Sharpness = keskar, ResultJson = json,
        };
    }

    [TestMethod]
    public void Results_csv_keeps_its_columns_and_appends_one_per_metric()
    {
        var runs = new[] { Run("knee-e0.5", 0.5, 1, 0.9, 1.5, 20), Run("step", null, 1, 0.8, 2.5, null) };
        var lines = ResultsWriter.Csv(runs).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("run_id,schedule,explore_fraction,seed,status,test_accuracy,sharpness,train_seconds,width_seconds,setting,test_loss,train_loss,width_max_loss,width_steps,width_converged,attempts,error,", lines[0]);
        Assert.EndsWith("hessian_top,hessian_trace,hessian_trace_se,adaptive_sharpness,measure_seconds,phase,budget,peak_lr,validation_accuracy", lines[0].TrimEnd('\r'));
        Assert.EndsWith(",20,200,1,0.2,3,final,1,,", lines[1].TrimEnd('\r'));
        Assert.EndsWith(",,,,,,final,1,,", lines[2].TrimEnd('\r'), "a run without the metrics leaves them empty");
    }

    [TestMethod]
    public void The_summary_correlates_each_metric_with_accuracy_and_compares_the_orderings()
    {
        // Flatter (lower) on every metric goes with higher accuracy, and every metric orders the explore shares alike.
        var runs = new List<LedgerRun>();
        double[] explore = [0, 0.5, 0.9];
        for (int k = 0; k < explore.Length; k++)
        {
            for (int seed = 1; seed <= 2; seed++)
                runs.Add(Run($"knee-e{explore[k]}", explore[k], seed, 0.8 + 0.05 * k + 0.001 * seed, 3 - k - 0.01 * seed, 30 - 10 * k - 0.1 * seed));
        }
        var summary = SummaryWriter.Markdown("m", runs);
        StringAssert.Contains(summary, "## Width metrics");
        StringAssert.Contains(summary, "| keskar | -1.00 | 6 | 0.9 < 0.5 < 0 |");
        StringAssert.Contains(summary, "| hessian_top | -1.00 | 6 | 0.9 < 0.5 < 0 |");
        StringAssert.Contains(summary, "All metrics order the Knee explore shares the same way");

        // Now the Hessian disagrees: its sharpest setting is the one Keskar calls flattest.
        runs = [.. runs.Select(r => r.ExploreFraction == 0.9 ? r with { ResultJson = r.ResultJson!.Replace("\"top_eigenvalue\": 9.", "\"top_eigenvalue\": 99.", StringComparison.Ordinal) } : r)];
        summary = SummaryWriter.Markdown("m", runs);
        StringAssert.Contains(summary, "do not order the Knee explore shares the same way");
        Assert.AreEqual(-0.5, MetricComparison.Agreement(SettingSummary.From(runs), WidthMetric.Keskar, WidthMetric.HessianTop), 1e-12);
    }
}
