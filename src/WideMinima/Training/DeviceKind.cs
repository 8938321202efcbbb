using System.Text.Json.Serialization;

namespace WideMinima.Training;

/// <summary>Where to train and score.</summary>
public enum DeviceKind
{
    /// <summary>CUDA when TorchSharp reports it available, else the CPU.</summary>
    [JsonStringEnumMemberName("auto")] Auto,
    /// <summary>The CPU.</summary>
    [JsonStringEnumMemberName("cpu")] Cpu,
    /// <summary>The first CUDA GPU; falls back to the CPU with a warning when CUDA is not available.</summary>
    [JsonStringEnumMemberName("cuda")] Cuda,
}
