using TorchSharp;

namespace WideMinima.Training;

/// <summary>Turns a <see cref="DeviceKind"/> into a TorchSharp device, explaining any fallback.</summary>
public static class TorchDevices
{
    /// <summary>The device to use, and a warning when CUDA was asked for but cannot be used.</summary>
    public static (torch.Device Device, string? Warning) Resolve(DeviceKind kind)
    {
        var (type, warning) = Choose(kind, torch.cuda.is_available());
        return (type == DeviceType.CUDA ? torch.CUDA : torch.CPU, warning);
    }

    /// <summary>The pure decision behind <see cref="Resolve"/>, with CUDA's availability given.</summary>
    public static (DeviceType Type, string? Warning) Choose(DeviceKind kind, bool cudaAvailable) => kind switch
    {
        DeviceKind.Cpu => (DeviceType.CPU, null),
        DeviceKind.Auto => (cudaAvailable ? DeviceType.CUDA : DeviceType.CPU, null),
        DeviceKind.Cuda when cudaAvailable => (DeviceType.CUDA, null),
        DeviceKind.Cuda => (DeviceType.CPU,
            "Device = Cuda was requested, but CUDA is not available (torch.cuda.is_available() is false): training on the CPU instead. " +
            "CUDA needs a build with -p:WideMinimaTorchBackend=cuda (package TorchSharp-cuda-linux or -windows) and an NVIDIA GPU with its driver."),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, $"'{nameof(kind)}' must be Auto, Cpu or Cuda, but was {kind}."),
    };
}
