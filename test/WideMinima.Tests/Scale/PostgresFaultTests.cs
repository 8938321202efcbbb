using WideMinima.Models;
using System.Diagnostics;
using System.Globalization;
using WideMinima.Sweeps.Config;
using WideMinima.Ledger;
using WideMinima.Tests.Sweeps;

namespace WideMinima.Tests.Scale;

/// <summary>Faults a shared ledger survives, with real worker processes and a real PostgreSQL server.</summary>
[TestClass]
public sealed class PostgresFaultTests
{
    private static (string Config, SweepConfig Sweep) SlowSweep(string name, int epochs)
    {
        string data = TinySweep.Dataset(train: 3000, test: 60);
        var config = TinySweep.Config(data, seeds: 1, epochs: epochs) with { Name = name, Width = null, Model = ModelKind.Mlp, HiddenSizes = [256, 256] };
        return (TinySweep.WriteConfig(config, TinySweep.NewFolder("cfg")), config);
    }

    private sealed class Worker : IDisposable
    {
        private readonly Task<string> _out;
        private readonly Task<string> _err;

        public Worker(Process process)
        {
            Process = process;
            _out = process.StandardOutput.ReadToEndAsync();
            _err = process.StandardError.ReadToEndAsync();
        }

        public Process Process { get; }

        public string Log => _out.Result + _err.Result;

        public void WaitForExit()
        {
            if (!Process.WaitForExit(TimeSpan.FromMinutes(3)))
            {
                Process.Kill(entireProcessTree: true);
                Assert.Fail("a worker did not finish");
            }
        }

        public void Dispose()
        {
            if (!Process.HasExited) Process.Kill(entireProcessTree: true);
            Process.Dispose();
        }
    }

    [TestMethod]
    public void Postgresql_stopped_and_started_again_mid_sweep_workers_retry_say_so_and_carry_on_losing_nothing()
    {
        var server = PostgresServer.Shared;
        var (file, _) = SlowSweep("restart", epochs: 6);
        var location = server.NewDatabase();
        var target = LedgerTarget.Postgres(location, "restart", null);
        Assert.AreEqual(0, TinySweep.Run("run", "--config", file, "--ledger", location.Display, "--workers", "0").ExitCode);
        using var a = new Worker(TinySweep.StartWith(ScaleCliTests.Env(location, "restart"), "worker", "--threads", "1"));
        using var b = new Worker(TinySweep.StartWith(ScaleCliTests.Env(location, "restart"), "worker", "--threads", "1"));
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!ScaleCliTests.Runs(target).Any(r => r.Status == RunStatus.Running && r.Progress?.StartsWith("epoch", StringComparison.Ordinal) == true))
        {
            Assert.IsTrue(DateTime.UtcNow < deadline, "the workers started training");
            Thread.Sleep(20);
        }
        server.Stop();
        Thread.Sleep(TimeSpan.FromSeconds(4)); // workers finish epochs, heartbeats and results fail meanwhile
        server.Start();
        a.WaitForExit();
        b.WaitForExit();
        Assert.AreEqual(0, a.Process.ExitCode, a.Log);
        Assert.AreEqual(0, b.Process.ExitCode, b.Log);
        string logs = a.Log + b.Log;
        StringAssert.Contains(logs, "ledger unreachable", "the outage is logged");
        StringAssert.Contains(logs, "retrying in");
        StringAssert.Contains(logs, "reachable again");
        var runs = ScaleCliTests.Runs(target);
        Assert.HasCount(4, runs);
        Assert.IsTrue(runs.All(r => r.Status == RunStatus.Done && r.Attempts == 1), "nothing lost, nothing run twice: " + string.Join("; ", runs.Select(r => $"{r.RunId}:{r.Status}:{r.Attempts}")));
    }

    [TestMethod]
    public void A_worker_cut_off_from_the_network_loses_its_run_to_another_and_its_late_result_is_refused()
    {
        Assert.IsTrue(PostgresServer.IsRoot, "the network test needs root (ip netns), as the tests run in CI");
        string id = Guid.NewGuid().ToString("N")[..6];
        int subnet = 100 + Random.Shared.Next(100);
        string ns = $"wm{id}", hostSide = $"wmh{id}", nsSide = $"wmn{id}";
        string hostAddress = $"10.213.{subnet}.1", nsAddress = $"10.213.{subnet}.2";
        PostgresServer? server = null;
        try
        {
            Ip("netns", "add", ns);
            Ip("link", "add", hostSide, "type", "veth", "peer", "name", nsSide);
            Ip("link", "set", nsSide, "netns", ns);
            Ip("addr", "add", $"{hostAddress}/24", "dev", hostSide);
            Ip("link", "set", hostSide, "up");
            Ip("netns", "exec", ns, "ip", "addr", "add", $"{nsAddress}/24", "dev", nsSide);
            Ip("netns", "exec", ns, "ip", "link", "set", nsSide, "up");
            Ip("netns", "exec", ns, "ip", "link", "set", "lo", "up");
            server = PostgresServer.WithAddress(hostAddress, $"10.213.{subnet}.0/24");

            var (file, _) = SlowSweep("netcut", epochs: 8);
            var local = server.NewDatabase();
            var target = LedgerTarget.Postgres(local, "netcut", null);
            Assert.AreEqual(0, TinySweep.Run("run", "--config", file, "--ledger", local.Display, "--workers", "0").ExitCode);
            string remote = $"postgresql://postgres@{hostAddress}:{server.Port}/{local.Database}";

            // Worker A in its own namespace, reaching the server over the veth link, with a 3-second lease.
            var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
            foreach (var arg in new[] { "netns", "exec", ns, "dotnet", Path.Combine(AppContext.BaseDirectory, "wideminima-sweeps.dll"), "worker",
                         "--ledger", remote, "--sweep", "netcut", "--lease-seconds", "3", "--threads", "1" })
                info.ArgumentList.Add(arg);
            info.Environment["NO_COLOR"] = "1";
            using var a = new Worker(Process.Start(info)!);
            var deadline = DateTime.UtcNow.AddMinutes(2);
            LedgerRun? held = null;
            while (held is null)
            {
                Assert.IsTrue(DateTime.UtcNow < deadline && !a.Process.HasExited, "worker A started training");
                held = ScaleCliTests.Runs(target).FirstOrDefault(r => r.Status == RunStatus.Running && r.Progress is "epoch 1/8" or "epoch 2/8");
                Thread.Sleep(20);
            }

            Ip("link", "set", hostSide, "down"); // cut A off mid-run
            Thread.Sleep(TimeSpan.FromSeconds(4)); // past its lease

            // Worker B, on the host, takes the run over (the lease expired) and drains the sweep.
            var (code, output, error) = TinySweep.Run("worker", "--ledger", local.Display, "--sweep", "netcut", "--lease-seconds", "3", "--threads", "1");
            Assert.AreEqual(0, code, output + error);
            var taken = ScaleCliTests.Runs(target).Single(r => r.RunId == held.RunId);
            Assert.AreEqual(RunStatus.Done, taken.Status);
            Assert.AreEqual(2, taken.Attempts, "B took the run over");
            Assert.AreNotEqual(held.Worker, taken.Worker);
            double? accuracyByB = taken.TestAccuracy;

            Ip("link", "set", hostSide, "up"); // A is back: its late result must be refused
            a.WaitForExit();
            Assert.AreEqual(0, a.Process.ExitCode, a.Log);
            // (Whether A logged an unreachable ledger depends on whether its calls timed out or only stalled while the
            // link was down; what counts is that its result was refused.)
            Assert.IsTrue(a.Log.Contains($"the result of {held.RunId} was refused", StringComparison.Ordinal)
                || a.Log.Contains($"lost the lease on {held.RunId}", StringComparison.Ordinal), a.Log);
            var final = ScaleCliTests.Runs(target);
            Assert.IsTrue(final.All(r => r.Status == RunStatus.Done), "one done row per run");
            var after = final.Single(r => r.RunId == held.RunId);
            Assert.AreEqual(taken.Worker, after.Worker, "B's result stands");
            Assert.AreEqual(2, after.Attempts);
            Assert.AreEqual(accuracyByB, after.TestAccuracy);
        }
        finally
        {
            server?.Dispose();
            TryIp("link", "del", hostSide);
            TryIp("netns", "del", ns);
        }
    }

    private static void Ip(params string[] args) => PostgresServer.Run("ip", args);

    private static void TryIp(params string[] args)
    {
        try { Ip(args); } catch (InvalidOperationException) { }
    }
}
