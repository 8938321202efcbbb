using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using TorchSharp;

namespace WideMinima.Training.Checkpoints;

/// <summary>
/// The JSON head of a checkpoint file: where training stood and what the tensors that follow it are.
/// Every floating-point value here round-trips exactly (System.Text.Json writes the shortest exact form).
/// </summary>
public sealed record CheckpointManifest
{
    /// <summary>The file format version this manifest was written with.</summary>
    public required int FormatVersion { get; init; }

    /// <summary>What run the checkpoint belongs to; a resume checks it field by field.</summary>
    public required CheckpointRun Run { get; init; }

    /// <summary>Optimizer steps completed.</summary>
    public required long Step { get; init; }

    /// <summary>Epochs completed.</summary>
    public required int EpochsCompleted { get; init; }

    /// <summary>Batches of the epoch in progress already trained (0 at an epoch boundary).</summary>
    public required int BatchInEpoch { get; init; }

    /// <summary>The schedule followed up to <see cref="Step"/>, as <c>ScheduleJson</c> writes it.</summary>
    public required string ScheduleJson { get; init; }

    /// <summary>The per-epoch history so far.</summary>
    public required IReadOnlyList<EpochReport> Epochs { get; init; }

    /// <summary>AdamW's per-parameter step counters (empty for SGD).</summary>
    public required IReadOnlyList<long> OptimizerSteps { get; init; }

    /// <summary>Training seconds spent before the checkpoint (added to the resumed run's time).</summary>
    public required double TrainSeconds { get; init; }

    /// <summary>The tensors stored after the manifest, in file order.</summary>
    public required IReadOnlyList<CheckpointTensor> Tensors { get; init; }

    /// <summary>True when the checkpoint was taken at an epoch boundary (no data order is stored).</summary>
    [JsonIgnore]
    public bool AtEpochBoundary => BatchInEpoch == 0;
}

/// <summary>One tensor of a checkpoint: its name, type, shape and where its bytes lie in the data section.</summary>
/// <param name="Name">E.g. <c>model/fc0.weight</c>, <c>optimizer/3/momentum_buffer</c>, <c>rng/shuffle</c>.</param>
/// <param name="DType">The element type.</param>
/// <param name="Shape">The shape.</param>
/// <param name="Offset">Byte offset from the start of the data section.</param>
/// <param name="Length">Byte length.</param>
public sealed record CheckpointTensor(string Name, torch.ScalarType DType, long[] Shape, long Offset, long Length);

/// <summary>
/// What identifies a run's trajectory apart from its schedule: a checkpoint resumes only into the same run,
/// and forks only into a run that differs in its schedule alone.
/// </summary>
public sealed record CheckpointRun
{
    /// <summary>The run's seed.</summary>
    public required int Seed { get; init; }

    /// <summary>SHA-256 of the training features and labels.</summary>
    public required string DataSha256 { get; init; }

    /// <summary>Training examples.</summary>
    public required int TrainingExamples { get; init; }

    /// <summary>Examples per step.</summary>
    public required int BatchSize { get; init; }

    /// <summary>Steps per epoch.</summary>
    public required int StepsPerEpoch { get; init; }

    /// <summary>The epoch budget.</summary>
    public required int Epochs { get; init; }

    /// <summary>The network kind.</summary>
    public required string Model { get; init; }

    /// <summary>The optimizer, written with its spelled name (<c>sgd</c>); files from before the names were spelled (<c>Sgd</c>) still read.</summary>
    [JsonConverter(typeof(OptimizerNameConverter))]
    public required OptimizerKind Optimizer { get; init; }

    /// <summary>SGD momentum.</summary>
    public required double Momentum { get; init; }

    /// <summary>Weight decay.</summary>
    public required double WeightDecay { get; init; }

    /// <summary>Augmentation.</summary>
    public required Augmentation Augmentation { get; init; }

    /// <summary>Gradient clipping norm, if any.</summary>
    public double? GradientClipNorm { get; init; }

    /// <summary>The fields of this run that differ from <paramref name="other"/>, as "name: this vs other".</summary>
    public IReadOnlyList<string> Differences(CheckpointRun other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var differences = new List<string>();
        void Compare<T>(string name, T mine, T theirs)
        {
            if (!EqualityComparer<T>.Default.Equals(mine, theirs)) differences.Add($"{name}: {mine} in the checkpoint, {theirs} in this run");
        }
        Compare(nameof(Seed), Seed, other.Seed);
        Compare("training data (SHA-256)", DataSha256, other.DataSha256);
        Compare(nameof(TrainingExamples), TrainingExamples, other.TrainingExamples);
        Compare(nameof(BatchSize), BatchSize, other.BatchSize);
        Compare(nameof(StepsPerEpoch), StepsPerEpoch, other.StepsPerEpoch);
        Compare(nameof(Epochs), Epochs, other.Epochs);
        Compare(nameof(Model), Model, other.Model);
        Compare(nameof(Optimizer), Optimizer, other.Optimizer);
        Compare(nameof(Momentum), Momentum, other.Momentum);
        Compare(nameof(WeightDecay), WeightDecay, other.WeightDecay);
        Compare(nameof(Augmentation), Augmentation, other.Augmentation);
        Compare(nameof(GradientClipNorm), GradientClipNorm, other.GradientClipNorm);
        return differences;
    }
}

/// <summary>
/// Writes an <see cref="OptimizerKind"/> with its spelled name and reads the spelled name or, as checkpoints written
/// before the names were spelled have it, the member name.
/// </summary>
internal sealed class OptimizerNameConverter : JsonConverter<OptimizerKind>
{
    private static readonly (OptimizerKind Kind, string Spelled)[] Names = [.. Enum.GetValues<OptimizerKind>().Select(k =>
        (k, typeof(OptimizerKind).GetField(k.ToString())!.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? k.ToString()))];

    public override OptimizerKind Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        string? text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        foreach (var (kind, spelled) in Names)
        {
            if (text == spelled || string.Equals(text, kind.ToString(), StringComparison.OrdinalIgnoreCase)) return kind;
        }
        throw new JsonException($"'{text ?? reader.TokenType.ToString()}' is not an optimizer; expected one of {string.Join(", ", Names.Select(n => n.Spelled))}.");
    }

    public override void Write(Utf8JsonWriter writer, OptimizerKind value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        foreach (var (kind, spelled) in Names)
        {
            if (kind == value)
            {
                writer.WriteStringValue(spelled);
                return;
            }
        }
        throw new JsonException($"Undefined optimizer value {(int)value}.");
    }
}
