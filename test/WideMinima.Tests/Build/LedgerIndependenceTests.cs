using System.Reflection;
using System.Runtime.Loader;

namespace WideMinima.Tests.Build;

/// <summary>
/// The storage and report code stands without TorchSharp and ML.NET: the ledger and the reports are their own
/// projects, which reference neither, and they run in a context where TorchSharp cannot be loaded at all.
/// </summary>
[TestClass]
public sealed class LedgerIndependenceTests
{
    private static readonly string[] Forbidden = ["TorchSharp", "Microsoft.ML", "WideMinima", "WideMinima.MLNet", "wideminima-sweeps"];

    [TestMethod]
    [DataRow("WideMinima.Ledger")]
    [DataRow("WideMinima.Reports")]
    public void The_storage_and_report_assemblies_reference_neither_torch_nor_ml_net_nor_the_core(string name)
    {
        var assembly = Assembly.LoadFrom(Path.Combine(AppContext.BaseDirectory, name + ".dll"));
        var references = assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        foreach (var forbidden in Forbidden)
            Assert.IsFalse(references.Any(r => r == forbidden || r.StartsWith(forbidden + ".", StringComparison.Ordinal) && forbidden != "WideMinima"),
                $"{name} references {string.Join(", ", references.Where(r => r.StartsWith(forbidden, StringComparison.Ordinal)))}");
        // What the project restores, transitive packages and projects included: the build itself needs no TorchSharp.
        string assets = Path.Combine(Cli.RepositoryRoot(), "src", name, "obj", "project.assets.json");
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(assets));
        var libraries = json.RootElement.GetProperty("libraries").EnumerateObject().Select(p => p.Name.Split('/')[0]).ToList();
        Assert.IsNotEmpty(libraries, assets);
        foreach (var forbidden in new[] { "TorchSharp", "TorchSharp-cpu", "libtorch-cpu", "Microsoft.ML", "WideMinima", "WideMinima.MLNet" })
            Assert.DoesNotContain(forbidden, libraries, $"{name} restores {forbidden}");
    }

    [TestMethod]
    public void A_ledger_is_written_and_its_reports_are_made_where_TorchSharp_cannot_load()
    {
        var context = new NoTorch(AppContext.BaseDirectory);
        try
        {
            var ledgerAssembly = context.LoadFromAssemblyPath(Path.Combine(AppContext.BaseDirectory, "WideMinima.Ledger.dll"));
            var reportsAssembly = context.LoadFromAssemblyPath(Path.Combine(AppContext.BaseDirectory, "WideMinima.Reports.dll"));
            string folder = TestFolders.New("no-torch");
            // Everything through reflection on the isolated context's own types: nothing of this test's context leaks in.
            var sqlLedger = ledgerAssembly.GetType("WideMinima.Ledger.SqlLedger")!;
            var ledger = (IDisposable)sqlLedger.GetMethod("Sqlite")!.Invoke(null, [Path.Combine(folder, "ledger.db"), null, null, false])!;
            using (ledger)
            {
                var kind = Enum.Parse(ledgerAssembly.GetType("WideMinima.Ledger.SweepKind")!, "Sweep");
                var header = Activator.CreateInstance(ledgerAssembly.GetType("WideMinima.Ledger.SweepHeader")!, ["iso", kind, "{}", """{"name":"iso"}""", 0L, "test"])!;
                var newRunType = ledgerAssembly.GetType("WideMinima.Ledger.NewRun")!;
                var run = Activator.CreateInstance(newRunType, ["cosine-s1", "cosine", "cosine", null, 1, "{}"])!;
                var list = Array.CreateInstance(newRunType, 1);
                list.SetValue(run, 0);
                sqlLedger.GetMethod("CreateSweep")!.Invoke(ledger, [header, list]);
                var writer = reportsAssembly.GetType("WideMinima.Reports.ReportWriter")!;
                writer.GetMethod("WriteAll")!.Invoke(null, [folder, ledger, null, null, null]); // match, seed rounds and epochs left to their defaults
            }
            StringAssert.Contains(File.ReadAllText(Path.Combine(folder, "results.csv")), "cosine-s1");
            Assert.IsTrue(File.Exists(Path.Combine(folder, "summary.md")));
            Assert.IsFalse(context.Assemblies.Any(a => a.GetName().Name!.StartsWith("TorchSharp", StringComparison.Ordinal)), "TorchSharp was never loaded");
            Assert.AreEqual(0, context.Refused, "nothing asked for TorchSharp or the core");
        }
        finally
        {
            context.Unload();
        }
    }

    /// <summary>A load context that resolves the test's folder for everything except TorchSharp and the core, which it refuses.</summary>
    private sealed class NoTorch(string folder) : AssemblyLoadContext("no-torch", isCollectible: true)
    {
        public int Refused { get; private set; }

        protected override Assembly? Load(AssemblyName name)
        {
            if (name.Name!.StartsWith("TorchSharp", StringComparison.Ordinal) || name.Name is "WideMinima" or "WideMinima.MLNet")
            {
                Refused++;
                throw new FileNotFoundException($"{name.Name} is not available in this context.");
            }
            string path = Path.Combine(folder, name.Name + ".dll");
            // The framework's own assemblies come from the default context; the project's and packages' from the folder.
            return File.Exists(path) && !name.Name.StartsWith("System.", StringComparison.Ordinal) ? LoadFromAssemblyPath(path) : null;
        }
    }
}
