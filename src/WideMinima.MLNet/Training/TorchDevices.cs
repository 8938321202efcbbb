using TorchSharp;

namespace WideMinima.Training;

/// <summary>Turns a <see cref="DeviceKind"/> into a TorchSharp device, explaining any fallback.</summary>
public static class TorchDevices
{
    /// <summary>The device to use, and a warning when CUDA was asked for but cannot be used.</summary>
    public static (torch.Device Device, string? Warning) Resolve(DeviceKind kind) => Resolve(kind, torch.cuda.is_available());

    /// <summary>As <see cref="Resolve(DeviceKind)"/>, with CUDA's availability given (for tests).</summary>
    public static (torch.Device Device, string? Warning) Resolve(DeviceKind kind, bool cudaAvailable) => kind switch
    {
        DeviceKind.Cpu => (torch.CPU, null),
        DeviceKind.Auto => (cudaAvailable ? torch.CUDA : torch.CPU, null),
        DeviceKind.Cuda when cudaAvailable => (torch.CUDA, null),
        DeviceKind.Cuda => (torch.CPU,
            "Device = Cuda was requested, but CUDA is not available (torch.cuda.is_available() is false): training on the CPU instead. " +
            "CUDA needs a build with -p:WideMinimaTorchBackend=cuda (package TorchSharp-cuda-linux or -windows) and an NVIDIA GPU with its driver."),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, $"'{nameof(kind)}' must be Auto, Cpu or Cuda, but was {kind}."),
    };
}
