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
    /// Options of <see cref="WideMinimaTrainer"/>: the training settings (<see cref="TrainingOptions"/>, where each
    /// hyperparameter and its default is declared) plus what ML.NET needs: columns, the seed, the validation data and
    /// how the fitted model scores. Names follow Microsoft.ML.TorchSharp's trainers (<c>LabelColumnName</c>,
    /// <c>BatchSize</c>, <c>WeightDecay</c>, <c>ValidationSet</c>); every default is documented.
    /// </summary>
    public sealed record Options : TrainingOptions
    {
        /// <summary>The default label column, <c>Label</c>.</summary>
        public const string DefaultLabelColumnName = "Label";

        /// <summary>The default features column, <c>Features</c>.</summary>
        public const string DefaultFeatureColumnName = "Features";

        /// <summary>Options with every default.</summary>
        public Options()
        {
        }

        /// <summary>Options that train as <paramref name="training"/> says (a sweep's or a tuner's settings), with the ML.NET defaults.</summary>
        public Options(TrainingOptions training) : base(training)
        {
        }

        /// <summary>The label column: a key type or an integer type. Default <c>Label</c>.</summary>
        public string LabelColumnName { get; set; } = DefaultLabelColumnName;

        /// <summary>The features column: a known-size vector of float. Default <c>Features</c>.</summary>
        public string FeatureColumnName { get; set; } = DefaultFeatureColumnName;

        /// <summary>The output column of class probabilities. Default <c>Score</c>.</summary>
        public string ScoreColumnName { get; set; } = "Score";

        /// <summary>The output column of the predicted class, with the label's key type. Default <c>PredictedLabel</c>.</summary>
        public string PredictedLabelColumnName { get; set; } = "PredictedLabel";

        /// <summary>
        /// Channels, height and width of image features for the CNN. Default null: taken from the features
        /// column's dimensions (Fashion-MNIST's are 28 x 28, one channel).
        /// </summary>
        public ImageShape? ImageShape { get; set; }

        /// <summary>The seed; null draws one from the <see cref="MLContext"/>'s seeded random source. Default null.</summary>
        public int? Seed { get; set; }

        /// <summary>Data to report accuracy and loss on after each epoch; null skips it. Default null.</summary>
        public IDataView? ValidationSet { get; set; }

        /// <summary>How the fitted transformer scores: batch size of bulk scoring and the thread policy (see <see cref="ScoringOptions"/>).</summary>
        public ScoringOptions Scoring { get; set; } = new();

        /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option and its value.</summary>
        public override void Validate()
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
            if (ImageShape is { } s && (s.Channels <= 0 || s.Height <= 0 || s.Width <= 0))
                throw Guard.Fail(nameof(ImageShape), s, "must have positive channels, height and width");
            ArgumentNullException.ThrowIfNull(Scoring, nameof(Scoring));
            Scoring.Validate();
            base.Validate();
        }

        /// <summary>
        /// Options carrying over the settings of one of ML.NET's own TorchSharp trainers (column names, batch
        /// size, epochs, weight decay, validation set). Their learning-rate ratios describe a different
        /// schedule and are not carried: set <see cref="TrainingOptions.Schedule"/> instead.
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
