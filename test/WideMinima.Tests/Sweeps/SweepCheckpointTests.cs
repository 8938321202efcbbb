using System.Text.Json;
using Microsoft.Data.Sqlite;
using WideMinima.Sweeps.Config;
using WideMinima.Sweeps.Execution;
using WideMinima.Ledger;
using WideMinima.Sweeps.Planning;
using WideMinima.Training;
using WideMinima.Training.Checkpoints;

namespace WideMinima.Tests.Sweeps;

/// <summary>Checkpoints in sweeps: the ledger's rows, a run's resume point, and kill -9 of the console mid-run.</summary>
[TestClass]
public sealed class SweepCheckpointTests
{
    private const string RunId = "knee-e0.5-s1";
    private readonly OwnedFolders _folders = new();

    private string Folder(string name) => _folders.New(name);

    [TestCleanup]
    public void Clean() => _folders.RemoveAll();

    private static SqlLedger Open(string folder) => SqlLedger.Sqlite(Path.Combine(folder, SqlLedger.FileName));

    private static LedgerRun Planned(SqlLedger ledger)
    {
        var config = new SweepConfig { ExploreFractions = [0.5], Baselines = [], Seeds = 1 };
        ledger.CreateSweep(new SweepHeader(config.Name, SweepKind.Sweep, "{}", SweepConfigJson.Write(config), 0, "test"), [.. SweepPlanner.Plan(config).Select(r => r.ToNewRun())]);
        return ledger.Claim("w", TimeSpan.FromHours(1), _ => true)!;
    }

    /// <summary>A small but valid checkpoint file at <paramref name="step"/>.</summary>
    private static SavedCheckpoint Write(RunCheckpoints sink, long step, int epoch)
    {
        var position = new CheckpointPosition(step, epoch, 0);
        string path = sink.PathFor(position);
        var manifest = new CheckpointManifest
        {
            FormatVersion = CheckpointFile.FormatVersion,
            Run = new CheckpointRun { Seed = 1, DataSha256 = "", TrainingExamples = 1, BatchSize = 1, StepsPerEpoch = 1, Epochs = 1, Model = "m", Optimizer = OptimizerKind.Sgd, Momentum = 0, WeightDecay = 0, Augmentation = Augmentation.None },
            Step = step, EpochsCompleted = epoch, BatchInEpoch = 0, ScheduleJson = "{}", Epochs = [], OptimizerSteps = [], TrainSeconds = 0, Tensors = [],
        };
        using var t = TorchSharp.torch.ones(16);
        var (sha, bytes) = CheckpointFile.Write(path, manifest, [("x", t)]);
        var saved = new SavedCheckpoint(path, sha, position, bytes, 0);
        sink.Saved(saved);
        return saved;
    }

    [TestMethod]
    public void The_ledger_records_checkpoints_newest_first_and_an_old_ledger_gains_the_table()
    {
        string folder = Folder("ckpt-ledger");
        using (var ledger = Open(folder))
        {
            var run = Planned(ledger);
            ledger.RecordCheckpoint(new CheckpointRow(run.RunId, 1, 10, 1, "/a", "aa", 5, 100));
            ledger.RecordCheckpoint(new CheckpointRow(run.RunId, 1, 30, 3, "/c", "cc", 5, 300));
            ledger.RecordCheckpoint(new CheckpointRow(run.RunId, 1, 20, 2, "/b", "bb", 5, 200));
            CollectionAssert.AreEqual(new[] { "/c", "/b", "/a" }, ledger.Checkpoints(run.RunId).Select(c => c.Path).ToArray());
            Assert.AreEqual(new CheckpointRow(run.RunId, 1, 30, 3, "/c", "cc", 5, 300), ledger.Checkpoints(run.RunId)[0]);
            Assert.IsTrue(ledger.ForgetCheckpoint(run.RunId, "/c"));
            Assert.IsFalse(ledger.ForgetCheckpoint(run.RunId, "/c"));
            Assert.IsEmpty(ledger.Checkpoints("other"));
        }

        // A schema-1 ledger.db (no checkpoints table), written by the version of that time, opens, keeps its runs and gains the table.
        folder = Folder("ckpt-ledger-v1");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Ledgers", "sqlite-v1.db"), Path.Combine(folder, SqlLedger.FileName));
        using (var ledger = Open(folder))
        {
            Assert.HasCount(8, ledger.Runs());
            Assert.IsEmpty(ledger.Checkpoints(RunId));
            ledger.RecordCheckpoint(new CheckpointRow(RunId, 1, 10, 1, "/a", "aa", 5, 100));
            Assert.HasCount(1, ledger.Checkpoints(RunId));
        }
        using (var db = new SqliteConnection($"Data Source={Path.Combine(folder, SqlLedger.FileName)};Pooling=false"))
        {
            db.Open();
            using var command = db.CreateCommand();
            command.CommandText = "SELECT value FROM meta WHERE key = 'schema_version';";
            Assert.AreEqual(SqlLedger.SchemaVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), command.ExecuteScalar());
        }
    }

    [TestMethod]
    public void A_run_resumes_from_its_newest_good_checkpoint_and_bad_ones_are_logged_forgotten_and_deleted()
    {
        string folder = Folder("ckpt-resume");
        using var ledger = Open(folder);
        var run = Planned(ledger);
        var log = new List<string>();
        var keep = new RunCheckpoints(ledger, run, Path.Combine(folder, "checkpoints"), 1, keep: true, log.Add);
        Assert.IsNull(keep.FindResumePoint(), "nothing recorded yet");
        var first = Write(keep, 10, 1);
        var second = Write(keep, 20, 2);
        var third = Write(keep, 30, 3);
        Assert.HasCount(3, ledger.Checkpoints(run.RunId), "all kept");

        var bytes = File.ReadAllBytes(third.Path);
        bytes[^40] ^= 0x10;
        File.WriteAllBytes(third.Path, bytes);
        File.Delete(second.Path);
        Assert.AreEqual(first.Path, keep.FindResumePoint()!.Path, "the newest one that checks out");
        Assert.HasCount(2, keep.Discarded);
        StringAssert.Contains(keep.Discarded[0], "epoch 3 (step 30)");
        StringAssert.Contains(keep.Discarded[0], "SHA-256");
        StringAssert.Contains(keep.Discarded[1], "missing");
        Assert.IsTrue(log.Any(l => l.Contains("resumes from its checkpoint at epoch 1", StringComparison.Ordinal)), string.Join('\n', log));
        CollectionAssert.AreEqual(new[] { first.Path }, ledger.Checkpoints(run.RunId).Select(c => c.Path).ToArray(), "bad ones forgotten");
        Assert.IsFalse(File.Exists(third.Path), "the corrupted file is deleted");

        // Without keep: a new checkpoint replaces the older ones, and a finished run's are deleted.
        var rolling = new RunCheckpoints(ledger, run, Path.Combine(folder, "checkpoints"), 1, keep: false, null);
        var fourth = Write(rolling, 40, 4);
        CollectionAssert.AreEqual(new[] { fourth.Path }, ledger.Checkpoints(run.RunId).Select(c => c.Path).ToArray());
        Assert.IsFalse(File.Exists(first.Path));
        rolling.Finish();
        Assert.IsEmpty(ledger.Checkpoints(run.RunId));
        Assert.IsFalse(Directory.Exists(rolling.Folder), "the run's empty checkpoint folder is removed");
    }

    [TestMethod]
    public void Checkpoint_every_epochs_must_not_be_negative_and_is_left_out_of_the_definition_when_off()
    {
        var e = Assert.Throws<SweepConfigException>(() => SweepConfigValidator.Validate(new SweepConfig { CheckpointEveryEpochs = -1 }));
        StringAssert.Contains(e.Message, "checkpoint_every_epochs");
        var parsed = SweepConfigJson.Parse("""{ "checkpoint_every_epochs": 2, "keep_checkpoints": true }""", "test");
        Assert.AreEqual(2, parsed.CheckpointEveryEpochs);
        Assert.IsTrue(parsed.KeepCheckpoints);
        // Off, the keys are not written, so ledgers made before they existed keep the same definition.
        Assert.DoesNotContain("checkpoint", SweepConfigJson.Definition(new SweepConfig()));
    }

    [TestMethod]
    public void An_unwritable_checkpoint_folder_is_refused_before_training_with_exit_code_2()
    {
        string data = TinySweep.Dataset(30, 12);
        _folders.Own(data);
        string file = TinySweep.WriteConfig(TinySweep.Config(data) with { CheckpointEveryEpochs = 1 }, Folder("cfg"));
        string blocker = Path.Combine(Folder("blocker"), "a-file");
        File.WriteAllText(blocker, "");
        string folder = Folder("ckpt-bad");
        var (code, output, error) = TinySweep.Run("run", "--config", file, "--out", folder, "--checkpoints", blocker);
        Assert.AreEqual(2, code, output + error);
        StringAssert.Contains(error, "--checkpoints");
        Assert.IsFalse(File.Exists(Path.Combine(folder, "results.csv")), "nothing trained");
    }

    /// <summary>The per-run numbers results.csv and the run record hold, seconds and attempts aside.</summary>
    private static string Numbers(string folder)
    {
        var lines = File.ReadAllLines(Path.Combine(folder, "results.csv"));
        var header = lines[0].Split(',');
        string[] keep = ["run_id", "status", "test_accuracy", "sharpness", "test_loss", "train_loss", "width_max_loss", "width_steps", "width_converged"];
        var columns = keep.Select(k => Array.IndexOf(header, k)).ToArray();
        var rows = lines.Skip(1).Select(l => string.Join(',', columns.Select(c => l.Split(',')[c])));
        using var ledger = Open(folder);
        var records = ledger.Runs().Select(r =>
        {
            using var json = JsonDocument.Parse(r.ResultJson!);
            var record = json.RootElement;
            return string.Join(';', record.GetProperty("epochs").EnumerateArray().Select(e => e.GetProperty("train_loss").GetRawText() + "/" + e.GetProperty("validation_accuracy").GetRawText()))
                + "|" + record.GetProperty("learning_rate_curve").GetRawText();
        });
        return string.Join('\n', rows.Concat(records));
    }

    private static (int Epoch, string Path, string[] All) KillAfterACheckpoint(string file, string folder)
    {
        using (var process = TinySweep.Start("run", "--config", file, "--out", folder))
        {
            var deadline = DateTime.UtcNow.AddMinutes(3);
            string path = Path.Combine(folder, SqlLedger.FileName);
            bool caught = false;
            while (DateTime.UtcNow < deadline && !process.HasExited)
            {
                Thread.Sleep(50);
                if (!File.Exists(path)) continue;
                using var ledger = Open(folder);
                if (ledger.Checkpoints(RunId).Any(c => c.Epoch >= 2) && ledger.Runs().Single().Status == RunStatus.Running)
                {
                    caught = true;
                    break;
                }
            }
            Assert.IsTrue(caught && !process.HasExited, "the sweep should be mid-run, after a checkpoint, when it is killed");
            process.Kill(); // SIGKILL
            process.WaitForExit();
        }
        using var after = Open(folder);
        Assert.AreEqual(RunStatus.Running, after.Runs().Single().Status, "killed mid-run");
        // Usually one row: a kill between recording a new checkpoint and forgetting the old one leaves two.
        var rows = after.Checkpoints(RunId);
        Assert.IsTrue(rows.Count is 1 or 2, $"{rows.Count} checkpoints recorded");
        Assert.IsTrue(File.Exists(rows[0].Path));
        return (rows[0].Epoch, rows[0].Path, [.. rows.Select(r => r.Path)]);
    }

    [TestMethod]
    public void A_sweep_killed_after_a_checkpoint_resumes_there_and_one_with_a_corrupted_checkpoint_starts_over_both_with_the_uninterrupted_numbers()
    {
        string data = TinySweep.Dataset(train: 12000, test: 300);
        _folders.Own(data);
        var config = TinySweep.Config(data, workers: 1, seeds: 1, epochs: 12) with
        {
            ExploreFractions = [0.5],
            Baselines = [],
            CheckpointEveryEpochs = 1,
        };
        string file = TinySweep.WriteConfig(config, Folder("cfg"));

        string reference = Folder("ckpt-reference");
        var (code, output, error) = TinySweep.Run("run", "--config", file, "--out", reference);
        Assert.AreEqual(0, code, output + error);
        Assert.IsFalse(Directory.EnumerateFiles(Path.Combine(reference, "checkpoints"), "*", SearchOption.AllDirectories).Any(), "a finished run's checkpoints are deleted");
        string expected = Numbers(reference);

        // kill -9 after a checkpoint, then the same command: the run resumes at that epoch.
        string killed = Folder("ckpt-killed");
        var (epoch, path, _) = KillAfterACheckpoint(file, killed);
        StringAssert.StartsWith(path, Path.Combine(killed, "checkpoints"), "default: checkpoints/ under --out");
        (code, output, error) = TinySweep.Run("run", "--config", file, "--out", killed);
        Assert.AreEqual(0, code, output + error);
        StringAssert.Contains(output, $"resumes from its checkpoint at epoch {epoch} ");
        using (var ledger = Open(killed))
        {
            var done = ledger.Runs().Single();
            Assert.AreEqual(RunStatus.Done, done.Status);
            Assert.AreEqual(2, done.Attempts);
            var record = JsonSerializer.Deserialize<RunRecord>(done.ResultJson!, SweepConfigJson.Options)!;
            Assert.AreEqual(epoch, record.ResumedFromEpoch);
            Assert.IsEmpty(ledger.Checkpoints(RunId), "deleted once the run finished");
        }
        Assert.IsFalse(File.Exists(path));
        Assert.AreEqual(expected, Numbers(killed), "bit-identical to the uninterrupted sweep");

        // kill -9, flip a byte of the checkpoint, rerun: caught by its SHA-256, logged, the run starts over.
        string corrupted = Folder("ckpt-corrupted");
        var (_, _, all) = KillAfterACheckpoint(file, corrupted);
        foreach (string each in all)
        {
            var bytes = File.ReadAllBytes(each);
            bytes[bytes.Length / 3] ^= 0x04;
            File.WriteAllBytes(each, bytes);
        }
        (code, output, error) = TinySweep.Run("run", "--config", file, "--out", corrupted);
        Assert.AreEqual(0, code, output + error);
        StringAssert.Contains(output, "cannot be used");
        StringAssert.Contains(output, "SHA-256");
        using (var ledger = Open(corrupted))
        {
            var record = JsonSerializer.Deserialize<RunRecord>(ledger.Runs().Single().ResultJson!, SweepConfigJson.Options)!;
            Assert.IsNull(record.ResumedFromEpoch, "started over");
            Assert.HasCount(all.Length, record.DiscardedCheckpoints!);
        }
        Assert.AreEqual(expected, Numbers(corrupted), "the restarted run gives the same numbers");

        // --checkpoints puts them elsewhere, and keep_checkpoints keeps every one.
        string kept = Folder("ckpt-kept");
        string checkpoints = Folder("ckpt-files");
        string keepFile = TinySweep.WriteConfig(config with { Epochs = 3, KeepCheckpoints = true }, Folder("cfg"));
        (code, output, error) = TinySweep.Run("run", "--config", keepFile, "--out", kept, "--checkpoints", checkpoints);
        Assert.AreEqual(0, code, output + error);
        using (var ledger = Open(kept))
        {
            var rows = ledger.Checkpoints(RunId);
            CollectionAssert.AreEqual(new[] { 2, 1 }, rows.Select(r => r.Epoch).ToArray(), "after epochs 1 and 2, not after the last");
            foreach (var row in rows)
            {
                StringAssert.StartsWith(row.Path, checkpoints);
                Assert.AreEqual(row.Sha256, CheckpointFile.Sha256(row.Path));
            }
        }
    }
}
