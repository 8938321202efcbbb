using WideMinima.Ledger;

namespace WideMinima.Sweeps.Config;

/// <summary>
/// Which ledger a command works on: the SQLite file in a sweep folder (the default), or a sweep in a shared PostgreSQL
/// database (<c>--ledger</c>), with an optional local folder for reports, logs and TensorBoard files.
/// </summary>
public sealed record LedgerTarget
{
    private LedgerTarget(string? folder, LedgerLocation? location, string? sweep)
    {
        Folder = folder;
        Location = location;
        Sweep = sweep;
    }

    /// <summary>The local folder for reports (and the SQLite ledger); null for a shared ledger without one.</summary>
    public string? Folder { get; }

    /// <summary>The shared database, or null for SQLite.</summary>
    public LedgerLocation? Location { get; }

    /// <summary>The sweep's name in the shared database.</summary>
    public string? Sweep { get; }

    /// <summary>True for a PostgreSQL ledger.</summary>
    public bool IsShared => Location is not null;

    /// <summary>The SQLite ledger in <paramref name="folder"/>.</summary>
    public static LedgerTarget Sqlite(string folder) => new(folder ?? throw new ArgumentNullException(nameof(folder)), null, null);

    /// <summary>Sweep <paramref name="sweep"/> in the database at <paramref name="location"/>; reports go to <paramref name="folder"/> when given.</summary>
    public static LedgerTarget Postgres(LedgerLocation location, string sweep, string? folder) =>
        new(folder, location ?? throw new ArgumentNullException(nameof(location)), sweep ?? throw new ArgumentNullException(nameof(sweep)));

    /// <summary>The SQLite ledger file (SQLite only).</summary>
    public string SqlitePath => Path.Combine(Folder ?? throw new InvalidOperationException("No sweep folder."), SqlLedger.FileName);

    /// <summary>Opens the ledger (a sweep folder's file works on the one live sweep it holds); <paramref name="clock"/> overrides the clock leases are stamped with.</summary>
    public IRunLedger Open(TimeProvider? clock = null) =>
        Location is null ? SqlLedger.Sqlite(SqlitePath, null, clock) : SqlLedger.Postgres(Location.ConnectionString, Location.Display, Sweep!, clock);

    /// <summary>Opens the ledger read-only, for views that must never block or change a sweep that workers are writing.</summary>
    public LedgerView View() =>
        Location is null ? LedgerView.Sqlite(SqlitePath) : LedgerView.Postgres(Location.ConnectionString, Location.Display);

    /// <summary>Where the sweep is, for "Sweep 'x' in ...": the folder, or the database.</summary>
    public string Where => Location is null ? Folder! : Location.Display;

    /// <summary>Names the ledger for messages.</summary>
    public string Description => Location is null ? $"'{SqlitePath}'" : $"sweep '{Sweep}' in {Location.Display}";
}
