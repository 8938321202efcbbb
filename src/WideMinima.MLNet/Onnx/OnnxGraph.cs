using System.Runtime.InteropServices;
using Google.Protobuf;
using WideMinima.MLNet.Onnx.Proto;

namespace WideMinima.MLNet.Onnx;

/// <summary>A trained tensor to export: its shape and its values, row-major.</summary>
/// <param name="Shape">The dimensions.</param>
/// <param name="Values">The values.</param>
internal sealed record OnnxTensor(long[] Shape, float[] Values);

/// <summary>
/// Builds an ONNX <see cref="GraphProto"/> layer by layer from named trained tensors (the network's state
/// dictionary). Each layer method takes the name of its input value and returns the name of its output. Every
/// tensor handed in must be used exactly once, so that a network the exporter does not fully understand fails
/// instead of exporting a different function.
/// </summary>
internal sealed class OnnxGraph
{
    private readonly IReadOnlyDictionary<string, OnnxTensor> _tensors;
    private readonly IReadOnlyDictionary<string, double> _batchNormEps;
    private readonly HashSet<string> _used = [];

    /// <param name="tensors">Trained weights and buffers by state-dictionary name.</param>
    /// <param name="batchNormEps">The epsilon of each batch-norm layer, by module name.</param>
    public OnnxGraph(IReadOnlyDictionary<string, OnnxTensor> tensors, IReadOnlyDictionary<string, double> batchNormEps)
    {
        _tensors = tensors;
        _batchNormEps = batchNormEps;
    }

    public GraphProto Graph { get; } = new();

    /// <summary><c>(x - mean) * inverseStd</c>, as <c>Standardize</c> computes it.</summary>
    public string Standardize(string layer, string x)
    {
        string centred = Node("Sub", layer + "/sub", [x, Weight(layer + ".mean")]);
        return Node("Mul", layer + "/scale", [centred, Weight(layer + ".inverseStd")]);
    }

    /// <summary>A fully connected layer: <c>x W^T + b</c>.</summary>
    public string Linear(string layer, string x) =>
        Node("Gemm", layer, [x, Weight(layer + ".weight"), Weight(layer + ".bias")], Int("transB", 1));

    /// <summary>A 2-D convolution; square kernel from the weight's shape, with bias when the layer has one.</summary>
    public string Conv(string layer, string x, int stride, int padding)
    {
        string weight = Weight(layer + ".weight");
        var shape = _tensors[layer + ".weight"].Shape;
        var inputs = new List<string> { x, weight };
        if (_tensors.ContainsKey(layer + ".bias")) inputs.Add(Weight(layer + ".bias"));
        return Node("Conv", layer, [.. inputs],
            Ints("kernel_shape", shape[2], shape[3]), Ints("strides", stride, stride),
            Ints("pads", padding, padding, padding, padding), Ints("dilations", 1, 1), Int("group", 1));
    }

    /// <summary>Batch normalization in inference mode, with the layer's running statistics and epsilon.</summary>
    public string BatchNorm(string layer, string x)
    {
        if (!_batchNormEps.TryGetValue(layer, out double eps))
            throw new InvalidOperationException($"ONNX export: no batch-norm layer '{layer}' in the network.");
        _used.Add(layer + ".num_batches_tracked"); // a training counter; inference does not read it
        return Node("BatchNormalization", layer,
            [x, Weight(layer + ".weight"), Weight(layer + ".bias"), Weight(layer + ".running_mean"), Weight(layer + ".running_var")],
            Float("epsilon", (float)eps));
    }

    public string Relu(string layer, string x) => Node("Relu", layer, [x]);

    public string Add(string layer, string a, string b) => Node("Add", layer, [a, b]);

    public string MaxPool(string layer, string x, int size) =>
        Node("MaxPool", layer, [x], Ints("kernel_shape", size, size), Ints("strides", size, size));

    public string GlobalAveragePool(string layer, string x) => Node("GlobalAveragePool", layer, [x]);

    /// <summary>Keeps the first dimension and flattens the rest.</summary>
    public string Flatten(string layer, string x) => Node("Flatten", layer, [x], Int("axis", 1));

    /// <summary>Keeps the batch dimension (0 = copy) and reshapes the rest to <paramref name="dims"/>.</summary>
    public string Reshape(string layer, string x, params long[] dims) =>
        Node("Reshape", layer, [x, Constant(layer + ".shape", [0, .. dims])]);

    /// <summary>Softmax over the classes (axis 1) into the graph output <paramref name="output"/>.</summary>
    public void Softmax(string layer, string x, string output) =>
        Graph.Node.Add(NewNode("Softmax", layer, [x], [output], Int("axis", 1)));

    /// <summary>Throws unless every tensor handed in went into the graph.</summary>
    public void CheckAllUsed()
    {
        var unused = _tensors.Keys.Where(k => !_used.Contains(k)).Order(StringComparer.Ordinal).ToList();
        if (unused.Count > 0)
            throw new InvalidOperationException(
                $"ONNX export: the network has tensors the exporter did not place ({string.Join(", ", unused.Take(5))}); its layout differs from the one the exporter knows.");
    }

    private string Node(string op, string name, string[] inputs, params AttributeProto[] attributes)
    {
        string output = name + "/" + op;
        Graph.Node.Add(NewNode(op, name, inputs, [output], attributes));
        return output;
    }

    private static NodeProto NewNode(string op, string name, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        return node;
    }

    /// <summary>Adds a trained tensor as an initializer (once) and returns its name.</summary>
    private string Weight(string name)
    {
        if (!_tensors.TryGetValue(name, out var tensor))
            throw new InvalidOperationException($"ONNX export: the network has no tensor '{name}'; its layout differs from the one the exporter knows.");
        if (!_used.Add(name)) throw new InvalidOperationException($"ONNX export: tensor '{name}' placed twice.");
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        proto.Dims.AddRange(tensor.Shape);
        if (BitConverter.IsLittleEndian)
            proto.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(tensor.Values.AsSpan())); // ONNX raw data is little-endian
        else
            proto.FloatData.AddRange(tensor.Values);
        Graph.Initializer.Add(proto);
        return name;
    }

    private string Constant(string name, long[] values)
    {
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        proto.Dims.Add(values.Length);
        proto.Int64Data.AddRange(values);
        Graph.Initializer.Add(proto);
        return name;
    }

    private static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    private static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }
}
