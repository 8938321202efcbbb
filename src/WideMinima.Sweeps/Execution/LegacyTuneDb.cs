using System.Text.Json;
using Microsoft.Data.Sqlite;
using WideMinima.Ledger;
using WideMinima.Sweeps.Config;
using WideMinima.Tuning;

namespace WideMinima.Sweeps.Execution;

/// <summary>
/// The <c>tune.db</c> of earlier versions (a SQLite file of its own, without a schema version: the tuning's definition,
/// its finished jobs and its final fits), folded into the one ledger the first time a tuning in that folder runs:
/// every job becomes a finished run of kind <see cref="RunKind.TuneJob"/>, every final fit one of kind
/// <see cref="RunKind.FinalFit"/>, and the file is renamed <c>tune.db.imported</c>. The tuning then resumes from the
/// ledger as if it had always kept it there.
/// </summary>
internal static class LegacyTuneDb
{
    /// <summary>The file's name in a tuning's folder.</summary>
    public const string FileName = "tune.db";

    /// <summary>The tuning's config as the file recorded it.</summary>
    public static SweepConfig? ReadConfig(string path)
    {
        using var db = Open(path);
        using var command = db.CreateCommand();
        command.CommandText = "SELECT config_json FROM tuning WHERE id = 1;";
        return command.ExecuteScalar() is string json ? SweepConfigJson.Parse(json, path) : null;
    }

    /// <summary>Imports <paramref name="folder"/>'s tune.db into the tuning's ledger, if there is one to import.</summary>
    public static void ImportIfPresent(string folder, LedgerTarget target, TextWriter output)
    {
        string path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) return;
        string definition, configJson;
        long created;
        var jobs = new List<(string Job, string Result)>();
        var finals = new List<string>();
        using (var db = Open(path))
        {
            using (var tuning = db.CreateCommand())
            {
                tuning.CommandText = "SELECT definition_json, config_json, created_at FROM tuning WHERE id = 1;";
                using var reader = tuning.ExecuteReader();
                if (!reader.Read()) throw new LedgerException($"'{path}' holds no tuning; move it away and run the tuning again.");
                (definition, configJson, created) = (reader.GetString(0), reader.GetString(1), reader.GetInt64(2));
            }
            using (var select = db.CreateCommand())
            {
                select.CommandText = "SELECT job_json, result_json FROM jobs ORDER BY ordinal;";
                using var reader = select.ExecuteReader();
                while (reader.Read()) jobs.Add((reader.GetString(0), reader.GetString(1)));
            }
            using (var select = db.CreateCommand())
            {
                select.CommandText = "SELECT result_json FROM finals ORDER BY final_key;";
                using var reader = select.ExecuteReader();
                while (reader.Read()) finals.Add(reader.GetString(0));
            }
        }
        var config = SweepConfigJson.Parse(configJson, path);
        using (var ledger = target.Open())
        {
            if (ledger.ReadSweep() is null)
                ledger.CreateSweep(new SweepHeader(config.Name, SweepKind.Tuning, definition, configJson, created, "tune.db"), []);
            foreach (var (job, result) in jobs)
            {
                var trialJob = JsonSerializer.Deserialize<TrialJob>(job, SweepConfigJson.Options) ?? throw new LedgerException($"'{path}' holds an empty job.");
                ledger.Record(TuneJobs.Plan(trialJob), new RunOutcome(RunStatus.Done, null, null, result));
            }
            // A final fit's settings are its trial's, which the jobs hold (with workers, the ledger's own job runs).
            var settings = new Dictionary<int, TrialSettings>();
            foreach (var run in ledger.Runs().Where(r => r.Kind == RunKind.TuneJob))
                foreach (var trial in TuneJobs.Job(run).Trials) settings[trial.Id] = trial.Settings;
            foreach (var json in finals)
            {
                var fit = JsonSerializer.Deserialize<FinalFit>(json, SweepConfigJson.Options) ?? throw new LedgerException($"'{path}' holds an empty final fit.");
                if (!settings.TryGetValue(fit.TrialId, out var s))
                    throw new LedgerException($"'{path}' holds a final fit of trial {fit.TrialId}, which none of its jobs trained; it was left untouched.");
                ledger.Record(TuneJobs.Plan(new FinalFitJob(fit.TrialId, s, fit.Seed)), new RunOutcome(RunStatus.Done, null, null, json));
            }
        }
        foreach (var suffix in new[] { "", "-wal", "-shm" })
            if (File.Exists(path + suffix)) File.Move(path + suffix, Path.Combine(folder, FileName + ".imported" + suffix), overwrite: true);
        output.WriteLine($"Imported {jobs.Count} job(s) and {finals.Count} final fit(s) from '{path}' (an earlier version's tuning file) into {target.Description}; the file is kept as {FileName}.imported.");
    }

    private static SqliteConnection Open(string path)
    {
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        try
        {
            db.Open();
            return db;
        }
        catch (SqliteException e)
        {
            db.Dispose();
            throw new LedgerException($"'{path}' cannot be read as an earlier version's tuning file: {e.Message}", e);
        }
    }
}
