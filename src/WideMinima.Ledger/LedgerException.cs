namespace WideMinima.Ledger;

/// <summary>
/// A ledger that cannot be used as asked: not a ledger (a garbage file, a database holding other tables), a newer
/// schema than this program knows, a sweep that does not exist, a server that refuses us. The message names the
/// file or database. The console prints it and exits with code 2; the ledger is left as it was.
/// </summary>
public sealed class LedgerException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LedgerException() { }

    /// <summary>Creates the exception with a message.</summary>
    public LedgerException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public LedgerException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>
/// The ledger's server could not be reached for now (connection refused or dropped, server shutting down or
/// starting). The operation may succeed when retried; <see cref="RetryingLedger"/> does that with backoff.
/// </summary>
public sealed class LedgerUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LedgerUnavailableException() { }

    /// <summary>Creates the exception with a message.</summary>
    public LedgerUnavailableException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public LedgerUnavailableException(string message, Exception inner) : base(message, inner) { }
}
