using WideMinima.Models;
using WideMinima.Training;
using static TorchSharp.torch;

namespace WideMinima.Tests.Optim;

[TestClass]
public sealed class ImageAugmenterTests
{
    [TestMethod]
    public void Each_example_becomes_a_shifted_and_maybe_flipped_copy_of_itself_reproducibly()
    {
        using var scope = NewDisposeScope();
        var shape = new ImageShape(1, 6, 5);
        // Pixel values 1..30, so every pixel is identifiable; zero is padding.
        var batch = arange(1, 31, dtype: float32).unsqueeze(0).expand(16, -1).contiguous();
        using var augmenter = new ImageAugmenter(shape, CPU, seed: 3);
        var output = augmenter.Apply(batch);
        CollectionAssert.AreEqual(new long[] { 16, 30 }, output.shape);

        var source = new float[6, 5];
        for (int r = 0; r < 6; r++) for (int c = 0; c < 5; c++) source[r, c] = r * 5 + c + 1;
        bool anyFlip = false, anyNoFlip = false, anyShift = false;
        for (int i = 0; i < 16; i++)
        {
            var image = output[i].data<float>().ToArray();
            var found = (from flip in new[] { false, true } from dy in Enumerable.Range(0, 9) from dx in Enumerable.Range(0, 9)
                         where MatchesWindow(image, source, flip, dy, dx) select (flip, dy, dx)).ToList();
            Assert.IsNotEmpty(found, $"example {i} is no crop or flip of the input");
            anyFlip |= found.Any(f => f.flip);
            anyNoFlip |= found.Any(f => !f.flip);
            anyShift |= found.Any(f => f.dy != 4 || f.dx != 4);
        }
        Assert.IsTrue(anyFlip && anyNoFlip && anyShift, "16 examples show flips, non-flips and shifts");

        using var again = new ImageAugmenter(shape, CPU, seed: 3);
        CollectionAssert.AreEqual(output.data<float>().ToArray(), again.Apply(batch).data<float>().ToArray(), "same seed, same augmentation");
    }

    /// <summary>True when <paramref name="image"/> is the 6x5 window at (dy, dx) of the 4-padded source, mirrored if <paramref name="flip"/>.</summary>
    private static bool MatchesWindow(float[] image, float[,] source, bool flip, int dy, int dx)
    {
        for (int r = 0; r < 6; r++)
            for (int c = 0; c < 5; c++)
            {
                int wc = flip ? 4 - c : c;          // column within the cropped window
                int sr = r + dy - 4, sc = wc + dx - 4; // position in the unpadded source
                float expected = sr >= 0 && sr < 6 && sc >= 0 && sc < 5 ? source[sr, sc] : 0;
                if (image[r * 5 + c] != expected) return false;
            }
        return true;
    }
}
