using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;
using WideMinima.Models;
using WideMinima.Sharpness;
using WideMinima.Training;
using static TorchSharp.torch;

namespace WideMinima.MLNet;

/// <summary>
/// A fitted WideMinima model. Like every ML.NET transformer it adds its output columns to any data with
/// the features column: <c>Score</c> (<c>vector&lt;float&gt;</c> of class probabilities) and <c>PredictedLabel</c>
/// (the label's key type, with its key values, so that <c>Evaluate</c> and <c>MapKeyToValue</c> work), and it
/// works with <c>PredictionEngine</c>. It also carries the <see cref="TrainingReport"/> and the TorchSharp network.
/// </summary>
/// <remarks>
/// ML.NET's model format cannot hold third-party transformers (its save and load types are internal to
/// Microsoft's assemblies), so save a pipeline that contains this transformer with <see cref="WideMinimaModel.Save"/>.
/// </remarks>
public sealed class WideMinimaTransformer : ITransformer, IDisposable
{
    private readonly Device _device;
    private readonly NetworkScorer _scorer;
    private ScoringOptions _scoring;
    private bool _disposed;

    internal WideMinimaTransformer(nn.Module<Tensor, Tensor> network, Device device, NetworkSpec spec,
        ModelColumns columns, LabelInfo label, TrainingReport report, ScoringOptions? scoring = null)
    {
        NativeWarnings.Quiet();
        Network = network;
        _device = device;
        Spec = spec;
        Columns = columns;
        Label = label;
        TrainingReport = report;
        network.eval();
        _scorer = new NetworkScorer(network, device, spec.InputSize, spec.ClassCount);
        _scoring = Checked(scoring ?? new ScoringOptions());
    }

    /// <summary>
    /// How this model scores: rows per forward pass in <see cref="Transform"/> and libtorch threads for bulk and single
    /// rows (see <see cref="ScoringOptions"/>). A copy is kept: a change applies to the data views, cursors and
    /// prediction engines made after it is set.
    /// </summary>
    public ScoringOptions Scoring
    {
        get => _scoring.Copy();
        set => _scoring = Checked(value);
    }

    /// <summary>The forward passes behind Transform and PredictionEngine (for tests).</summary>
    internal NetworkScorer Scorer => _scorer;

    /// <summary>What happened during training: LR per step, per-epoch metrics, width, times and seed.</summary>
    public TrainingReport TrainingReport { get; }

    /// <summary>The network's architecture.</summary>
    public NetworkSpec Spec { get; }

    /// <summary>The columns read and written.</summary>
    public ModelColumns Columns { get; }

    /// <summary>The label's classes and their names.</summary>
    public LabelInfo Label { get; }

    /// <summary>The trained TorchSharp network (in eval mode), for use outside ML.NET.</summary>
    public nn.Module<Tensor, Tensor> Network { get; }

    /// <inheritdoc />
    public bool IsRowToRowMapper => true;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        CheckInput(inputSchema);
        return OutputSchema(inputSchema);
    }

    /// <summary>
    /// Adds the score and predicted-label columns to <paramref name="input"/>, lazily, as every ML.NET transformer does.
    /// The data view's cursors read <see cref="ScoringOptions.BatchSize"/> rows ahead and score them in one forward
    /// pass; rows come in the input's order (or its shuffled order, and its cursor sets), with the same scores as one
    /// row at a time.
    /// </summary>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckInput(input.Schema);
        return new ScoredDataView(input, OutputSchema(input.Schema), _scorer, _scoring, input.Schema[Columns.Features].Index);
    }

    /// <summary>
    /// The row-to-row mapper that <c>PredictionEngine</c> runs on: each row is scored on its own, through buffers and
    /// tensors made once per engine, with <see cref="ScoringOptions.SingleRowThreads"/> libtorch threads.
    /// </summary>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        CheckInput(inputSchema);
        return new ScoringRowMapper(inputSchema, OutputSchema(inputSchema), _scorer, _scoring, inputSchema[Columns.Features].Index);
    }

    /// <summary>Not supported: ML.NET's format cannot hold this transformer. Use <see cref="WideMinimaModel.Save"/>.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => throw new NotSupportedException(
        "ML.NET's model format (mlContext.Model.Save) cannot hold third-party transformers: its save and load types are internal. " +
        "Save the whole pipeline with WideMinimaModel.Save(mlContext, model, inputSchema, path) and load it with WideMinimaModel.Load.");

    /// <summary>
    /// Measures the Keskar width of this model on <paramref name="data"/>, which needs the features column and
    /// the label column the model was trained on. Weights are restored afterwards.
    /// </summary>
    public WidthReport MeasureWidth(IDataView data, KeskarWidthOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckInput(data.Schema);
        var (examples, _) = TrainingDataReader.Read(data, Columns.Features, Columns.Label, Label, "width data");
        using var scope = NewDisposeScope();
        var x = tensor(examples.Features, [examples.Count, examples.FeatureCount]).to(_device);
        var y = tensor(examples.Labels).to(_device);
        return KeskarWidth.Measure(Network, (o, t) => nn.functional.cross_entropy(o, t), x, y, options, cancellationToken);
    }

    /// <summary>
    /// The Hessian's top eigenvalue and trace (<see cref="HessianSpectrum"/>) of the cross-entropy of this model on
    /// <paramref name="data"/>, which needs the features and label columns. Nothing of the model changes.
    /// </summary>
    public HessianReport MeasureHessian(IDataView data, HessianOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = NewDisposeScope();
        var (x, y) = Tensors(data, "Hessian data");
        return HessianSpectrum.Measure(Network, (o, t) => nn.functional.cross_entropy(o, t), x, y, options, cancellationToken);
    }

    /// <summary>The adaptive sharpness (<see cref="AdaptiveSharpness"/>) of this model on <paramref name="data"/>. Weights are restored afterwards.</summary>
    public AdaptiveSharpnessReport MeasureAdaptiveSharpness(IDataView data, AdaptiveSharpnessOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = NewDisposeScope();
        var (x, y) = Tensors(data, "adaptive sharpness data");
        return AdaptiveSharpness.Measure(Network, (o, t) => nn.functional.cross_entropy(o, t), x, y, options, cancellationToken);
    }

    /// <summary>The loss along a filter-normalised random direction through this model's weights (<see cref="LossLandscape.Slice"/>).</summary>
    public LandscapeLine LossLandscapeSlice(IDataView data, LandscapeOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = NewDisposeScope();
        var (x, y) = Tensors(data, "landscape data");
        return LossLandscape.Slice(Network, (o, t) => nn.functional.cross_entropy(o, t), x, y, options, cancellationToken);
    }

    /// <summary>The loss on a plane of two filter-normalised random directions (<see cref="LossLandscape.Surface"/>).</summary>
    public LandscapeSurface LossLandscapeSurface(IDataView data, LandscapeOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var scope = NewDisposeScope();
        var (x, y) = Tensors(data, "landscape data");
        return LossLandscape.Surface(Network, (o, t) => nn.functional.cross_entropy(o, t), x, y, options, cancellationToken);
    }

    /// <summary>The loss along the line from this model's weights (t = 0) to <paramref name="other"/>'s (t = 1) (<see cref="LossLandscape.Interpolate"/>).</summary>
    public LandscapeLine LossInterpolation(WideMinimaTransformer other, IDataView data, LandscapeOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(other);
        using var scope = NewDisposeScope();
        var (x, y) = Tensors(data, "landscape data");
        return LossLandscape.Interpolate(Network, other.Network, (o, t) => nn.functional.cross_entropy(o, t), x, y, options, cancellationToken);
    }

    private (Tensor X, Tensor Y) Tensors(IDataView data, string what)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckInput(data.Schema);
        var (examples, _) = TrainingDataReader.Read(data, Columns.Features, Columns.Label, Label, what);
        return (tensor(examples.Features, [examples.Count, examples.FeatureCount]).to(_device), tensor(examples.Labels).to(_device));
    }

    /// <summary>Accuracy and mean cross-entropy on data with the feature and label columns, scored in batches.</summary>
    public (double Accuracy, double LogLoss) Evaluate(IDataView data, int batchSize = 1024)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckInput(data.Schema);
        var (examples, _) = TrainingDataReader.Read(data, Columns.Features, Columns.Label, Label, "evaluation data");
        return ClassifierTraining.Evaluate(Network, examples, _device, batchSize);
    }

    /// <summary>Releases the network's native memory.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Network.Dispose();
    }

    private void CheckInput(DataViewSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var (size, _) = TrainingDataReader.CheckFeatures(schema, Columns.Features);
        if (size != Spec.InputSize)
            throw new ArgumentOutOfRangeException(Columns.Features,
                $"Schema mismatch for feature column '{Columns.Features}': the model was trained on vectors of {Spec.InputSize} values, but this data has {size}.");
    }

    private static ScoringOptions Checked(ScoringOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options.Copy();
    }

    /// <summary>
    /// The input's columns (indices unchanged), then the score, a vector of K floats with the class names as slot
    /// names, and the predicted label, the label's key type with its key values. Input columns of the same names stay,
    /// hidden.
    /// </summary>
    private DataViewSchema OutputSchema(DataViewSchema input)
    {
        int k = Label.ClassCount;
        var names = new VBuffer<ReadOnlyMemory<char>>(k, [.. Label.KeyValues.Select(v => v.AsMemory())]);
        var textVector = new VectorDataViewType(TextDataViewType.Instance, k);
        void Names(ref VBuffer<ReadOnlyMemory<char>> value) => names.CopyTo(ref value);

        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        var slotNames = new DataViewSchema.Annotations.Builder();
        slotNames.Add<VBuffer<ReadOnlyMemory<char>>>("SlotNames", textVector, Names);
        builder.AddColumn(Columns.Score, new VectorDataViewType(NumberDataViewType.Single, k), slotNames.ToAnnotations());
        var keyValues = new DataViewSchema.Annotations.Builder();
        keyValues.Add<VBuffer<ReadOnlyMemory<char>>>("KeyValues", textVector, Names);
        builder.AddColumn(Columns.PredictedLabel, new KeyDataViewType(typeof(uint), k), keyValues.ToAnnotations());
        return builder.ToSchema();
    }
}
