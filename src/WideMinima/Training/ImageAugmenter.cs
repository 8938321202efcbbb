using WideMinima.Models;
using static TorchSharp.torch;

namespace WideMinima.Training;

/// <summary>Random crop (after 4-pixel zero padding) and horizontal flip, per example, on a batch of flat images.</summary>
internal sealed class ImageAugmenter(ImageShape shape, Device device, int seed) : IDisposable
{
    private const int Pad = 4;
    private readonly Generator _generator = new((ulong)seed + 0x9E3779B9UL); // its own stream: shuffling is unchanged
    private readonly Tensor _rows = arange(shape.Height, dtype: int64, device: device);
    private readonly Tensor _columns = arange(shape.Width, dtype: int64, device: device);

    /// <summary>An augmented copy of <paramref name="batch"/> ([b, C*H*W]), in the caller's dispose scope.</summary>
    public Tensor Apply(Tensor batch)
    {
        long b = batch.shape[0];
        int c = shape.Channels, h = shape.Height, w = shape.Width;
        var padded = nn.functional.pad(batch.view(b, c, h, w), [Pad, Pad, Pad, Pad]);
        // Per-example offsets in [0, 2 * Pad]: gather the rows, then the columns, of each example's window.
        var dy = randint(0, 2 * Pad + 1, [b], generator: _generator, dtype: int64).to(device);
        var dx = randint(0, 2 * Pad + 1, [b], generator: _generator, dtype: int64).to(device);
        var rows = (_rows.unsqueeze(0) + dy.unsqueeze(1)).view(b, 1, h, 1).expand(b, c, h, w + 2 * Pad);
        var cropped = padded.gather(2, rows);
        var columns = (_columns.unsqueeze(0) + dx.unsqueeze(1)).view(b, 1, 1, w).expand(b, c, h, w);
        cropped = cropped.gather(3, columns);
        var flip = (rand([b], generator: _generator) < 0.5).to(device).view(b, 1, 1, 1);
        return where(flip, cropped.flip(3), cropped).reshape(b, -1);
    }

    /// <summary>The state of the augmenter's random generator (for checkpoints).</summary>
    public Tensor GetState() => _generator.get_state();

    /// <summary>Restores the random generator to a state <see cref="GetState"/> returned.</summary>
    public void SetState(Tensor state) => _generator.set_state(state);

    public void Dispose()
    {
        _generator.Dispose();
        _rows.Dispose();
        _columns.Dispose();
    }
}
