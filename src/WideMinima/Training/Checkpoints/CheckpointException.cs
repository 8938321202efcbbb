namespace WideMinima.Training.Checkpoints;

/// <summary>
/// A checkpoint cannot be used: the file is missing, truncated or corrupted (its SHA-256 does not match), is not a
/// WideMinima checkpoint, or was saved by a different run (another seed, data set, model or optimizer).
/// </summary>
public sealed class CheckpointException : IOException
{
    /// <summary>Creates the exception for the checkpoint at <paramref name="path"/>.</summary>
    public CheckpointException(string path, string message, Exception? innerException = null)
        : base($"Checkpoint '{path}': {message}", innerException)
    {
        CheckpointPath = path;
    }

    /// <summary>Creates the exception.</summary>
    public CheckpointException() { }

    /// <summary>Creates the exception with a message.</summary>
    public CheckpointException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public CheckpointException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The checkpoint file.</summary>
    public string? CheckpointPath { get; }
}
