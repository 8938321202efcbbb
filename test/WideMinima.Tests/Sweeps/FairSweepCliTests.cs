using WideMinima.Ledger;
using WideMinima.Reports;
using WideMinima.Sweeps.Config;
using WideMinima.Tuning;

namespace WideMinima.Tests.Sweeps;

/// <summary>Issue 14 end to end: `run` with a calibrated peak, two budgets and seed rounds, on tiny data.</summary>
[TestClass]
public sealed class FairSweepCliTests
{
    public TestContext TestContext { get; set; } = null!;

    private static IReadOnlyList<LedgerRun> Runs(string folder)
    {
        using var ledger = SqlLedger.Sqlite(Path.Combine(folder, SqlLedger.FileName));
        return ledger.Runs();
    }

    [TestMethod]
    public void Calibration_budgets_and_seed_rounds_fill_the_ledger_and_reproduce_bit_for_bit()
    {
        // Noisy enough that seeds differ, so the tiny target is never reached and the rounds run to the maximum.
        string data = TinySweep.Dataset(noise: 400);
        var config = TinySweep.Config(data, workers: 1, epochs: 4) with
        {
            ExploreFractions = [0.5],
            Baselines = [ScheduleFamily.Cosine],
            PeakLr = new PeakRate { Calibrate = new PeakCalibration { Min = 0.01, Max = 0.5, Points = 3, ValidationShare = 0.2 } },
            Budgets = [0.5, 1.0],
            Seeds = new SeedCount { Rounds = new SeedRounds { Min = 2, Max = 3, TargetCi = 1e-9 } },
        };
        string file = TinySweep.WriteConfig(config, TinySweep.NewFolder("fair-cfg"));

        IReadOnlyList<LedgerRun> RunOnce()
        {
            string folder = TinySweep.NewFolder("fair-e2e");
            var (code, output, error) = TinySweep.Run("run", "--config", file, "--out", folder);
            Assert.AreEqual(0, code, output + error);
            return Runs(folder);
        }

        var runs = RunOnce();
        Assert.IsTrue(runs.All(r => r.Status == RunStatus.Done), string.Join("; ", runs.Select(r => $"{r.RunId}:{r.Status}:{r.Error}")));
        var calibration = runs.Where(r => r.Phase == RunPhase.Calibration).ToList();
        // 2 settings x 2 budgets x (2 coarse + 1 fine) points.
        Assert.HasCount(12, calibration, string.Join(", ", calibration.Select(r => r.RunId)));
        Assert.IsTrue(calibration.All(r => r.ValidationAccuracy is > 0 && r.TestAccuracy is null), "calibration is scored on validation only, never on the test set");
        Assert.IsTrue(calibration.All(r => r.Sharpness is null), "calibration measures no width");
        Assert.IsTrue(calibration.All(r => r.Seed == config.FirstSeed));

        var finals = runs.Where(r => r.Phase == RunPhase.Final).ToList();
        // 2 settings x 2 budgets x 2 seeds, then one round to the maximum of 3 for the compared pair at the full budget.
        Assert.HasCount(10, finals, string.Join(", ", finals.Select(r => r.RunId)));
        Assert.IsTrue(finals.All(r => r.TestAccuracy is > 0 && r.ValidationAccuracy is null && r.Sharpness is not null));
        CollectionAssert.IsSubsetOf(new[] { "knee-e0.5-s3", "cosine-s3", "knee-e0.5-b0.5-s2", "cosine-b0.5-s1" }, finals.Select(r => r.RunId).ToArray());
        foreach (var group in finals.GroupBy(r => (r.Setting, r.Budget)))
        {
            var tried = calibration.Where(c => c.Setting == group.Key.Setting && c.Budget == group.Key.Budget).ToList();
            double chosen = tried.OrderByDescending(c => c.ValidationAccuracy).ThenBy(c => c.PeakLr).First().PeakLr!.Value;
            Assert.IsTrue(group.All(r => r.PeakLr == chosen), $"{group.Key}: finals at the calibrated peak {chosen}");
        }
        foreach (var r in runs)
        {
            int expected = r.Budget == 0.5 ? 2 : 4;
            Assert.AreEqual(expected, r.Record()!.Epochs.Count, $"{r.RunId} trains round({r.Budget} x 4) epochs");
            Assert.AreEqual(expected, r.Record()!.Epochs[0].Epochs, $"{r.RunId}'s schedule is laid out over its own epochs");
        }

        var again = RunOnce();
        string Key(LedgerRun r) => FormattableString.Invariant($"{r.RunId}|{r.Phase}|{r.Budget:R}|{r.PeakLr:R}|{r.ValidationAccuracy:R}|{r.TestAccuracy:R}|{r.TrainLoss:R}|{r.Sharpness:R}");
        CollectionAssert.AreEqual(runs.Select(Key).Order().ToArray(), again.Select(Key).Order().ToArray(), "a second sweep reproduces the first bit for bit");
    }

    [TestMethod]
    public void Calibration_by_fork_and_decay_gives_the_independent_runs_numbers_for_less_compute()
    {
        string data = TinySweep.Dataset();
        var config = TinySweep.Config(data, workers: 2, seeds: 1, epochs: 4) with
        {
            ExploreFractions = [0.25, 0.5, 0.9],
            Baselines = [ScheduleFamily.Cosine],
            WarmupFraction = 0.05,
            PeakLr = new PeakRate { Calibrate = new PeakCalibration { Min = 0.01, Max = 0.5, Points = 3, ValidationShare = 0.2 } },
        };
        IReadOnlyList<LedgerRun> RunOnce(SweepConfig c, string name, out string folder)
        {
            string file = TinySweep.WriteConfig(c, TinySweep.NewFolder(name + "-cfg"));
            folder = TinySweep.NewFolder(name);
            var (code, output, error) = TinySweep.Run("run", "--config", file, "--out", folder);
            Assert.AreEqual(0, code, output + error);
            return Runs(folder);
        }
        var forked = RunOnce(config, "fork-on", out string forkFolder);
        var independent = RunOnce(config with { ForkAndDecay = false }, "fork-off", out _);

        string Key(LedgerRun r) => FormattableString.Invariant(
            $"{r.RunId}|{r.Status}|{r.PeakLr:R}|{r.ValidationAccuracy:R}|{r.TestAccuracy:R}|{r.TrainLoss:R}|{r.Sharpness:R}|{string.Join(",", r.Record()!.Epochs.Select(e => $"{e.TrainLoss:R}/{e.ValidationAccuracy:R}"))}");
        CollectionAssert.AreEqual(independent.Select(Key).Order().ToArray(), forked.Select(Key).Order().ToArray(),
            "forked calibration runs end bit-identical to independent ones, epoch by epoch, and choose the same peaks");

        var calibration = forked.Where(r => r.Phase == RunPhase.Calibration).ToList();
        Assert.HasCount(12, calibration, "4 settings x 3 points (2 coarse + 1 fine)");
        foreach (var r in calibration)
        {
            var record = r.Record()!;
            bool branch = r.Setting is "knee-e0.25" or "knee-e0.5";
            string trunk = r.RunId.Replace($"cal-{r.Setting}-", "cal-knee-e0.9-", StringComparison.Ordinal);
            if (branch && forked.Any(t => t.RunId == trunk))
            {
                Assert.AreEqual(trunk, record.ForkedFrom, $"{r.RunId} forks from the largest share at its point");
                Assert.IsTrue(record.ForkedAtStep > 0 && record.ForkedAtStep < record.TotalSteps && record.ResumedFromStep == record.ForkedAtStep,
                    $"{r.RunId} forks at its knee, inside the budget");
                Assert.AreEqual(1 - (double)record.ForkedAtStep!.Value / record.TotalSteps!.Value, RunMetrics.Of(r).TrainedShare, 1e-12, $"{r.RunId} counts only its decay");
            }
            else
            {
                Assert.IsNull(record.ForkedFrom, $"{r.RunId} trains on its own");
                Assert.AreEqual(1.0, RunMetrics.Of(r).TrainedShare);
            }
        }
        Assert.IsTrue(calibration.Count(r => r.Record()!.ForkedFrom is not null) >= 4, "every coarse point of the two smaller shares forks");
        // A final run forks exactly where its chosen peak is the trunk's at the same seed.
        foreach (var r in forked.Where(r => r.Phase == RunPhase.Final && r.Setting is "knee-e0.25" or "knee-e0.5"))
        {
            var trunkRun = forked.Single(t => t.RunId == r.RunId.Replace(r.Setting + "-", "knee-e0.9-", StringComparison.Ordinal));
            Assert.AreEqual(trunkRun.PeakLr == r.PeakLr ? trunkRun.RunId : null, r.Record()!.ForkedFrom, $"{r.RunId} at {r.PeakLr} (trunk at {trunkRun.PeakLr})");
        }
        Assert.IsFalse(independent.Any(r => r.Record()!.ForkedFrom is not null), "fork_and_decay: false trains every run on its own");
        TestContext.WriteLine($"forked: {string.Join(", ", forked.Where(r => r.Record()!.ForkedFrom is not null).Select(r => r.RunId))}");
        double spent = calibration.Sum(r => RunMetrics.Of(r).TrainedShare);
        Assert.IsTrue(spent < calibration.Count - 1, $"calibration by fork-and-decay costs {spent:0.###} full runs, not {calibration.Count}");
        string summary = File.ReadAllText(Path.Combine(forkFolder, "summary.md"));
        StringAssert.Contains(summary, FormattableString.Invariant($"| calibration | {calibration.Count} | {NumberFormat.Significant(4 * spent)} |"),
            "the summary counts the calibration's compute in the epochs it trained");
        Assert.IsEmpty(Directory.EnumerateFiles(forkFolder, "*.wmckpt", SearchOption.AllDirectories).ToList(), "no fork point is left on disk at the end");
        string checkpoints = Path.Combine(forkFolder, "checkpoints");
        Assert.IsFalse(Directory.Exists(checkpoints) && Directory.EnumerateDirectories(checkpoints).Any(), "nor a run's empty checkpoint folder");
    }

    [TestMethod]
    public void Killing_a_forked_calibration_run_then_rerunning_resumes_it_with_its_fork_and_the_same_numbers()
    {
        string data = TinySweep.Dataset(train: 3000, test: 300);
        var config = TinySweep.Config(data, workers: 1, seeds: 1, epochs: 12) with
        {
            ExploreFractions = [0.25, 0.75],
            Baselines = [],
            WarmupFraction = 0.05,
            CheckpointEveryEpochs = 1,
            PeakLr = new PeakRate { Calibrate = new PeakCalibration { Min = 0.01, Max = 0.5, Points = 3, ValidationShare = 0.2 } },
        };
        string file = TinySweep.WriteConfig(config, TinySweep.NewFolder("fork-kill-cfg"));
        string folder = TinySweep.NewFolder("fork-kill");
        // The smaller share's points wait for the trunk's, so one in flight is a forked run; killed once it saved a checkpoint of its own.
        bool OwnCheckpoint(LedgerRun r)
        {
            using var ledger = SqlLedger.Sqlite(Path.Combine(folder, SqlLedger.FileName), readOnly: true);
            return ledger.Checkpoints(r.RunId).Count > 0;
        }
        TinySweep.KillWhen(folder, seen => seen.Any(r => r.Setting == "knee-e0.25" && r.Phase == RunPhase.Calibration && TinySweep.MidEpoch(r) && OwnCheckpoint(r)),
            "run", "--config", file, "--out", folder);
        var killed = Runs(folder).Single(r => r.Status == RunStatus.Running);
        Assert.AreEqual("knee-e0.25", killed.Setting);

        var (code, output, error) = TinySweep.Run("run", "--config", file, "--out", folder);
        Assert.AreEqual(0, code, output + error);
        var resumed = Runs(folder);
        var again = resumed.Single(r => r.RunId == killed.RunId);
        Assert.AreEqual(2, again.Attempts, "the killed branch ran again");
        var record = again.Record()!;
        Assert.AreEqual(killed.RunId.Replace("cal-knee-e0.25-", "cal-knee-e0.75-", StringComparison.Ordinal), record.ForkedFrom,
            "resumed from its own checkpoint, it still records the fork its first attempt began with");
        Assert.IsTrue(record.ResumedFromStep > record.ForkedAtStep, $"resumed at step {record.ResumedFromStep}, past its fork at {record.ForkedAtStep}");
        Assert.IsTrue(RunMetrics.Of(again).TrainedShare < 1, "its compute counts only its decay");

        string fresh = TinySweep.NewFolder("fork-kill-fresh");
        Assert.AreEqual(0, TinySweep.Run("run", "--config", TinySweep.WriteConfig(config with { ForkAndDecay = false }, TinySweep.NewFolder("fork-kill-off")), "--out", fresh).ExitCode);
        string Key(LedgerRun r) => FormattableString.Invariant($"{r.RunId}|{r.Phase}|{r.PeakLr:R}|{r.ValidationAccuracy:R}|{r.TestAccuracy:R}|{r.TrainLoss:R}|{r.Sharpness:R}");
        CollectionAssert.AreEqual(Runs(fresh).Select(Key).Order().ToArray(), resumed.Select(Key).Order().ToArray(),
            "killed mid-fork and resumed, the sweep has the numbers of independent runs");
        Assert.IsEmpty(Directory.EnumerateFiles(folder, "*.wmckpt", SearchOption.AllDirectories).ToList(), "no fork point is left at the end");
    }

    [TestMethod]
    public void Killing_the_sweep_mid_calibration_then_rerunning_gives_the_uninterrupted_sweeps_results()
    {
        string data = TinySweep.Dataset(train: 3000, test: 300);
        // One worker in the process, so SIGKILL stops the sweep at once; runs long enough to be caught mid-epoch.
        var config = TinySweep.Config(data, workers: 1, seeds: 2, epochs: 12) with
        {
            ExploreFractions = [0.5],
            Baselines = [ScheduleFamily.Cosine],
            PeakLr = new PeakRate { Calibrate = new PeakCalibration { Min = 0.01, Max = 0.5, Points = 3, ValidationShare = 0.2 } },
        };
        string file = TinySweep.WriteConfig(config, TinySweep.NewFolder("fair-kill-cfg"));
        string folder = TinySweep.NewFolder("fair-kill");
        TinySweep.KillWhen(folder, seen => seen.Any(r => r.Phase == RunPhase.Calibration && r.Status == RunStatus.Done)
            && seen.Any(r => r.Phase == RunPhase.Calibration && TinySweep.MidEpoch(r)), "run", "--config", file, "--out", folder);
        var killed = Runs(folder);
        var inFlight = killed.Single(r => r.Status == RunStatus.Running);
        Assert.AreEqual(RunPhase.Calibration, inFlight.Phase, "killed mid-calibration");
        Assert.IsFalse(killed.Any(r => r.Phase == RunPhase.Final), "no final run yet: the calibration had not finished");

        var (code, output, error) = TinySweep.Run("run", "--config", file, "--out", folder);
        Assert.AreEqual(0, code, output + error);
        var resumed = Runs(folder);
        Assert.IsTrue(resumed.All(r => r.Status == RunStatus.Done), string.Join("; ", resumed.Select(r => $"{r.RunId}:{r.Status}")));
        Assert.AreEqual(2, resumed.Single(r => r.RunId == inFlight.RunId).Attempts, "the interrupted calibration point ran again");
        Assert.IsTrue(resumed.Where(r => killed.Any(k => k.RunId == r.RunId && k.Status == RunStatus.Done)).All(r => r.Attempts == 1), "finished points were not rerun");
        Assert.HasCount(4, resumed.Where(r => r.Phase == RunPhase.Final).ToList(), "the finals were added once the calibration completed");

        string fresh = TinySweep.NewFolder("fair-kill-fresh");
        Assert.AreEqual(0, TinySweep.Run("run", "--config", file, "--out", fresh).ExitCode);
        string Key(LedgerRun r) => FormattableString.Invariant($"{r.RunId}|{r.Phase}|{r.PeakLr:R}|{r.ValidationAccuracy:R}|{r.TestAccuracy:R}|{r.TrainLoss:R}|{r.Sharpness:R}");
        CollectionAssert.AreEqual(Runs(fresh).Select(Key).Order().ToArray(), resumed.Select(Key).Order().ToArray(),
            "the killed and resumed sweep chose the same peaks and got the same numbers as one never interrupted");
    }
}
