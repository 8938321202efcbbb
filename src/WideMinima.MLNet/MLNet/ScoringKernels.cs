using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace WideMinima.MLNet;

/// <summary>
/// The arithmetic of <see cref="ManagedNetwork"/>: AVX-512 kernels for a same-padded, stride-1 convolution, 2 x 2 max
/// pooling, dense layers and softmax. Every kernel reads the weights' own memory or a re-laid copy of it, and adds up
/// the same products as libtorch in another order, so results agree with libtorch's to float rounding.
/// </summary>
/// <remarks>
/// Image activations are kept in blocks of 16 channels: <c>[channel block][row][column][16]</c>, so that one 512-bit
/// vector holds 16 channels of one pixel. The convolution kernel computes 14 neighbouring output pixels of one row for
/// 16 or 32 output channels at once (28 accumulators), broadcasting one input value per pixel and channel against a
/// vector of 16 weights: the weights are re-laid once as <c>[output block][input block][ky][kx][input channel][16]</c>.
/// Callers check <see cref="IsSupported"/> first.
/// </remarks>
internal static unsafe class ScoringKernels
{
    /// <summary>Output pixels per convolution run.</summary>
    public const int Run = 14;

    /// <summary>Channels per block, and floats per vector.</summary>
    public const int Lanes = 16;

    /// <summary>Whether this CPU runs the kernels: AVX-512 (F, BW, CD, DQ, VL) with .NET's 512-bit vectors accelerated.</summary>
    public static bool IsSupported => Avx512F.IsSupported && Vector512.IsHardwareAccelerated;

    /// <summary>
    /// One run of <see cref="Run"/> output pixels for 32 output channels (two blocks): <c>out = relu?(acc * scale + shift)</c>.
    /// </summary>
    /// <param name="input">The run's first input pixel (ky = kx = 0) in input block 0.</param>
    /// <param name="inputPlane">Floats per input block.</param>
    /// <param name="rowStride">Pixels per padded input row.</param>
    /// <param name="blocks">Input channel blocks.</param>
    /// <param name="lastBlockChannels">Channels in the last input block (1 to 16).</param>
    /// <param name="kh">Kernel rows.</param>
    /// <param name="kw">Kernel columns.</param>
    /// <param name="weights">Re-laid weights of the first output block; the second follows at <paramref name="weightBlock"/>.</param>
    /// <param name="weightBlock">Floats per output block of re-laid weights.</param>
    /// <param name="scale">32 multipliers (BatchNorm's, or ones).</param>
    /// <param name="shift">32 offsets (the bias and BatchNorm's shift).</param>
    /// <param name="out0">The first output block's first pixel of the run.</param>
    /// <param name="out1">The second output block's.</param>
    /// <param name="relu">Whether a ReLU follows.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ConvRun32(float* input, int inputPlane, int rowStride, int blocks, int lastBlockChannels, int kh, int kw,
        float* weights, int weightBlock, float* scale, float* shift, float* out0, float* out1, bool relu)
    {
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default,
            a7 = default, a8 = default, a9 = default, a10 = default, a11 = default, a12 = default, a13 = default;
        Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default, b6 = default,
            b7 = default, b8 = default, b9 = default, b10 = default, b11 = default, b12 = default, b13 = default;
        float* w = weights;
        for (int cb = 0; cb < blocks; cb++)
        {
            int channels = cb == blocks - 1 ? lastBlockChannels : Lanes;
            for (int ky = 0; ky < kh; ky++)
            {
                for (int kx = 0; kx < kw; kx++)
                {
                    float* p = input + (long)cb * inputPlane + (ky * rowStride + kx) * Lanes;
                    for (int ci = 0; ci < channels; ci++, p++, w += Lanes)
                    {
                        var wa = Vector512.Load(w);
                        var wb = Vector512.Load(w + weightBlock);
                        var v = Vector512.Create(p[0]); a0 = Vector512.FusedMultiplyAdd(wa, v, a0); b0 = Vector512.FusedMultiplyAdd(wb, v, b0);
                        v = Vector512.Create(p[16]); a1 = Vector512.FusedMultiplyAdd(wa, v, a1); b1 = Vector512.FusedMultiplyAdd(wb, v, b1);
                        v = Vector512.Create(p[32]); a2 = Vector512.FusedMultiplyAdd(wa, v, a2); b2 = Vector512.FusedMultiplyAdd(wb, v, b2);
                        v = Vector512.Create(p[48]); a3 = Vector512.FusedMultiplyAdd(wa, v, a3); b3 = Vector512.FusedMultiplyAdd(wb, v, b3);
                        v = Vector512.Create(p[64]); a4 = Vector512.FusedMultiplyAdd(wa, v, a4); b4 = Vector512.FusedMultiplyAdd(wb, v, b4);
                        v = Vector512.Create(p[80]); a5 = Vector512.FusedMultiplyAdd(wa, v, a5); b5 = Vector512.FusedMultiplyAdd(wb, v, b5);
                        v = Vector512.Create(p[96]); a6 = Vector512.FusedMultiplyAdd(wa, v, a6); b6 = Vector512.FusedMultiplyAdd(wb, v, b6);
                        v = Vector512.Create(p[112]); a7 = Vector512.FusedMultiplyAdd(wa, v, a7); b7 = Vector512.FusedMultiplyAdd(wb, v, b7);
                        v = Vector512.Create(p[128]); a8 = Vector512.FusedMultiplyAdd(wa, v, a8); b8 = Vector512.FusedMultiplyAdd(wb, v, b8);
                        v = Vector512.Create(p[144]); a9 = Vector512.FusedMultiplyAdd(wa, v, a9); b9 = Vector512.FusedMultiplyAdd(wb, v, b9);
                        v = Vector512.Create(p[160]); a10 = Vector512.FusedMultiplyAdd(wa, v, a10); b10 = Vector512.FusedMultiplyAdd(wb, v, b10);
                        v = Vector512.Create(p[176]); a11 = Vector512.FusedMultiplyAdd(wa, v, a11); b11 = Vector512.FusedMultiplyAdd(wb, v, b11);
                        v = Vector512.Create(p[192]); a12 = Vector512.FusedMultiplyAdd(wa, v, a12); b12 = Vector512.FusedMultiplyAdd(wb, v, b12);
                        v = Vector512.Create(p[208]); a13 = Vector512.FusedMultiplyAdd(wa, v, a13); b13 = Vector512.FusedMultiplyAdd(wb, v, b13);
                    }
                }
            }
        }
        var sa = Vector512.Load(scale);
        var ta = Vector512.Load(shift);
        Finish14(out0, sa, ta, relu, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13);
        var sb = Vector512.Load(scale + Lanes);
        var tb = Vector512.Load(shift + Lanes);
        Finish14(out1, sb, tb, relu, b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13);
    }

    /// <summary>As <see cref="ConvRun32"/>, for one block of 16 output channels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ConvRun16(float* input, int inputPlane, int rowStride, int blocks, int lastBlockChannels, int kh, int kw,
        float* weights, float* scale, float* shift, float* out0, bool relu)
    {
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default,
            a7 = default, a8 = default, a9 = default, a10 = default, a11 = default, a12 = default, a13 = default;
        float* w = weights;
        for (int cb = 0; cb < blocks; cb++)
        {
            int channels = cb == blocks - 1 ? lastBlockChannels : Lanes;
            for (int ky = 0; ky < kh; ky++)
            {
                for (int kx = 0; kx < kw; kx++)
                {
                    float* p = input + (long)cb * inputPlane + (ky * rowStride + kx) * Lanes;
                    for (int ci = 0; ci < channels; ci++, p++, w += Lanes)
                    {
                        var wa = Vector512.Load(w);
                        a0 = Vector512.FusedMultiplyAdd(wa, Vector512.Create(p[0]), a0);
                        a1 = Vector512.FusedMultiplyAdd(wa, Vector512.Create(p[16]), a1);
                        a2 = Vector512.FusedMultiplyAdd(wa, Vector512.Create(p[32]), a2);
                        a3 = Vector512.FusedMultiplyAdd(wa, Vector512.Create(p[48]), a3);
                        a4 = Vector512.FusedMultiplyAdd(wa, Vector512.Create(p[64]), a4);
                        a5 = Vector512.FusedMultiplyAdd(wa, Vector512.Create(p[80]), a5);
                        a6 = Vector512.FusedMultiplyAdd(wa, Vector512.Create(p[96]), a6);
                        a7 = Vector512.FusedMultiplyAdd(wa, Vector512.Create(p[112]), a7);
                        a8 = Vector512.FusedMultiplyAdd(wa, Vector512.Create(p[128]), a8);
                        a9 = Vector512.FusedMultiplyAdd(wa, Vector512.Create(p[144]), a9);
                        a10 = Vector512.FusedMultiplyAdd(wa, Vector512.Create(p[160]), a10);
                        a11 = Vector512.FusedMultiplyAdd(wa, Vector512.Create(p[176]), a11);
                        a12 = Vector512.FusedMultiplyAdd(wa, Vector512.Create(p[192]), a12);
                        a13 = Vector512.FusedMultiplyAdd(wa, Vector512.Create(p[208]), a13);
                    }
                }
            }
        }
        Finish14(out0, Vector512.Load(scale), Vector512.Load(shift), relu, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish14(float* o, Vector512<float> scale, Vector512<float> shift, bool relu,
        Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3, Vector512<float> a4, Vector512<float> a5, Vector512<float> a6,
        Vector512<float> a7, Vector512<float> a8, Vector512<float> a9, Vector512<float> a10, Vector512<float> a11, Vector512<float> a12, Vector512<float> a13)
    {
        Finish(o, a0, scale, shift, relu); Finish(o + 16, a1, scale, shift, relu); Finish(o + 32, a2, scale, shift, relu);
        Finish(o + 48, a3, scale, shift, relu); Finish(o + 64, a4, scale, shift, relu); Finish(o + 80, a5, scale, shift, relu);
        Finish(o + 96, a6, scale, shift, relu); Finish(o + 112, a7, scale, shift, relu); Finish(o + 128, a8, scale, shift, relu);
        Finish(o + 144, a9, scale, shift, relu); Finish(o + 160, a10, scale, shift, relu); Finish(o + 176, a11, scale, shift, relu);
        Finish(o + 192, a12, scale, shift, relu); Finish(o + 208, a13, scale, shift, relu);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish(float* o, Vector512<float> acc, Vector512<float> scale, Vector512<float> shift, bool relu)
    {
        var y = Vector512.FusedMultiplyAdd(acc, scale, shift);
        // Vector512.Max follows IEEE 754 maximum: a NaN stays NaN, as in libtorch's ReLU.
        if (relu) y = Vector512.Max(y, Vector512<float>.Zero);
        Vector512.Store(y, o);
    }

    /// <summary>The maximum of a 2 x 2 window of blocked pixels, <paramref name="rowStride"/> pixels apart vertically.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Max2x2(float* topLeft, int rowStride) =>
        Vector512.Max(Vector512.Max(Vector512.Load(topLeft), Vector512.Load(topLeft + Lanes)),
            Vector512.Max(Vector512.Load(topLeft + rowStride * Lanes), Vector512.Load(topLeft + (rowStride + 1) * Lanes)));

    /// <summary>
    /// A dense layer over a block of rows: <c>y[r][o] = relu?(dot(x[r], w[o]) + bias[o])</c>, with <c>x</c> row-major
    /// (<paramref name="xStride"/> floats per row), <c>w</c> as libtorch holds a Linear weight (<c>[outputs][inputs]</c>),
    /// <c>y</c> row-major (<paramref name="yStride"/>). One row is a matrix-vector product; more go in tiles of 4 rows by
    /// 4 outputs, in blocks of inputs that stay in the first-level cache.
    /// </summary>
    public static void Dense(float* x, int xStride, int rows, float* w, float* bias, int outputs, int inputs, float* y, int yStride, bool relu)
    {
        if (rows == 1)
        {
            var row = new ReadOnlySpan<float>(x, inputs);
            for (int o = 0; o < outputs; o++)
            {
                float s = TensorPrimitives.Dot(new ReadOnlySpan<float>(w + (long)o * inputs, inputs), row);
                if (bias != null) s += bias[o];
                y[o] = relu ? Relu(s) : s;
            }
            return;
        }
        // Inputs in blocks of at most 1024 (16 KB per tile row): a 4 x 4 tile's 8 streams then stay in L1.
        int kBlocks = (inputs + 1023) / 1024;
        int kStep = (inputs / kBlocks + Lanes - 1) / Lanes * Lanes;
        const int RowBlock = 32;
        for (int r0 = 0; r0 < rows; r0 += RowBlock)
        {
            int r1 = Math.Min(rows, r0 + RowBlock);
            for (int k0 = 0; k0 < inputs; k0 += kStep)
            {
                int k = Math.Min(kStep, inputs - k0);
                bool first = k0 == 0, last = k0 + k == inputs;
                for (int o = 0; o < outputs; o += 4)
                {
                    int on = Math.Min(4, outputs - o);
                    for (int r = r0; r < r1; r += 4)
                    {
                        Tile(x + (long)r * xStride + k0, xStride, Math.Min(4, r1 - r), w + (long)o * inputs + k0, inputs, on, k,
                            y + (long)r * yStride + o, yStride, first ? bias == null ? null : bias + o : null, first, last && relu);
                    }
                }
            }
        }
    }

    private static float Relu(float s) => s > 0 || float.IsNaN(s) ? s : 0;

    /// <summary>
    /// Up to 4 rows by up to 4 outputs over <paramref name="k"/> inputs; rows and outputs past the counts repeat the
    /// last real one (computed, never stored). The sums are written (<paramref name="first"/>) or added to <c>y</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile(float* x, int xStride, int rn, float* w, int wStride, int on, int k, float* y, int yStride, float* bias, bool first, bool relu)
    {
        float* x0 = x, x1 = x + (rn > 1 ? xStride : 0), x2 = x + (rn > 2 ? 2 * xStride : 0), x3 = x + (rn > 3 ? 3 * xStride : 0);
        float* w0 = w, w1 = w + (on > 1 ? wStride : 0), w2 = w + (on > 2 ? 2 * wStride : 0), w3 = w + (on > 3 ? 3 * wStride : 0);
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default, c10 = default, c11 = default, c12 = default, c13 = default,
            c20 = default, c21 = default, c22 = default, c23 = default, c30 = default, c31 = default, c32 = default, c33 = default;
        int full = k & ~(Lanes - 1);
        int i = 0;
        for (; i < full; i += Lanes)
        {
            var a0 = Vector512.Load(w0 + i);
            var a1 = Vector512.Load(w1 + i);
            var a2 = Vector512.Load(w2 + i);
            var a3 = Vector512.Load(w3 + i);
            var b = Vector512.Load(x0 + i);
            c00 = Vector512.FusedMultiplyAdd(a0, b, c00); c01 = Vector512.FusedMultiplyAdd(a1, b, c01);
            c02 = Vector512.FusedMultiplyAdd(a2, b, c02); c03 = Vector512.FusedMultiplyAdd(a3, b, c03);
            b = Vector512.Load(x1 + i);
            c10 = Vector512.FusedMultiplyAdd(a0, b, c10); c11 = Vector512.FusedMultiplyAdd(a1, b, c11);
            c12 = Vector512.FusedMultiplyAdd(a2, b, c12); c13 = Vector512.FusedMultiplyAdd(a3, b, c13);
            b = Vector512.Load(x2 + i);
            c20 = Vector512.FusedMultiplyAdd(a0, b, c20); c21 = Vector512.FusedMultiplyAdd(a1, b, c21);
            c22 = Vector512.FusedMultiplyAdd(a2, b, c22); c23 = Vector512.FusedMultiplyAdd(a3, b, c23);
            b = Vector512.Load(x3 + i);
            c30 = Vector512.FusedMultiplyAdd(a0, b, c30); c31 = Vector512.FusedMultiplyAdd(a1, b, c31);
            c32 = Vector512.FusedMultiplyAdd(a2, b, c32); c33 = Vector512.FusedMultiplyAdd(a3, b, c33);
        }
        if (i < k)
        {
            // The last partial vector: masked loads read nothing past the row (zeros instead).
            var mask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(k - i)).AsSingle();
            var zero = Vector512<float>.Zero;
            var a0 = Avx512F.MaskLoad(w0 + i, mask, zero);
            var a1 = Avx512F.MaskLoad(w1 + i, mask, zero);
            var a2 = Avx512F.MaskLoad(w2 + i, mask, zero);
            var a3 = Avx512F.MaskLoad(w3 + i, mask, zero);
            var b = Avx512F.MaskLoad(x0 + i, mask, zero);
            c00 = Vector512.FusedMultiplyAdd(a0, b, c00); c01 = Vector512.FusedMultiplyAdd(a1, b, c01);
            c02 = Vector512.FusedMultiplyAdd(a2, b, c02); c03 = Vector512.FusedMultiplyAdd(a3, b, c03);
            b = Avx512F.MaskLoad(x1 + i, mask, zero);
            c10 = Vector512.FusedMultiplyAdd(a0, b, c10); c11 = Vector512.FusedMultiplyAdd(a1, b, c11);
            c12 = Vector512.FusedMultiplyAdd(a2, b, c12); c13 = Vector512.FusedMultiplyAdd(a3, b, c13);
            b = Avx512F.MaskLoad(x2 + i, mask, zero);
            c20 = Vector512.FusedMultiplyAdd(a0, b, c20); c21 = Vector512.FusedMultiplyAdd(a1, b, c21);
            c22 = Vector512.FusedMultiplyAdd(a2, b, c22); c23 = Vector512.FusedMultiplyAdd(a3, b, c23);
            b = Avx512F.MaskLoad(x3 + i, mask, zero);
            c30 = Vector512.FusedMultiplyAdd(a0, b, c30); c31 = Vector512.FusedMultiplyAdd(a1, b, c31);
            c32 = Vector512.FusedMultiplyAdd(a2, b, c32); c33 = Vector512.FusedMultiplyAdd(a3, b, c33);
        }
        var add = bias == null ? Vector128<float>.Zero
            : Vector128.Create(bias[0], on > 1 ? bias[1] : 0, on > 2 ? bias[2] : 0, on > 3 ? bias[3] : 0);
        Emit(y, on, Sum4(c00, c01, c02, c03) + add, first, relu);
        if (rn > 1) Emit(y + yStride, on, Sum4(c10, c11, c12, c13) + add, first, relu);
        if (rn > 2) Emit(y + 2 * yStride, on, Sum4(c20, c21, c22, c23) + add, first, relu);
        if (rn > 3) Emit(y + 3 * yStride, on, Sum4(c30, c31, c32, c33) + add, first, relu);
    }

    /// <summary>The sums of four vectors' lanes, in one 4-lane vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Sum4(Vector512<float> a, Vector512<float> b, Vector512<float> c, Vector512<float> d)
    {
        var a8 = a.GetLower() + a.GetUpper();
        var b8 = b.GetLower() + b.GetUpper();
        var c8 = c.GetLower() + c.GetUpper();
        var d8 = d.GetLower() + d.GetUpper();
        var a4 = a8.GetLower() + a8.GetUpper();
        var b4 = b8.GetLower() + b8.GetUpper();
        var c4 = c8.GetLower() + c8.GetUpper();
        var d4 = d8.GetLower() + d8.GetUpper();
        return Sse3.HorizontalAdd(Sse3.HorizontalAdd(a4, b4), Sse3.HorizontalAdd(c4, d4));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Emit(float* y, int on, Vector128<float> v, bool first, bool relu)
    {
        if (!first) v += on == 4 ? Vector128.Load(y) : Vector128.Create(y[0], on > 1 ? y[1] : 0, on > 2 ? y[2] : 0, 0);
        if (relu) v = Vector128.Max(v, Vector128<float>.Zero);
        if (on == 4)
        {
            Vector128.Store(v, y);
            return;
        }
        for (int j = 0; j < on; j++) y[j] = v[j];
    }

    /// <summary>Softmax of <paramref name="logits"/> into <paramref name="probabilities"/>, as libtorch computes it: <c>exp(x - max) / sum</c>.</summary>
    public static void Softmax(ReadOnlySpan<float> logits, Span<float> probabilities)
    {
        // IEEE maximum: a NaN logit makes every probability NaN, as in libtorch.
        float max = TensorPrimitives.Max(logits);
        TensorPrimitives.Subtract(logits, max, probabilities);
        TensorPrimitives.Exp(probabilities, probabilities);
        float sum = TensorPrimitives.Sum(probabilities);
        TensorPrimitives.Divide(probabilities, sum, probabilities);
    }
}
