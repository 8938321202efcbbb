using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using TorchSharp.Modules;
using WideMinima.Models;
using static TorchSharp.torch;

namespace WideMinima.MLNet;

/// <summary>
/// A sequential network scored by <see cref="ScoringKernels"/> instead of libtorch: the MLP and CNN that
/// <see cref="ModelKind"/> builds, and any <c>nn.Sequential</c> of the same layers. One forward pass is a handful of
/// managed loops over the weights' own memory: no libtorch call per layer, no tensor allocated, nothing for the memory
/// allocator to hand back to the system between passes.
/// </summary>
/// <remarks>
/// <para>
/// Supported, in this order: an optional <c>Standardize</c>; then either dense layers, or <c>Unflatten(1, [C, H, W])</c>
/// followed by convolution blocks (<c>Conv2d</c> with stride 1, same padding, odd kernel, no dilation or groups,
/// 16·k output channels, at least 14 columns; then optionally <c>BatchNorm2d</c>, <c>ReLU</c>, <c>MaxPool2d(2)</c>) and
/// <c>Flatten</c>; dense layers are <c>Linear</c>, each optionally followed by <c>ReLU</c>, with <c>Dropout</c> (the
/// identity in eval mode) anywhere among them. Anything else, a tensor that is not a contiguous float32 CPU tensor, or a
/// CPU with neither AVX-512 nor AVX2 and FMA: <see cref="TryCreate"/> returns null and libtorch scores.
/// </para>
/// <para>
/// A 3 x 3 convolution over at least 16 input channels, on an image of even height and width with at least 14 tiles
/// of 2 x 2 pixels, runs as Winograd F(2x2, 3x3) (Lavin and Gray, 2016): each 2 x 2 block of output pixels from 16 products per channel pair instead of 36.
/// The input and output transforms are additions; the products are a 1 x 1 convolution at each of 16 points, on the
/// same kernels as a direct convolution. For the CNN's second convolution (32 into 64 channels on 14 x 14) that is 1.6
/// instead of 3.6 million multiply-adds. A 2 x 2 max pooling after it happens in the output transform. The results are another float rounding of the same sums (within 1.8e-7 of
/// libtorch's probabilities in the tests); the weight transform is computed in double and rounded once.
/// </para>
/// <para>
/// The network can change after this is made: every pass reads the Linear weights and the standardisation in place;
/// the convolutions' weights are re-laid for the kernels and BatchNorm folded into a scale and shift once, and every
/// pass compares the sources with the copy they were made from and redoes them if anything changed (about a
/// microsecond for the CNN). A replaced parameter, or a BatchNorm or Dropout in training mode, makes the pass report
/// failure (<see cref="TryScore"/>) so that the caller compiles again or lets libtorch score.
/// </para>
/// </remarks>
internal sealed unsafe class ManagedNetwork
{
    /// <summary>Rows per chunk of a pass: one block of the dense layers' column layout.</summary>
    private const int ChunkRows = ScoringKernels.BlockRows;

    /// <summary>Rows from which a chunk goes through the dense layers by columns; fewer go one by one (matrix-vector products).</summary>
    private const int ColumnRows = 8;

    /// <summary>Outputs per chunk of a one-row dense layer shared by threads.</summary>
    private const int ChunkOutputs = 64;

    /// <summary>Image rows per chunk of a one-row convolution shared by threads.</summary>
    private const int ChunkImageRows = 7;

    private readonly int _featureCount;
    private readonly int _classCount;
    private readonly Standardize? _standardize;
    private readonly (int Channels, int Height, int Width)? _image;
    private readonly ConvStage[] _convs;
    private readonly DenseStage[] _dense;
    private readonly nn.Module[] _modal;
    private readonly RowsWork _rowsWork;
    private readonly ConvWork _convWork;
    private readonly DenseWork _denseWork;
    private float* _mean;
    private float* _inverseStd;

    private ManagedNetwork(int featureCount, int classCount, Standardize? standardize, (int, int, int)? image,
        ConvStage[] convs, DenseStage[] dense, nn.Module[] modal)
    {
        _featureCount = featureCount;
        _classCount = classCount;
        _standardize = standardize;
        _image = image;
        _convs = convs;
        _dense = dense;
        _modal = modal;
        _rowsWork = new RowsWork(this);
        _convWork = new ConvWork();
        _denseWork = new DenseWork();
    }

    /// <summary>
    /// The managed form of <paramref name="model"/>, or null when a layer, a tensor or the CPU is outside what the
    /// kernels run (see the remarks); <paramref name="reason"/> says which.
    /// </summary>
    public static ManagedNetwork? TryCreate(nn.Module<Tensor, Tensor> model, int featureCount, int classCount, out string reason)
    {
        if (!ScoringKernels.IsSupported)
        {
            reason = "the CPU has neither AVX-512 nor AVX2 with FMA (or .NET does not accelerate their vectors)";
            return null;
        }
        if (model is not Sequential sequential)
        {
            reason = $"the network is a {model.GetType().Name}, not nn.Sequential";
            return null;
        }
        var layers = sequential.children().ToList();
        int i = 0;
        Standardize? standardize = null;
        if (i < layers.Count && layers[i] is Standardize s)
        {
            if (!IsCpuFloat(s.Mean, featureCount) || !IsCpuFloat(s.InverseStd, featureCount))
            {
                reason = "the standardisation's statistics are not float32 CPU tensors of the feature count";
                return null;
            }
            standardize = s;
            i++;
        }
        var convs = new List<ConvStage>();
        var dense = new List<DenseStage>();
        var modal = new List<nn.Module>();
        (int C, int H, int W)? image = null;
        int width = featureCount;
        if (i < layers.Count && layers[i] is Unflatten unflatten)
        {
            if (unflatten.dim != 1 || unflatten.unflattened_size is not [var c, var h, var w] || c * h * w != featureCount)
            {
                reason = "an Unflatten that is not (1, [C, H, W]) of the features";
                return null;
            }
            image = ((int)c, (int)h, (int)w);
            i++;
            int channels = (int)c, height = (int)h, cols = (int)w;
            while (i < layers.Count && layers[i] is Conv2d conv)
            {
                i++;
                var bn = i < layers.Count ? layers[i] as BatchNorm2d : null;
                if (bn is not null) i++;
                bool relu = i < layers.Count && layers[i] is ReLU;
                if (relu) i++;
                bool pool = i < layers.Count && layers[i] is MaxPool2d mp && ScoringForward.IsHalving(mp);
                if (pool) i++;
                var stage = ConvStage.TryCreate(conv, bn, relu, pool, channels, height, cols, out reason);
                if (stage is null) return null;
                if (bn is not null) modal.Add(bn);
                convs.Add(stage);
                (channels, height, cols) = (stage.OutChannels, stage.OutHeight, stage.OutWidth);
            }
            if (convs.Count == 0 || i >= layers.Count || layers[i] is not Flatten { start_dim: 1, end_dim: -1 })
            {
                reason = i < layers.Count ? $"layer {i} ({layers[i].GetType().Name}) where a convolution block or Flatten was expected" : "no Flatten after the convolutions";
                return null;
            }
            i++;
            width = channels * height * cols;
        }
        for (; i < layers.Count; i++)
        {
            switch (layers[i])
            {
                case Dropout dropout:
                    modal.Add(dropout);
                    break;
                case Linear linear:
                    bool relu = i + 1 < layers.Count && layers[i + 1] is ReLU;
                    var stage = DenseStage.TryCreate(linear, relu, width, out reason);
                    if (stage is null) return null;
                    dense.Add(stage);
                    width = stage.Outputs;
                    if (relu) i++;
                    break;
                default:
                    reason = $"layer {i} ({layers[i].GetType().Name}) is not one the kernels run";
                    return null;
            }
        }
        if (dense.Count == 0 || width != classCount)
        {
            reason = dense.Count == 0 ? "no Linear layer at the end" : $"the last layer gives {width} values for {classCount} classes";
            return null;
        }
        reason = "";
        return new ManagedNetwork(featureCount, classCount, standardize, image, [.. convs], [.. dense], [.. modal]);
    }

    /// <summary>How many of the convolutions run as Winograd F(2x2, 3x3) rather than directly.</summary>
    internal int WinogradConvolutions => _convs.Count(c => c.IsWinograd);

    /// <summary>Scratch memory for passes (of any number of rows: they go in blocks of 32).</summary>
    public Workspace CreateWorkspace() => new(this);

    /// <summary>What <see cref="TryScore"/> did.</summary>
    internal enum Outcome
    {
        /// <summary>The rows are scored.</summary>
        Scored,
        /// <summary>Nothing written: a BatchNorm or Dropout is in training mode, which libtorch runs as the module says.</summary>
        NotNow,
        /// <summary>Nothing written: a parameter was replaced or is no longer a contiguous float32 CPU tensor of its shape; compile again.</summary>
        Changed,
    }

    /// <summary>
    /// Scores the first <paramref name="rows"/> rows of <paramref name="features"/> into <paramref name="scores"/>
    /// (class probabilities), with up to <paramref name="threads"/> threads each taking a share of the rows, unless the
    /// network has changed in a way this form cannot follow (see <see cref="Outcome"/>).
    /// </summary>
    /// <remarks>Not thread-safe: the caller serialises passes (they bind the weights' addresses).</remarks>
    public Outcome TryScore(Workspace workspace, float[] features, int rows, float[] scores, int threads)
    {
        if (workspace.Network != this) throw new ArgumentException("The workspace belongs to another network.", nameof(workspace));
        foreach (var module in _modal)
        {
            if (module.training) return Outcome.NotNow;
        }
        if (!Bind()) return Outcome.Changed;
        fixed (float* x = features)
        fixed (float* y = scores)
        {
            if (rows == 1 && threads > 1)
            {
                RunRowShared(workspace, x, y, threads);
            }
            else
            {
                _rowsWork.Set(workspace, x, y, rows);
                ScoringTeam.Shared.Run(_rowsWork, (rows + ChunkRows - 1) / ChunkRows, threads);
                _rowsWork.Clear();
            }
        }
        return Outcome.Scored;
    }

    /// <summary>Reads the current addresses of every tensor a pass uses and refreshes what was derived from them.</summary>
    private bool Bind()
    {
        if (_standardize is not null)
        {
            // The tensors forward reads, without get_buffer (which splits its name: an array per call).
            if (!TryPointer(_standardize.Mean, _featureCount, out _mean)
                || !TryPointer(_standardize.InverseStd, _featureCount, out _inverseStd)) return false;
        }
        foreach (var conv in _convs)
        {
            if (!conv.Refresh()) return false;
        }
        foreach (var dense in _dense)
        {
            if (!dense.Bind()) return false;
        }
        return true;
    }

    /// <summary>
    /// Rows [start, end), at most <see cref="ChunkRows"/>: their image layers row by row, then the dense layers over the
    /// block by columns (or, for fewer than <see cref="ColumnRows"/>, row by row).
    /// </summary>
    private void RunRows(Workspace workspace, int worker, float* features, float* scores, int start, int end)
    {
        var scratch = workspace.Scratch(worker);
        if (end - start < ColumnRows)
        {
            for (int r = start; r < end; r++) RunRow(scratch, features + (long)r * _featureCount, scores + (long)r * _classCount);
            return;
        }
        float* columns = scratch.Columns(0);
        for (int r = start; r < end; r++)
        {
            float* row = features + (long)r * _featureCount;
            int slot = r - start;
            if (_image is null)
            {
                Standardize(row, scratch.Plain, _featureCount);
                for (int k = 0; k < _featureCount; k++) columns[(long)k * ChunkRows + slot] = scratch.Plain[k];
                continue;
            }
            RunImage(scratch, row);
            _convs[^1].ToFlat(scratch.Output(_convs.Length - 1), columns + slot, ChunkRows);
        }
        for (int d = 0; d < _dense.Length; d++) _dense[d].RunColumns(scratch.Columns(d), scratch.Columns(d + 1));
        float* logits = scratch.Columns(_dense.Length), row1 = scratch.Row(_dense.Length);
        for (int r = start; r < end; r++)
        {
            for (int k = 0; k < _classCount; k++) row1[k] = logits[(long)k * ChunkRows + r - start];
            ScoringKernels.Softmax(new ReadOnlySpan<float>(row1, _classCount), new Span<float>(scores + (long)r * _classCount, _classCount));
        }
    }

    /// <summary>One row through the whole network on one thread.</summary>
    private void RunRow(Scratch scratch, float* features, float* scores)
    {
        if (_image is null)
        {
            Standardize(features, scratch.Row(0), _featureCount);
        }
        else
        {
            RunImage(scratch, features);
            _convs[^1].ToFlat(scratch.Output(_convs.Length - 1), scratch.Row(0), 1);
        }
        for (int d = 0; d < _dense.Length; d++) _dense[d].RunRow(scratch.Row(d), scratch.Row(d + 1));
        ScoringKernels.Softmax(new ReadOnlySpan<float>(scratch.Row(_dense.Length), _classCount), new Span<float>(scores, _classCount));
    }

    /// <summary>One row's image layers, up to the last convolution block's output (not yet flattened; pooled only where a Winograd transform pools).</summary>
    private void RunImage(Scratch scratch, float* features)
    {
        ImageInput(features, scratch);
        for (int c = 0; c < _convs.Length; c++)
        {
            _convs[c].Run(scratch.Input(c), scratch.Output(c), scratch.Work(c));
            if (c + 1 < _convs.Length) _convs[c].ToNextInput(scratch.Output(c), scratch.Input(c + 1), _convs[c + 1]);
        }
    }

    /// <summary>
    /// One row with its layers' work shared by <paramref name="threads"/> threads: each convolution by pairs of output
    /// blocks and groups of image rows (a Winograd convolution: by pairs of output blocks only, after its input transform on
    /// the calling thread; its pooling runs in the workers' output transforms), each dense layer by groups of outputs. The
    /// other pooling between them and the softmax run on the calling thread.
    /// </summary>
    private void RunRowShared(Workspace workspace, float* features, float* scores, int threads)
    {
        var team = ScoringTeam.Shared;
        var scratch = workspace.Scratch(0);
        float* denseRow = scratch.Row(0);
        if (_image is null)
        {
            Standardize(features, denseRow, _featureCount);
        }
        else
        {
            ImageInput(features, scratch);
            for (int c = 0; c < _convs.Length; c++)
            {
                var conv = _convs[c];
                conv.Prepare(scratch.Input(c), scratch.Work(c));
                _convWork.Set(conv, scratch.Input(c), scratch.Output(c), scratch.Work(c));
                team.Run(_convWork, _convWork.Chunks, threads);
                if (c + 1 < _convs.Length) conv.ToNextInput(scratch.Output(c), scratch.Input(c + 1), _convs[c + 1]);
                else conv.ToFlat(scratch.Output(c), denseRow, 1);
            }
        }
        for (int d = 0; d < _dense.Length; d++)
        {
            _denseWork.Set(_dense[d], scratch.Row(d), scratch.Row(d + 1));
            team.Run(_denseWork, _denseWork.Chunks, threads);
        }
        _convWork.Clear();
        _denseWork.Clear();
        ScoringKernels.Softmax(new ReadOnlySpan<float>(scratch.Row(_dense.Length), _classCount), new Span<float>(scores, _classCount));
    }

    /// <summary>Chunks of <see cref="ChunkRows"/> rows, each through the whole network.</summary>
    private sealed class RowsWork(ManagedNetwork network) : IChunkedWork
    {
        private Workspace? _workspace;
        private float* _features;
        private float* _scores;
        private int _rows;

        public void Set(Workspace workspace, float* features, float* scores, int rows)
        {
            _workspace = workspace;
            _features = features;
            _scores = scores;
            _rows = rows;
        }

        public void Clear() => _workspace = null;

        public void Run(int chunk, int worker)
        {
            int start = chunk * ChunkRows;
            network.RunRows(_workspace!, worker, _features, _scores, start, Math.Min(_rows, start + ChunkRows));
        }
    }

    /// <summary>One row's convolution in chunks: a pair of output blocks by a group of image rows.</summary>
    private sealed class ConvWork : IChunkedWork
    {
        private ConvStage? _conv;
        private float* _input;
        private float* _output;
        private float* _work;
        private int _groups;

        public int Chunks { get; private set; }

        public void Set(ConvStage conv, float* input, float* output, float* work)
        {
            _conv = conv;
            _input = input;
            _output = output;
            _work = work;
            _groups = (conv.Height + conv.RowsPerGroup - 1) / conv.RowsPerGroup;
            Chunks = conv.Pairs * _groups;
        }

        public void Clear() => _conv = null;

        public void Run(int chunk, int worker)
        {
            int pair = chunk / _groups, group = chunk % _groups;
            int y0 = group * _conv!.RowsPerGroup;
            _conv.Run(_input, _output, _work, pair, pair + 1, y0, Math.Min(_conv.Height, y0 + _conv.RowsPerGroup));
        }
    }

    /// <summary>One row's dense layer in chunks of <see cref="ChunkOutputs"/> outputs.</summary>
    private sealed class DenseWork : IChunkedWork
    {
        private DenseStage? _dense;
        private float* _input;
        private float* _output;

        public int Chunks { get; private set; }

        public void Set(DenseStage dense, float* input, float* output)
        {
            _dense = dense;
            _input = input;
            _output = output;
            Chunks = (dense.Outputs + ChunkOutputs - 1) / ChunkOutputs;
        }

        public void Clear() => _dense = null;

        public void Run(int chunk, int worker)
        {
            int o0 = chunk * ChunkOutputs;
            _dense!.RunOutputs(_input, _output, o0, Math.Min(_dense.Outputs, o0 + ChunkOutputs));
        }
    }

    /// <summary><c>(x - mean) * inverseStd</c> as the Standardize layer computes it, or a copy without one.</summary>
    private void Standardize(float* row, float* destination, int count)
    {
        var source = new ReadOnlySpan<float>(row, count);
        var target = new Span<float>(destination, count);
        if (_standardize is null)
        {
            source.CopyTo(target);
            return;
        }
        System.Numerics.Tensors.TensorPrimitives.Subtract(source, new ReadOnlySpan<float>(_mean, count), target);
        System.Numerics.Tensors.TensorPrimitives.Multiply(target, new ReadOnlySpan<float>(_inverseStd, count), target);
    }

    /// <summary>The features of one row, standardised, into the first convolution's padded, blocked input.</summary>
    private void ImageInput(float* row, Scratch scratch)
    {
        var (channels, height, width) = _image!.Value;
        float* plain = scratch.Plain;
        Standardize(row, plain, _featureCount);
        var first = _convs[0];
        float* input = scratch.Input(0);
        for (int c = 0; c < channels; c++)
        {
            float* block = input + (long)(c / ScoringKernels.Lanes) * first.InputPlane + c % ScoringKernels.Lanes;
            for (int y = 0; y < height; y++)
            {
                float* source = plain + ((long)c * height + y) * width;
                float* target = block + ((long)(y + first.PadY) * first.PaddedWidth + first.PadX) * ScoringKernels.Lanes;
                for (int x = 0; x < width; x++) target[x * ScoringKernels.Lanes] = source[x];
            }
        }
    }

    private static bool IsCpuFloat(Tensor? t, long count) =>
        t is not null && t.dtype == ScalarType.Float32 && t.device_type == DeviceType.CPU && t.is_contiguous() && t.numel() == count;

    /// <summary>The address of <paramref name="t"/>'s data, if it is a contiguous float32 CPU tensor of <paramref name="count"/> values.</summary>
    private static bool TryPointer(Tensor? t, int count, out float* pointer)
    {
        pointer = null;
        if (t is null) return false;
        Span<byte> bytes;
        try
        {
            // Checks that the tensor is contiguous and on the CPU (62 ns measured).
            bytes = t.bytes;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
        if (bytes.Length != count * sizeof(float)) return false;
        fixed (byte* p = bytes) pointer = (float*)p;
        return true;
    }

    /// <summary>Pinned, 64-byte aligned float memory that lives as long as its owner.</summary>
    private sealed class Aligned
    {
        private readonly float[] _array;

        public Aligned(long count)
        {
            _array = GC.AllocateArray<float>(checked((int)(count + ScoringKernels.Lanes)), pinned: true);
            fixed (float* p = _array)
            {
                long offset = (64 - (long)p % 64) % 64 / sizeof(float);
                Pointer = p + offset;
            }
        }

        public float* Pointer { get; }
    }

    /// <summary>One convolution block: Conv2d, then optionally BatchNorm2d, ReLU and 2 x 2 max pooling.</summary>
    private sealed class ConvStage
    {
        private readonly Conv2d _conv;
        private readonly BatchNorm2d? _bn;
        private readonly Parameter _weight;
        private readonly Parameter? _bias;
        private readonly bool _relu;
        private readonly bool _pool;
        private readonly int _cin, _cout, _kh, _kw, _height, _width;
        private readonly float[] _source;
        private readonly Aligned _relaid;
        private readonly Aligned _scale;
        private readonly Aligned _shift;
        private readonly Aligned _ones;
        private readonly Aligned _zeros;
        private readonly bool _winograd;
        private bool _ready;

        private ConvStage(Conv2d conv, BatchNorm2d? bn, bool relu, bool pool, int cin, int cout, int kh, int kw, int height, int width)
        {
            _conv = conv;
            _bn = bn;
            _weight = conv.weight!;
            _bias = conv.bias;
            _relu = relu;
            _pool = pool;
            (_cin, _cout, _kh, _kw, _height, _width) = (cin, cout, kh, kw, height, width);
            // The sources of the re-laid weights and the scale and shift, as last seen: weight, bias, BN weight, bias, mean, var, eps.
            _source = new float[cout * cin * kh * kw + 5 * cout + 1];
            // Winograd F(2x2, 3x3) where it pays: 16 products per 2 x 2 output pixels instead of 36, over enough input
            // channels that the transforms (additions only) cost little, on whole tiles, at least one kernel run of them.
            _winograd = kh == 3 && kw == 3 && cin >= ScoringKernels.Lanes && height % 2 == 0 && width % 2 == 0
                && height / 2 * (width / 2) >= ScoringKernels.Run;
            _relaid = new Aligned((long)cout * cin * (_winograd ? WinogradPoints : kh * kw));
            _scale = new Aligned(cout);
            _shift = new Aligned(cout);
            _ones = new Aligned(2 * ScoringKernels.Lanes);
            new Span<float>(_ones.Pointer, 2 * ScoringKernels.Lanes).Fill(1f);
            _zeros = new Aligned(2 * ScoringKernels.Lanes);
        }

        /// <summary>Whether this block runs as Winograd F(2x2, 3x3).</summary>
        public bool IsWinograd => _winograd;

        /// <summary>Points of a Winograd F(2x2, 3x3) tile: its 4 x 4 input pixels, and as many products per channel pair.</summary>
        private const int WinogradPoints = 16;

        /// <summary>Winograd tiles of the output (2 x 2 pixels each).</summary>
        private int Tiles => _height / 2 * (_width / 2);

        /// <summary>
        /// Floats a pass needs beside the input and output: for Winograd, the transformed input
        /// (<c>[16][input block][tile][16]</c>) and the products (<c>[16][output block][tile][16]</c>); else none.
        /// </summary>
        public long WorkFloats => _winograd ? (long)WinogradPoints * Tiles * ScoringKernels.Lanes * (InputBlocks + _cout / ScoringKernels.Lanes) : 0;

        /// <summary>Image rows per chunk of a one-row pass shared by threads (a Winograd pass: all of them).</summary>
        public int RowsPerGroup => _winograd ? _height : ChunkImageRows;

        public int PadY => _kh / 2;

        public int PadX => _kw / 2;

        public int PaddedWidth => _width + 2 * PadX;

        private int PaddedHeight => _height + 2 * PadY;

        private int InputBlocks => (_cin + ScoringKernels.Lanes - 1) / ScoringKernels.Lanes;

        /// <summary>Floats per input channel block (padded).</summary>
        public int InputPlane => PaddedHeight * PaddedWidth * ScoringKernels.Lanes;

        public long InputFloats => (long)InputBlocks * InputPlane;

        /// <summary>Whether the Winograd output transform pools (its 2 x 2 tiles are the pooling windows), so that the output holds pooled pixels.</summary>
        private bool PoolsInTransform => _winograd && _pool;

        /// <summary>Floats per output block: the image before pooling, or after it where the transform pools.</summary>
        private int OutputPlane => (PoolsInTransform ? OutHeight * OutWidth : _height * _width) * ScoringKernels.Lanes;

        public long OutputFloats => (long)(_cout / ScoringKernels.Lanes) * OutputPlane;

        public int OutChannels => _cout;

        public int OutHeight => _pool ? _height / 2 : _height;

        public int OutWidth => _pool ? _width / 2 : _width;

        public static ConvStage? TryCreate(Conv2d conv, BatchNorm2d? bn, bool relu, bool pool, int channels, int height, int width, out string reason)
        {
            reason = "";
            var weight = conv.weight;
            if (weight is null || weight.dim() != 4 || conv.transposed || conv.groups != 1 || conv.padding_type is not null
                || conv.padding_mode != PaddingModes.Zeros || conv.stride is not [1, 1] || conv.dilation is not [1, 1])
            {
                reason = "a Conv2d that is not stride 1, no dilation, no groups, zero padding";
                return null;
            }
            int cout = (int)weight.shape[0], cin = (int)weight.shape[1], kh = (int)weight.shape[2], kw = (int)weight.shape[3];
            if (cin != channels || conv.padding is not [var ph, var pw] || kh != 2 * ph + 1 || kw != 2 * pw + 1)
            {
                reason = "a Conv2d whose padding does not keep the image's size, or whose input channels do not match";
                return null;
            }
            if (cout % ScoringKernels.Lanes != 0 || width < ScoringKernels.Run)
            {
                reason = $"a Conv2d with {cout} output channels (a multiple of 16 is needed) on {width} columns (at least {ScoringKernels.Run})";
                return null;
            }
            if (!IsCpuFloat(weight, weight.numel()) || (conv.bias is { } b && !IsCpuFloat(b, cout)))
            {
                reason = "a Conv2d whose weights are not contiguous float32 CPU tensors";
                return null;
            }
            if (bn is not null && (bn.num_features != cout || !IsCpuFloat(bn.running_mean, cout) || !IsCpuFloat(bn.running_var, cout)
                || (bn.weight is { } g && !IsCpuFloat(g, cout)) || (bn.bias is { } beta && !IsCpuFloat(beta, cout))))
            {
                reason = "a BatchNorm2d without running statistics, or not of the convolution's channels";
                return null;
            }
            return new ConvStage(conv, bn, relu, pool, cin, cout, kh, kw, height, width);
        }

        /// <summary>Checks the sources against the copy the re-laid weights were made from, and redoes them if they differ.</summary>
        public bool Refresh()
        {
            if (!ReferenceEquals(_conv.weight, _weight) || !ReferenceEquals(_conv.bias, _bias)) return false;
            int weights = _cout * _cin * _kh * _kw;
            if (!TryPointer(_weight, weights, out float* w)) return false;
            float* bias = null, gamma = null, beta = null, mean = null, variance = null;
            if (_bias is not null && !TryPointer(_bias, _cout, out bias)) return false;
            if (_bn is not null)
            {
                if (!TryPointer(_bn.running_mean, _cout, out mean) || !TryPointer(_bn.running_var, _cout, out variance)) return false;
                if (_bn.weight is { } g && !TryPointer(g, _cout, out gamma)) return false;
                if (_bn.bias is { } bb && !TryPointer(bb, _cout, out beta)) return false;
            }
            float eps = _bn is null ? 0f : (float)_bn.eps;
            var source = _source.AsSpan();
            bool same = _ready;
            same &= Same(source[..weights], w, weights);
            int at = weights;
            foreach (var p in (ReadOnlySpan<IntPtr>)[(IntPtr)bias, (IntPtr)gamma, (IntPtr)beta, (IntPtr)mean, (IntPtr)variance])
            {
                same &= Same(source.Slice(at, _cout), (float*)p, _cout);
                at += _cout;
            }
            same &= BitConverter.SingleToInt32Bits(source[at]) == BitConverter.SingleToInt32Bits(eps);
            source[at] = eps;
            if (same) return true;
            if (_winograd) TransformWeights(w);
            else Relayout(w);
            FoldScaleShift(bias, gamma, beta, mean, variance, eps);
            _ready = true;
            return true;
        }

        /// <summary>Whether <paramref name="copy"/> holds the same bits as <paramref name="current"/> (null: zeros); then it does either way.</summary>
        private static bool Same(Span<float> copy, float* current, int count)
        {
            if (current is null)
            {
                bool zero = !MemoryMarshal.AsBytes(copy).ContainsAnyExcept((byte)0);
                copy.Clear();
                return zero;
            }
            var live = new ReadOnlySpan<float>(current, count);
            if (MemoryMarshal.AsBytes(live).SequenceEqual(MemoryMarshal.AsBytes(copy))) return true;
            live.CopyTo(copy);
            return false;
        }

        /// <summary>w[co][ci][ky][kx] to [co block][ci block][ky][kx][ci in block][16 co].</summary>
        private void Relayout(float* w)
        {
            float* target = _relaid.Pointer;
            int lanes = ScoringKernels.Lanes, perOutBlock = _cin * _kh * _kw * lanes;
            for (int co = 0; co < _cout; co++)
            {
                for (int ci = 0; ci < _cin; ci++)
                {
                    int block = ci / lanes, channels = Math.Min(lanes, _cin - block * lanes);
                    for (int ky = 0; ky < _kh; ky++)
                    {
                        for (int kx = 0; kx < _kw; kx++)
                        {
                            long at = (long)(co / lanes) * perOutBlock + (long)block * lanes * _kh * _kw * lanes
                                + (((long)ky * _kw + kx) * channels + ci % lanes) * lanes + co % lanes;
                            target[at] = w[(((long)co * _cin + ci) * _kh + ky) * _kw + kx];
                        }
                    }
                }
            }
        }

        /// <summary>
        /// Winograd's weight transform, <c>U = G g Gᵀ</c> with <c>G = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1]</c>, computed in
        /// double and rounded once, to <c>[16 points][output block][input channel][16 output channels]</c>: for each
        /// point, the re-laid weights of a 1 x 1 convolution.
        /// </summary>
        private void TransformWeights(float* w)
        {
            float* target = _relaid.Pointer;
            int lanes = ScoringKernels.Lanes, outBlocks = _cout / lanes;
            Span<double> gg = stackalloc double[12];
            for (int co = 0; co < _cout; co++)
            {
                for (int ci = 0; ci < _cin; ci++)
                {
                    float* k = w + ((long)co * _cin + ci) * 9;
                    for (int c = 0; c < 3; c++)
                    {
                        double a0 = k[c], a1 = k[3 + c], a2 = k[6 + c];
                        (gg[c], gg[3 + c], gg[6 + c], gg[9 + c]) = (a0, (a0 + a1 + a2) / 2, (a0 - a1 + a2) / 2, a2);
                    }
                    for (int r = 0; r < 4; r++)
                    {
                        double b0 = gg[3 * r], b1 = gg[3 * r + 1], b2 = gg[3 * r + 2];
                        ReadOnlySpan<double> u = [b0, (b0 + b1 + b2) / 2, (b0 - b1 + b2) / 2, b2];
                        for (int j = 0; j < 4; j++)
                            target[(((long)(4 * r + j) * outBlocks + co / lanes) * _cin + ci) * lanes + co % lanes] = (float)u[j];
                    }
                }
            }
        }

        /// <summary>
        /// The convolution's bias and BatchNorm (eval) as one multiply-add per channel: libtorch's
        /// <c>(conv + bias - mean) / sqrt(var + eps) * gamma + beta</c>.
        /// </summary>
        private void FoldScaleShift(float* bias, float* gamma, float* beta, float* mean, float* variance, float eps)
        {
            for (int c = 0; c < _cout; c++)
            {
                float b = bias is null ? 0f : bias[c];
                if (_bn is null)
                {
                    _scale.Pointer[c] = 1f;
                    _shift.Pointer[c] = b;
                    continue;
                }
                float a = (gamma is null ? 1f : gamma[c]) / MathF.Sqrt(variance[c] + eps);
                _scale.Pointer[c] = a;
                _shift.Pointer[c] = (b - mean[c]) * a + (beta is null ? 0f : beta[c]);
            }
        }

        /// <summary>Image rows of the convolution (before any pooling).</summary>
        public int Height => _height;

        /// <summary>Pairs of output blocks (the last one single when the blocks are odd).</summary>
        public int Pairs => (_cout / ScoringKernels.Lanes + 1) / 2;

        /// <summary>The convolution (with BatchNorm and ReLU) of one row's padded input into its blocked output.</summary>
        public void Run(float* input, float* output, float* work)
        {
            Prepare(input, work);
            Run(input, output, work, 0, Pairs, 0, _height);
        }

        /// <summary>What a pass does once before its output blocks: Winograd's input transform into <paramref name="work"/>.</summary>
        public void Prepare(float* input, float* work)
        {
            if (!_winograd) return;
            int lanes = ScoringKernels.Lanes, tiles = Tiles, columns = _width / 2;
            long stride = (long)InputBlocks * tiles * lanes;
            for (int cb = 0; cb < InputBlocks; cb++)
            {
                for (int ty = 0; ty < _height / 2; ty++)
                {
                    for (int tx = 0; tx < columns; tx++)
                    {
                        float* topLeft = input + (long)cb * InputPlane + ((long)2 * ty * PaddedWidth + 2 * tx) * lanes;
                        ScoringKernels.WinogradInput(topLeft, PaddedWidth, work + ((long)cb * tiles + ty * columns + tx) * lanes, stride);
                    }
                }
            }
        }

        /// <summary>
        /// Output block pairs [<paramref name="pairFrom"/>, <paramref name="pairTo"/>) and image rows [<paramref name="yFrom"/>,
        /// <paramref name="yTo"/>) of <see cref="Run(float*, float*, float*)"/>, after <see cref="Prepare"/> (a Winograd pass:
        /// all rows, <see cref="RowsPerGroup"/>).
        /// </summary>
        public void Run(float* input, float* output, float* work, int pairFrom, int pairTo, int yFrom, int yTo)
        {
            if (_winograd)
            {
                // Its chunks are whole pairs of output blocks: two chunks of one pair would write the same products.
                if (yFrom != 0 || yTo != _height) throw new ArgumentOutOfRangeException(nameof(yFrom), "A Winograd pass runs all rows of its output blocks.");
                RunWinograd(output, work, pairFrom, pairTo);
                return;
            }
            int lanes = ScoringKernels.Lanes, blocks = InputBlocks, last = _cin - (blocks - 1) * lanes;
            int perOutBlock = _cin * _kh * _kw * lanes, outBlocks = _cout / lanes;
            for (int ob = 2 * pairFrom; ob < 2 * pairTo && ob < outBlocks; ob += 2)
            {
                bool pair = ob + 1 < outBlocks;
                float* w = _relaid.Pointer + (long)ob * perOutBlock;
                float* scale = _scale.Pointer + ob * lanes, shift = _shift.Pointer + ob * lanes;
                float* out0 = output + (long)ob * OutputPlane;
                for (int y = yFrom; y < yTo; y++)
                {
                    // Runs of 14 pixels; the last one ends at the row's end (overlapping the one before: same values).
                    for (int x0 = 0; x0 < _width; x0 += ScoringKernels.Run)
                    {
                        int x = Math.Min(x0, _width - ScoringKernels.Run);
                        float* source = input + ((long)y * PaddedWidth + x) * lanes;
                        long at = ((long)y * _width + x) * lanes;
                        if (pair)
                        {
                            ScoringKernels.ConvRun32(source, InputPlane, PaddedWidth, blocks, last, _kh, _kw, w, perOutBlock, scale, shift,
                                out0 + at, out0 + OutputPlane + at, _relu);
                        }
                        else
                        {
                            ScoringKernels.ConvRun16(source, InputPlane, PaddedWidth, blocks, last, _kh, _kw, w, scale, shift, out0 + at, _relu);
                        }
                    }
                }
            }
        }

        /// <summary>
        /// Winograd's products, a 1 x 1 convolution at each of the 16 points over the tiles (the same kernel runs as a
        /// direct convolution, scale one and shift zero), then the output transform with BatchNorm, ReLU and the 2 x 2 pooling
        /// (<see cref="PoolsInTransform"/>).
        /// </summary>
        private void RunWinograd(float* output, float* work, int pairFrom, int pairTo)
        {
            int lanes = ScoringKernels.Lanes, blocks = InputBlocks, last = _cin - (blocks - 1) * lanes, tiles = Tiles, columns = _width / 2;
            int outBlocks = _cout / lanes, perOutBlock = _cin * lanes;
            long vStride = (long)blocks * tiles * lanes, mStride = (long)outBlocks * tiles * lanes;
            float* products = work + WinogradPoints * vStride;
            int obFrom = 2 * pairFrom, obTo = Math.Min(2 * pairTo, outBlocks);
            // Point by point, so that each point's transformed input stays in the cache for every output block.
            for (int point = 0; point < WinogradPoints; point++)
            {
                for (int ob = obFrom; ob < obTo; ob += 2)
                {
                    float* m = products + point * mStride + (long)ob * tiles * lanes;
                    float* u = _relaid.Pointer + ((long)point * outBlocks + ob) * perOutBlock;
                    ScoringKernels.Pointwise(work + point * vStride, tiles * lanes, blocks, last, tiles, u, perOutBlock, _ones.Pointer, _zeros.Pointer,
                        m, ob + 1 < obTo ? m + (long)tiles * lanes : null, false);
                }
            }
            for (int o = obFrom; o < obTo; o++)
            {
                float* scale = _scale.Pointer + o * lanes, shift = _shift.Pointer + o * lanes;
                for (int ty = 0; ty < _height / 2; ty++)
                {
                    for (int tx = 0; tx < columns; tx++)
                    {
                        ScoringKernels.WinogradOutput(products + ((long)o * tiles + ty * columns + tx) * lanes, mStride, scale, shift, _relu,
                            output + (long)o * OutputPlane + (PoolsInTransform ? (long)ty * columns + tx : (long)2 * ty * _width + 2 * tx) * lanes, _width, _pool);
                    }
                }
            }
        }

        /// <summary>Where output pixel (<paramref name="y"/>, <paramref name="x"/>) of a block comes from: itself, or the top-left of its pooling window while it still has to be pooled.</summary>
        private float* OutputPixel(float* block, int y, int x) =>
            block + (PoolsInTransform ? (long)y * OutWidth + x : _pool ? (long)2 * y * _width + 2 * x : (long)y * _width + x) * ScoringKernels.Lanes;

        /// <summary>This block's output (pooled if it pools) into the next block's padded input.</summary>
        public void ToNextInput(float* output, float* nextInput, ConvStage next)
        {
            int lanes = ScoringKernels.Lanes;
            for (int ob = 0; ob < _cout / lanes; ob++)
            {
                float* source = output + (long)ob * OutputPlane;
                float* target = nextInput + (long)ob * next.InputPlane;
                for (int y = 0; y < OutHeight; y++)
                {
                    float* row = target + ((long)(y + next.PadY) * next.PaddedWidth + next.PadX) * lanes;
                    for (int x = 0; x < OutWidth; x++)
                        ScoringKernels.Pixel(OutputPixel(source, y, x), _width, _pool && !PoolsInTransform, row + x * lanes);
                }
            }
        }

        /// <summary>
        /// This block's output (pooled if it pools) into a dense row, in libtorch's Flatten order (channel, row, column),
        /// value i at <c>flat[i * stride]</c> (1: a row; <see cref="ScoringKernels.BlockRows"/>: a row of a column block).
        /// </summary>
        public void ToFlat(float* output, float* flat, int stride)
        {
            int lanes = ScoringKernels.Lanes, plane = OutHeight * OutWidth;
            float* lanesOut = stackalloc float[ScoringKernels.Lanes];
            for (int ob = 0; ob < _cout / lanes; ob++)
            {
                float* source = output + (long)ob * OutputPlane;
                float* target = flat + (long)ob * lanes * plane * stride;
                for (int y = 0; y < OutHeight; y++)
                {
                    for (int x = 0; x < OutWidth; x++)
                    {
                        ScoringKernels.Pixel(OutputPixel(source, y, x), _width, _pool && !PoolsInTransform, lanesOut);
                        float* t = target + (long)(y * OutWidth + x) * stride;
                        for (int c = 0; c < lanes; c++) t[(long)c * plane * stride] = lanesOut[c];
                    }
                }
            }
        }
    }

    /// <summary>One Linear layer, optionally followed by ReLU, read in place.</summary>
    private sealed class DenseStage
    {
        private readonly Linear _linear;
        private readonly Parameter _weight;
        private readonly Parameter? _bias;
        private readonly bool _relu;
        private float* _w;
        private float* _b;

        private DenseStage(Linear linear, bool relu, int inputs, int outputs)
        {
            _linear = linear;
            _weight = linear.weight!;
            _bias = linear.bias;
            _relu = relu;
            Inputs = inputs;
            Outputs = outputs;
        }

        public int Inputs { get; }

        public int Outputs { get; }

        public static DenseStage? TryCreate(Linear linear, bool relu, int inputs, out string reason)
        {
            reason = "";
            var w = linear.weight;
            if (w is null || w.dim() != 2 || w.shape[1] != inputs || !IsCpuFloat(w, w.numel()))
            {
                reason = $"a Linear layer whose weight is not a float32 CPU [outputs, {inputs}] tensor";
                return null;
            }
            int outputs = (int)w.shape[0];
            if (linear.bias is { } b && !IsCpuFloat(b, outputs))
            {
                reason = "a Linear layer whose bias is not a float32 CPU tensor of its outputs";
                return null;
            }
            return new DenseStage(linear, relu, inputs, outputs);
        }

        public bool Bind()
        {
            if (!ReferenceEquals(_linear.weight, _weight) || !ReferenceEquals(_linear.bias, _bias)) return false;
            if (!TryPointer(_weight, Inputs * Outputs, out _w)) return false;
            _b = null;
            return _bias is null || TryPointer(_bias, Outputs, out _b);
        }

        /// <summary>One row.</summary>
        public void RunRow(float* x, float* y) => ScoringKernels.Dense(x, _w, _b, Outputs, Inputs, y, _relu);

        /// <summary>A block of rows by columns.</summary>
        public void RunColumns(float* x, float* y) => ScoringKernels.DenseColumns(x, _w, _b, Outputs, Inputs, y, _relu);

        /// <summary>Outputs [<paramref name="from"/>, <paramref name="to"/>) of one row.</summary>
        public void RunOutputs(float* x, float* y, int from, int to) =>
            ScoringKernels.Dense(x, _w + (long)from * Inputs, _b == null ? null : _b + from, to - from, Inputs, y + from, _relu);
    }

    /// <summary>One worker thread's buffers: the image layers of one row, and the dense layers' inputs for a row and for a block of rows.</summary>
    internal sealed class Scratch
    {
        private readonly Aligned _plain;
        private readonly Aligned[] _inputs;
        private readonly Aligned[] _outputs;
        private readonly Aligned[] _work;
        private readonly Aligned[] _rows;
        private readonly Aligned[] _columns;

        public Scratch(ManagedNetwork network)
        {
            _plain = new Aligned(network._featureCount);
            // Zeroed once: the padding is never written.
            _inputs = [.. network._convs.Select(c => new Aligned(c.InputFloats))];
            _outputs = [.. network._convs.Select(c => new Aligned(c.OutputFloats))];
            _work = [.. network._convs.Select(c => new Aligned(c.WorkFloats))];
            var widths = network._dense.Select(d => d.Inputs).Append(network._classCount).ToArray();
            _rows = [.. widths.Select(w => new Aligned(w))];
            _columns = [.. widths.Select(w => new Aligned((long)w * ChunkRows))];
        }

        /// <summary>Dense layer <paramref name="d"/>'s input for one row (past the last layer: the logits).</summary>
        public float* Row(int d) => _rows[d].Pointer;

        /// <summary>Dense layer <paramref name="d"/>'s input for a block of rows, by columns: input k of slot r at <c>[k * 32 + r]</c>.</summary>
        public float* Columns(int d) => _columns[d].Pointer;

        public float* Plain => _plain.Pointer;

        /// <summary>Convolution block <paramref name="c"/>'s padded, blocked input.</summary>
        public float* Input(int c) => _inputs[c].Pointer;

        /// <summary>Convolution block <paramref name="c"/>'s blocked output: before pooling, or pooled where its Winograd transform pools.</summary>
        public float* Output(int c) => _outputs[c].Pointer;

        /// <summary>Convolution block <paramref name="c"/>'s other buffers (<see cref="ConvStage.WorkFloats"/>).</summary>
        public float* Work(int c) => _work[c].Pointer;
    }

    /// <summary>A batch's buffers: each worker thread's <see cref="Scratch"/>, made on its first use.</summary>
    internal sealed class Workspace(ManagedNetwork network)
    {
        private readonly Scratch?[] _scratch = new Scratch?[ScoringTeam.MaxHelpers + 1];

        public ManagedNetwork Network => network;

        /// <summary>
        /// Thread <paramref name="worker"/>'s scratch. Safe without a lock: each worker number is one thread's, and one
        /// pass at a time uses a workspace.
        /// </summary>
        public Scratch Scratch(int worker) => _scratch[worker] ??= new Scratch(network);
    }
}
