using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace WideMinima.MLNet;

/// <summary>
/// The arithmetic of <see cref="ManagedNetwork"/>: AVX-512 kernels (with AVX2 forms of the hot ones) for a same-padded, stride-1 convolution, 2 x 2 max
/// pooling, dense layers and softmax. Every kernel reads the weights' own memory or a re-laid copy of it, and adds up
/// the same products as libtorch in another order, so results agree with libtorch's to float rounding.
/// </summary>
/// <remarks>
/// Image activations are kept in blocks of 16 channels: <c>[channel block][row][column][16]</c>, so that one 512-bit
/// vector holds 16 channels of one pixel. The convolution kernel computes 14 neighbouring output pixels of one row for
/// 16 or 32 output channels at once (28 accumulators), broadcasting one input value per pixel and channel against a
/// vector of 16 weights: the weights are re-laid once as <c>[output block][input block][ky][kx][input channel][16]</c>.
/// Callers check <see cref="IsSupported"/> first. On a CPU with AVX2 and FMA but no AVX-512 (where .NET emulates
/// 512-bit vectors as two 256-bit halves, too slowly for 28 accumulators), the convolution, the dense layers and the
/// pooling run AVX2 forms with the same layouts: 5 pixels by 16 channels per convolution run, 2 weight rows per
/// matrix-vector pass, 6 outputs by 16 rows per column tile. Each does the same fused multiply-adds in the same order
/// per lane and reduces as the 512-bit form does, so the two agree to the bit: on a CPU with AVX-512 a test scores the
/// same networks again in a process with <c>DOTNET_EnableAVX512=0</c>, on the AVX2 forms, and compares every bit
/// (<c>KernelIsaTests</c>); the other tests check each form against libtorch on a CPU that runs it.
/// Winograd F(2x2, 3x3)'s transforms (<see cref="WinogradInput"/>, <see cref="WinogradOutput"/>) and its products
/// (<see cref="Pointwise"/>) serve <see cref="ManagedNetwork"/>'s 3 x 3 convolutions.
/// </remarks>
internal static unsafe class ScoringKernels
{
    /// <summary>Output pixels per convolution run.</summary>
    public const int Run = 14;

    /// <summary>Channels per block, and floats per vector.</summary>
    public const int Lanes = 16;

    /// <summary>
    /// Whether this CPU runs the kernels: AVX-512 with .NET's 512-bit vectors accelerated, or AVX2 with FMA, where .NET
    /// carries each 512-bit vector as two 256-bit halves (the same lanes and the same fused multiply-adds, so the same bits).
    /// </summary>
    public static bool IsSupported => (Avx512F.IsSupported && Vector512.IsHardwareAccelerated) || (Avx2.IsSupported && Fma.IsSupported && Vector256.IsHardwareAccelerated);

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
        if (!Vector512.IsHardwareAccelerated)
        {
            ConvRun16(input, inputPlane, rowStride, blocks, lastBlockChannels, kh, kw, weights, scale, shift, out0, relu);
            ConvRun16(input, inputPlane, rowStride, blocks, lastBlockChannels, kh, kw, weights + weightBlock, scale + Lanes, shift + Lanes, out1, relu);
            return;
        }
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

    /// <summary>Pixels per <see cref="ConvRun7"/> (a 1 x 1 convolution's shorter run, for Winograd's 7 x 7 tiles).</summary>
    public const int ShortRun = 7;

    /// <summary>
    /// As <see cref="ConvRun32"/> for a 1 x 1 convolution, over <see cref="ShortRun"/> pixels (14 accumulators): AVX-512 only.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ConvRun7(float* input, int inputPlane, int blocks, int lastBlockChannels,
        float* weights, int weightBlock, float* scale, float* shift, float* out0, float* out1, bool relu)
    {
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default;
        Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default, b6 = default;
        float* w = weights;
        for (int cb = 0; cb < blocks; cb++)
        {
            int channels = cb == blocks - 1 ? lastBlockChannels : Lanes;
            float* p = input + (long)cb * inputPlane;
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
            }
        }
        var sa = Vector512.Load(scale);
        var ta = Vector512.Load(shift);
        Finish(out0, a0, sa, ta, relu); Finish(out0 + 16, a1, sa, ta, relu); Finish(out0 + 32, a2, sa, ta, relu); Finish(out0 + 48, a3, sa, ta, relu);
        Finish(out0 + 64, a4, sa, ta, relu); Finish(out0 + 80, a5, sa, ta, relu); Finish(out0 + 96, a6, sa, ta, relu);
        var sb = Vector512.Load(scale + Lanes);
        var tb = Vector512.Load(shift + Lanes);
        Finish(out1, b0, sb, tb, relu); Finish(out1 + 16, b1, sb, tb, relu); Finish(out1 + 32, b2, sb, tb, relu); Finish(out1 + 48, b3, sb, tb, relu);
        Finish(out1 + 64, b4, sb, tb, relu); Finish(out1 + 80, b5, sb, tb, relu); Finish(out1 + 96, b6, sb, tb, relu);
    }

    /// <summary>
    /// A 1 x 1 convolution over <paramref name="pixels"/> (at least <see cref="Run"/>) consecutive blocked pixels, for one
    /// output block, or two when <paramref name="out1"/> is not null. On AVX-512: runs of <see cref="Run"/> pixels, and
    /// for two blocks a last run of <see cref="ShortRun"/> where fewer than <see cref="Run"/> are left; on AVX2: runs of 5.
    /// A last run that does not fit ends at the last pixel, overlapping the one before (which it computes again to the
    /// same bits).
    /// </summary>
    public static void Pointwise(float* input, int inputPlane, int blocks, int lastBlockChannels, int pixels,
        float* weights, int weightBlock, float* scale, float* shift, float* out0, float* out1, bool relu)
    {
        for (int p0 = 0; p0 < pixels;)
        {
            int left = pixels - p0;
            int run = !Vector512.IsHardwareAccelerated ? 5 : out1 is null || left >= Run ? Run : ShortRun;
            int p = Math.Min(p0, pixels - run), at = p * Lanes;
            p0 += run;
            if (!Vector512.IsHardwareAccelerated)
            {
                Conv5(input + at, inputPlane, 0, blocks, lastBlockChannels, 1, 1, weights, scale, shift, out0 + at, relu);
                if (out1 is not null) Conv5(input + at, inputPlane, 0, blocks, lastBlockChannels, 1, 1, weights + weightBlock, scale + Lanes, shift + Lanes, out1 + at, relu);
            }
            else if (out1 is null)
            {
                ConvRun16(input + at, inputPlane, 0, blocks, lastBlockChannels, 1, 1, weights, scale, shift, out0 + at, relu);
            }
            else if (run == Run)
            {
                ConvRun32(input + at, inputPlane, 0, blocks, lastBlockChannels, 1, 1, weights, weightBlock, scale, shift, out0 + at, out1 + at, relu);
            }
            else
            {
                ConvRun7(input + at, inputPlane, blocks, lastBlockChannels, weights, weightBlock, scale, shift, out0 + at, out1 + at, relu);
            }
        }
    }

    /// <summary>As <see cref="ConvRun32"/>, for one block of 16 output channels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ConvRun16(float* input, int inputPlane, int rowStride, int blocks, int lastBlockChannels, int kh, int kw,
        float* weights, float* scale, float* shift, float* out0, bool relu)
    {
        if (!Vector512.IsHardwareAccelerated)
        {
            // AVX2: three runs of five pixels (the last overlaps the second by one, computing it again to the same bits).
            Conv5(input, inputPlane, rowStride, blocks, lastBlockChannels, kh, kw, weights, scale, shift, out0, relu);
            Conv5(input + 5 * Lanes, inputPlane, rowStride, blocks, lastBlockChannels, kh, kw, weights, scale, shift, out0 + 5 * Lanes, relu);
            Conv5(input + 9 * Lanes, inputPlane, rowStride, blocks, lastBlockChannels, kh, kw, weights, scale, shift, out0 + 9 * Lanes, relu);
            return;
        }
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

    /// <summary>
    /// AVX2's convolution run: five output pixels for 16 output channels, each channel block as two 256-bit halves (ten
    /// accumulators, two weight vectors and a broadcast: within AVX2's sixteen registers). The same fused multiply-adds
    /// in the same order as the 512-bit run, lane by lane, so the same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Conv5(float* input, int inputPlane, int rowStride, int blocks, int lastBlockChannels, int kh, int kw,
        float* weights, float* scale, float* shift, float* o, bool relu)
    {
        Vector256<float> l0 = default, l1 = default, l2 = default, l3 = default, l4 = default;
        Vector256<float> h0 = default, h1 = default, h2 = default, h3 = default, h4 = default;
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
                        var wl = Vector256.Load(w);
                        var wh = Vector256.Load(w + 8);
                        var v = Vector256.Create(p[0]); l0 = Vector256.FusedMultiplyAdd(wl, v, l0); h0 = Vector256.FusedMultiplyAdd(wh, v, h0);
                        v = Vector256.Create(p[16]); l1 = Vector256.FusedMultiplyAdd(wl, v, l1); h1 = Vector256.FusedMultiplyAdd(wh, v, h1);
                        v = Vector256.Create(p[32]); l2 = Vector256.FusedMultiplyAdd(wl, v, l2); h2 = Vector256.FusedMultiplyAdd(wh, v, h2);
                        v = Vector256.Create(p[48]); l3 = Vector256.FusedMultiplyAdd(wl, v, l3); h3 = Vector256.FusedMultiplyAdd(wh, v, h3);
                        v = Vector256.Create(p[64]); l4 = Vector256.FusedMultiplyAdd(wl, v, l4); h4 = Vector256.FusedMultiplyAdd(wh, v, h4);
                    }
                }
            }
        }
        var sl = Vector256.Load(scale);
        var sh = Vector256.Load(scale + 8);
        var tl = Vector256.Load(shift);
        var th = Vector256.Load(shift + 8);
        Finish(o, l0, h0, sl, sh, tl, th, relu); Finish(o + 16, l1, h1, sl, sh, tl, th, relu); Finish(o + 32, l2, h2, sl, sh, tl, th, relu);
        Finish(o + 48, l3, h3, sl, sh, tl, th, relu); Finish(o + 64, l4, h4, sl, sh, tl, th, relu);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish(float* o, Vector256<float> lo, Vector256<float> hi, Vector256<float> sl, Vector256<float> sh,
        Vector256<float> tl, Vector256<float> th, bool relu)
    {
        var a = Vector256.FusedMultiplyAdd(lo, sl, tl);
        var b = Vector256.FusedMultiplyAdd(hi, sh, th);
        if (relu)
        {
            a = Vector256.Max(a, Vector256<float>.Zero);
            b = Vector256.Max(b, Vector256<float>.Zero);
        }
        Vector256.Store(a, o);
        Vector256.Store(b, o + 8);
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
    /// One blocked pixel's 16 channels to <paramref name="destination"/>: the maximum of its 2 x 2 window when
    /// <paramref name="pool"/> (<see cref="Max2x2"/>), else the pixel at <paramref name="topLeft"/> as it is. On AVX2 as
    /// two 256-bit halves (the same maxima, lane by lane).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Pixel(float* topLeft, int rowStride, bool pool, float* destination)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512.Store(pool ? Max2x2(topLeft, rowStride) : Vector512.Load(topLeft), destination);
            return;
        }
        for (int h = 0; h < Lanes; h += 8)
        {
            float* t = topLeft + h;
            var v = pool
                ? Vector256.Max(Vector256.Max(Vector256.Load(t), Vector256.Load(t + Lanes)),
                    Vector256.Max(Vector256.Load(t + rowStride * Lanes), Vector256.Load(t + (rowStride + 1) * Lanes)))
                : Vector256.Load(t);
            Vector256.Store(v, destination + h);
        }
    }

    /// <summary>
    /// Winograd F(2x2, 3x3)'s input transform of one tile: the 4 x 4 blocked pixels from <paramref name="topLeft"/>
    /// (<paramref name="rowStride"/> pixels a row), <c>V = Bᵀ d B</c> with <c>Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]</c>,
    /// value ξ = 4i + j to <c>v + ξ * vStride</c>. Additions only, in 256-bit halves (the same bits on AVX2 and AVX-512).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WinogradInput(float* topLeft, int rowStride, float* v, long vStride)
    {
        for (int h = 0; h < Lanes; h += 8)
        {
            float* d = topLeft + h;
            long row = (long)rowStride * Lanes;
            for (int j = 0; j < 4; j++)
            {
                // Bᵀ d, column j: kept in place of the column's four values.
                var d0 = Vector256.Load(d + j * Lanes);
                var d1 = Vector256.Load(d + row + j * Lanes);
                var d2 = Vector256.Load(d + 2 * row + j * Lanes);
                var d3 = Vector256.Load(d + 3 * row + j * Lanes);
                Column(v + h, vStride, j, d0 - d2, d1 + d2, d2 - d1, d1 - d3);
            }
            for (int i = 0; i < 4; i++)
            {
                // (Bᵀ d) B, row i.
                float* r = v + h + 4 * i * vStride;
                var r0 = Vector256.Load(r);
                var r1 = Vector256.Load(r + vStride);
                var r2 = Vector256.Load(r + 2 * vStride);
                var r3 = Vector256.Load(r + 3 * vStride);
                Vector256.Store(r0 - r2, r);
                Vector256.Store(r1 + r2, r + vStride);
                Vector256.Store(r2 - r1, r + 2 * vStride);
                Vector256.Store(r1 - r3, r + 3 * vStride);
            }
        }

        static void Column(float* v, long vStride, int j, Vector256<float> a, Vector256<float> b, Vector256<float> c, Vector256<float> d)
        {
            Vector256.Store(a, v + j * vStride);
            Vector256.Store(b, v + (4 + j) * vStride);
            Vector256.Store(c, v + (8 + j) * vStride);
            Vector256.Store(d, v + (12 + j) * vStride);
        }
    }

    /// <summary>
    /// Winograd F(2x2, 3x3)'s output transform of one tile: the 16 products from <paramref name="m"/> (value ξ = 4i + j
    /// at <c>m + ξ * mStride</c>) to its 2 x 2 output pixels, <c>Y = Aᵀ M A</c> with <c>Aᵀ = [1 1 1 0; 0 1 -1 -1]</c>, then
    /// <c>relu?(y * scale + shift)</c> to <paramref name="o"/> (<paramref name="rowStride"/> pixels a row), or with
    /// <paramref name="pool"/> their maximum (a 2 x 2 max pooling) as one pixel.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void WinogradOutput(float* m, long mStride, float* scale, float* shift, bool relu, float* o, int rowStride, bool pool)
    {
        for (int h = 0; h < Lanes; h += 8)
        {
            float* p = m + h;
            var (t00, t10) = Column(p, mStride, 0);
            var (t01, t11) = Column(p, mStride, 1);
            var (t02, t12) = Column(p, mStride, 2);
            var (t03, t13) = Column(p, mStride, 3);
            var s = Vector256.Load(scale + h);
            var t = Vector256.Load(shift + h);
            var y00 = Finish(t00 + t01 + t02, s, t, relu);
            var y01 = Finish(t01 - t02 - t03, s, t, relu);
            var y10 = Finish(t10 + t11 + t12, s, t, relu);
            var y11 = Finish(t11 - t12 - t13, s, t, relu);
            float* q = o + h;
            if (pool)
            {
                // As Max2x2: the maxima of the top pair and the bottom pair, then of those.
                Vector256.Store(Vector256.Max(Vector256.Max(y00, y01), Vector256.Max(y10, y11)), q);
                continue;
            }
            long row = (long)rowStride * Lanes;
            Vector256.Store(y00, q);
            Vector256.Store(y01, q + Lanes);
            Vector256.Store(y10, q + row);
            Vector256.Store(y11, q + row + Lanes);
        }

        // Aᵀ M, column j.
        static (Vector256<float> Top, Vector256<float> Bottom) Column(float* m, long mStride, int j)
        {
            var m1 = Vector256.Load(m + (4 + j) * mStride);
            var m2 = Vector256.Load(m + (8 + j) * mStride);
            return (Vector256.Load(m + j * mStride) + m1 + m2, m1 - m2 - Vector256.Load(m + (12 + j) * mStride));
        }

        static Vector256<float> Finish(Vector256<float> y, Vector256<float> scale, Vector256<float> shift, bool relu)
        {
            var z = Vector256.FusedMultiplyAdd(y, scale, shift);
            return relu ? Vector256.Max(z, Vector256<float>.Zero) : z;
        }
    }

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
        int full = inputs & ~(2 * Lanes - 1), vectors = inputs & ~(Lanes - 1);
        for (int o = 0; o < outputs; o += 4)
        {
            // A last group of fewer than 4 outputs repeats its last weight row (computed, never stored), so that every
            // output is reduced the same way on AVX2 and AVX-512.
            int count = Math.Min(4, outputs - o);
            float* w0 = w + (long)o * inputs, w1 = w0 + (long)Math.Min(1, count - 1) * inputs;
            float* w2 = w0 + (long)Math.Min(2, count - 1) * inputs, w3 = w0 + (long)Math.Min(3, count - 1) * inputs;
            Vector128<float> sums;
            if (!Vector512.IsHardwareAccelerated)
            {
                var (s0, s1) = Rows2(x, w0, w1, inputs, full, vectors);
                var (s2, s3) = Rows2(x, w2, w3, inputs, full, vectors);
                sums = Sse3.HorizontalAdd(Sse3.HorizontalAdd(s0, s1), Sse3.HorizontalAdd(s2, s3));
            }
            else
            {
                sums = Rows4(x, w0, w1, w2, w3, inputs, full, vectors);
            }
            if (count == 4)
            {
                if (bias != null) sums += Vector128.Load(bias + o);
                if (relu) sums = Vector128.Max(sums, Vector128<float>.Zero);
                Vector128.Store(sums, y + o);
                continue;
            }
            for (int k = 0; k < count; k++)
            {
                float sum = sums.GetElement(k);
                if (bias != null) sum += bias[o + k];
                y[o + k] = relu ? Relu(sum) : sum;
            }
        }
    }

    /// <summary>Four weight rows' dot products with <paramref name="x"/>, each row streamed once, two accumulators each.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Vector128<float> Rows4(float* x, float* w0, float* w1, float* w2, float* w3, int inputs, int full, int vectors)
    {
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
            int tail = inputs - i;
            var u = Tail(x + i, tail);
            b0 = Vector512.FusedMultiplyAdd(Tail(w0 + i, tail), u, b0);
            b1 = Vector512.FusedMultiplyAdd(Tail(w1 + i, tail), u, b1);
            b2 = Vector512.FusedMultiplyAdd(Tail(w2 + i, tail), u, b2);
            b3 = Vector512.FusedMultiplyAdd(Tail(w3 + i, tail), u, b3);
        }
        return Sum4(a0 + b0, a1 + b1, a2 + b2, a3 + b3);
    }

    /// <summary>
    /// AVX2's part of <see cref="Gemv"/>: two weight rows, each 16-lane accumulator of the 512-bit path as two 256-bit
    /// halves, reduced as that path reduces (even and odd 16-blocks, then 16 to 8 to 4 lanes), so the same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (Vector128<float>, Vector128<float>) Rows2(float* x, float* w0, float* w1, int inputs, int full, int vectors)
    {
        Vector256<float> a0l = default, a0h = default, b0l = default, b0h = default, a1l = default, a1h = default, b1l = default, b1h = default;
        int i = 0;
        for (; i < full; i += 2 * Lanes)
        {
            var ul = Vector256.Load(x + i);
            var uh = Vector256.Load(x + i + 8);
            var vl = Vector256.Load(x + i + Lanes);
            var vh = Vector256.Load(x + i + Lanes + 8);
            a0l = Vector256.FusedMultiplyAdd(Vector256.Load(w0 + i), ul, a0l);
            a0h = Vector256.FusedMultiplyAdd(Vector256.Load(w0 + i + 8), uh, a0h);
            a1l = Vector256.FusedMultiplyAdd(Vector256.Load(w1 + i), ul, a1l);
            a1h = Vector256.FusedMultiplyAdd(Vector256.Load(w1 + i + 8), uh, a1h);
            b0l = Vector256.FusedMultiplyAdd(Vector256.Load(w0 + i + Lanes), vl, b0l);
            b0h = Vector256.FusedMultiplyAdd(Vector256.Load(w0 + i + Lanes + 8), vh, b0h);
            b1l = Vector256.FusedMultiplyAdd(Vector256.Load(w1 + i + Lanes), vl, b1l);
            b1h = Vector256.FusedMultiplyAdd(Vector256.Load(w1 + i + Lanes + 8), vh, b1h);
        }
        if (i < vectors)
        {
            var ul = Vector256.Load(x + i);
            var uh = Vector256.Load(x + i + 8);
            a0l = Vector256.FusedMultiplyAdd(Vector256.Load(w0 + i), ul, a0l);
            a0h = Vector256.FusedMultiplyAdd(Vector256.Load(w0 + i + 8), uh, a0h);
            a1l = Vector256.FusedMultiplyAdd(Vector256.Load(w1 + i), ul, a1l);
            a1h = Vector256.FusedMultiplyAdd(Vector256.Load(w1 + i + 8), uh, a1h);
            i += Lanes;
        }
        if (i < inputs)
        {
            int tail = inputs - i;
            var u = Tail(x + i, tail);
            var t0 = Vector512.FusedMultiplyAdd(Tail(w0 + i, tail), u, Vector512.Create(b0l, b0h));
            var t1 = Vector512.FusedMultiplyAdd(Tail(w1 + i, tail), u, Vector512.Create(b1l, b1h));
            (b0l, b0h, b1l, b1h) = (t0.GetLower(), t0.GetUpper(), t1.GetLower(), t1.GetUpper());
        }
        var s0 = (a0l + b0l) + (a0h + b0h);
        var s1 = (a1l + b1l) + (a1h + b1h);
        return (s0.GetLower() + s0.GetUpper(), s1.GetLower() + s1.GetUpper());
    }

    /// <summary>
    /// Up to 12 outputs (<paramref name="on"/>; the others repeat the last real weight row, computed and never stored)
    /// by 32 rows, over inputs [<paramref name="k0"/>, <paramref name="k1"/>): started from zero on the first block, else
    /// from <c>y</c>; on the <paramref name="last"/> block the bias (if any) is added and the ReLU applied.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ColumnTile(float* x, float* w, int ldw, int on, int k0, int k1, float* y, bool last, float* bias, bool relu)
    {
        if (!Vector512.IsHardwareAccelerated)
        {
            // AVX2: the tile as 6 outputs by 16 rows at a time (twelve 256-bit accumulators).
            for (int j0 = 0; j0 < on; j0 += 6)
            {
                for (int half = 0; half < 2; half++)
                    ColumnTile6(x + half * Lanes, w + (long)j0 * ldw, ldw, Math.Min(6, on - j0), k0, k1, y + j0 * BlockRows + half * Lanes, last,
                        bias == null ? null : bias + j0, relu);
            }
            return;
        }
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

    /// <summary>
    /// AVX2's part of <see cref="ColumnTile"/>: up to 6 outputs (<paramref name="on"/>) by the 16 rows at <paramref name="x"/>
    /// and <paramref name="y"/> (columns <see cref="BlockRows"/> apart), the same multiply-adds per lane as the 512-bit tile.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ColumnTile6(float* x, float* w, int ldw, int on, int k0, int k1, float* y, bool last, float* bias, bool relu)
    {
        float* w0 = w, w1 = w + Math.Min(1, on - 1) * ldw, w2 = w + Math.Min(2, on - 1) * ldw, w3 = w + Math.Min(3, on - 1) * ldw;
        float* w4 = w + Math.Min(4, on - 1) * ldw, w5 = w + Math.Min(5, on - 1) * ldw;
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
        Vector256<float> b0 = default, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default;
        if (k0 > 0)
        {
            (a0, b0) = Part6(y, 0, on); (a1, b1) = Part6(y, 1, on); (a2, b2) = Part6(y, 2, on);
            (a3, b3) = Part6(y, 3, on); (a4, b4) = Part6(y, 4, on); (a5, b5) = Part6(y, 5, on);
        }
        float* p = x + (long)k0 * BlockRows;
        for (int k = k0; k < k1; k++, p += BlockRows)
        {
            var u = Vector256.Load(p);
            var v = Vector256.Load(p + 8);
            var s = Vector256.Create(w0[k]); a0 = Vector256.FusedMultiplyAdd(s, u, a0); b0 = Vector256.FusedMultiplyAdd(s, v, b0);
            s = Vector256.Create(w1[k]); a1 = Vector256.FusedMultiplyAdd(s, u, a1); b1 = Vector256.FusedMultiplyAdd(s, v, b1);
            s = Vector256.Create(w2[k]); a2 = Vector256.FusedMultiplyAdd(s, u, a2); b2 = Vector256.FusedMultiplyAdd(s, v, b2);
            s = Vector256.Create(w3[k]); a3 = Vector256.FusedMultiplyAdd(s, u, a3); b3 = Vector256.FusedMultiplyAdd(s, v, b3);
            s = Vector256.Create(w4[k]); a4 = Vector256.FusedMultiplyAdd(s, u, a4); b4 = Vector256.FusedMultiplyAdd(s, v, b4);
            s = Vector256.Create(w5[k]); a5 = Vector256.FusedMultiplyAdd(s, u, a5); b5 = Vector256.FusedMultiplyAdd(s, v, b5);
        }
        Column6(y, 0, on, a0, b0, last, bias, relu); Column6(y, 1, on, a1, b1, last, bias, relu); Column6(y, 2, on, a2, b2, last, bias, relu);
        Column6(y, 3, on, a3, b3, last, bias, relu); Column6(y, 4, on, a4, b4, last, bias, relu); Column6(y, 5, on, a5, b5, last, bias, relu);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<float>, Vector256<float>) Part6(float* y, int j, int on) =>
        j < on ? (Vector256.Load(y + j * BlockRows), Vector256.Load(y + j * BlockRows + 8)) : default;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Column6(float* y, int j, int on, Vector256<float> a, Vector256<float> b, bool last, float* bias, bool relu)
    {
        if (j >= on) return;
        if (last)
        {
            if (bias != null)
            {
                var add = Vector256.Create(bias[j]);
                a += add;
                b += add;
            }
            if (relu)
            {
                a = Vector256.Max(a, Vector256<float>.Zero);
                b = Vector256.Max(b, Vector256<float>.Zero);
            }
        }
        Vector256.Store(a, y + j * BlockRows);
        Vector256.Store(b, y + j * BlockRows + 8);
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

    /// <summary>The first <paramref name="count"/> (under 16) floats at <paramref name="p"/>, zeros after: never reads past them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Tail(float* p, int count)
    {
        float* buffer = stackalloc float[Lanes];
        new Span<float>(buffer, Lanes).Clear();
        new ReadOnlySpan<float>(p, count).CopyTo(new Span<float>(buffer, count));
        return Vector512.Load(buffer);
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
        // Added in order, not by TensorPrimitives.Sum, whose order depends on the vector width (AVX2 or AVX-512).
        float sum = 0;
        foreach (float p in probabilities) sum += p;
        TensorPrimitives.Divide(probabilities, sum, probabilities);
    }
}
