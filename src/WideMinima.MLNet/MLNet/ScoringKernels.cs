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

    /// <summary>Rows a block of <see cref="DenseColumns"/> holds: two vectors.</summary>
    public const int BlockRows = 2 * Lanes;

    /// <summary>
    /// A dense layer on one row: <c>y[o] = relu?(dot(x, w[o]) + bias[o])</c>, with <c>w</c> as libtorch holds a Linear
    /// weight (<c>[outputs][inputs]</c>): a matrix-vector product that streams each weight row once.
    /// </summary>
    public static void Dense(float* x, float* w, float* bias, int outputs, int inputs, float* y, bool relu) =>
        Gemv(x, w, bias, outputs, inputs, y, relu);

    /// <summary>
    /// A dense layer on a block of up to <see cref="BlockRows"/> rows held by columns: <c>x[k][r]</c> (input k of row r)
    /// to <c>y[o][r]</c>, which is the next layer's input as it wants it. Tiles of 12 outputs by the block's 32 rows
    /// broadcast one weight against a vector of 16 rows' inputs (24 accumulators, no horizontal sums), over blocks of
    /// 512 inputs so that the 12 weight rows stay in the first-level cache. Rows past the block's real ones compute
    /// whatever their columns hold, and are never read.
    /// </summary>
    public static void DenseColumns(float* x, float* w, float* bias, int outputs, int inputs, float* y, bool relu)
    {
        const int KBlock = 512;
        for (int k0 = 0; k0 < inputs; k0 += KBlock)
        {
            int k1 = Math.Min(inputs, k0 + KBlock);
            for (int o = 0; o < outputs; o += 12)
            {
                ColumnTile(x, w + (long)o * inputs, inputs, Math.Min(12, outputs - o), k0, k1, y + (long)o * BlockRows,
                    k1 == inputs, bias == null ? null : bias + o, relu);
            }
        }
    }

    private static float Relu(float s) => s > 0 || float.IsNaN(s) ? s : 0;

    /// <summary>One row: four weight rows at a time, each streamed once, two accumulators each.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Gemv(float* x, float* w, float* bias, int outputs, int inputs, float* y, bool relu)
    {
        int o = 0, full = inputs & ~(2 * Lanes - 1), vectors = inputs & ~(Lanes - 1);
        var mask = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(inputs - vectors)).AsSingle();
        for (; o + 4 <= outputs; o += 4)
        {
            float* w0 = w + (long)o * inputs, w1 = w0 + inputs, w2 = w1 + inputs, w3 = w2 + inputs;
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, b0 = default, b1 = default, b2 = default, b3 = default;
            int i = 0;
            for (; i < full; i += 2 * Lanes)
            {
                var u = Vector512.Load(x + i);
                var v = Vector512.Load(x + i + Lanes);
                a0 = Vector512.FusedMultiplyAdd(Vector512.Load(w0 + i), u, a0);
                a1 = Vector512.FusedMultiplyAdd(Vector512.Load(w1 + i), u, a1);
                a2 = Vector512.FusedMultiplyAdd(Vector512.Load(w2 + i), u, a2);
                a3 = Vector512.FusedMultiplyAdd(Vector512.Load(w3 + i), u, a3);
                b0 = Vector512.FusedMultiplyAdd(Vector512.Load(w0 + i + Lanes), v, b0);
                b1 = Vector512.FusedMultiplyAdd(Vector512.Load(w1 + i + Lanes), v, b1);
                b2 = Vector512.FusedMultiplyAdd(Vector512.Load(w2 + i + Lanes), v, b2);
                b3 = Vector512.FusedMultiplyAdd(Vector512.Load(w3 + i + Lanes), v, b3);
            }
            if (i < vectors)
            {
                var u = Vector512.Load(x + i);
                a0 = Vector512.FusedMultiplyAdd(Vector512.Load(w0 + i), u, a0);
                a1 = Vector512.FusedMultiplyAdd(Vector512.Load(w1 + i), u, a1);
                a2 = Vector512.FusedMultiplyAdd(Vector512.Load(w2 + i), u, a2);
                a3 = Vector512.FusedMultiplyAdd(Vector512.Load(w3 + i), u, a3);
                i += Lanes;
            }
            if (i < inputs)
            {
                var zero = Vector512<float>.Zero;
                var u = Avx512F.MaskLoad(x + i, mask, zero);
                b0 = Vector512.FusedMultiplyAdd(Avx512F.MaskLoad(w0 + i, mask, zero), u, b0);
                b1 = Vector512.FusedMultiplyAdd(Avx512F.MaskLoad(w1 + i, mask, zero), u, b1);
                b2 = Vector512.FusedMultiplyAdd(Avx512F.MaskLoad(w2 + i, mask, zero), u, b2);
                b3 = Vector512.FusedMultiplyAdd(Avx512F.MaskLoad(w3 + i, mask, zero), u, b3);
            }
            var sums = Sum4(a0 + b0, a1 + b1, a2 + b2, a3 + b3);
            if (bias != null) sums += Vector128.Load(bias + o);
            if (relu) sums = Vector128.Max(sums, Vector128<float>.Zero);
            Vector128.Store(sums, y + o);
        }
        for (; o < outputs; o++)
        {
            float s = TensorPrimitives.Dot(new ReadOnlySpan<float>(w + (long)o * inputs, inputs), new ReadOnlySpan<float>(x, inputs));
            if (bias != null) s += bias[o];
            y[o] = relu ? Relu(s) : s;
        }
    }

    /// <summary>
    /// Up to 12 outputs (<paramref name="on"/>; the others repeat the last real weight row, computed and never stored)
    /// by 32 rows, over inputs [<paramref name="k0"/>, <paramref name="k1"/>): started from zero on the first block, else
    /// from <c>y</c>; on the <paramref name="last"/> block the bias (if any) is added and the ReLU applied.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ColumnTile(float* x, float* w, int ldw, int on, int k0, int k1, float* y, bool last, float* bias, bool relu)
    {
        float* w0 = w, w1 = w + Math.Min(1, on - 1) * ldw, w2 = w + Math.Min(2, on - 1) * ldw, w3 = w + Math.Min(3, on - 1) * ldw;
        float* w4 = w + Math.Min(4, on - 1) * ldw, w5 = w + Math.Min(5, on - 1) * ldw, w6 = w + Math.Min(6, on - 1) * ldw;
        float* w7 = w + Math.Min(7, on - 1) * ldw, w8 = w + Math.Min(8, on - 1) * ldw, w9 = w + Math.Min(9, on - 1) * ldw;
        float* w10 = w + Math.Min(10, on - 1) * ldw, w11 = w + Math.Min(11, on - 1) * ldw;
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default,
            a6 = default, a7 = default, a8 = default, a9 = default, a10 = default, a11 = default;
        Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default,
            b6 = default, b7 = default, b8 = default, b9 = default, b10 = default, b11 = default;
        if (k0 > 0)
        {
            // The sums so far (of real outputs only: a last tile's others lie past the layer's end).
            a0 = Part(y, 0, 0, on); b0 = Part(y, 0, 1, on); a1 = Part(y, 1, 0, on); b1 = Part(y, 1, 1, on);
            a2 = Part(y, 2, 0, on); b2 = Part(y, 2, 1, on); a3 = Part(y, 3, 0, on); b3 = Part(y, 3, 1, on);
            a4 = Part(y, 4, 0, on); b4 = Part(y, 4, 1, on); a5 = Part(y, 5, 0, on); b5 = Part(y, 5, 1, on);
            a6 = Part(y, 6, 0, on); b6 = Part(y, 6, 1, on); a7 = Part(y, 7, 0, on); b7 = Part(y, 7, 1, on);
            a8 = Part(y, 8, 0, on); b8 = Part(y, 8, 1, on); a9 = Part(y, 9, 0, on); b9 = Part(y, 9, 1, on);
            a10 = Part(y, 10, 0, on); b10 = Part(y, 10, 1, on); a11 = Part(y, 11, 0, on); b11 = Part(y, 11, 1, on);
        }
        float* p = x + (long)k0 * BlockRows;
        for (int k = k0; k < k1; k++, p += BlockRows)
        {
            var u = Vector512.Load(p);
            var v = Vector512.Load(p + Lanes);
            var s = Vector512.Create(w0[k]); a0 = Vector512.FusedMultiplyAdd(s, u, a0); b0 = Vector512.FusedMultiplyAdd(s, v, b0);
            s = Vector512.Create(w1[k]); a1 = Vector512.FusedMultiplyAdd(s, u, a1); b1 = Vector512.FusedMultiplyAdd(s, v, b1);
            s = Vector512.Create(w2[k]); a2 = Vector512.FusedMultiplyAdd(s, u, a2); b2 = Vector512.FusedMultiplyAdd(s, v, b2);
            s = Vector512.Create(w3[k]); a3 = Vector512.FusedMultiplyAdd(s, u, a3); b3 = Vector512.FusedMultiplyAdd(s, v, b3);
            s = Vector512.Create(w4[k]); a4 = Vector512.FusedMultiplyAdd(s, u, a4); b4 = Vector512.FusedMultiplyAdd(s, v, b4);
            s = Vector512.Create(w5[k]); a5 = Vector512.FusedMultiplyAdd(s, u, a5); b5 = Vector512.FusedMultiplyAdd(s, v, b5);
            s = Vector512.Create(w6[k]); a6 = Vector512.FusedMultiplyAdd(s, u, a6); b6 = Vector512.FusedMultiplyAdd(s, v, b6);
            s = Vector512.Create(w7[k]); a7 = Vector512.FusedMultiplyAdd(s, u, a7); b7 = Vector512.FusedMultiplyAdd(s, v, b7);
            s = Vector512.Create(w8[k]); a8 = Vector512.FusedMultiplyAdd(s, u, a8); b8 = Vector512.FusedMultiplyAdd(s, v, b8);
            s = Vector512.Create(w9[k]); a9 = Vector512.FusedMultiplyAdd(s, u, a9); b9 = Vector512.FusedMultiplyAdd(s, v, b9);
            s = Vector512.Create(w10[k]); a10 = Vector512.FusedMultiplyAdd(s, u, a10); b10 = Vector512.FusedMultiplyAdd(s, v, b10);
            s = Vector512.Create(w11[k]); a11 = Vector512.FusedMultiplyAdd(s, u, a11); b11 = Vector512.FusedMultiplyAdd(s, v, b11);
        }
        Column(y, 0, on, a0, b0, last, bias, relu); Column(y, 1, on, a1, b1, last, bias, relu); Column(y, 2, on, a2, b2, last, bias, relu);
        Column(y, 3, on, a3, b3, last, bias, relu); Column(y, 4, on, a4, b4, last, bias, relu); Column(y, 5, on, a5, b5, last, bias, relu);
        Column(y, 6, on, a6, b6, last, bias, relu); Column(y, 7, on, a7, b7, last, bias, relu); Column(y, 8, on, a8, b8, last, bias, relu);
        Column(y, 9, on, a9, b9, last, bias, relu); Column(y, 10, on, a10, b10, last, bias, relu); Column(y, 11, on, a11, b11, last, bias, relu);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Part(float* y, int j, int half, int on) =>
        j < on ? Vector512.Load(y + j * BlockRows + half * Lanes) : default;

    /// <summary>Output <paramref name="j"/> of a tile (if it is a real one): its 32 rows, finished on the last input block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Column(float* y, int j, int on, Vector512<float> a, Vector512<float> b, bool last, float* bias, bool relu)
    {
        if (j >= on) return;
        if (last)
        {
            if (bias != null)
            {
                var add = Vector512.Create(bias[j]);
                a += add;
                b += add;
            }
            if (relu)
            {
                // IEEE maximum: NaN stays NaN, as in libtorch's ReLU.
                a = Vector512.Max(a, Vector512<float>.Zero);
                b = Vector512.Max(b, Vector512<float>.Zero);
            }
        }
        Vector512.Store(a, y + j * BlockRows);
        Vector512.Store(b, y + j * BlockRows + Lanes);
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
