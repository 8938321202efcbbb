using System.Text.Json.Serialization;

namespace WideMinima.Sweeps.Config;

/// <summary>Where a sweep's data comes from.</summary>
[JsonConverter(typeof(ConfigNameConverter<DatasetKind>))]
public enum DatasetKind
{
    /// <summary><c>fashion-mnist</c>: the full set, found as <c>FashionMnist.Load</c> finds it.</summary>
    [JsonStringEnumMemberName("fashion-mnist")] FashionMnist,
    /// <summary><c>fashion-mnist-subset</c>: the 10k/2k subset shipped with the program.</summary>
    [JsonStringEnumMemberName("fashion-mnist-subset")] FashionMnistSubset,
    /// <summary><c>cifar-10</c>: the binary batches.</summary>
    [JsonStringEnumMemberName("cifar-10")] Cifar10,
    /// <summary><c>idx</c>: four IDX files.</summary>
    [JsonStringEnumMemberName("idx")] Idx,
    /// <summary><c>text</c>: delimited files with a label column.</summary>
    [JsonStringEnumMemberName("text")] Text,
}
