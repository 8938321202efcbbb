using System.Reflection;
using System.Text.Json;
using WideMinima.Dashboard;

namespace WideMinima.Tests.Dashboard;

/// <summary>The dashboard runs on machines that train nothing: neither it nor what it references uses TorchSharp, ML.NET or the core.</summary>
[TestClass]
public sealed class DashboardIndependenceTests
{
    private static readonly string[] Forbidden = ["TorchSharp", "Microsoft.ML", "WideMinima", "WideMinima.MLNet", "LibTorchSharp"];

    [TestMethod]
    public void Its_assemblies_reference_no_TorchSharp_ML_NET_or_core()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<Assembly>([typeof(DashboardApp).Assembly]);
        while (queue.TryDequeue(out var assembly))
        {
            if (!seen.Add(assembly.GetName().Name!)) continue;
            foreach (var reference in assembly.GetReferencedAssemblies())
            {
                Assert.IsFalse(Forbidden.Any(f => reference.Name == f || reference.Name!.StartsWith(f + ".", StringComparison.Ordinal) && f != "WideMinima"),
                    $"{assembly.GetName().Name} references {reference.Name}");
                if (reference.Name!.StartsWith("WideMinima.", StringComparison.Ordinal)) queue.Enqueue(Assembly.Load(reference));
            }
        }
        CollectionAssert.IsSubsetOf(new[] { "WideMinima.Dashboard", "WideMinima.Ledger", "WideMinima.Reports" }, seen.ToArray());
    }

    [TestMethod]
    public void Its_restore_holds_no_TorchSharp_ML_NET_or_core()
    {
        string assets = Path.Combine(Cli.RepositoryRoot(), "src", "WideMinima.Dashboard", "obj", "project.assets.json");
        using var document = JsonDocument.Parse(File.ReadAllText(assets));
        var libraries = document.RootElement.GetProperty("libraries").EnumerateObject().Select(p => p.Name.Split('/')[0]).ToList();
        Assert.IsNotEmpty(libraries);
        foreach (var library in libraries)
            Assert.IsFalse(library.StartsWith("TorchSharp", StringComparison.Ordinal) || library.StartsWith("Microsoft.ML", StringComparison.Ordinal)
                || library is "WideMinima" or "WideMinima.MLNet" or "WideMinima.Sweeps", library);
        CollectionAssert.IsSubsetOf(new[] { "WideMinima.Ledger", "WideMinima.Reports" }, libraries);
    }
}
