namespace WideMinima.Sweeps.Ledger;

/// <summary>A checkpoint of a run, as the ledger records it.</summary>
/// <param name="RunId">The run.</param>
/// <param name="Attempt">The run's attempt that wrote it.</param>
/// <param name="Step">Optimizer steps completed.</param>
/// <param name="Epoch">Whole epochs completed.</param>
/// <param name="Path">The file (on a file system every worker sees).</param>
/// <param name="Sha256">SHA-256 of the whole file, lowercase hex.</param>
/// <param name="Bytes">File size.</param>
/// <param name="CreatedAt">When it was recorded, Unix ms.</param>
public sealed record CheckpointRow(string RunId, int Attempt, long Step, int Epoch, string Path, string Sha256, long Bytes, long CreatedAt);
