using System.Globalization;
using WideMinima.Internal;

namespace WideMinima.Training.Checkpoints;

/// <summary>When the training loop saves checkpoints, and where they go.</summary>
internal sealed class CheckpointPlan
{
    /// <summary>
    /// Save after these optimizer steps. 0 saves before the first step. A step that ends an epoch is saved after
    /// that epoch's evaluation and progress report, like an epoch checkpoint.
    /// </summary>
    public IReadOnlyCollection<long> AtSteps { get; init; } = [];

    /// <summary>Save at the end of every k-th epoch (not after the last one); 0 saves none by epoch.</summary>
    public int EveryEpochs { get; init; }

    /// <summary>Names the files and hears of each one saved.</summary>
    public required ICheckpointSink Sink { get; init; }

    /// <summary>True when a checkpoint is due after <paramref name="step"/>, which ends epoch <paramref name="epoch"/> when <paramref name="atEpochEnd"/>.</summary>
    public bool IsDue(long step, int epoch, int epochs, bool atEpochEnd) =>
        AtSteps.Contains(step) || (atEpochEnd && EveryEpochs > 0 && epoch % EveryEpochs == 0 && epoch < epochs);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Sink, nameof(Sink));
        ArgumentNullException.ThrowIfNull(AtSteps, nameof(AtSteps));
        foreach (long step in AtSteps) Guard.NonNegative(step, nameof(AtSteps));
        Guard.NonNegative((long)EveryEpochs, nameof(EveryEpochs));
    }
}

/// <summary>Where training stands when a checkpoint is taken.</summary>
/// <param name="Step">Optimizer steps completed.</param>
/// <param name="EpochsCompleted">Whole epochs completed.</param>
/// <param name="BatchInEpoch">Batches of the epoch in progress already trained (0 at an epoch boundary).</param>
public sealed record CheckpointPosition(long Step, int EpochsCompleted, int BatchInEpoch);

/// <summary>A checkpoint safely on disk.</summary>
/// <param name="Path">The file.</param>
/// <param name="Sha256">SHA-256 of the whole file, lowercase hex: what a ledger records and a resume checks.</param>
/// <param name="Position">Where training stood.</param>
/// <param name="Bytes">File size.</param>
/// <param name="WriteSeconds">Time to gather the state and write the file.</param>
public sealed record SavedCheckpoint(string Path, string Sha256, CheckpointPosition Position, long Bytes, double WriteSeconds)
{
    /// <summary>Optimizer steps completed.</summary>
    public long Step => Position.Step;

    /// <summary>Whole epochs completed.</summary>
    public int EpochsCompleted => Position.EpochsCompleted;
}

/// <summary>Names checkpoint files and hears of each one saved (the sweep records them in its ledger).</summary>
public interface ICheckpointSink
{
    /// <summary>The path to write the checkpoint at <paramref name="position"/> to.</summary>
    string PathFor(CheckpointPosition position);

    /// <summary>Called once the file is completely on disk.</summary>
    void Saved(SavedCheckpoint checkpoint);
}

/// <summary>Checkpoints as <c>{prefix}step-{step:D10}.wmckpt</c> files in one folder; optionally told of each.</summary>
public sealed class CheckpointDirectory(string directory, string prefix = "", Action<SavedCheckpoint>? onSaved = null) : ICheckpointSink
{
    private readonly List<SavedCheckpoint> _saved = [];

    /// <summary>The folder.</summary>
    public string Directory { get; } = directory ?? throw new ArgumentNullException(nameof(directory));

    /// <summary>Every checkpoint saved through this sink, in order.</summary>
    public IReadOnlyList<SavedCheckpoint> Saved => _saved;

    /// <inheritdoc />
    public string PathFor(CheckpointPosition position)
    {
        ArgumentNullException.ThrowIfNull(position);
        return Path.Combine(Directory, string.Create(CultureInfo.InvariantCulture, $"{prefix}step-{position.Step:D10}{CheckpointFile.Extension}"));
    }

    void ICheckpointSink.Saved(SavedCheckpoint checkpoint)
    {
        _saved.Add(checkpoint);
        onSaved?.Invoke(checkpoint);
    }
}

/// <summary>A checkpoint to start from.</summary>
/// <param name="Path">The file.</param>
/// <param name="ExpectedSha256">The whole file's SHA-256 as recorded when it was saved; null checks only the file's own trailing hash.</param>
/// <param name="Fork">
/// False: resume the very run that saved it (the schedule must be the same). True: branch a run that differs only
/// in its schedule, which must give exactly the same rate as the saved schedule at every step up to the checkpoint
/// (a Knee schedule with a shorter explore phase, forked at its knee).
/// </param>
public sealed record CheckpointSource(string Path, string? ExpectedSha256 = null, bool Fork = false);
