using WideMinima.Tuning;
using WideMinima.Sharpness;
using WideMinima.Sweeps.Config;
using WideMinima.Ledger;
using WideMinima.Reports;

namespace WideMinima.Tests.Sweeps;

/// <summary>The new metrics, kept models and landscapes through the console, on the tiny generated dataset.</summary>
[TestClass]
public sealed class SweepMetricsCliTests
{
    [TestMethod]
    public void A_sweep_with_every_metric_writes_their_columns_plots_and_models_and_landscape_draws_them()
    {
        string data = TinySweep.Dataset();
        string folder = TinySweep.NewFolder("metrics");
        var config = TinySweep.Config(data, seeds: 1, epochs: 2) with
        {
            ExploreFractions = [0.5],
            Baselines = [ScheduleFamily.Step],
            Metrics = [WidthMetric.Keskar, WidthMetric.HessianTop, WidthMetric.HessianTrace, WidthMetric.Adaptive],
            Hessian = new HessianOptions { SampleSize = 128, BatchSize = 128, MaxIterations = 5, Probes = 3 },
            Adaptive = new AdaptiveSharpnessOptions { SampleSize = 128, BatchSize = 128, MaxSteps = 5 },
            SaveModels = true,
        };
        string file = TinySweep.WriteConfig(config, TinySweep.NewFolder("cfg"));
        var (code, output, error) = TinySweep.Run("run", "--config", file, "--out", folder);
        Assert.AreEqual(0, code, output + error);

        using (var ledger = SqlLedger.Sqlite(Path.Combine(folder, SqlLedger.FileName)))
        {
            foreach (var run in ledger.Runs())
            {
                var m = RunMetrics.Of(run);
                Assert.IsGreaterThan(0.0, m.HessianTop!.Value, run.RunId);
                Assert.IsGreaterThan(0.0, m.HessianTrace!.Value, run.RunId);
                Assert.IsGreaterThanOrEqualTo(0.0, m.Adaptive!.Value, run.RunId);
                Assert.IsTrue(File.Exists(Path.Combine(folder, "models", run.RunId + ".zip")), run.RunId);
            }
        }
        var csv = File.ReadAllLines(Path.Combine(folder, "results.csv"));
        var header = csv[0].Split(',');
        int top = Array.IndexOf(header, "hessian_top");
        Assert.IsGreaterThan(0, top);
        Assert.IsTrue(csv.Skip(1).All(l => l.Split(',')[top].Length > 0), "every run has its top eigenvalue");
        foreach (var metric in new[] { WidthMetric.HessianTop, WidthMetric.HessianTrace, WidthMetric.Adaptive })
            Assert.IsTrue(File.Exists(Path.Combine(folder, PlotWriter.MetricFile(metric))), metric.ToString());
        StringAssert.Contains(File.ReadAllText(Path.Combine(folder, "summary.md")), "Spearman");

        var (landscape, landscapeOut, landscapeError) = TinySweep.Run("landscape", "--out", folder, "--run", "knee-e0.5-s1", "--against", "step-s1",
            "--points", "5", "--grid-points", "3", "--sample-size", "64");
        Assert.AreEqual(0, landscape, landscapeOut + landscapeError);
        foreach (var name in new[] { "knee-e0.5-s1-slice", "knee-e0.5-s1-surface", "knee-e0.5-s1-vs-step-s1" })
        {
            Assert.IsTrue(File.Exists(Path.Combine(folder, "landscape", name + ".png")), name);
            Assert.IsTrue(File.Exists(Path.Combine(folder, "landscape", name + ".csv")), name);
        }
        Assert.HasCount(1 + 9, File.ReadAllLines(Path.Combine(folder, "landscape", "knee-e0.5-s1-surface.csv")));

        var (missing, _, missingError) = TinySweep.Run("landscape", "--out", folder, "--run", "cosine-s9");
        Assert.AreEqual(2, missing);
        StringAssert.Contains(missingError, "--run");
        StringAssert.Contains(missingError, "save_models");
        var (bad, _, badError) = TinySweep.Run("landscape", "--out", folder, "--run", "step-s1", "--points", "1");
        Assert.AreEqual(2, bad);
        StringAssert.Contains(badError, "--points");
        StringAssert.Contains(badError, "was 1");
    }

    [TestMethod]
    public void A_bad_metric_in_a_config_stops_the_console_with_exit_code_2_before_any_work()
    {
        string folder = TinySweep.NewFolder("bad-metric");
        string file = Path.Combine(TinySweep.NewFolder("cfg"), "sweep.json");
        File.WriteAllText(file, """{ "metrics": ["keskar", "sharpest"] }""");
        var (code, _, error) = TinySweep.Run("run", "--config", file, "--out", folder);
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "metrics[1]: is not a known metric (keskar, hessian_top, hessian_trace, adaptive), but was 'sharpest'");
        Assert.IsFalse(File.Exists(Path.Combine(folder, SqlLedger.FileName)), "nothing started");

        File.WriteAllText(file, """{ "adaptive": { "rho": -0.1 } }""");
        (code, _, error) = TinySweep.Run("run", "--config", file, "--out", folder);
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "adaptive.rho");
        StringAssert.Contains(error, "-0.1");
    }
}
