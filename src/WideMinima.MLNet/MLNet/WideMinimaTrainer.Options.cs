using Microsoft.ML;
using TorchSharp;
using WideMinima.Internal;
using WideMinima.Models;
using WideMinima.Schedules;
using WideMinima.Sharpness;
using WideMinima.Training;
using WideMinima.Training.Checkpoints;
using static TorchSharp.torch;

namespace WideMinima.MLNet;

public sealed partial class WideMinimaTrainer
{
    /// <summary>
    /// Options of <see cref="WideMinimaTrainer"/>. Names follow Microsoft.ML.TorchSharp's trainers
    /// (<c>LabelColumnName</c>, <c>BatchSize</c>, <c>WeightDecay</c>, <c>ValidationSet</c>); every default is documented.
    /// </summary>
    public sealed class Options
    {
        /// <summary>The label column: a key type or an integer type. Default <c>Label</c>.</summary>
        public string LabelColumnName { get; set; } = TrainingDefaults.LabelColumnName;

        /// <summary>The features column: a known-size vector of float. Default <c>Features</c>.</summary>
        public string FeatureColumnName { get; set; } = TrainingDefaults.FeatureColumnName;

        /// <summary>The output column of class probabilities. Default <c>Score</c>.</summary>
        public string ScoreColumnName { get; set; } = "Score";

        /// <summary>The output column of the predicted class, with the label's key type. Default <c>PredictedLabel</c>.</summary>
        public string PredictedLabelColumnName { get; set; } = "PredictedLabel";

        /// <summary>The network. Default <see cref="ModelKind.Mlp"/>.</summary>
        public ModelKind Model { get; set; } = TrainingDefaults.Model;

        /// <summary>Hidden layer widths of the MLP. Default 512, 512.</summary>
        public IReadOnlyList<int> HiddenSizes { get; set; } = TrainingDefaults.HiddenSizes;

        /// <summary>
        /// Channels, height and width of image features for the CNN. Default null: taken from the features
        /// column's dimensions (Fashion-MNIST's are 28 x 28, one channel).
        /// </summary>
        public ImageShape? ImageShape { get; set; }

        /// <summary>Builds any network for (input size, class count) when <see cref="Model"/> is Custom; needed again to load.</summary>
        public Func<int, int, nn.Module<Tensor, Tensor>>? ModelFactory { get; set; }

        /// <summary>Training-time augmentation of image-shaped features. Default <see cref="Augmentation.None"/>.</summary>
        public Augmentation Augmentation { get; set; } = TrainingDefaults.Augmentation;

        /// <summary>Standardize each feature with the training mean and standard deviation inside the network. Default true.</summary>
        public bool NormalizeFeatures { get; set; } = TrainingDefaults.NormalizeFeatures;

        /// <summary>
        /// The optimizer. Default <see cref="OptimizerKind.Sgd"/> with Nesterov momentum. With
        /// <see cref="OptimizerKind.ScheduleFreeSgd"/> or <see cref="OptimizerKind.ScheduleFreeAdamW"/> the validation
        /// metrics, the width measures and the returned model (and so what is scored and saved) are the average x
        /// (BatchNorm statistics recomputed at x); a constant <see cref="Schedule"/> is the usual choice.
        /// </summary>
        public OptimizerKind Optimizer { get; set; } = TrainingDefaults.Optimizer;

        /// <summary>
        /// SGD momentum, in [0, 1]; for Schedule-Free SGD the interpolation β and for Schedule-Free AdamW β1, each in
        /// (0, 1) (AdamW's β2 is 0.999 and ε 1e-8). Default 0.9.
        /// </summary>
        public double Momentum { get; set; } = TrainingDefaults.Momentum;

        /// <summary>Weight decay (L2 for SGD, decoupled for AdamW; taken at y by the Schedule-Free optimizers). Default 5e-4.</summary>
        public double WeightDecay { get; set; } = TrainingDefaults.WeightDecay;

        /// <summary>Examples per optimizer step. Default 128.</summary>
        public int BatchSize { get; set; } = TrainingDefaults.BatchSize;

        /// <summary>Training epochs: the budget. Default 10.</summary>
        public int Epochs { get; set; } = TrainingDefaults.Epochs;

        /// <summary>The learning-rate schedule. Default Knee with explore fraction 0.5 and peak 0.1.</summary>
        public ScheduleOptions Schedule { get; set; } = new KneeScheduleOptions();

        /// <summary>Measure the Keskar width after training with these options; null skips it. Default null.</summary>
        public KeskarWidthOptions? Width { get; set; }

        /// <summary>Measure the Hessian's top eigenvalue and trace after training with these options; null skips it. Default null.</summary>
        public HessianOptions? Hessian { get; set; }

        /// <summary>Measure the adaptive sharpness after training with these options; null skips it. Default null.</summary>
        public AdaptiveSharpnessOptions? Adaptive { get; set; }

        /// <summary>The seed; null draws one from the <see cref="MLContext"/>'s seeded random source. Default null.</summary>
        public int? Seed { get; set; }

        /// <summary>Where to train. Default <see cref="DeviceKind.Auto"/>.</summary>
        public DeviceKind Device { get; set; } = TrainingDefaults.Device;

        /// <summary>Torch intra-op threads (process-wide); 0 leaves libtorch's default (all cores). Default 0.</summary>
        public int Threads { get; set; } = TrainingDefaults.Threads;

        /// <summary>Data to report accuracy and loss on after each epoch; null skips it. Default null.</summary>
        public IDataView? ValidationSet { get; set; }

        /// <summary>Clip the gradient's global L2 norm to this value; null does not clip. Default null.</summary>
        public double? GradientClipNorm { get; set; }

        /// <summary>What to do when the loss becomes NaN or infinite. Default <see cref="DivergenceAction.Throw"/>.</summary>
        public DivergenceAction OnDivergence { get; set; } = TrainingDefaults.OnDivergence;

        /// <summary>Receives each epoch's metrics as it ends. Default null.</summary>
        public IProgress<EpochReport>? Progress { get; set; }

        /// <summary>Examples per forward pass when evaluating the validation set after each epoch. Default 1024.</summary>
        public int EvaluationBatchSize { get; set; } = TrainingDefaults.EvaluationBatchSize;

        /// <summary>How the fitted transformer scores: rows per forward pass in <c>Transform</c>, and threads for bulk and single rows. Default <see cref="ScoringOptions"/>' defaults.</summary>
        public ScoringOptions Scoring { get; set; } = new();

        /// <summary>When to save checkpoints of the whole training state, and where (the sweep console and the tuner set it).</summary>
        internal CheckpointPlan? Checkpoints { get; set; }

        /// <summary>A checkpoint to resume or fork from.</summary>
        internal CheckpointSource? ResumeFrom { get; set; }

        /// <summary>Stop once this many optimizer steps are done; null trains the whole budget.</summary>
        internal long? StopAfterStep { get; set; }

        /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option and its value.</summary>
        public void Validate()
        {
            foreach (var (name, value) in new[]
            {
                (nameof(LabelColumnName), LabelColumnName), (nameof(FeatureColumnName), FeatureColumnName),
                (nameof(ScoreColumnName), ScoreColumnName), (nameof(PredictedLabelColumnName), PredictedLabelColumnName),
            })
            {
                if (string.IsNullOrWhiteSpace(value)) throw new ArgumentException($"'{name}' must name a column, but was '{value}'.", name);
            }
            if (ScoreColumnName == PredictedLabelColumnName)
                throw new ArgumentException($"'{nameof(ScoreColumnName)}' and '{nameof(PredictedLabelColumnName)}' must differ, but both are '{ScoreColumnName}'.", nameof(PredictedLabelColumnName));
            if (!Enum.IsDefined(Model)) throw Guard.Fail(nameof(Model), Model, "must be Mlp, Cnn, ResNet18 or Custom");
            ArgumentNullException.ThrowIfNull(HiddenSizes, nameof(HiddenSizes));
            for (int i = 0; i < HiddenSizes.Count; i++) Guard.Positive(HiddenSizes[i], $"{nameof(HiddenSizes)}[{i}]");
            if (Model == ModelKind.Custom && ModelFactory is null)
                throw new ArgumentException($"'{nameof(ModelFactory)}' must be set when '{nameof(Model)}' is Custom.", nameof(ModelFactory));
            if (ImageShape is { } s && (s.Channels <= 0 || s.Height <= 0 || s.Width <= 0))
                throw Guard.Fail(nameof(ImageShape), s, "must have positive channels, height and width");
            if (!Enum.IsDefined(Device)) throw Guard.Fail(nameof(Device), Device, "must be Auto, Cpu or Cuda");
            ArgumentNullException.ThrowIfNull(Scoring, nameof(Scoring));
            Scoring.Validate();
            ToTrainingOptions().Validate();
        }

        /// <summary>A shallow copy (the tuner changes the schedule, seed and weight decay of a copy).</summary>
        internal Options Copy() => (Options)MemberwiseClone();

        /// <summary>The training loop's settings: everything here but the columns, the validation data, the seed and the device.</summary>
        internal TrainingOptions ToTrainingOptions() => new()
        {
            ModelFactory = ModelFactory,
            Augmentation = Augmentation,
            Optimizer = Optimizer,
            Momentum = Momentum,
            WeightDecay = WeightDecay,
            BatchSize = BatchSize,
            Epochs = Epochs,
            Schedule = Schedule,
            Width = Width,
            Hessian = Hessian,
            Adaptive = Adaptive,
            Threads = Threads,
            GradientClipNorm = GradientClipNorm,
            OnDivergence = OnDivergence,
            Progress = Progress,
            EvaluationBatchSize = EvaluationBatchSize,
            Checkpoints = Checkpoints,
            ResumeFrom = ResumeFrom,
            StopAfterStep = StopAfterStep,
        };

        /// <summary>
        /// Options carrying over the settings of one of ML.NET's own TorchSharp trainers (column names, batch
        /// size, epochs, weight decay, validation set). Their learning-rate ratios describe a different
        /// schedule and are not carried: set <see cref="Schedule"/> instead.
        /// </summary>
        public static Options From(Microsoft.ML.TorchSharp.TorchSharpBaseTrainer.Options source)
        {
            ArgumentNullException.ThrowIfNull(source);
            return new Options
            {
                LabelColumnName = source.LabelColumnName,
                ScoreColumnName = source.ScoreColumnName,
                PredictedLabelColumnName = source.PredictionColumnName,
                BatchSize = source.BatchSize,
                Epochs = source.MaxEpoch,
                WeightDecay = source.WeightDecay,
                ValidationSet = source.ValidationSet,
            };
        }
    }
}
