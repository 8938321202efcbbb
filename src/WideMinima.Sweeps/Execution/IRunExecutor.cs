using WideMinima.Sweeps.Config;
using WideMinima.Ledger;

namespace WideMinima.Sweeps.Execution;

/// <summary>What a worker runs a claimed run with: training in production (<see cref="TrainingRunExecutor"/>), a fake in tests.</summary>
public interface IRunExecutor
{
    /// <summary>Loads what every run needs (the data), once, before the first run; throws <see cref="WorkerSetupException"/> when it cannot.</summary>
    void Prepare();

    /// <summary>
    /// Runs <paramref name="run"/> to its outcome (a failed run is an outcome, not an exception). Reports each finished
    /// epoch as (epoch, epochs) through <paramref name="onEpoch"/>; throws <see cref="OperationCanceledException"/> when
    /// <paramref name="ct"/> stops it.
    /// </summary>
    RunOutcome Execute(LedgerRun run, Action<int, int>? onEpoch, CancellationToken ct);
}

/// <summary>A worker cannot run anything (its data cannot be loaded); the message says why.</summary>
public sealed class WorkerSetupException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WorkerSetupException() { }

    /// <summary>Creates the exception with a message.</summary>
    public WorkerSetupException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public WorkerSetupException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>
/// Trains runs with <see cref="RunExecutor"/> on the sweep's data, loaded once per worker; with a checkpoint folder,
/// each run saves checkpoints as the config asks (recorded in <paramref name="ledger"/>) and resumes from its newest good one.
/// </summary>
/// <param name="config">The sweep definition.</param>
/// <param name="configJson">The definition as recorded in the ledger.</param>
/// <param name="threads">Torch threads per run.</param>
/// <param name="tensorboardRoot">Folder for TensorBoard scalars (one sub-folder per run), or null.</param>
/// <param name="ledger">The ledger the checkpoints are recorded in (with <paramref name="checkpointFolder"/>).</param>
/// <param name="checkpointFolder">Where checkpoints go (<c>--checkpoints</c>); null: no checkpoints.</param>
/// <param name="notices">Lines a user must see: a run resumed, a checkpoint discarded.</param>
/// <param name="sweepFolder">The sweep folder, where <c>save_models: true</c> keeps each run's model (models/RUN_ID.zip); null keeps none.</param>
public sealed class TrainingRunExecutor(SweepConfig config, string configJson, int threads, string? tensorboardRoot,
    IRunLedger? ledger = null, string? checkpointFolder = null, Action<string>? notices = null, string? sweepFolder = null) : IRunExecutor
{
    private SweepData? _data;

    /// <inheritdoc />
    public void Prepare()
    {
        if (_data is not null) return;
        try
        {
            _data = SweepData.Load(new Microsoft.ML.MLContext(seed: 0), config.Dataset);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or SweepConfigException or InvalidOperationException or UnauthorizedAccessException)
        {
            throw new WorkerSetupException($"loading the data failed: {e.Message}", e);
        }
    }

    /// <inheritdoc />
    public RunOutcome Execute(LedgerRun run, Action<int, int>? onEpoch, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(run);
        Prepare();
        var checkpoints = ledger is not null && checkpointFolder is not null
            ? new RunCheckpoints(ledger, run, checkpointFolder, config.CheckpointEveryEpochs, config.KeepCheckpoints, notices)
            : null;
        return RunExecutor.Execute(config, configJson, run, run.PayloadJson, _data!, threads,
            onEpoch is null ? null : e => onEpoch(e.Epoch, e.Epochs), ct,
            config.Tensorboard && tensorboardRoot is not null ? Path.Combine(tensorboardRoot, run.RunId) : null, checkpoints,
            config.SaveModels == true && sweepFolder is not null ? SweepFolder.ModelPath(sweepFolder, run.RunId) : null);
    }
}
