using WideMinima.Training;
using static TorchSharp.torch;

namespace WideMinima.Tests.Training;

/// <summary>
/// The standardization statistics are part of a run's numbers: their last bits reach every standardized input.
/// Issue 16 requires <c>run --preset quick</c> to give identical results across refactorings, and a blocked variance
/// sum once broke that; these tests pin the exact bits against the plain whole-set float computation.
/// </summary>
[TestClass]
public sealed class StandardizationTests
{
    /// <summary>A fixed, generator-free input: more rows than any plausible block, pixel-like values with varied spread.</summary>
    private static float[] Input(int rows, int features)
    {
        var values = new float[rows * features];
        uint state = 12345;
        for (int i = 0; i < values.Length; i++)
        {
            state = state * 1664525u + 1013904223u; // the Numerical Recipes LCG: the same numbers on every machine
            int feature = i % features;
            values[i] = (state >> 8) / (float)(1 << 24) * (1 + feature) + feature * 0.37f;
        }
        return values;
    }

    [TestMethod]
    public void The_statistics_are_bit_identical_to_one_whole_set_float_matrix_vector_product_each()
    {
        const int rows = 7000, features = 33;
        var data = Input(rows, features);
        using var x = from_array(data).view(rows, features);

        var (mean, std) = ClassifierTraining.Statistics(x);

        // The computation the statistics had before issue 16's reshape (commit 553dfb7), written out plainly.
        using var scope = NewDisposeScope();
        var ones = full(1, rows, 1.0f / rows);
        var expectedMean = ones.matmul(x);
        var expectedStd = ones.matmul((x - expectedMean).pow(2)).sqrt().clamp_min(1e-2);
        float[] m = [.. expectedMean.data<float>()], s = [.. expectedStd.data<float>()];

        Assert.HasCount(features, mean);
        Assert.HasCount(features, std);
        for (int j = 0; j < features; j++)
        {
            Assert.AreEqual(BitConverter.SingleToInt32Bits(m[j]), BitConverter.SingleToInt32Bits(mean[j]), $"mean of feature {j}: {m[j]:R} vs {mean[j]:R}");
            Assert.AreEqual(BitConverter.SingleToInt32Bits(s[j]), BitConverter.SingleToInt32Bits(std[j]), $"std of feature {j}: {s[j]:R} vs {std[j]:R}");
        }
    }

    [TestMethod]
    public void The_statistics_agree_with_a_double_precision_computation()
    {
        const int rows = 7000, features = 33;
        var data = Input(rows, features);
        using var x = from_array(data).view(rows, features);

        var (mean, std) = ClassifierTraining.Statistics(x);

        for (int j = 0; j < features; j++)
        {
            double sum = 0;
            for (int i = 0; i < rows; i++) sum += data[i * features + j];
            double mu = sum / rows, squares = 0;
            for (int i = 0; i < rows; i++) squares += (data[i * features + j] - mu) * (data[i * features + j] - mu);
            double sigma = Math.Max(Math.Sqrt(squares / rows), 1e-2);
            Assert.AreEqual(mu, mean[j], 1e-5 * Math.Max(1, Math.Abs(mu)), $"mean of feature {j}");
            Assert.AreEqual(sigma, std[j], 1e-5 * sigma, $"std of feature {j}");
        }
    }
}
