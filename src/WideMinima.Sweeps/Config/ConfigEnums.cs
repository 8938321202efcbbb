using System.Text.Json.Serialization;

namespace WideMinima.Sweeps.Config;

/// <summary>A learning-rate schedule a sweep runs: Knee (once per explore share) or a baseline.</summary>
[JsonConverter(typeof(ConfigNameConverter<SweepSchedule>))]
public enum SweepSchedule
{
    /// <summary><c>knee</c>: the explore-exploit schedule; not a baseline (it runs once per explore share).</summary>
    [JsonStringEnumMemberName("knee")] Knee,
    /// <summary><c>cosine</c>.</summary>
    [JsonStringEnumMemberName("cosine")] Cosine,
    /// <summary><c>step</c>: x0.1 at each of the step milestones.</summary>
    [JsonStringEnumMemberName("step")] Step,
    /// <summary><c>explore-step</c>: the paper's Section 3 protocol, once per explore share.</summary>
    [JsonStringEnumMemberName("explore-step")] ExploreStep,
    /// <summary><c>linear</c> decay.</summary>
    [JsonStringEnumMemberName("linear")] Linear,
    /// <summary><c>one-cycle</c>.</summary>
    [JsonStringEnumMemberName("one-cycle")] OneCycle,
    /// <summary><c>constant</c>.</summary>
    [JsonStringEnumMemberName("constant")] Constant,
}

/// <summary>The network a sweep trains.</summary>
[JsonConverter(typeof(ConfigNameConverter<SweepModel>))]
public enum SweepModel
{
    /// <summary><c>mlp</c>.</summary>
    [JsonStringEnumMemberName("mlp")] Mlp,
    /// <summary><c>cnn</c> (image-shaped data).</summary>
    [JsonStringEnumMemberName("cnn")] Cnn,
    /// <summary><c>resnet18</c> (image-shaped data).</summary>
    [JsonStringEnumMemberName("resnet18")] ResNet18,
}

/// <summary>The training optimizer of a sweep.</summary>
[JsonConverter(typeof(ConfigNameConverter<SweepOptimizer>))]
public enum SweepOptimizer
{
    /// <summary><c>sgd</c>: SGD with Nesterov momentum.</summary>
    [JsonStringEnumMemberName("sgd")] Sgd,
    /// <summary><c>adamw</c>.</summary>
    [JsonStringEnumMemberName("adamw")] AdamW,
}

/// <summary>Where a sweep's runs train.</summary>
[JsonConverter(typeof(ConfigNameConverter<SweepDevice>))]
public enum SweepDevice
{
    /// <summary><c>cpu</c>: runs reproduce bit for bit.</summary>
    [JsonStringEnumMemberName("cpu")] Cpu,
    /// <summary><c>cuda</c>.</summary>
    [JsonStringEnumMemberName("cuda")] Cuda,
    /// <summary><c>auto</c>: CUDA where available, else the CPU.</summary>
    [JsonStringEnumMemberName("auto")] Auto,
}

/// <summary>How a sweep measures the minima width.</summary>
[JsonConverter(typeof(ConfigNameConverter<WidthMethod>))]
public enum WidthMethod
{
    /// <summary><c>sign</c>: the fast protocol, <c>KeskarWidthOptions.Fast()</c>.</summary>
    [JsonStringEnumMemberName("sign")] Sign,
    /// <summary><c>sgd</c>: the paper's reference protocol, <c>new KeskarWidthOptions()</c>.</summary>
    [JsonStringEnumMemberName("sgd")] Sgd,
}

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
