using WideMinima.Ledger;
using WideMinima.Sweeps.Config;
using WideMinima.Tests.Sweeps;
using YamlDotNet.RepresentationModel;

namespace WideMinima.Tests.Scale;

/// <summary>
/// The launchers in deploy/: the Slurm array run for real on a one-node Slurm cluster started here, against the tests'
/// PostgreSQL server; the Kubernetes manifests parsed and checked field by field (no Kubernetes cluster runs here).
/// </summary>
[TestClass]
public sealed class LauncherTests
{
    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "WideMinima.sln"))) return dir.FullName;
        throw new InvalidOperationException("The repository root (WideMinima.sln) is not above the test binaries.");
    }

    [TestMethod]
    public void The_slurm_array_drains_a_sweep_from_the_shared_ledger_on_a_one_node_cluster()
    {
        string root = RepositoryRoot();
        string data = TinySweep.Dataset(train: 240, test: 60);
        var config = TinySweep.Config(data, seeds: 1, epochs: 2) with { Name = "slurm" };
        string file = TinySweep.WriteConfig(config, TinySweep.NewFolder("cfg"));
        var location = PostgresServer.Shared.NewDatabase();
        Assert.AreEqual(0, TinySweep.Run("run", "--config", file, "--ledger", location.Display, "--workers", "0").ExitCode);

        string cluster = TestFolders.New("slurm");
        string script = Path.Combine(root, "build", "slurm-test-cluster.sh");
        try
        {
            string started = PostgresServer.Run("bash", script, "start", cluster);
            StringAssert.Contains(started, "SLURM_CONF=");
            string program = $"dotnet {Path.Combine(AppContext.BaseDirectory, "wideminima-sweeps.dll")}";
            // As a user submits it, with the two variables exported; --gres=none because this node has no GPU.
            string output = PostgresServer.Run("env", $"SLURM_CONF={Path.Combine(cluster, "slurm.conf")}", $"WIDEMINIMA_LEDGER={location.Display}",
                "WIDEMINIMA_SWEEP=slurm", $"WIDEMINIMA_SWEEPS={program}", "DOTNET_CLI_HOME=/tmp", "sbatch", "--wait", "--gres=none", "--array=0-1",
                "--cpus-per-task=1", "--time=10", $"--output={cluster}/task-%a.log", Path.Combine(root, "deploy", "slurm", "worker.sbatch"));
            StringAssert.Contains(output, "Submitted batch job");
            var logs = Enumerable.Range(0, 2).Select(i => File.ReadAllText(Path.Combine(cluster, $"task-{i}.log"))).ToList();
            foreach (var log in logs)
            {
                StringAssert.Contains(log, "worker finished");
                StringAssert.Contains(log, "1 thread(s)", "threads come from SLURM_CPUS_PER_TASK");
            }
            var runs = ScaleCliTests.Runs(LedgerTarget.Postgres(location, "slurm", null));
            Assert.HasCount(4, runs);
            Assert.IsTrue(runs.All(r => r.Status == RunStatus.Done && r.Attempts == 1), string.Join("; ", runs.Select(r => $"{r.RunId}:{r.Status}:{r.Error}")) + string.Join("\n", logs));
        }
        finally
        {
            try { PostgresServer.Run("bash", script, "stop", cluster); } catch (InvalidOperationException) { }
            try { Directory.Delete(cluster, recursive: true); } catch (IOException) { }
        }
    }

    [TestMethod]
    public void The_slurm_array_trains_a_tunings_jobs_and_exits_when_the_tuning_closes_its_sweep()
    {
        string root = RepositoryRoot();
        string data = TinySweep.Dataset(train: 480, test: 150);
        string file = Path.Combine(TinySweep.NewFolder("cfg"), "tune.yaml");
        File.WriteAllText(file, Tuning.TuneCliTests.Yaml(data, Tuning.TuneCliTests.GoodTune));
        string reference = TinySweep.NewFolder("tune-ref");
        Assert.AreEqual(0, TinySweep.Run("tune", "--config", file, "--out", reference, "--workers", "2").ExitCode);

        var location = PostgresServer.Shared.NewDatabase();
        string folder = TinySweep.NewFolder("tune-slurm");
        var (coordinator, coordinatorOutput, coordinatorError) = Tuning.TuneWorkersTests.StartCoordinator(file, folder, location);
        using var _c = coordinator;
        string cluster = TestFolders.New("slurm");
        string script = Path.Combine(root, "build", "slurm-test-cluster.sh");
        try
        {
            PostgresServer.Run("bash", script, "start", cluster);
            string program = $"dotnet {Path.Combine(AppContext.BaseDirectory, "wideminima-sweeps.dll")}";
            string output = PostgresServer.Run("env", $"SLURM_CONF={Path.Combine(cluster, "slurm.conf")}", $"WIDEMINIMA_LEDGER={location.Display}",
                "WIDEMINIMA_SWEEP=tiny-tune", $"WIDEMINIMA_SWEEPS={program}", "DOTNET_CLI_HOME=/tmp", "sbatch", "--wait", "--gres=none", "--array=0-1",
                "--cpus-per-task=1", "--time=10", $"--output={cluster}/task-%a.log", Path.Combine(root, "deploy", "slurm", "worker.sbatch"));
            StringAssert.Contains(output, "Submitted batch job");
            Assert.IsTrue(coordinator.WaitForExit(TimeSpan.FromMinutes(2)), "the array drained the tuning");
            Assert.AreEqual(0, coordinator.ExitCode, coordinatorOutput.Result + coordinatorError.Result);
            var logs = Enumerable.Range(0, 2).Select(i => File.ReadAllText(Path.Combine(cluster, $"task-{i}.log"))).ToList();
            foreach (var log in logs) StringAssert.Contains(log, "(a tuning)");
            Assert.IsTrue(logs.All(l => l.Contains("worker finished", StringComparison.Ordinal)), string.Join("\n", logs));
            var runs = ScaleCliTests.Runs(LedgerTarget.Postgres(location, "tiny-tune", null));
            Assert.IsTrue(runs.All(r => r.Status == RunStatus.Done), string.Join("; ", runs.Select(r => $"{r.RunId}:{r.Status}:{r.Error}")));
            Assert.AreEqual(File.ReadAllText(Path.Combine(reference, "trials.csv")), File.ReadAllText(Path.Combine(folder, "trials.csv")),
                "the Slurm array's tuning is the local one, job for job");
        }
        finally
        {
            if (!coordinator.HasExited) coordinator.Kill(entireProcessTree: true);
            try { PostgresServer.Run("bash", script, "stop", cluster); } catch (InvalidOperationException) { }
            try { Directory.Delete(cluster, recursive: true); } catch (IOException) { }
        }
    }

    [TestMethod]
    public void The_kubernetes_job_is_an_indexed_job_with_a_gpu_per_pod_and_the_ledger_from_a_secret()
    {
        string folder = Path.Combine(RepositoryRoot(), "deploy", "kubernetes");
        var job = Load(Path.Combine(folder, "worker-job.yaml"));
        Assert.AreEqual("batch/v1", Text(job, "apiVersion"));
        Assert.AreEqual("Job", Text(job, "kind"));
        var spec = Map(job, "spec");
        Assert.AreEqual("Indexed", Text(spec, "completionMode"));
        int completions = int.Parse(Text(spec, "completions"), System.Globalization.CultureInfo.InvariantCulture);
        int parallelism = int.Parse(Text(spec, "parallelism"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.IsGreaterThan(0, completions);
        Assert.IsTrue(parallelism > 0 && parallelism <= completions);
        Assert.IsGreaterThan(0, int.Parse(Text(spec, "backoffLimitPerIndex"), System.Globalization.CultureInfo.InvariantCulture));
        var pod = Map(Map(spec, "template"), "spec");
        Assert.AreEqual("Never", Text(pod, "restartPolicy"), "backoffLimitPerIndex needs restartPolicy Never");
        var container = (YamlMappingNode)((YamlSequenceNode)pod.Children[new YamlScalarNode("containers")]).Children.Single();
        Assert.AreEqual("1", Text(Map(Map(container, "resources"), "limits"), "nvidia.com/gpu"));
        CollectionAssert.Contains(((YamlSequenceNode)container.Children[new YamlScalarNode("args")]).Children.Select(n => n.ToString()).ToList(), "worker");
        var env = ((YamlSequenceNode)container.Children[new YamlScalarNode("env")]).Children.Cast<YamlMappingNode>().ToDictionary(e => Text(e, "name"));
        var ledgerRef = Map(Map(env["WIDEMINIMA_LEDGER"], "valueFrom"), "secretKeyRef");
        Assert.IsTrue(env.ContainsKey("WIDEMINIMA_SWEEP"));
        Assert.IsTrue(env["PGPASSWORD"].Children.ContainsKey(new YamlScalarNode("valueFrom")), "the password comes from the Secret, never inline");

        var secret = Load(Path.Combine(folder, "ledger-secret.yaml"));
        Assert.AreEqual("Secret", Text(secret, "kind"));
        Assert.AreEqual(Text(ledgerRef, "name"), Text(Map(secret, "metadata"), "name"));
        var uri = Text(Map(secret, "stringData"), Text(ledgerRef, "key"));
        Assert.AreEqual(uri, LedgerLocation.Parse(uri).Display, "the Secret's URI is one the worker accepts, without a password");

        string dockerfile = File.ReadAllText(Path.Combine(folder, "Dockerfile"));
        StringAssert.Contains(dockerfile, "dotnet publish src/WideMinima.Sweeps/WideMinima.Sweeps.csproj");
        StringAssert.Contains(dockerfile, "ENTRYPOINT [\"dotnet\", \"/app/wideminima-sweeps.dll\"]");
        Assert.IsTrue(File.Exists(Path.Combine(RepositoryRoot(), "src", "WideMinima.Sweeps", "WideMinima.Sweeps.csproj")));

        string sbatch = File.ReadAllText(Path.Combine(RepositoryRoot(), "deploy", "slurm", "worker.sbatch"));
        StringAssert.Contains(sbatch, "#SBATCH --gres=gpu:1");
    }

    private static YamlMappingNode Load(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static YamlMappingNode Map(YamlMappingNode node, string key) => (YamlMappingNode)node.Children[new YamlScalarNode(key)];

    private static string Text(YamlMappingNode node, string key) => ((YamlScalarNode)node.Children[new YamlScalarNode(key)]).Value!;
}
