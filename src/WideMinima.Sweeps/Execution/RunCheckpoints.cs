using System.Globalization;
using WideMinima.Ledger;
using WideMinima.Sweeps.Config;
using WideMinima.Sweeps.Planning;
using WideMinima.Training.Checkpoints;

namespace WideMinima.Sweeps.Execution;

/// <summary>
/// One claimed run's checkpoints in a sweep: the files go to <c>{folder}/{run id}/attempt{N}-step{S}.wmckpt</c>, the
/// ledger records each one (epoch, step, path, SHA-256), and a run that starts again resumes from the newest one that
/// checks out. A checkpoint that is missing or whose SHA-256 does not match is logged, forgotten and deleted, and an
/// older one is tried; with none left the run starts over. Unless <see cref="Keep"/> is set, a newer checkpoint replaces
/// the older ones, and a finished run's are deleted.
/// </summary>
public sealed class RunCheckpoints : ICheckpointSink
{
    private readonly IRunLedger _ledger;
    private readonly LedgerRun _run;
    private readonly Action<string>? _log;
    private readonly List<string> _discarded = [];
    private readonly HashSet<long> _forkSteps = [];

    /// <summary>Creates the checkpoints of <paramref name="run"/> under <paramref name="folder"/>.</summary>
    public RunCheckpoints(IRunLedger ledger, LedgerRun run, string folder, int everyEpochs, bool keep, Action<string>? log)
    {
        _ledger = ledger ?? throw new ArgumentNullException(nameof(ledger));
        _run = run ?? throw new ArgumentNullException(nameof(run));
        ArgumentException.ThrowIfNullOrEmpty(folder);
        Folder = Path.Combine(Path.GetFullPath(folder), SafeName(run.RunId));
        EveryEpochs = everyEpochs;
        Keep = keep;
        _log = log;
    }

    /// <summary>The run's checkpoint folder.</summary>
    public string Folder { get; }

    /// <summary>Whether runs of <paramref name="config"/> write checkpoints: every few epochs, or as fork-and-decay's fork points.</summary>
    public static bool Written(SweepConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.CheckpointEveryEpochs > 0 || SweepPlanner.Forks(config);
    }

    /// <summary>Save every this many epochs; 0 saves none (a run still resumes from checkpoints it finds).</summary>
    public int EveryEpochs { get; }

    /// <summary>Keep every checkpoint, also after the run finished.</summary>
    public bool Keep { get; }

    /// <summary>
    /// Steps whose checkpoints other runs fork from (a fork-and-decay trunk's knees): they are neither replaced by newer
    /// ones nor deleted when the run finishes; the run that forks from one deletes it (<see cref="ReleaseFork"/>), and
    /// the sweep's end the rest.
    /// </summary>
    public void KeepForForks(IEnumerable<long> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        _forkSteps.UnionWith(steps);
    }

    /// <summary>
    /// The checkpoint of run <paramref name="trunkId"/> at step <paramref name="step"/> that this run can fork from: its
    /// file present and whole, with the SHA-256 the ledger recorded; null when there is none (the run then trains on its own).
    /// </summary>
    public CheckpointRow? FindForkPoint(string trunkId, long step)
    {
        ArgumentNullException.ThrowIfNull(trunkId);
        foreach (var row in _ledger.Checkpoints(trunkId).Where(r => r.Step == step))
        {
            try
            {
                if (CheckpointFile.ReadManifest(row.Path, row.Sha256).Step == step) return row;
            }
            catch (Exception e) when (e is CheckpointException or IOException or UnauthorizedAccessException)
            {
                _log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"{_run.RunId}: cannot fork from {trunkId}'s checkpoint at step {step}: {e.Message}"));
            }
        }
        return null;
    }

    /// <summary>
    /// Notes in the run's folder that this attempt forks from <paramref name="trunkId"/> at <paramref name="step"/>, so
    /// that a later attempt resuming from the run's own checkpoint still records the fork (<see cref="RememberedFork"/>).
    /// </summary>
    public void RememberFork(string trunkId, long step)
    {
        ArgumentNullException.ThrowIfNull(trunkId);
        Directory.CreateDirectory(Folder);
        File.WriteAllText(ForkNote, string.Create(CultureInfo.InvariantCulture, $"{trunkId}\n{step}\n"));
    }

    /// <summary>Takes back <see cref="RememberFork"/>: the fork was refused, and the run trains on its own.</summary>
    public void ForgetFork() => TryDelete(ForkNote);

    /// <summary>The fork an earlier attempt noted (<see cref="RememberFork"/>), or null.</summary>
    public (string TrunkId, long Step)? RememberedFork()
    {
        try
        {
            var lines = File.ReadAllLines(ForkNote);
            return lines.Length >= 2 && long.TryParse(lines[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out long step) ? (lines[0], step) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private string ForkNote => Path.Combine(Folder, "forked-from.txt");

    /// <summary>The peak rate the ledger records for run <paramref name="runId"/>, or null when it holds no such run.</summary>
    public double? PeakOf(string runId) => _ledger.Runs().FirstOrDefault(r => r.RunId == runId)?.PeakLr;

    /// <summary>Tells the user <paramref name="message"/> (a notice, as resumes and discarded checkpoints are).</summary>
    public void Log(string message) => _log?.Invoke(message);

    /// <summary>This run no longer needs <paramref name="trunkId"/>'s checkpoint at <paramref name="step"/>: forgets and deletes it, unless <see cref="Keep"/>.</summary>
    public void ReleaseFork(string trunkId, long step)
    {
        ArgumentNullException.ThrowIfNull(trunkId);
        if (Keep) return;
        var rows = _ledger.Checkpoints(trunkId).Where(r => r.Step == step).ToList();
        foreach (var row in rows) Drop(_ledger, trunkId, row.Path);
        // The trunk's folder goes with its last checkpoint once the trunk has finished (while it runs it may still write there).
        if (rows.Count > 0 && Path.GetDirectoryName(rows[0].Path) is { } folder && _ledger.Checkpoints(trunkId).Count == 0
            && _ledger.Runs().Any(r => r.RunId == trunkId && r.Status.IsFinished()))
            DeleteIfEmpty(folder);
    }

    /// <summary>The sweep is over: forgets and deletes every checkpoint still recorded for <paramref name="runIds"/> (fork points no run took).</summary>
    public static void DeleteAll(IRunLedger ledger, IEnumerable<string> runIds)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(runIds);
        foreach (string id in runIds)
        {
            foreach (var row in ledger.Checkpoints(id))
            {
                Drop(ledger, id, row.Path);
                if (Path.GetDirectoryName(row.Path) is { } folder) DeleteIfEmpty(folder);
            }
        }
    }

    /// <summary>Why checkpoints were discarded during this attempt (missing, corrupted, or from another definition).</summary>
    public IReadOnlyList<string> Discarded => _discarded;

    /// <summary>
    /// The newest recorded checkpoint whose file is present and whole, with the SHA-256 the ledger recorded; each bad
    /// one on the way is logged, forgotten and deleted, and the choice is logged. Null: start from scratch.
    /// </summary>
    public CheckpointRow? FindResumePoint()
    {
        foreach (var row in _ledger.Checkpoints(_run.RunId))
        {
            try
            {
                var manifest = CheckpointFile.ReadManifest(row.Path, row.Sha256);
                if (manifest.Step != row.Step)
                    throw new CheckpointException(row.Path, $"it holds step {manifest.Step}, but the ledger recorded step {row.Step}.");
                _log?.Invoke(string.Create(CultureInfo.InvariantCulture,
                    $"{_run.RunId} (attempt {_run.Attempts}) resumes from its checkpoint at epoch {row.Epoch} (step {row.Step}): {row.Path}"));
                return row;
            }
            catch (Exception e) when (e is CheckpointException or IOException or UnauthorizedAccessException)
            {
                Discard(row, e.Message);
            }
        }
        return null;
    }

    /// <summary>Logs why <paramref name="row"/> cannot be used, forgets it and deletes its file.</summary>
    public void Discard(CheckpointRow row, string reason)
    {
        ArgumentNullException.ThrowIfNull(row);
        string message = string.Create(CultureInfo.InvariantCulture,
            $"{_run.RunId}: checkpoint at epoch {row.Epoch} (step {row.Step}) cannot be used: {reason}");
        _discarded.Add(message);
        _log?.Invoke(message);
        Drop(_ledger, _run.RunId, row.Path);
    }

    /// <inheritdoc />
    public string PathFor(CheckpointPosition position)
    {
        ArgumentNullException.ThrowIfNull(position);
        return Path.Combine(Folder, string.Create(CultureInfo.InvariantCulture, $"attempt{_run.Attempts}-step{position.Step:D10}{CheckpointFile.Extension}"));
    }

    /// <inheritdoc />
    public void Saved(SavedCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        _ledger.RecordCheckpoint(new CheckpointRow(_run.RunId, _run.Attempts, checkpoint.Step, checkpoint.EpochsCompleted, checkpoint.Path,
            checkpoint.Sha256, checkpoint.Bytes, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
        if (Keep) return;
        // The new one is recorded: the older ones are no longer needed.
        foreach (var row in _ledger.Checkpoints(_run.RunId))
        {
            if (row.Path == checkpoint.Path || _forkSteps.Contains(row.Step)) continue;
            Drop(_ledger, _run.RunId, row.Path);
        }
    }

    /// <summary>The run finished: deletes its checkpoints (files and rows) unless <see cref="Keep"/>, but for those kept for forks.</summary>
    public void Finish()
    {
        ForgetFork();
        if (Keep) return;
        foreach (var row in _ledger.Checkpoints(_run.RunId))
        {
            if (_forkSteps.Contains(row.Step)) continue;
            Drop(_ledger, _run.RunId, row.Path);
        }
        DeleteIfEmpty(Folder);
    }

    private static void DeleteIfEmpty(string folder)
    {
        try
        {
            if (Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any()) Directory.Delete(folder);
        }
        catch (IOException)
        {
            // Another worker may be writing there; an empty folder left behind is harmless.
        }
    }

    /// <summary>Forgets run <paramref name="runId"/>'s checkpoint at <paramref name="path"/> in the ledger and deletes its file.</summary>
    private static void Drop(IRunLedger ledger, string runId, string path)
    {
        ledger.ForgetCheckpoint(runId, path);
        TryDelete(path);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A file that cannot be deleted is forgotten all the same; it is never read again.
        }
    }

    /// <summary>The run id as a folder name: letters, digits, '.', '-' and '_' kept, anything else '_'.</summary>
    private static string SafeName(string runId) =>
        new([.. runId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_')]);
}
