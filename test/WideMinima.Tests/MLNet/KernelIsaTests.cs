using System.Runtime.Intrinsics;
using TorchSharp;
using WideMinima.MLNet;
using WideMinima.Models;
using static TorchSharp.torch;

namespace WideMinima.Tests.MLNet;

/// <summary>
/// The kernels' AVX2 forms do the same fused multiply-adds in the same order, lane by lane, as their AVX-512 forms,
/// so the two should give the same bits (<see cref="ScoringKernels"/>' remarks). Checked on a CPU with AVX-512: the
/// same networks and rows are scored here and in a child process of this test assembly with .NET's AVX-512 turned off
/// (<c>DOTNET_EnableAVX512=0</c>), where the AVX2 forms run, and every score's bits are compared.
/// </summary>
[TestClass]
public sealed class KernelIsaTests
{
    private const string ChildTest = nameof(The_kernels_score_the_reference_networks_as_libtorch_does);

    /// <summary>Where the child writes its scores (and whether its 512-bit vectors were accelerated).</summary>
    private const string OutputVariable = "WIDEMINIMA_TEST_KERNEL_SCORES";

    private const double Tolerance = 2e-6;

    /// <summary>What the child process runs; a test on its own too.</summary>
    [TestMethod]
    public void The_kernels_score_the_reference_networks_as_libtorch_does()
    {
        if (!ScoringKernels.IsSupported) Assert.Inconclusive("this CPU has neither AVX-512 nor AVX2 with FMA: the kernels do not run here");
        var scores = Scores(out double largest);
        Assert.IsLessThanOrEqualTo(Tolerance, largest, "the kernels against libtorch");
        if (Environment.GetEnvironmentVariable(OutputVariable) is { Length: > 0 } path)
        {
            using var writer = new BinaryWriter(File.Create(path));
            writer.Write(Vector512.IsHardwareAccelerated);
            writer.Write(scores.Length);
            foreach (float s in scores) writer.Write(s);
        }
    }

    [TestMethod]
    public void The_AVX2_forms_give_the_same_bits_as_the_AVX512_forms()
    {
        if (!Vector512.IsHardwareAccelerated)
            Assert.Inconclusive("this CPU (or .NET here) has no accelerated AVX-512: only the AVX2 forms run, so there is nothing to compare them with");
        var here = Scores(out _);
        string path = Path.Combine(TestFolders.New("isa"), "scores.bin");
        string assembly = Path.Combine(AppContext.BaseDirectory, "WideMinima.Tests.dll");
        var result = Cli.Run("dotnet", [assembly, "--results-directory", TestFolders.New("child-results"), "--filter", $"FullyQualifiedName={typeof(KernelIsaTests).FullName}.{ChildTest}"],
            TestFolders.New("child"),
            // .NET 10 reads DOTNET_EnableAVX512; .NET 8 and 9 read DOTNET_EnableAVX512F.
            new Dictionary<string, string?> { ["DOTNET_EnableAVX512"] = "0", ["DOTNET_EnableAVX512F"] = "0", [OutputVariable] = path },
            TimeSpan.FromMinutes(3));
        result.AssertSuccess("the child test with AVX-512 turned off");
        StringAssert.Contains(result.Output, "succeeded: 1", "the child ran its one test");
        using var reader = new BinaryReader(File.OpenRead(path));
        Assert.IsFalse(reader.ReadBoolean(), "the child ran without 512-bit vectors, on the AVX2 forms");
        var there = new float[reader.ReadInt32()];
        for (int i = 0; i < there.Length; i++) there[i] = reader.ReadSingle();
        Assert.HasCount(here.Length, there);
        for (int i = 0; i < here.Length; i++)
        {
            Assert.AreEqual(BitConverter.SingleToInt32Bits(here[i]), BitConverter.SingleToInt32Bits(there[i]),
                $"score {i}: {here[i]:R} with AVX-512, {there[i]:R} with AVX2");
        }
    }

    /// <summary>
    /// The CNN and the MLP that <see cref="ModelKind"/> builds, and the Winograd test's network (partial input blocks,
    /// a single output block, unpooled and pooled outputs, overlapping runs), seeded (the same weights in every
    /// process), on 40 rows (dense layers by columns), 5 (row by row) and 1 (split between two threads): every score, in
    /// order; and the largest difference from libtorch's.
    /// </summary>
    private static float[] Scores(out double largest)
    {
        var all = new List<float>();
        largest = 0;
        foreach (var kind in new[] { ModelKind.Cnn, ModelKind.Mlp, ModelKind.Custom })
        {
            manual_seed(11);
            var (net, features, classes) = Network(kind);
            var managed = ManagedNetwork.TryCreate(net, features, classes, out string reason);
            Assert.IsNotNull(managed, reason);
            var workspace = managed.CreateWorkspace();
            foreach (var (rows, threads) in new[] { (40, 1), (40, 2), (5, 1), (1, 2) })
            {
                using var scope = NewDisposeScope();
                var x = randn(rows, features);
                float[] input = [.. x.data<float>()], scores = new float[rows * classes], expected;
                using (no_grad()) expected = [.. nn.functional.softmax(net.call(x), 1).data<float>()];
                Assert.AreEqual(ManagedNetwork.Outcome.Scored, managed.TryScore(workspace, input, rows, scores, threads));
                for (int i = 0; i < scores.Length; i++) largest = Math.Max(largest, Math.Abs(expected[i] - scores[i]));
                all.AddRange(scores);
            }
        }
        return [.. all];
    }

    /// <summary>A reference network (Custom: the Winograd test's), with random BatchNorm statistics, and its features and classes.</summary>
    private static (nn.Module<Tensor, Tensor> Net, int Features, int Classes) Network(ModelKind kind)
    {
        if (kind == ModelKind.Custom)
        {
            var (winograd, features) = ManagedScoringTests.WinogradNetwork();
            return (winograd, features, 5);
        }
        var net = new NetworkSpec(kind, 784, 10, [512, 512], new ImageShape(1, 28, 28), Standardized: false).Build(null, null, null);
        using (no_grad())
        {
            foreach (var (name, buffer) in net.named_buffers())
            {
                if (name.EndsWith("running_mean", StringComparison.Ordinal)) buffer.copy_(randn_like(buffer) * 0.2f);
                if (name.EndsWith("running_var", StringComparison.Ordinal)) buffer.copy_(rand_like(buffer) + 0.5f);
            }
        }
        net.eval();
        return (net, 784, 10);
    }
}
