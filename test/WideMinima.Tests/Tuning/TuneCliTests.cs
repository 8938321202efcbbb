using System.Text.Json;
using Microsoft.ML;
using WideMinima.MLNet;
using WideMinima.Sweeps.Config;
using WideMinima.Ledger;
using WideMinima.Reports;
using WideMinima.Sweeps.Execution;
using WideMinima.Sweeps.Reports;
using WideMinima.Tests.Sweeps;

namespace WideMinima.Tests.Tuning;

/// <summary>The <c>tune</c> command run as a user runs it: a child process on the tiny generated dataset.</summary>
[TestClass]
public sealed class TuneCliTests
{
    private readonly OwnedFolders _folders = new();

    private string Folder(string name) => _folders.New(name);

    [TestCleanup]
    public void RemoveFolders() => _folders.RemoveAll();

    private string Data(int train = 480, int test = 150)
    {
        string data = TinySweep.Dataset(train, test);
        _folders.Own(data);
        return data;
    }

    internal static string Yaml(string data, string tune) => $"""
        name: tiny-tune
        dataset:
          kind: idx
          path: {data}
          train_images: train-images.gz
          train_labels: train-labels.gz
          test_images: test-images.gz
          test_labels: test-labels.gz
        model:
          kind: mlp
          hidden: [16]
        epochs: 3
        batch_size: 32
        seeds: 1
        threads_per_run: 1
        width:
          sample_size: 256
          batch_size: 256
          max_steps: 10
        tune:
        {tune}
        """;

    internal const string GoodTune = """
          families: [knee, cosine, step, one-cycle]
          peak_lr: {min: 0.005, max: 0.3}
          explore_shares: [0, 0.5, 0.9]
          budget_epochs: 16
          reduction_factor: 3
        """;

    private string WriteYaml(string data, string tune)
    {
        string path = Path.Combine(Folder("tune-cfg"), "tune.yaml");
        File.WriteAllText(path, Yaml(data, tune));
        return path;
    }

    private static IDataView TestData(MLContext ml, string data)
    {
        var pixels = WideMinima.Data.IdxFile.ReadImages(Path.Combine(data, "test-images.gz"), null);
        var labels = WideMinima.Data.IdxFile.ReadLabels(Path.Combine(data, "test-labels.gz"), null);
        return WideMinima.Data.IdxDataView.Create(ml, pixels, labels, ["0", "1", "2"], "test");
    }

    /// <summary>The tuning's finished jobs in its ledger.</summary>
    private static int Jobs(string folder)
    {
        using var ledger = WideMinima.Ledger.SqlLedger.Sqlite(Path.Combine(folder, WideMinima.Ledger.SqlLedger.FileName));
        return ledger.Runs().Count(r => r.Kind == WideMinima.Ledger.RunKind.TuneJob && r.Status == WideMinima.Ledger.RunStatus.Done);
    }

    [TestMethod]
    public void Tune_writes_best_json_a_loadable_model_trials_summary_and_plots_and_a_rerun_trains_nothing()
    {
        string data = Data();
        string config = WriteYaml(data, GoodTune);
        string folder = Folder("tune-e2e");

        var (code, output, error) = TinySweep.Run("tune", "--config", config, "--out", folder);
        Assert.AreEqual(0, code, output + error);

        var best = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "best.json"))).RootElement;
        var chosen = best.GetProperty("best");
        Assert.IsTrue(chosen.GetProperty("validation_accuracy").GetDouble() > 0.6, "the tiny data is learnable");
        Assert.IsTrue(chosen.GetProperty("test_accuracy").GetDouble() > 0.6);
        Assert.IsTrue(chosen.GetProperty("sharpness").GetDouble() >= 0);
        StringAssert.Matches(chosen.GetProperty("family").GetString()!, new System.Text.RegularExpressions.Regex("^(knee|cosine|step|one-cycle)$"));
        var compute = best.GetProperty("compute_epochs");
        Assert.IsTrue(compute.GetProperty("total").GetDouble() <= 16 + 1e-9, $"total compute {compute.GetProperty("total").GetDouble()} within the budget");
        Assert.AreEqual(3.0, compute.GetProperty("final_fits").GetDouble());

        var csv = File.ReadAllLines(Path.Combine(folder, "trials.csv"));
        Assert.AreEqual("trial_id,proposal,family,peak_lr,explore_share,warmup_share,weight_decay,seed,rung,rung_epochs,epochs_trained,validation_accuracy,status,rung_accuracies", csv[0]);
        Assert.AreEqual(best.GetProperty("trials").GetInt32(), csv.Length - 1);
        StringAssert.Contains(File.ReadAllText(Path.Combine(folder, "summary.md")), "## Chosen");
        foreach (var plot in TuneReportWriter.Plots) Assert.IsTrue(new FileInfo(Path.Combine(folder, plot)).Length > 5000, plot);

        var ml = new MLContext(seed: 1);
        var loaded = WideMinimaModel.Load(ml, Path.Combine(folder, "best.wmmodel"), out _);
        var (_, network, _) = WideMinimaModel.Split(loaded);
        var schedule = WideMinima.Schedules.ScheduleJson.Deserialize(network.TrainingReport.ScheduleJson);
        Assert.AreEqual(chosen.GetProperty("peak_lr").GetDouble(), schedule.PeakLearningRate, "the final model follows the chosen schedule");
        Assert.AreEqual(chosen.GetProperty("family").GetString(), schedule.Kind);
        Assert.AreEqual(480, network.TrainingReport.TrainingExamples, "the final model trains on the whole training set");
        Assert.AreEqual(chosen.GetProperty("test_accuracy").GetDouble(), network.Evaluate(TestData(ml, data)).Accuracy, 1e-12, "best.json's test accuracy is the saved model's");
        network.Dispose();

        // The same command again replays the ledger: no job trains, the same reports come out.
        int jobs = Jobs(folder);
        string before = File.ReadAllText(Path.Combine(folder, "trials.csv"));
        var (again, againOutput, againError) = TinySweep.Run("tune", "--config", config, "--out", folder);
        Assert.AreEqual(0, again, againOutput + againError);
        StringAssert.Contains(againOutput, "resuming");
        Assert.AreEqual(jobs, Jobs(folder));
        Assert.AreEqual(before, File.ReadAllText(Path.Combine(folder, "trials.csv")));
        Assert.DoesNotContain("Final fit on the whole training set", againOutput, "the final fit is in the ledger");
    }

    [TestMethod]
    public void With_several_seeds_the_top_settings_get_every_seeds_final_fit_and_a_confidence_interval()
    {
        string data = Data();
        string folder = Folder("tune-seeds");
        var (code, output, error) = TinySweep.Run("tune", "--config", WriteYaml(data, GoodTune), "--out", folder, "--seeds", "2", "--top", "2", "--budget-epochs", "24");
        Assert.AreEqual(0, code, output + error);
        var best = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "best.json"))).RootElement;
        var top = best.GetProperty("top");
        Assert.AreEqual(2, top.GetArrayLength());
        Assert.AreEqual(12.0, best.GetProperty("compute_epochs").GetProperty("final_fits").GetDouble(), "2 settings x 2 seeds x 3 epochs");
        foreach (var setting in top.EnumerateArray())
        {
            Assert.AreEqual(2, setting.GetProperty("seeds").GetArrayLength());
            var ci = setting.GetProperty("test_accuracy_ci95");
            double mean = setting.GetProperty("test_accuracy").GetDouble();
            Assert.IsTrue(ci[0].GetDouble() <= mean && mean <= ci[1].GetDouble());
        }
        Assert.IsTrue(top[0].GetProperty("validation_accuracy").GetDouble() >= top[1].GetProperty("validation_accuracy").GetDouble() || top[0].GetProperty("validation_rung_epochs").GetInt32() > top[1].GetProperty("validation_rung_epochs").GetInt32(),
            "the top settings are ranked on validation, never on test");
    }

    [TestMethod]
    public void Killing_tune_mid_search_then_rerunning_ends_as_an_uninterrupted_tuning_does()
    {
        string data = Data();
        string config = WriteYaml(data, GoodTune);
        string reference = Folder("tune-ref");
        Assert.AreEqual(0, TinySweep.Run("tune", "--config", config, "--out", reference).ExitCode);

        string folder = Folder("tune-kill");
        using (var process = TinySweep.Start("tune", "--config", config, "--out", folder))
        {
            var deadline = DateTime.UtcNow.AddMinutes(3);
            while (DateTime.UtcNow < deadline && !process.HasExited && (!File.Exists(Path.Combine(folder, WideMinima.Ledger.SqlLedger.FileName)) || Jobs(folder) < 1)) Thread.Sleep(100);
            Assert.IsFalse(process.HasExited, "the tuning should still be running when it is killed");
            process.Kill(); // SIGKILL, as soon as the first job is in the ledger: the search, the final fit and the reports are still ahead
            process.WaitForExit();
        }
        int killedAt = Jobs(folder);
        Assert.IsTrue(killedAt >= 1);
        var (code, output, error) = TinySweep.Run("tune", "--config", config, "--out", folder);
        Assert.AreEqual(0, code, output + error);
        StringAssert.Contains(output, "resuming");
        Assert.AreEqual(File.ReadAllText(Path.Combine(reference, "trials.csv")), File.ReadAllText(Path.Combine(folder, "trials.csv")));
        var a = JsonDocument.Parse(File.ReadAllText(Path.Combine(reference, "best.json"))).RootElement.GetProperty("best");
        var b = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "best.json"))).RootElement.GetProperty("best");
        Assert.AreEqual(a.GetProperty("test_accuracy").GetDouble(), b.GetProperty("test_accuracy").GetDouble());
        Assert.AreEqual(a.GetProperty("trial_id").GetInt32(), b.GetProperty("trial_id").GetInt32());
    }

    [TestMethod]
    [DataRow("--peak-lr-min", "0.5", "tune.peak_lr", "[0.5, 0.3]")]
    [DataRow("--budget-epochs", "3.5", "tune.budget_epochs", "3.5")]
    [DataRow("--validation-share", "0.6", "tune.validation_share", "0.6")]
    [DataRow("--validation-share", "0", "tune.validation_share", "0")]
    [DataRow("--reduction-factor", "1", "tune.reduction_factor", "1")]
    [DataRow("--families", "knee,warp", "--families", "'warp'")]
    [DataRow("--workers", "0", "tune.parallel_jobs", "--workers 0")]
    [DataRow("--workers", "-1", "--workers", "-1")]
    [DataRow("--parallel-jobs", "0", "tune.parallel_jobs", "0")]
    public void Bad_flags_exit_2_before_training_naming_the_field_and_value(string flag, string value, string field, string shown)
    {
        string data = Data(train: 30, test: 9);
        string folder = Path.Combine(Folder("tune-bad"), "out");
        var (code, output, error) = TinySweep.Run("tune", "--config", WriteYaml(data, GoodTune), "--out", folder, flag, value);
        Assert.AreEqual(2, code, output + error);
        StringAssert.Contains(error, field);
        StringAssert.Contains(error, shown);
        Assert.IsFalse(Directory.Exists(folder), "nothing was written: the error came before any work");
    }

    [TestMethod]
    [DataRow("  families: [knee, warp]\n  budget_epochs: 16", "tune.families[1]", "is not a known schedule")]
    [DataRow("  explore_shares: []\n  budget_epochs: 16", "tune.explore_shares", "[]")]
    [DataRow("  peak_lr: {min: 0.1, max: 0.01}\n  budget_epochs: 16", "tune.peak_lr", "is inverted")]
    [DataRow("  warmup: {min: 0.2, max: 0.1}\n  budget_epochs: 16", "tune.warmup", "is inverted")]
    [DataRow("  families: [knee]", "tune.budget_epochs", "tuning needs a budget")]
    [DataRow("  reduction_factor: 1\n  budget_epochs: 16", "tune.reduction_factor", "must be at least 2, but was 1")]
    [DataRow("  validation_share: 0.7\n  budget_epochs: 16", "tune.validation_share", "must be in (0, 0.5], but was 0.7")]
    [DataRow("  budget_epochs: 2", "tune.budget_epochs", "too small to finish one trial")]
    public void Bad_tune_sections_exit_2_naming_the_field(string tune, string field, string rule)
    {
        string data = Data(train: 30, test: 9);
        string folder = Path.Combine(Folder("tune-bad"), "out");
        var (code, output, error) = TinySweep.Run("tune", "--config", WriteYaml(data, tune), "--out", folder);
        Assert.AreEqual(2, code, output + error);
        StringAssert.Contains(error, field);
        StringAssert.Contains(error, rule);
        Assert.DoesNotContain("   at ", error, "no stack trace for a user error");
    }

    [TestMethod]
    public void Tune_help_lists_its_options()
    {
        var (code, output, error) = TinySweep.Run("tune", "--help");
        Assert.AreEqual(0, code, output + error);
        foreach (var option in new[] { "--budget-epochs", "--families", "--validation-share", "--reduction-factor", "--no-fork", "--epochs" })
            StringAssert.Contains(output, option);
    }

    [TestMethod]
    public void Tuning_presets_only_run_with_tune_and_sweep_presets_only_with_run()
    {
        var (code, _, error) = TinySweep.Run("run", "--preset", "quick-tune", "--out", Path.Combine(Folder("p"), "o"));
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "tune --preset");
        (code, _, error) = TinySweep.Run("tune", "--preset", "quick", "--out", Path.Combine(Folder("p"), "o"));
        Assert.AreEqual(2, code);
        StringAssert.Contains(error, "quick-tune");
        Assert.IsNotNull(Presets.Get("default-tune").Config.Tune);
        Assert.AreEqual(160, Presets.Get("default-tune").Config.Tune!.BudgetEpochs);
    }
}
