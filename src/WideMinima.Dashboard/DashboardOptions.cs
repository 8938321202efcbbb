using System.Net;

namespace WideMinima.Dashboard;

/// <summary>How the dashboard serves: where it listens, the token it asks for, how often pages poll.</summary>
public sealed class DashboardOptions
{
    /// <summary>The default port, 8080.</summary>
    public const int DefaultPort = 8080;

    /// <summary>The default address, 127.0.0.1: this machine only (reach it from elsewhere through an SSH tunnel).</summary>
    public const string DefaultHost = "127.0.0.1";

    /// <summary>The shortest token accepted, 16 characters.</summary>
    public const int MinimumTokenLength = 16;

    /// <summary>How often a page asks whether the ledger changed, 2000 ms (pages then update within 2 to 3 seconds).</summary>
    public const int DefaultPollMilliseconds = 2000;

    /// <summary>The address to listen on: an IP address or <c>localhost</c>. Default <see cref="DefaultHost"/>.</summary>
    public string Host { get; init; } = DefaultHost;

    /// <summary>The port; 0 takes any free port. Default <see cref="DefaultPort"/>.</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>The token every request must carry, or null for none (loopback only). Default null.</summary>
    public string? Token { get; init; }

    /// <summary>How often pages poll for changes, in ms. Default <see cref="DefaultPollMilliseconds"/>.</summary>
    public int PollMilliseconds { get; init; } = DefaultPollMilliseconds;

    /// <summary>True when <see cref="Host"/> is a loopback address (or <c>localhost</c>).</summary>
    public bool IsLoopback => string.Equals(Host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(Host, out var address) && IPAddress.IsLoopback(address));

    /// <summary>
    /// The first thing wrong with these options, as (option, value, rule), or null when they are fine: the console
    /// turns it into its exit-2 error before anything is opened or bound.
    /// </summary>
    public (string Option, object? Value, string Rule)? Problem()
    {
        if (Port is < 0 or > 65535) return ("--port", Port, "must be a TCP port, 1 to 65535 (0: any free port)");
        if (!string.Equals(Host, "localhost", StringComparison.OrdinalIgnoreCase) && !IPAddress.TryParse(Host, out _))
            return ("--host", Host, "must be an IP address to listen on (127.0.0.1, ::1, 0.0.0.0, a machine's own address) or localhost");
        if (Token is not null && (Token.Length < MinimumTokenLength || Token.Any(char.IsWhiteSpace) || Token.Any(char.IsControl)))
            return ("--token", "(hidden)", $"must be at least {MinimumTokenLength} characters without spaces (e.g. the output of 'openssl rand -hex 16')");
        if (!IsLoopback && Token is null)
            return ("--host", Host, "is not a loopback address: serving other machines requires --token (or keep 127.0.0.1 and reach it through an SSH tunnel)");
        if (PollMilliseconds is < 250 or > 5000) return ("PollMilliseconds", PollMilliseconds, "must be 250 to 5000 ms (pages must update within 5 seconds)");
        return null;
    }
}
