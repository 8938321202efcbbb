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
public sealed record CheckpointRow(string RunId, int Attempt, long Step, int Epoch, string Path, string Sha256, long Bytes, long CreatedAt)
{
    /// <summary>The columns every ledger selects, in the order <see cref="ReadAll"/> reads them.</summary>
    internal const string Columns = "run_id, attempt, step, epoch, path, sha256, bytes, created_at";

    /// <summary>Reads every row of a query that selects <see cref="Columns"/>; shared by the SQLite and PostgreSQL ledgers.</summary>
    internal static List<CheckpointRow> ReadAll(System.Data.Common.DbDataReader reader)
    {
        var rows = new List<CheckpointRow>();
        while (reader.Read())
            rows.Add(new CheckpointRow(reader.GetString(0), reader.GetInt32(1), reader.GetInt64(2), reader.GetInt32(3), reader.GetString(4),
                reader.GetString(5), reader.GetInt64(6), reader.GetInt64(7)));
        return rows;
    }
}
