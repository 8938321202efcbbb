using Microsoft.ML;
using Microsoft.ML.Data;

namespace WideMinima.Tests.MLNet;

/// <summary>Small generated classification data: Gaussian blobs, one per class, in a few dimensions.</summary>
internal static class SyntheticData
{
    public sealed class Row
    {
        [VectorType(8)] public float[] Features { get; set; } = [];
        [KeyType(3)] public uint Label { get; set; }
    }

    public sealed class IntRow
    {
        [VectorType(8)] public float[] Features { get; set; } = [];
        public int Label { get; set; }
    }

    public static Row[] Rows(int count, int seed, float spread = 1f)
    {
        var random = new Random(seed);
        var rows = new Row[count];
        for (int i = 0; i < count; i++)
        {
            int c = i % 3;
            var f = new float[8];
            for (int j = 0; j < f.Length; j++) f[j] = (j % 3 == c ? 2.5f : 0f) + spread * (float)Normal(random);
            rows[i] = new Row { Features = f, Label = (uint)c }; // 0-based in row objects
        }
        return rows;
    }

    public static IDataView Blobs(MLContext ml, int count, int seed) => ml.Data.LoadFromEnumerable(Rows(count, seed));

    public static IDataView IntegerLabels(MLContext ml, int count, int seed) =>
        ml.Data.LoadFromEnumerable(Rows(count, seed).Select(r => new IntRow { Features = r.Features, Label = (int)r.Label }));

    private static double Normal(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());
}
