using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Xml.Linq;
using TorchSharp;
using WideMinima.Build;
using WideMinima.Optim;
using static TorchSharp.torch;

namespace WideMinima.Tests.Packaging;

/// <summary>
/// The packages as a user gets them. build/pack.sh packs into a temporary folder used as a feed (once, for the
/// class); projects made with `dotnet new console` outside the repository reference the packages from it, build
/// and run; the tool installs from it into a tool path and runs. Restores read the machine's NuGet cache (as a
/// fallback folder, never written) and nuget.org for anything missing, into a package folder of their own that
/// goes away with the test's folder. The packages get a version of their own (0.1.0-pkgtest…), so a WideMinima
/// 0.1.0 already in the machine's cache can never stand in for the packages under test.
/// </summary>
[TestClass]
public sealed class PackagingTests
{
    private static string root = "";
    private static string feed = "";
    private static string version = "";
    private static string repository = "";
    private static Dictionary<string, string?> environment = [];

    [ClassInitialize]
    public static void Pack(TestContext context)
    {
        _ = context;
        repository = Cli.RepositoryRoot();
        root = TestFolders.New("packaging");
        feed = Path.Combine(root, "feed");
        version = "0.1.0-pkgtest" + Guid.NewGuid().ToString("N")[..8];
        // Nothing of the repository's MSBuild files must reach the consumers: a user's folder has none.
        File.WriteAllText(Path.Combine(root, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(root, "Directory.Build.targets"), "<Project />\n");
        string machineCache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        File.WriteAllText(Path.Combine(root, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config><add key="globalPackagesFolder" value="{Path.Combine(root, "packages")}" /></config>
              <fallbackPackageFolders><clear /><add key="machine" value="{machineCache}" /></fallbackPackageFolders>
              <packageSources>
                <clear />
                <add key="wideminima" value="{feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
              </packageSources>
            </configuration>
            """);
        // NUGET_PACKAGES would override the config's package folder.
        environment = new() { ["NUGET_PACKAGES"] = null };

        // The tool must ship a libLibTorchSharp.so that loads on Debian 12 wherever it was packed: pack as on a
        // machine whose libstdc++ defines GLIBCXX_3.4.32, where the build's own "auto" fix does nothing.
        string newLibStdCxx = OperatingSystem.IsLinux()
            ? Build.NativeStandIns.LibStdCxx(Path.Combine(root, "libstdcxx"), definesGlibcxx3432: true) : "";

        // Only the linux-x64 tool package: the others take as long to compress and are not installable here.
        // The artifacts path keeps this build away from the repository's bin/ and obj/ folders. Analyzers are the
        // repository build's business (they do not change what is compiled), so this build skips them to save time.
        Cli.Run("bash", [Path.Combine(repository, "build", "pack.sh"), feed, $"-p:VersionSuffix={version[6..]}",
                "-p:ToolPackageRuntimeIdentifiers=linux-x64", "--artifacts-path", Path.Combine(root, "artifacts"), "-p:RunAnalyzers=false",
                $"-p:WideMinimaLibStdCxx={newLibStdCxx}"],
            repository, environment, TimeSpan.FromMinutes(8)).AssertSuccess("build/pack.sh");
        TestFolders.DeleteQuietly(Path.Combine(root, "artifacts"));
    }

    private static string Package(string id, string extension = "nupkg")
    {
        string path = Path.Combine(feed, $"{id}.{version}.{extension}");
        Assert.IsTrue(File.Exists(path), $"{path} was packed; the feed holds: {string.Join(", ", Directory.GetFiles(feed).Select(Path.GetFileName))}");
        return path;
    }

    /// <summary>A package's files, read on demand (the tool's package is 150 MB).</summary>
    private sealed class PackageFiles(string path)
    {
        private readonly HashSet<string> names = Names(path);

        private static HashSet<string> Names(string path)
        {
            using var zip = ZipFile.OpenRead(path);
            return [.. zip.Entries.Where(e => !e.FullName.EndsWith('/')).Select(e => e.FullName)];
        }

        public bool Contains(string name) => names.Contains(name);

        public byte[] this[string name]
        {
            get
            {
                Assert.IsTrue(Contains(name), $"{Path.GetFileName(path)} holds {name}");
                using var zip = ZipFile.OpenRead(path);
                using var stream = zip.GetEntry(name)!.Open();
                using var memory = new MemoryStream();
                stream.CopyTo(memory);
                return memory.ToArray();
            }
        }

        public string Text(string name) => Encoding.UTF8.GetString(this[name]).TrimStart('\uFEFF');
    }

    private static PackageFiles Entries(string package) => new(package);

    private static XElement Metadata(PackageFiles entries, string id)
    {
        var nuspec = XDocument.Parse(entries.Text($"{id}.nuspec"));
        return nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata");
    }

    private static string? Child(XElement metadata, string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;

    private static string[] Dependencies(XElement metadata) =>
        [.. metadata.Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => e.Attribute("id")!.Value)];

    /// <summary>
    /// A new console project in its own folder under the test's root, referencing <paramref name="package"/> and then
    /// <paramref name="others"/> (id and version each), as a user would add them.
    /// </summary>
    private static string NewConsole(string name, string package, string program, params (string Id, string Version)[] others)
    {
        Cli.Dotnet(root, environment, "new", "console", "--output", name, "--no-restore").AssertSuccess("dotnet new console");
        string app = Path.Combine(root, name);
        Cli.Dotnet(app, environment, "add", "package", package, "--version", version).AssertSuccess($"dotnet add package {package}");
        foreach (var (id, otherVersion) in others)
            Cli.Dotnet(app, environment, "add", "package", id, "--version", otherVersion).AssertSuccess($"dotnet add package {id} {otherVersion}");
        File.WriteAllText(Path.Combine(app, "Program.cs"), program);
        Cli.Dotnet(app, environment, "build", "-c", "Release", "--no-restore", "--nologo").AssertSuccess("dotnet build");
        return app;
    }

    private static string Output(string app) => Path.Combine(app, "bin", "Release", "net10.0");

    private static bool SystemLacksGlibcxx3432()
    {
        string? system = SystemLibraries.FindLibStdCxx();
        return system is not null && !ElfVersionNeeds.DefinesVersion(File.ReadAllBytes(system), "GLIBCXX_3.4.32");
    }

    [TestMethod]
    public void Each_package_has_its_readme_licence_repository_xml_docs_symbols_and_sourcelink()
    {
        string commit = Cli.Run("git", ["rev-parse", "HEAD"], repository).AssertSuccess("git rev-parse").Output.Trim();
        foreach (var (id, lib) in new[] { ("WideMinima", "lib/net10.0/WideMinima"), ("WideMinima.MLNet", "lib/net10.0/WideMinima.MLNet"),
                                          ("WideMinima.Sweeps.linux-x64", "tools/net10.0/linux-x64/wideminima-sweeps") })
        {
            var entries = Entries(Package(id));
            var metadata = Metadata(entries, id);
            Assert.AreEqual(version, Child(metadata, "version"), id);
            Assert.AreEqual("MIT", Child(metadata, "license"), id);
            Assert.AreEqual("README.md", Child(metadata, "readme"), id);
            StringAssert.StartsWith(entries.Text("README.md"), "# WideMinima", id);
            var repositoryElement = metadata.Elements().Single(e => e.Name.LocalName == "repository");
            Assert.AreEqual("https://github.com/wideminima/wideminima", repositoryElement.Attribute("url")?.Value, id);
            Assert.AreEqual(commit, repositoryElement.Attribute("commit")?.Value, id);
            Assert.IsTrue(entries.Contains(lib + ".dll") && entries.Contains(lib + ".xml"), $"{id}: assembly and XML docs");

            // The symbols package: the PDB, whose SourceLink maps every source file to this commit.
            var symbols = Entries(Package(id, "snupkg"));
            byte[] pdb = symbols[lib + ".pdb"];
            StringAssert.Contains(Encoding.UTF8.GetString(pdb), $"https://raw.githubusercontent.com/wideminima/wideminima/{commit}/*", $"{id}: SourceLink");
        }

        var core = Entries(Package("WideMinima"));
        Assert.IsTrue(core.Contains("buildTransitive/WideMinima.targets") && core.Contains("buildTransitive/tasks/WeakenVersionNeed.cs"),
            "the native-load fix, named after the package so that NuGet imports it");
        var coreDependencies = Dependencies(Metadata(core, "WideMinima"));
        CollectionAssert.Contains(coreDependencies, "TorchSharp");
        Assert.IsFalse(coreDependencies.Any(d => d.StartsWith("Microsoft.ML", StringComparison.Ordinal)), "the core needs no ML.NET: " + string.Join(", ", coreDependencies));
        CollectionAssert.Contains(Dependencies(Metadata(Entries(Package("WideMinima.MLNet")), "WideMinima.MLNet")), "WideMinima");

        // The tool: a pointer package naming the platform packages, and the linux-x64 one with the data subset and
        // a libLibTorchSharp.so that loads on Debian 12, although it was packed as on a machine whose libstdc++
        // defines GLIBCXX_3.4.32 (see Pack).
        string settings = Entries(Package("WideMinima.Sweeps")).Text("tools/any/any/DotnetToolSettings.xml");
        StringAssert.Contains(settings, "<Command Name=\"wideminima\"");
        StringAssert.Contains(settings, "Id=\"WideMinima.Sweeps.linux-x64\"");
        var tool = Entries(Package("WideMinima.Sweeps.linux-x64"));
        foreach (var file in new[] { "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "LICENSE.md" })
            Assert.IsTrue(tool.Contains("tools/net10.0/linux-x64/data/fashion-mnist-subset/" + file), file);
        byte[] torchNative = tool["tools/net10.0/linux-x64/libLibTorchSharp.so"];
        Assert.IsTrue(ElfVersionNeeds.Read(torchNative).Single(r => r.Version == "GLIBCXX_3.4.32").IsWeak);
    }

    [TestMethod]
    public void The_feed_holds_the_three_packages_and_their_symbols_and_the_tests_are_not_packable()
    {
        var expected = new[] { "WideMinima", "WideMinima.MLNet", "WideMinima.Sweeps", "WideMinima.Sweeps.linux-x64" }
            .Select(id => $"{id}.{version}.nupkg")
            .Concat(new[] { "WideMinima", "WideMinima.MLNet", "WideMinima.Sweeps.linux-x64" }.Select(id => $"{id}.{version}.snupkg"));
        CollectionAssert.AreEquivalent(expected.ToArray(), Directory.GetFiles(feed).Select(Path.GetFileName).ToArray());
        // `dotnet pack WideMinima.sln` packs what is packable: never the test project.
        var packable = Cli.Dotnet(repository, environment, "msbuild", "test/WideMinima.Tests/WideMinima.Tests.csproj", "-getProperty:IsPackable")
            .AssertSuccess("dotnet msbuild -getProperty:IsPackable");
        Assert.AreEqual("false", packable.Output.Trim());
    }

    [TestMethod]
    public void A_console_app_referencing_WideMinima_MLNet_trains_an_epoch_saves_loads_and_scores()
    {
        string app = NewConsole("mlnet-app", "WideMinima.MLNet", """
            using System.Globalization;
            using Microsoft.ML;
            using Microsoft.ML.Data;
            using WideMinima.Data;
            using WideMinima.MLNet;
            using WideMinima.Schedules;

            var ml = new MLContext(seed: 1);
            var train = FashionMnist.Load(ml, FashionMnistSplit.Train, args[0]);
            var test = FashionMnist.Load(ml, FashionMnistSplit.Test, args[0]);
            var trainer = ml.MulticlassClassification.Trainers.WideMinima(new WideMinimaTrainer.Options
            {
                Epochs = 1,
                HiddenSizes = [128],
                Seed = 1,
                Schedule = new KneeScheduleOptions { PeakLearningRate = 0.1, ExploreFraction = 0.5 },
            });
            var model = trainer.Fit(train);
            WideMinimaModel.Save(ml, model, train.Schema, args[1]);
            var loaded = WideMinimaModel.Load(ml, args[1], out _);

            var trained = ml.MulticlassClassification.Evaluate(model.Transform(test));
            var reloaded = ml.MulticlassClassification.Evaluate(loaded.Transform(test));
            var a = model.Transform(test).GetColumn<float[]>("Score").First();
            var b = loaded.Transform(test).GetColumn<float[]>("Score").First();
            Console.WriteLine("accuracy " + trained.MicroAccuracy.ToString("R", CultureInfo.InvariantCulture));
            Console.WriteLine("reloaded " + reloaded.MicroAccuracy.ToString("R", CultureInfo.InvariantCulture));
            Console.WriteLine("same-scores " + a.SequenceEqual(b));
            """);
        Assert.IsTrue(File.ReadAllText(Path.Combine(app, "obj", "mlnet-app.csproj.nuget.g.targets")).Contains("buildTransitive/WideMinima.targets", StringComparison.Ordinal),
            "the native-load fix reaches a project that references WideMinima.MLNet only");
        if (SystemLacksGlibcxx3432())
        {
            byte[] native = File.ReadAllBytes(Path.Combine(Output(app), "runtimes", "linux-x64", "native", "libLibTorchSharp.so"));
            Assert.IsTrue(ElfVersionNeeds.Read(native).Single(r => r.Version == "GLIBCXX_3.4.32").IsWeak, "this libstdc++ lacks GLIBCXX_3.4.32: the fix ran");
        }

        string model = Path.Combine(root, "fashion.wmmodel");
        var run = Cli.Dotnet(app, environment, Path.Combine(Output(app), "mlnet-app.dll"), Path.Combine(repository, "data", "fashion-mnist-subset"), model)
            .AssertSuccess("the ML.NET app");
        var lines = run.Output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        double accuracy = double.Parse(lines.Single(l => l.StartsWith("accuracy ", StringComparison.Ordinal))[9..], CultureInfo.InvariantCulture);
        Assert.IsGreaterThan(0.7, accuracy, "one epoch on the 10,000-image subset learns (10 classes, chance 0.1)");
        Assert.AreEqual($"reloaded {accuracy.ToString("R", CultureInfo.InvariantCulture)}", lines.Single(l => l.StartsWith("reloaded ", StringComparison.Ordinal)));
        CollectionAssert.Contains(lines, "same-scores True");
        Assert.IsGreaterThan(100_000L, new FileInfo(model).Length, "the saved model holds the network");
    }

    /// <summary>
    /// The newest ML.NET release with WideMinima.MLNet, which is built against (and allows) the oldest one tested: the
    /// app takes Microsoft.ML 6.0.0, OnnxTransformer 6.0.0 and ONNX Runtime 1.32.0, trains, saves, loads, exports ONNX
    /// and scores the export through <c>ApplyOnnxModel</c> against the loaded model.
    /// </summary>
    [TestMethod]
    public void A_console_app_on_ML_NET_6_trains_saves_loads_exports_onnx_and_scores_it_through_ApplyOnnxModel()
    {
        string app = NewConsole("mlnet6-app", "WideMinima.MLNet", """
            using System.Globalization;
            using System.Reflection;
            using Microsoft.ML;
            using Microsoft.ML.Data;
            using WideMinima.Data;
            using WideMinima.MLNet;

            static string Version(Type type) => type.Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;

            var ml = new MLContext(seed: 1);
            var train = FashionMnist.Load(ml, FashionMnistSplit.Train, args[0]);
            var test = FashionMnist.Load(ml, FashionMnistSplit.Test, args[0]);
            var model = ml.MulticlassClassification.Trainers.WideMinima(new WideMinimaTrainer.Options { Epochs = 1, HiddenSizes = [128], Seed = 1 }).Fit(train);
            WideMinimaModel.Save(ml, model, train.Schema, args[1]);
            var loaded = WideMinimaModel.Load(ml, args[1], out _);
            WideMinimaModel.ExportOnnx(loaded, args[2]);
            var onnx = ml.Transforms.ApplyOnnxModel("Score", "Features", args[2]).Fit(test);

            var expected = loaded.Transform(test).GetColumn<float[]>("Score").ToList();
            var actual = onnx.Transform(test).GetColumn<float[]>("Score").ToList();
            double max = 0;
            for (int i = 0; i < expected.Count; i++)
                for (int k = 0; k < expected[i].Length; k++) max = Math.Max(max, Math.Abs(expected[i][k] - actual[i][k]));
            Console.WriteLine("accuracy " + ml.MulticlassClassification.Evaluate(loaded.Transform(test)).MicroAccuracy.ToString("R", CultureInfo.InvariantCulture));
            Console.WriteLine("rows " + expected.Count + " " + actual.Count);
            Console.WriteLine("onnx-max-difference " + max.ToString("R", CultureInfo.InvariantCulture));
            Console.WriteLine("Microsoft.ML " + Version(typeof(MLContext)));
            Console.WriteLine("Microsoft.ML.OnnxTransformer " + Version(typeof(Microsoft.ML.Transforms.Onnx.OnnxTransformer)));
            Console.WriteLine("Microsoft.ML.OnnxRuntime " + Version(typeof(Microsoft.ML.OnnxRuntime.InferenceSession)));
            """, ("Microsoft.ML", "6.0.0"), ("Microsoft.ML.OnnxTransformer", "6.0.0"), ("Microsoft.ML.OnnxRuntime", "1.32.0"));
        string assets = File.ReadAllText(Path.Combine(app, "obj", "project.assets.json"));
        foreach (var resolved in new[] { "\"Microsoft.ML/6.0.0\"", "\"Microsoft.ML.OnnxTransformer/6.0.0\"", "\"Microsoft.ML.OnnxRuntime/1.32.0\"", $"\"WideMinima.MLNet/{version}\"" })
            StringAssert.Contains(assets, resolved, "restored");

        string folder = TestFolders.New("mlnet6");
        var run = Cli.Dotnet(app, environment, Path.Combine(Output(app), "mlnet6-app.dll"), Path.Combine(repository, "data", "fashion-mnist-subset"),
            Path.Combine(folder, "fashion.wmmodel"), Path.Combine(folder, "fashion.onnx")).AssertSuccess("the ML.NET 6 app");
        var lines = run.Output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        string Line(string key) => lines.Single(l => l.StartsWith(key + " ", StringComparison.Ordinal))[(key.Length + 1)..];
        Assert.IsGreaterThan(0.7, double.Parse(Line("accuracy"), CultureInfo.InvariantCulture), run.Output);
        Assert.AreEqual("2000 2000", Line("rows"));
        Assert.IsLessThanOrEqualTo(1e-5, double.Parse(Line("onnx-max-difference"), CultureInfo.InvariantCulture), "ONNX Runtime scores as the loaded model does");
        StringAssert.StartsWith(Line("Microsoft.ML"), "6.0.0", "the app runs on ML.NET 6");
        StringAssert.StartsWith(Line("Microsoft.ML.OnnxTransformer"), "6.0.0");
        StringAssert.StartsWith(Line("Microsoft.ML.OnnxRuntime"), "1.32.0");
    }

    [TestMethod]
    public void A_TorchSharp_app_referencing_only_WideMinima_drives_KneeLRScheduler_without_ML_NET()
    {
        string app = NewConsole("torch-app", "WideMinima", """
            using System.Globalization;
            using TorchSharp;
            using WideMinima.Optim;
            using static TorchSharp.torch;

            torch.manual_seed(1);
            var model = nn.Sequential(("hidden", nn.Linear(4, 16)), ("relu", nn.ReLU()), ("out", nn.Linear(16, 2)));
            var x = torch.randn(256, 4);
            var y = (x[.., 0] + x[.., 1] > 0).to(ScalarType.Int64);
            var sgd = optim.SGD(model.parameters(), 0.1, momentum: 0.9);
            var scheduler = new KneeLRScheduler(sgd, peakLr: 0.1, warmupSteps: 2, exploreSteps: 10, totalSteps: 30);
            var rates = new List<string>();
            var losses = new List<float>();
            for (int step = 0; step < 30; step++)
            {
                using var scope = torch.NewDisposeScope();
                sgd.zero_grad();
                var loss = nn.functional.cross_entropy(model.forward(x), y);
                loss.backward();
                sgd.step();
                scheduler.step();
                losses.Add(loss.item<float>());
                rates.Add(scheduler.get_last_lr().Single().ToString("R", CultureInfo.InvariantCulture));
            }
            Console.WriteLine("rates " + string.Join(' ', rates));
            Console.WriteLine("loss " + losses[0].ToString("R", CultureInfo.InvariantCulture) + " " + losses[^1].ToString("R", CultureInfo.InvariantCulture));
            """);
        var mlnet = Directory.GetFiles(Output(app), "Microsoft.ML*.dll", SearchOption.AllDirectories);
        Assert.IsEmpty(mlnet, "no ML.NET assembly in the output: " + string.Join(", ", mlnet.Select(Path.GetFileName)));
        StringAssert.DoesNotMatch(File.ReadAllText(Path.Combine(app, "obj", "project.assets.json")), new System.Text.RegularExpressions.Regex("\"Microsoft\\.ML[./]"),
            "ML.NET is not even restored");
        Assert.IsTrue(File.Exists(Path.Combine(Output(app), "WideMinima.dll")));

        var run = Cli.Dotnet(app, environment, Path.Combine(Output(app), "torch-app.dll")).AssertSuccess("the TorchSharp app");
        var lines = run.Output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

        // The packaged scheduler gives the rates the repository's own gives, step for step.
        using var sgd = optim.SGD(nn.Linear(1, 1).parameters(), 0.1, momentum: 0.9);
        var scheduler = new KneeLRScheduler(sgd, peakLr: 0.1, warmupSteps: 2, exploreSteps: 10, totalSteps: 30);
        var expected = new List<string>();
        for (int step = 0; step < 30; step++)
        {
            sgd.step();
            scheduler.step();
            expected.Add(scheduler.get_last_lr().Single().ToString("R", CultureInfo.InvariantCulture));
        }
        Assert.AreEqual("rates " + string.Join(' ', expected), lines.Single(l => l.StartsWith("rates ", StringComparison.Ordinal)));
        var loss = lines.Single(l => l.StartsWith("loss ", StringComparison.Ordinal)).Split(' ')[1..].Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        Assert.IsLessThan(loss[0] * 0.7f, loss[1], "training on the separable data lowers the loss");
    }

    [TestMethod]
    public void The_tool_installs_from_the_feed_and_runs_presets_and_a_one_epoch_sweep()
    {
        string tools = Path.Combine(root, "tools");
        Cli.Dotnet(root, environment, "tool", "install", "--tool-path", tools, "--add-source", feed,
            "--configfile", Path.Combine(root, "NuGet.config"), "WideMinima.Sweeps", "--version", version).AssertSuccess("dotnet tool install");
        string wideminima = Path.Combine(tools, "wideminima");
        Assert.IsTrue(File.Exists(wideminima), "the command is named wideminima");

        var presets = Cli.Run(wideminima, ["presets"], root, environment).AssertSuccess("wideminima presets");
        foreach (var name in new[] { "quick", "default", "paper" }) StringAssert.Contains(presets.Output, name);

        // The quick preset on the subset shipped inside the tool, cut down to one epoch, two settings, one seed.
        string sweep = Path.Combine(root, "sweep");
        Cli.Run(wideminima, ["run", "--preset", "quick", "--out", sweep, "--epochs", "1", "--seeds", "1", "--explore-fractions", "0.5",
                "--baselines", "cosine", "--hidden", "64", "--train-limit", "3000", "--test-limit", "1000", "--workers", "2"],
            root, environment, TimeSpan.FromMinutes(5)).AssertSuccess("wideminima run --preset quick");
        var csv = File.ReadAllLines(Path.Combine(sweep, "results.csv"));
        Assert.HasCount(3, csv, string.Join('\n', csv));
        var header = csv[0].Split(',');
        var rows = csv[1..].Select(l => l.Split(',')).ToDictionary(r => r[Array.IndexOf(header, "run_id")]);
        CollectionAssert.AreEquivalent(new[] { "knee-e0.5-s1", "cosine-s1" }, rows.Keys.ToArray());
        foreach (var row in rows.Values)
        {
            Assert.AreEqual("done", row[Array.IndexOf(header, "status")]);
            Assert.IsGreaterThan(0.6, double.Parse(row[Array.IndexOf(header, "test_accuracy")], CultureInfo.InvariantCulture));
            Assert.IsGreaterThan(0.0, double.Parse(row[Array.IndexOf(header, "sharpness")], CultureInfo.InvariantCulture));
        }
        Assert.IsTrue(File.Exists(Path.Combine(sweep, "summary.md")) && File.Exists(Path.Combine(sweep, "ledger.db")));

        // The dashboard serves the sweep from the installed tool, its page files and chart library included.
        var info = new System.Diagnostics.ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = root };
        foreach (var a in new[] { "--default-signal=INT", wideminima, "dashboard", "--out", sweep, "--port", "0" }) info.ArgumentList.Add(a);
        foreach (var (key, value) in environment) if (value is null) info.Environment.Remove(key); else info.Environment[key] = value;
        using var dashboard = System.Diagnostics.Process.Start(info)!;
        try
        {
            string? line;
            string? url = null;
            var read = Task.Run(() => { while ((line = dashboard.StandardOutput.ReadLine()) is not null) if (line.Contains(" at http://", StringComparison.Ordinal)) return line[(line.LastIndexOf(" at ", StringComparison.Ordinal) + 4)..]; return null; });
            if (read.Wait(TimeSpan.FromSeconds(60))) url = read.Result;
            if (url is null)
            {
                // Its error output ends only when it does: stop it before reading, so a silent dashboard fails the test instead of hanging it.
                if (!dashboard.HasExited) dashboard.Kill(entireProcessTree: true);
                Assert.Fail("wideminima dashboard printed no address in 60 s: " + dashboard.StandardError.ReadToEnd());
            }
            using var http = new HttpClient { BaseAddress = new Uri(url) };
            StringAssert.Contains(http.GetStringAsync("/").GetAwaiter().GetResult(), "/static/app.js");
            StringAssert.Contains(http.GetStringAsync("/static/vendor/uplot/uPlot.iife.min.js").GetAwaiter().GetResult(), "uPlot");
            StringAssert.Contains(http.GetStringAsync("/static/app.js").GetAwaiter().GetResult(), "renderBlocks");
            StringAssert.Contains(http.GetStringAsync("/api/sweeps/quick").GetAwaiter().GetResult(), "knee-e0.5");
        }
        finally
        {
            if (!dashboard.HasExited) dashboard.Kill(entireProcessTree: true);
        }
    }
}
