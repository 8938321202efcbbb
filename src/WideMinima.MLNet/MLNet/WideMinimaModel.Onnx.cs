using Google.Protobuf;
using Microsoft.ML;
using TorchSharp;
using WideMinima.MLNet.Onnx;
using WideMinima.MLNet.Onnx.Proto;
using WideMinima.Models;
using static TorchSharp.torch;

namespace WideMinima.MLNet;

/// <summary>What <see cref="WideMinimaModel.ExportOnnx(ITransformer, string)"/> wrote.</summary>
/// <param name="Path">The ONNX file.</param>
/// <param name="ModelKind">The network exported.</param>
/// <param name="InputName">The graph input: a <c>float[N, InputSize]</c> tensor named like the features column.</param>
/// <param name="InputSize">Features per example.</param>
/// <param name="OutputName">The graph output: a <c>float[N, classes]</c> tensor of class probabilities named like the score column.</param>
/// <param name="ClassNames">The classes in output order (also stored in the file's metadata as <c>wideminima.classes</c>).</param>
/// <param name="Opset">The ONNX operator set (<see cref="WideMinimaModel.OnnxOpset"/>).</param>
/// <param name="TransformsNotExported">The ML.NET transforms of the pipeline before and after the network, which the graph
/// does not hold: keep those before it in front of <c>ApplyOnnxModel</c>.</param>
public sealed record OnnxExportInfo(string Path, ModelKind ModelKind, string InputName, int InputSize, string OutputName,
    IReadOnlyList<string> ClassNames, int Opset, IReadOnlyList<string> TransformsNotExported);

/// <summary>ONNX export of WideMinima networks.</summary>
public static partial class WideMinimaModel
{
    /// <summary>The ONNX operator set exported graphs use (ai.onnx opset 17, IR version 8).</summary>
    public const int OnnxOpset = OnnxNetworkExporter.Opset;

    /// <summary>
    /// Writes the network of <paramref name="model"/> (a WideMinima transformer, or a pipeline holding one) as an
    /// ONNX model: input <c>float[N, features]</c> named like the features column, the feature standardization inside
    /// the graph, the MLP, CNN or ResNet-18 in inference mode (batch norm with its running statistics, no dropout),
    /// and a softmax, so that the output (named like the score column) holds the same class probabilities as the
    /// transformer's <c>Score</c>. Score it with ML.NET's <c>ApplyOnnxModel</c> or with ONNX Runtime.
    /// </summary>
    /// <remarks>
    /// Only the network is exported. ML.NET transforms before it in <paramref name="model"/> are not part of the
    /// graph (they are listed in the result); keep them in front of <c>ApplyOnnxModel</c>.
    /// </remarks>
    /// <param name="model">The fitted transformer or pipeline.</param>
    /// <param name="path">The .onnx file to write; it is replaced only once the new file is complete.</param>
    /// <exception cref="NotSupportedException">The network was built by a <c>ModelFactory</c> (<see cref="ModelKind.Custom"/>).</exception>
    public static OnnxExportInfo ExportOnnx(ITransformer model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var (before, network, after) = Split(model);
        CheckExportable(network.Spec);
        return Export(network.Network, network.Spec, network.Columns, network.Label, [.. before, .. after], path);
    }

    /// <summary>Writes the network of a model file saved by <see cref="Save"/> as ONNX; see <see cref="ExportOnnx(ITransformer, string)"/>.</summary>
    /// <param name="modelPath">The <c>.wmmodel</c> file.</param>
    /// <param name="path">The .onnx file to write.</param>
    /// <exception cref="InvalidDataException"><paramref name="modelPath"/> is not a WideMinima model file, or is corrupted.</exception>
    /// <exception cref="NotSupportedException">The network was built by a <c>ModelFactory</c> (<see cref="ModelKind.Custom"/>).</exception>
    public static OnnxExportInfo ExportOnnx(string modelPath, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var (entries, description) = Open(modelPath);
        CheckExportable(description.Spec);
        var ml = new MLContext();
        var others = LoadChain(ml, entries[BeforeEntry], out _).ToList();
        if (entries.TryGetValue(AfterEntry, out var afterBytes)) others.AddRange(LoadChain(ml, afterBytes, out _));
        using var network = description.Spec.Build(null, null, null);
        using (var reader = new BinaryReader(new MemoryStream(entries[WeightsEntry]))) network.load(reader);
        network.eval();
        return Export(network, description.Spec, description.Columns, description.Label, others, path);
    }

    /// <summary>The ONNX model of a network, in memory.</summary>
    internal static ModelProto ToOnnx(nn.Module<Tensor, Tensor> network, NetworkSpec spec, ModelColumns columns, LabelInfo label)
    {
        var tensors = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            foreach (var (name, tensor) in network.state_dict())
            {
                if (tensor.dtype != ScalarType.Float32)
                {
                    // Batch norm's step counter is the only non-float state, and inference does not read it.
                    if (name.EndsWith(".num_batches_tracked", StringComparison.Ordinal)) continue;
                    throw new InvalidOperationException($"ONNX export: tensor '{name}' is {tensor.dtype}; the exporter writes float32 networks.");
                }
                tensors[name] = new OnnxTensor(tensor.shape, tensor.detach().cpu().contiguous().data<float>().ToArray());
            }
        }
        var eps = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, module) in network.named_modules())
        {
            if (module is TorchSharp.Modules.BatchNorm2d norm) eps[name] = norm.eps;
        }
        var version = typeof(WideMinimaModel).Assembly.GetName().Version?.ToString() ?? "?";
        return OnnxNetworkExporter.Build(spec, tensors, eps, new OnnxNames(columns.Features, columns.Score, label.KeyValues, version));
    }

    private static void CheckExportable(NetworkSpec spec)
    {
        if (spec.Kind == ModelKind.Custom) throw OnnxNetworkExporter.NotSupported(spec.Kind);
    }

    private static OnnxExportInfo Export(nn.Module<Tensor, Tensor> network, NetworkSpec spec, ModelColumns columns, LabelInfo label,
        IReadOnlyList<ITransformer> others, string path)
    {
        var proto = ToOnnx(network, spec, columns, label);
        string full = Path.GetFullPath(path);
        string temporary = full + ".tmp";
        using (var file = File.Create(temporary)) proto.WriteTo(file);
        File.Move(temporary, full, overwrite: true);
        return new OnnxExportInfo(full, spec.Kind, columns.Features, spec.InputSize, columns.Score, label.KeyValues, OnnxOpset,
            [.. others.Select(t => t.GetType().Name)]);
    }
}
