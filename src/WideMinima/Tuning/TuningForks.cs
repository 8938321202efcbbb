using WideMinima.Training;

namespace WideMinima.Tuning;

/// <summary>The fork-and-decay trainer the tuning runs with: <see cref="ForkAndDecay"/>, with its checkpoints in a scratch folder.</summary>
internal static class TuningForks
{
    /// <summary>
    /// Trains Knee branches by fork-and-decay: the trunk once, checkpointed at each share's knee (files under
    /// <paramref name="scratchDirectory"/>, or the temporary folder, deleted after the job), each branch from its knee.
    /// </summary>
    public static ClassifierTrialRunner.ForkTrainer Trainer(string? scratchDirectory) =>
        (train, validation, options, shares, spec, seed, device, log, ct) =>
        {
            string directory = Path.Combine(scratchDirectory ?? Path.GetTempPath(), $"wideminima-fork-{Environment.ProcessId}-{Guid.NewGuid():N}");
            Directory.CreateDirectory(directory);
            try
            {
                return ForkAndDecay.Train(train, validation, options, shares, spec, seed, device, directory, log, ct);
            }
            finally
            {
                Directory.Delete(directory, recursive: true);
            }
        };
}
