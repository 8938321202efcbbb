using System.Globalization;
using Npgsql;
using WideMinima.Sweeps.Config;

namespace WideMinima.Sweeps.Config;

/// <summary>
/// Where a shared ledger lives: a PostgreSQL database given as <c>postgresql://user@host:port/db</c> or as an Npgsql
/// connection string. The password never appears in either: Npgsql takes it from <c>PGPASSWORD</c> or a .pgpass
/// file, so <see cref="Display"/> can be printed and logged freely.
/// </summary>
public sealed class LedgerLocation
{
    /// <summary>The environment variable that stands in for <c>--ledger</c>.</summary>
    public const string EnvironmentVariable = "WIDEMINIMA_LEDGER";

    private LedgerLocation(string connectionString, string display, string database, string host)
    {
        ConnectionString = connectionString;
        Display = display;
        Database = database;
        Host = host;
    }

    /// <summary>The Npgsql connection string (without a password).</summary>
    public string ConnectionString { get; }

    /// <summary>The ledger as a URI without any password, for messages and logs.</summary>
    public string Display { get; }

    /// <summary>The database name.</summary>
    public string Database { get; }

    /// <summary>The host (and port) named.</summary>
    public string Host { get; }

    /// <summary>
    /// Parses <paramref name="text"/> (a URI or connection string). Throws <see cref="SweepConfigException"/> naming
    /// <paramref name="field"/> for anything malformed, and for a password written into it.
    /// </summary>
    public static LedgerLocation Parse(string text, string field = "--ledger")
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.Trim();
        var builder = new NpgsqlConnectionStringBuilder();
        if (text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
                throw new SweepConfigException(field, Redact(text), "must be a URI like postgresql://user@host:5432/database");
            string userInfo = Uri.UnescapeDataString(uri.UserInfo);
            if (userInfo.Contains(':', StringComparison.Ordinal))
                throw new SweepConfigException(field, Redact(text), "must not contain a password: set PGPASSWORD or put it in ~/.pgpass (see docs/scale-out.md)");
            string database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
            if (database.Length == 0 || database.Contains('/', StringComparison.Ordinal))
                throw new SweepConfigException(field, Redact(text), "must name a database, as in postgresql://user@host:5432/database");
            builder.Host = uri.Host;
            builder.Port = uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port;
            builder.Database = database;
            if (userInfo.Length > 0) builder.Username = userInfo;
            foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var kv = pair.Split('=', 2);
                string key = Uri.UnescapeDataString(kv[0]), value = kv.Length > 1 ? Uri.UnescapeDataString(kv[1]) : "";
                switch (key.ToLowerInvariant())
                {
                    case "sslmode":
                        if (!Enum.TryParse<SslMode>(value.Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out var mode))
                            throw new SweepConfigException(field, Redact(text), $"has sslmode '{value}'; use disable, prefer, require, verify-ca or verify-full");
                        builder.SslMode = mode;
                        break;
                    case "connect_timeout":
                        builder.Timeout = int.Parse(value, CultureInfo.InvariantCulture);
                        break;
                    case "application_name":
                        builder.ApplicationName = value;
                        break;
                    default:
                        throw new SweepConfigException(field, Redact(text), $"has the parameter '{key}', which is not supported (sslmode, connect_timeout, application_name are)");
                }
            }
        }
        else
        {
            try
            {
                builder.ConnectionString = text;
            }
            catch (ArgumentException e)
            {
                throw new SweepConfigException(field, "(connection string)", $"is neither a postgresql:// URI nor a valid Npgsql connection string ({e.Message})");
            }
            if (!string.IsNullOrEmpty(builder.Password))
                throw new SweepConfigException(field, "(connection string with a password)", "must not contain a password: set PGPASSWORD or put it in ~/.pgpass (see docs/scale-out.md)");
            if (string.IsNullOrEmpty(builder.Host))
                throw new SweepConfigException(field, "(connection string)", "must name a Host (and a Database)");
            if (string.IsNullOrEmpty(builder.Database))
                throw new SweepConfigException(field, "(connection string)", "must name a Database");
        }
        // Fail fast when a server is down instead of hanging on it; a user's own settings win.
        if (!text.Contains("timeout", StringComparison.OrdinalIgnoreCase)) builder.Timeout = 10;
        builder.ApplicationName ??= "wideminima-sweeps";
        string user = string.IsNullOrEmpty(builder.Username) ? "" : Uri.EscapeDataString(builder.Username) + "@";
        string host = string.Create(CultureInfo.InvariantCulture, $"{builder.Host}:{builder.Port}");
        return new LedgerLocation(builder.ConnectionString, $"postgresql://{user}{host}/{Uri.EscapeDataString(builder.Database!)}", builder.Database!, host);
    }

    /// <summary>The text with any password in it replaced by <c>***</c>, for error messages about malformed input.</summary>
    public static string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var redacted = System.Text.RegularExpressions.Regex.Replace(text, @"(://[^:/@]*):[^@]*@", "$1:***@");
        return System.Text.RegularExpressions.Regex.Replace(redacted, @"(?i)(password|pwd)\s*=\s*[^;]*", "$1=***");
    }

    /// <inheritdoc />
    public override string ToString() => Display;
}
