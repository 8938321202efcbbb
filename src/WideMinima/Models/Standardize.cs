using TorchSharp;
using static TorchSharp.torch;

namespace WideMinima.Models;

/// <summary>
/// <c>(x - mean) / std</c> with statistics from the training data, kept as buffers so that they are
/// saved and loaded with the weights and need no separate ML.NET normalizer.
/// </summary>
internal sealed class Standardize : nn.Module<Tensor, Tensor>
{
    private readonly Tensor mean;
    private readonly Tensor inverseStd;

    public Standardize(float[] mean, float[] std) : base(nameof(Standardize))
    {
        this.mean = tensor(mean);
        inverseStd = tensor(std.Select(s => 1f / s).ToArray());
        register_buffer(nameof(mean), this.mean);
        register_buffer(nameof(inverseStd), inverseStd);
    }

    /// <summary>The mean that <see cref="forward"/> subtracts (the buffer <c>mean</c>; loading weights copies into it).</summary>
    internal Tensor Mean => mean;

    /// <summary>The inverse standard deviation that <see cref="forward"/> multiplies by (the buffer <c>inverseStd</c>).</summary>
    internal Tensor InverseStd => inverseStd;

    public override Tensor forward(Tensor input) => (input - mean) * inverseStd;
}
