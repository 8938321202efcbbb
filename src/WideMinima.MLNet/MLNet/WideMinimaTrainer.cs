using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using WideMinima.Models;
using WideMinima.Training;

namespace WideMinima.MLNet;

/// <summary>
/// Trains a TorchSharp classifier (MLP, CNN or your own network) with the Knee schedule or a baseline,
/// optionally measuring its Keskar minima width. Create it with
/// <c>mlContext.MulticlassClassification.Trainers.WideMinima(...)</c>.
/// </summary>
public sealed partial class WideMinimaTrainer : IEstimator<WideMinimaTransformer>
{
    private readonly IHostEnvironment _environment;
    private readonly Options _options;

    /// <summary>Creates the trainer; the options are validated here, so bad values fail before any data is read.</summary>
    public WideMinimaTrainer(MLContext mlContext, Options options) : this((IHostEnvironment)mlContext, options)
    {
    }

    internal WideMinimaTrainer(IHostEnvironment environment, Options options)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _environment = environment;
        _options = options;
    }

    /// <summary>Trains on <paramref name="input"/>.</summary>
    public WideMinimaTransformer Fit(IDataView input) => Fit(input, CancellationToken.None);

    /// <summary>Trains on <paramref name="input"/>; <paramref name="cancellationToken"/> stops training between steps.</summary>
    public WideMinimaTransformer Fit(IDataView input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        _options.Validate();
        var o = _options;
        NativeWarnings.Quiet();
        var (_, dimensions) = TrainingDataReader.CheckFeatures(input.Schema, o.FeatureColumnName);
        TrainingDataReader.CheckLabelType(input.Schema, o.LabelColumnName);

        var host = _environment.Register(nameof(WideMinimaTrainer));
        using var channel = host.Start("Training");
        void Log(string message) => channel.Info(MessageSensitivity.None, message);

        var (train, label) = TrainingDataReader.Read(input, o.FeatureColumnName, o.LabelColumnName, null, "training data");
        var validation = o.ValidationSet is null ? null
            : TrainingDataReader.Read(o.ValidationSet, o.FeatureColumnName, o.LabelColumnName, label, "validation set").Data;

        var spec = Spec(o, train.FeatureCount, label.ClassCount, dimensions);
        int seed = o.Seed ?? host.Rand.Next();
        var (device, warning) = TorchDevices.Resolve(o.Device);
        if (warning is not null) channel.Warning(MessageSensitivity.None, warning);
        Log($"training {spec.Kind} on {train.Count} examples x {train.FeatureCount} features, {label.ClassCount} classes, device {device}, seed {seed}");

        var result = ClassifierTraining.Train(train, validation, o, spec, seed, device, Log, cancellationToken);
        var columns = new ModelColumns(o.LabelColumnName, o.FeatureColumnName, o.ScoreColumnName, o.PredictedLabelColumnName);
        return new WideMinimaTransformer(result.Model, device, spec, columns, label, result.Report, o.Scoring);
    }

    /// <summary>Checks the input columns and describes the output: the input plus score and predicted label.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var o = _options;
        if (Find(inputSchema, o.FeatureColumnName) is not { } features)
            throw new ArgumentOutOfRangeException(o.FeatureColumnName, $"The feature column '{o.FeatureColumnName}' was not found.");
        if (features.Kind != SchemaShape.Column.VectorKind.Vector || features.ItemType != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(o.FeatureColumnName,
                $"Schema mismatch for feature column '{o.FeatureColumnName}': expected a vector of Single (float) of known size, got {Describe(features)}.");
        if (Find(inputSchema, o.LabelColumnName) is not { } label)
            throw new ArgumentOutOfRangeException(o.LabelColumnName, $"The label column '{o.LabelColumnName}' was not found.");
        if (label.Kind != SchemaShape.Column.VectorKind.Scalar || !(label.IsKey || LabelInfo.IsIntegerType(label.ItemType)))
            throw new ArgumentOutOfRangeException(o.LabelColumnName,
                $"Schema mismatch for label column '{o.LabelColumnName}': expected a key type or an integer type, got {Describe(label)}.");

        // SchemaShape's column constructor is internal to ML.NET; a custom mapping with our output types
        // describes the two new columns instead (class count 1 stands in: shapes carry no sizes).
        var input = SchemaDefinition.Create(typeof(ShapeInput), SchemaDefinition.Direction.Read);
        input[nameof(ShapeInput.Features)].ColumnName = o.FeatureColumnName;
        var output = SchemaDefinition.Create(typeof(ShapeOutput), SchemaDefinition.Direction.Write);
        output[nameof(ShapeOutput.Score)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 1);
        output[nameof(ShapeOutput.Score)].ColumnName = o.ScoreColumnName;
        var predicted = output[nameof(ShapeOutput.PredictedLabel)];
        predicted.ColumnType = new KeyDataViewType(typeof(uint), 1);
        predicted.AddAnnotation("KeyValues", new VBuffer<ReadOnlyMemory<char>>(1, ["".AsMemory()]), new VectorDataViewType(TextDataViewType.Instance, 1));
        predicted.ColumnName = o.PredictedLabelColumnName;
        return new MLContext().Transforms.CustomMapping<ShapeInput, ShapeOutput>((_, _) => { }, null, input, output).GetOutputSchema(inputSchema)!;
    }

    /// <summary>The row types of the custom mapping that describes the output columns in <see cref="GetOutputSchema"/>.</summary>
    private sealed class ShapeInput
    {
        public float[] Features { get; set; } = [];
    }

    /// <inheritdoc cref="ShapeInput"/>
    private sealed class ShapeOutput
    {
        public float[] Score { get; set; } = [];
        public uint PredictedLabel { get; set; }
    }

    private static SchemaShape.Column? Find(SchemaShape shape, string name)
    {
        foreach (var column in shape) if (column.Name == name) return column;
        return null;
    }

    private static string Describe(SchemaShape.Column column) => column.Kind switch
    {
        SchemaShape.Column.VectorKind.Scalar => column.IsKey ? $"Key<{column.ItemType}>" : $"{column.ItemType}",
        SchemaShape.Column.VectorKind.Vector => $"Vector<{column.ItemType}> of known size",
        _ => $"Vector<{column.ItemType}> of variable size",
    };

    /// <summary>The network for these options and data.</summary>
    internal static NetworkSpec Spec(Options o, int featureCount, int classCount, int[] dimensions) =>
        new(o.Model, featureCount, classCount, [.. o.HiddenSizes], NeedsImage(o) ? ResolveImageShape(o, featureCount, dimensions) : o.ImageShape, o.NormalizeFeatures);

    private static bool NeedsImage(Options o) => o.Model is ModelKind.Cnn or ModelKind.ResNet18 || o.Augmentation != Augmentation.None;

    private static ImageShape ResolveImageShape(Options options, int featureCount, int[] dimensions)
    {
        var o = options;
        var shape = o.ImageShape ?? dimensions switch
        {
            [int h, int w] => new ImageShape(1, h, w),
            [int c, int h, int w] => new ImageShape(c, h, w),
            _ => throw new ArgumentException(
                $"{o.Model} and augmentation need image-shaped features: set Options.ImageShape, or give column '{o.FeatureColumnName}' 2 or 3 dimensions (it has {dimensions.Length}: [{string.Join(", ", dimensions)}]).",
                nameof(options)),
        };
        if (shape.Size != featureCount)
            throw new ArgumentException($"ImageShape {shape.Channels}x{shape.Height}x{shape.Width} = {shape.Size} values, but column '{o.FeatureColumnName}' has {featureCount}.", nameof(options));
        if (shape.Height < 4 || shape.Width < 4)
            throw new ArgumentException($"ImageShape {shape.Height}x{shape.Width} is too small for the CNN's two 2x2 poolings (at least 4x4).", nameof(options));
        return shape;
    }
}
