using System.Text.Json;
using WideMinima.MLNet.Onnx.Proto;
using WideMinima.Models;

namespace WideMinima.MLNet.Onnx;

/// <summary>What the exported graph is called and reads: its input and output names and the class names.</summary>
/// <param name="InputName">The graph input: the features column name.</param>
/// <param name="OutputName">The graph output: the score column name.</param>
/// <param name="ClassNames">The classes, in output order.</param>
/// <param name="ProducerVersion">The library version that wrote the file.</param>
internal sealed record OnnxNames(string InputName, string OutputName, IReadOnlyList<string> ClassNames, string ProducerVersion);

/// <summary>
/// Translates a network built by <see cref="NetworkSpec"/> (MLP, CNN or ResNet-18, with its standardization)
/// into an ONNX model: the same layers in the same order, in inference mode (batch norm with running statistics,
/// dropout removed), ending in a softmax so that the output holds class probabilities like the transformer's
/// <c>Score</c> column. Pure: no file and no TorchSharp; the trained tensors come in by state-dictionary name.
/// </summary>
internal static class OnnxNetworkExporter
{
    /// <summary>The ONNX operator set the graph uses (ai.onnx, default domain).</summary>
    public const int Opset = 17;

    /// <summary>The ONNX IR version written (8: ONNX 1.10 to 1.12, the IR of opset 17).</summary>
    public const int IrVersion = 8;

    /// <summary>The symbolic batch dimension of the input and output.</summary>
    public const string BatchDimension = "N";

    public static ModelProto Build(NetworkSpec spec, IReadOnlyDictionary<string, OnnxTensor> tensors,
        IReadOnlyDictionary<string, double> batchNormEps, OnnxNames names)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var graph = new OnnxGraph(tensors, batchNormEps);
        string x = names.InputName;
        if (spec.Standardized) x = graph.Standardize("standardize", x);
        switch (spec.Kind)
        {
            case ModelKind.Mlp:
                for (int i = 0; i < spec.HiddenSizes.Length; i++) x = graph.Relu($"relu{i}", graph.Linear($"fc{i}", x));
                x = graph.Linear("classifier", x);
                break;
            case ModelKind.Cnn:
                x = Cnn(graph, x, Image(spec));
                break;
            case ModelKind.ResNet18:
                x = ResNet18(graph, x, Image(spec), "resnet18.");
                break;
            case ModelKind.Custom:
                throw NotSupported(spec.Kind);
            default:
                throw new InvalidOperationException($"Unknown model kind {spec.Kind}.");
        }
        graph.Softmax("softmax", x, names.OutputName);
        graph.CheckAllUsed();

        var g = graph.Graph;
        g.Name = $"wideminima_{spec.Kind.ToString().ToLowerInvariant()}";
        g.DocString = $"WideMinima {spec.Kind} network: {spec.InputSize} features in ('{names.InputName}'), {spec.ClassCount} class probabilities out ('{names.OutputName}').";
        g.Input.Add(Value(names.InputName, spec.InputSize));
        g.Output.Add(Value(names.OutputName, spec.ClassCount));

        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "WideMinima",
            ProducerVersion = names.ProducerVersion,
            Domain = "wideminima",
            ModelVersion = 1,
            DocString = g.DocString,
            Graph = g,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        model.MetadataProps.Add(Entry("wideminima.model_kind", spec.Kind.ToString()));
        model.MetadataProps.Add(Entry("wideminima.input", names.InputName));
        model.MetadataProps.Add(Entry("wideminima.output", names.OutputName));
        model.MetadataProps.Add(Entry("wideminima.classes", JsonSerializer.Serialize(names.ClassNames)));
        if (spec.ImageShape is { } image)
            model.MetadataProps.Add(Entry("wideminima.image_shape", $"{image.Channels},{image.Height},{image.Width}"));
        return model;
    }

    /// <summary>The CNN of <see cref="NetworkSpec"/>; its dropout is the identity at inference and is left out.</summary>
    private static string Cnn(OnnxGraph g, string x, ImageShape shape)
    {
        x = g.Reshape("image", x, shape.Channels, shape.Height, shape.Width);
        x = g.MaxPool("pool1", g.Relu("relu1", g.BatchNorm("bn1", g.Conv("conv1", x, stride: 1, padding: 1))), 2);
        x = g.MaxPool("pool2", g.Relu("relu2", g.BatchNorm("bn2", g.Conv("conv2", x, stride: 1, padding: 1))), 2);
        x = g.Relu("relu3", g.Linear("fc", g.Flatten("flatten", x)));
        return g.Linear("classifier", x);
    }

    /// <summary>The ResNet-18 of <c>ResNet18</c>: 3x3 stem, four stages of two basic blocks, global average pool.</summary>
    private static string ResNet18(OnnxGraph g, string x, ImageShape shape, string prefix)
    {
        x = g.Reshape(prefix + "image", x, shape.Channels, shape.Height, shape.Width);
        x = g.Relu(prefix + "relu", g.BatchNorm(prefix + "stemNorm", g.Conv(prefix + "stem", x, stride: 1, padding: 1)));
        foreach (var (stride, index) in new[] { (1, 1), (2, 2), (2, 3), (2, 4) })
        {
            x = BasicBlock(g, x, $"{prefix}stages.layer{index}_0", stride);
            x = BasicBlock(g, x, $"{prefix}stages.layer{index}_1", 1);
        }
        x = g.Flatten(prefix + "flatten", g.GlobalAveragePool(prefix + "pool", x));
        return g.Linear(prefix + "classifier", x);
    }

    private static string BasicBlock(OnnxGraph g, string x, string block, int stride)
    {
        var y = g.Relu(block + ".relu1", g.BatchNorm(block + ".norm1", g.Conv(block + ".conv1", x, stride, padding: 1)));
        y = g.BatchNorm(block + ".norm2", g.Conv(block + ".conv2", y, stride: 1, padding: 1));
        // ResNet18 adds the 1x1 projection where the block changes the shape: in this network exactly the
        // stride-2 blocks (the first block of stages 2 to 4, which also double the channels).
        var shortcut = stride != 1
            ? g.BatchNorm(block + ".shortcut.1", g.Conv(block + ".shortcut.0", x, stride, padding: 0))
            : x;
        return g.Relu(block + ".relu2", g.Add(block + ".add", y, shortcut));
    }

    /// <summary>The error for a network the exporter cannot translate (those a <c>ModelFactory</c> builds).</summary>
    public static NotSupportedException NotSupported(ModelKind kind) => new(
        $"ONNX export covers the {nameof(ModelKind.Mlp)}, {nameof(ModelKind.Cnn)} and {nameof(ModelKind.ResNet18)} networks; " +
        $"this model's network is {nameof(ModelKind)}.{kind} (built by a ModelFactory), whose layers the exporter cannot know. " +
        "Export a custom TorchSharp network with your own tooling.");

    private static ImageShape Image(NetworkSpec spec) =>
        spec.ImageShape ?? throw new InvalidOperationException($"A {spec.Kind} network needs an image shape.");

    private static ValueInfoProto Value(string name, long size)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = BatchDimension });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = size });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    private static StringStringEntryProto Entry(string key, string value) => new() { Key = key, Value = value };
}
