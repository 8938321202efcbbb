using WideMinima.Training;
using WideMinima.Models;
using WideMinima.Tuning;
using System.Text.Json;
using Microsoft.ML;
using WideMinima.Sweeps.Config;
using WideMinima.Sweeps.Execution;
using WideMinima.Ledger;
using WideMinima.Reports;

namespace WideMinima.Tests.Sweeps;

/// <summary>The sweep console run as a user runs it: a child process on a tiny generated dataset.</summary>
[TestClass]
public sealed class SweepCliTests
{
    private static IReadOnlyList<LedgerRun> Runs(string folder)
    {
        using var ledger = SqlLedger.Sqlite(Path.Combine(folder, SqlLedger.FileName));
        return ledger.Runs();
    }

    private static void AssertValidPng(string path)
    {
        Assert.IsTrue(File.Exists(path), path);
        var bytes = File.ReadAllBytes(path);
        CollectionAssert.AreEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0d, 0x0a, 0x1a, 0x0a }, bytes[..8], $"{path} is not a PNG");
        int width = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16));
        int height = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20));
        Assert.AreEqual(1100, width);
        Assert.AreEqual(560, height);
        Assert.IsGreaterThan(5000, bytes.Length, $"{path} looks empty");
    }

    [TestMethod]
    public void End_to_end_tiny_sweep_fills_the_ledger_csv_summary_and_plots()
    {
        string data = TinySweep.Dataset();
        string folder = TinySweep.NewFolder("e2e");
        string config = TinySweep.WriteConfig(TinySweep.Config(data, workers: 2), TinySweep.NewFolder("cfg"));

        var (code, output, error) = TinySweep.Run("run", "--config", config, "--out", folder);
        Assert.AreEqual(0, code, output + error);

        var runs = Runs(folder);
        Assert.HasCount(8, runs);
        Assert.IsTrue(runs.All(r => r.Status == RunStatus.Done), string.Join("; ", runs.Select(r => $"{r.RunId}:{r.Status}:{r.Error}")));
        Assert.IsTrue(runs.All(r => r.TestAccuracy > 0.6), "the tiny data is learnable");
        Assert.IsTrue(runs.All(r => r.Sharpness >= 0 && r.TrainSeconds > 0 && r.WidthSeconds > 0));
        // Which worker took how many runs is up to timing (one fast worker may take them all); that both ran as
        // processes of their own is what counts here.
        Assert.IsTrue(runs.All(r => r.Worker!.EndsWith("#0", StringComparison.Ordinal) || r.Worker.EndsWith("#1", StringComparison.Ordinal)), "the runs ran in the worker processes");

        var csv = File.ReadAllLines(Path.Combine(folder, "results.csv"));
        Assert.AreEqual("run_id,schedule,explore_fraction,seed,status,test_accuracy,sharpness,train_seconds,width_seconds",
            string.Join(',', csv[0].Split(',').Take(9)));
        Assert.HasCount(9, csv);
        var cosine = csv.Single(l => l.StartsWith("cosine-s1,", StringComparison.Ordinal)).Split(',');
        Assert.AreEqual("", cosine[2], "baselines without an explore share leave explore_fraction empty");
        Assert.AreEqual("cosine", cosine[1], "the schedule as its config name");
        Assert.AreEqual("done", cosine[4], "the status as the lower-case word");
        Assert.AreEqual("0.5", csv.Single(l => l.StartsWith("knee-e0.5-s2,", StringComparison.Ordinal)).Split(',')[2]);

        var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "results.json")));
        Assert.AreEqual(8, json.RootElement.GetArrayLength());
        var record = json.RootElement[0].GetProperty("record");
        Assert.AreEqual("done", json.RootElement[0].GetProperty("status").GetString());
        Assert.AreEqual("done", record.GetProperty("status").GetString(), "the record's status is the stored word");
        Assert.AreEqual(3, record.GetProperty("epochs").GetArrayLength());
        Assert.IsGreaterThan(2, record.GetProperty("learning_rate_curve").GetArrayLength());
        Assert.IsTrue(record.GetProperty("width").GetProperty("converged").ValueKind is JsonValueKind.True or JsonValueKind.False);
        StringAssert.Contains(record.GetProperty("config_json").GetString(), "\"tiny\"");

        string summary = File.ReadAllText(Path.Combine(folder, "summary.md"));
        StringAssert.Contains(summary, "| knee-e0.5 | 2/2 |");
        StringAssert.Contains(summary, "Best setting");
        StringAssert.Contains(summary, "Knee against the best baselines");
        foreach (var plot in PlotWriter.Files) AssertValidPng(Path.Combine(folder, plot));

        // Running the same command again has nothing left to do and changes nothing.
        var before = Runs(folder).Select(r => (r.RunId, r.Attempts, r.TestAccuracy)).ToList();
        var (again, _, _) = TinySweep.Run("run", "--config", config, "--out", folder);
        Assert.AreEqual(0, again);
        CollectionAssert.AreEqual(before, Runs(folder).Select(r => (r.RunId, r.Attempts, r.TestAccuracy)).ToList());

        // 'report' rebuilds every report from the ledger alone.
        File.Delete(Path.Combine(folder, "summary.md"));
        Directory.Delete(Path.Combine(folder, "plots"), recursive: true);
        Assert.AreEqual(0, TinySweep.Run("report", "--out", folder).ExitCode);
        Assert.IsTrue(File.Exists(Path.Combine(folder, "summary.md")));
        foreach (var plot in PlotWriter.Files) AssertValidPng(Path.Combine(folder, plot));
        var (statusCode, statusOut, _) = TinySweep.Run("status", "--out", folder);
        Assert.AreEqual(0, statusCode);
        // The console wraps at 80 columns when its output is redirected, wherever the sweep's path happens to end.
        StringAssert.Contains(System.Text.RegularExpressions.Regex.Replace(statusOut, @"\s+", " "), "8 done");
    }

    [TestMethod]
    public void Killing_the_sweep_mid_run_then_rerunning_ends_with_exactly_one_completed_row_per_run()
    {
        string data = TinySweep.Dataset(train: 3000, test: 300);
        string folder = TinySweep.NewFolder("kill");
        // One worker in the process: SIGKILL takes the sweep down at once, mid-run.
        var config = TinySweep.Config(data, workers: 1, seeds: 2, epochs: 12);
        string file = TinySweep.WriteConfig(config, TinySweep.NewFolder("cfg"));

        TinySweep.KillWhen(folder, runs => runs.Count(r => r.Status == RunStatus.Done) >= 2 && runs.Any(TinySweep.MidEpoch), "run", "--config", file, "--out", folder);
        var killed = Runs(folder);
        var inFlight = killed.Where(r => r.Status == RunStatus.Running).Select(r => r.RunId).ToList();
        Assert.HasCount(1, inFlight, "exactly one run was in flight");
        int doneBefore = killed.Count(r => r.Status == RunStatus.Done);

        var (code, output, error) = TinySweep.Run("run", "--config", file, "--out", folder);
        Assert.AreEqual(0, code, output + error);
        StringAssert.Contains(output, "left in flight by a stopped process");
        var final = Runs(folder);
        Assert.HasCount(8, final);
        Assert.AreEqual(8, final.Select(r => r.RunId).Distinct().Count());
        Assert.IsTrue(final.All(r => r.Status == RunStatus.Done));
        Assert.AreEqual(2, final.Single(r => r.RunId == inFlight[0]).Attempts, "the interrupted run ran again");
        Assert.AreEqual(doneBefore, final.Count(r => r.Attempts == 1 && killed.Single(k => k.RunId == r.RunId).Status == RunStatus.Done), "finished runs were not rerun");
        Assert.HasCount(9, File.ReadAllLines(Path.Combine(folder, "results.csv")));
    }

    [TestMethod]
    public void A_run_gives_the_same_metrics_alone_in_a_sweep_and_after_a_resume()
    {
        string data = TinySweep.Dataset();
        string folder = TinySweep.NewFolder("determinism");
        var config = TinySweep.Config(data, workers: 2);
        string file = TinySweep.WriteConfig(config, TinySweep.NewFolder("cfg"));
        Assert.AreEqual(0, TinySweep.Run("run", "--config", file, "--out", folder).ExitCode);
        var swept = Runs(folder).Single(r => r.RunId == "knee-e0.5-s2");

        // Alone, in this process, with the same definition.
        var (stored, _) = SweepFolder.Prepare(TinySweep.NewFolder("alone"), config, replace: false);
        var data2 = SweepData.Load(new MLContext(seed: 0), stored.Dataset);
        var outcome = RunExecutor.Execute(stored, SweepConfigJson.Write(stored), swept, swept.PayloadJson, data2, stored.Threads, null, CancellationToken.None);
        Assert.AreEqual(swept.TestAccuracy, outcome.Record!.TestAccuracy);
        Assert.AreEqual(swept.Sharpness, outcome.Record.Width!.Sharpness);
        Assert.AreEqual(swept.TrainLoss, outcome.Record.TrainLoss);

        // After a resume: the kill test reruns an interrupted run; here, a failed-then-retried one.
        using (var ledger = SqlLedger.Sqlite(Path.Combine(folder, SqlLedger.FileName)))
        {
            var run = ledger.Runs().Single(r => r.RunId == "knee-e0.5-s2");
            ledger.RecoverOrphans(_ => true);
        }
        using (var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(folder, SqlLedger.FileName)}"))
        {
            db.Open();
            using var command = db.CreateCommand();
            command.CommandText = "UPDATE runs SET status = 'failed' WHERE run_id = 'knee-e0.5-s2';";
            command.ExecuteNonQuery();
        }
        Assert.AreEqual(0, TinySweep.Run("run", "--config", file, "--out", folder, "--retry-failed").ExitCode);
        var resumed = Runs(folder).Single(r => r.RunId == "knee-e0.5-s2");
        Assert.AreEqual(2, resumed.Attempts);
        Assert.AreEqual(swept.TestAccuracy, resumed.TestAccuracy);
        Assert.AreEqual(swept.Sharpness, resumed.Sharpness);
        Assert.AreEqual(swept.TrainLoss, resumed.TrainLoss);
    }

    [TestMethod]
    public void Bad_input_fails_before_training_with_exit_code_2_and_names_the_field()
    {
        string data = TinySweep.Dataset(30, 12);
        string cfgDir = TinySweep.NewFolder("cfg");
        string good = TinySweep.WriteConfig(TinySweep.Config(data), cfgDir);
        void Fails(string expected, params string[] args)
        {
            string folder = TinySweep.NewFolder("bad");
            var (code, output, error) = TinySweep.Run(args.Append("--out").Append(folder).ToArray());
            Assert.AreEqual(2, code, $"{string.Join(' ', args)}: {output}{error}");
            StringAssert.Contains(error, expected, $"{string.Join(' ', args)}");
            Assert.IsFalse(File.Exists(Path.Combine(folder, "results.csv")), "nothing trained");
        }
        Fails("baselines[0]: is not a known schedule", "run", "--config", good, "--baselines", "cosin");
        Fails("--model: is not a known model kind (mlp, cnn, resnet18), but was 'resnet'", "run", "--config", good, "--model", "resnet");
        Fails("--device: is not a known device", "run", "--config", good, "--device", "gpu");
        Fails("--dataset: is not a known dataset kind", "run", "--config", good, "--dataset", "cifar");
        string badName = Path.Combine(cfgDir, "bad-name.json");
        File.WriteAllText(badName, File.ReadAllText(good).Replace("\"model\": \"mlp\"", "\"model\": \"mpl\"", StringComparison.Ordinal));
        Assert.AreNotEqual(File.ReadAllText(good), File.ReadAllText(badName), "the written config names the model");
        Fails("model: is not a known model kind (mlp, cnn, resnet18), but was 'mpl'", "run", "--config", badName);
        Fails("explore_fractions[1]", "run", "--config", good, "--explore-fractions", "0,1.5");
        Fails("seeds", "run", "--config", good, "--seeds", "0");
        Fails("epochs", "run", "--config", good, "--epochs", "0");
        Fails("--preset", "run", "--preset", "huge");
        Fails("CIFAR-10", "run", "--preset", "paper");
        Fails("must be comma-separated numbers", "run", "--config", good, "--explore-fractions", "0,half");

        string missing = TinySweep.WriteConfig(TinySweep.Config(TinySweep.NewFolder("empty")), TinySweep.NewFolder("cfg"));
        Fails("dataset.train_images", "run", "--config", missing);

        string malformed = Path.Combine(cfgDir, "malformed.json");
        File.WriteAllText(malformed, "{ \"epochs\": 3, \"seeds\": }");
        Fails("malformed config", "run", "--config", malformed);
        Fails("--config", "run", "--config", Path.Combine(cfgDir, "nope.json"));

        string file = Path.Combine(TinySweep.NewFolder("unwritable"), "file");
        File.WriteAllText(file, "");
        var (code, _, err) = TinySweep.Run("run", "--config", good, "--out", Path.Combine(file, "sweep"));
        Assert.AreEqual(2, code);
        StringAssert.Contains(err, "--out");

        string untouched = TinySweep.NewFolder("x");
        var (unknown, _, unknownError) = TinySweep.Run("run", "--config", good, "--out", untouched, "--bogus");
        Assert.AreEqual(2, unknown, unknownError);
        StringAssert.Contains(unknownError, "bogus");
        Assert.IsFalse(File.Exists(Path.Combine(untouched, SqlLedger.FileName)), "an unknown option stops before anything runs");
    }

    [TestMethod]
    public void Text_files_with_a_label_column_and_tensorboard_scalars()
    {
        string data = TinySweep.NewFolder("text");
        void Write(string name, int count, int seed)
        {
            var random = new Random(seed);
            var lines = new List<string> { "x1,x2,species,x3" };
            for (int i = 0; i < count; i++)
            {
                string label = (i % 2 == 0) ? "setosa" : "virginica";
                double shift = i % 2 == 0 ? 2 : -2;
                lines.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{shift + random.NextDouble():F3},{random.NextDouble():F3},{label},{-shift + random.NextDouble():F3}"));
            }
            File.WriteAllLines(Path.Combine(data, name), lines);
        }
        Write("train.csv", 200, 1);
        Write("test.csv", 60, 2);
        var config = TinySweep.Config(data) with
        {
            Dataset = new DatasetConfig { Kind = DatasetKind.Text, Path = data, TrainFile = "train.csv", TestFile = "test.csv", LabelColumn = "species" },
            ExploreFractions = [0.5],
            Baselines = [ScheduleFamily.Cosine],
            Seeds = 1,
            Tensorboard = true,
        };
        string folder = TinySweep.NewFolder("text-sweep");
        var (code, output, error) = TinySweep.Run("run", "--config", TinySweep.WriteConfig(config, TinySweep.NewFolder("cfg")), "--out", folder);
        Assert.AreEqual(0, code, output + error);
        var runs = Runs(folder);
        Assert.IsTrue(runs.All(r => r.Status == RunStatus.Done && r.TestAccuracy > 0.9), string.Join("; ", runs.Select(r => $"{r.RunId} {r.Status} {r.TestAccuracy} {r.Error}")));
        foreach (var r in runs)
            Assert.IsNotEmpty(Directory.GetFiles(Path.Combine(folder, "tensorboard", r.RunId), "events.out.tfevents*", SearchOption.AllDirectories), r.RunId);

        var wrong = config with { Dataset = config.Dataset with { LabelColumn = "kind" } };
        var (bad, _, badError) = TinySweep.Run("run", "--config", TinySweep.WriteConfig(wrong, TinySweep.NewFolder("cfg")), "--out", TinySweep.NewFolder("text-bad"));
        Assert.AreEqual(2, bad);
        StringAssert.Contains(badError, "dataset.label_column");
    }

    [TestMethod]
    public void The_paper_preset_runs_end_to_end_on_cifar_format_data_with_a_small_budget()
    {
        // Generated CIFAR-10 binary batches; 1 epoch, 1 seed, two settings, no width: the preset's ResNet-18,
        // augmentation and CIFAR reader through the whole sweep, in seconds.
        string data = WideMinima.Tests.Data.Cifar10Tests.Batches(perTrainBatch: 8, trainBatches: 5, test: 10);
        string folder = TinySweep.NewFolder("paper");
        var (code, output, error) = TinySweep.Run("run", "--preset", "paper", "--dataset-path", data, "--epochs", "1", "--seeds", "1",
            "--explore-fractions", "0.5", "--baselines", "cosine", "--workers", "1", "--no-width", "--out", folder);
        Assert.AreEqual(0, code, output + error);
        var runs = Runs(folder);
        CollectionAssert.AreEqual(new[] { "knee-e0.5-s1", "cosine-s1" }, runs.Select(r => r.RunId).ToArray());
        Assert.IsTrue(runs.All(r => r.Status == RunStatus.Done), string.Join("; ", runs.Select(r => $"{r.RunId} {r.Status} {r.Error}")));
        var record = JsonDocument.Parse(runs[0].ResultJson!).RootElement;
        var recorded = SweepConfigJson.Parse(record.GetProperty("config_json").GetString()!, "record");
        Assert.AreEqual(ModelKind.ResNet18, recorded.Model);
        Assert.AreEqual(Augmentation.CropAndFlip, recorded.Augmentation);
        Assert.AreEqual(DatasetKind.Cifar10, recorded.Dataset.Kind);
    }

    [TestMethod]
    public void Help_exists_for_every_command_and_presets_are_listed()
    {
        foreach (var command in new[] { "run", "status", "report", "presets", "bench" })
        {
            var (code, output, error) = TinySweep.Run(command, "--help");
            Assert.AreEqual(0, code, command + error);
            StringAssert.Contains(output, "USAGE", command);
        }
        var (listCode, list, _) = TinySweep.Run("presets");
        Assert.AreEqual(0, listCode);
        foreach (var name in new[] { "quick", "default", "paper" }) StringAssert.Contains(list, name);
        var (showCode, show, _) = TinySweep.Run("presets", "--show", "quick");
        Assert.AreEqual(0, showCode);
        Assert.AreEqual("quick", SweepConfigJson.Parse(show, "stdout").Name);
    }
}
