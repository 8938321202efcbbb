using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using WideMinima.Ledger;

namespace WideMinima.Dashboard;

/// <summary>Serves the dashboard of a ledger until the process is stopped (Ctrl+C, SIGTERM).</summary>
public static class DashboardServer
{
    /// <summary>
    /// Binds, prints the address (with the token link when there is a token) to <paramref name="output"/>, and serves
    /// until the process is asked to stop. <paramref name="sweep"/>: print that sweep's page instead of the list.
    /// </summary>
    /// <exception cref="IOException">The address cannot be bound (the port is taken, or the address is not this machine's).</exception>
    public static void Run(LedgerView view, DashboardOptions options, TextWriter output, string? sweep = null)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        using var app = DashboardApp.Build(new DashboardService(view), options);
        app.Start();
        int port = new Uri(app.Urls.First()).Port;
        output.WriteLine($"Dashboard of {view.Description} at {DashboardApp.Url(options, port, sweep)}");
        output.WriteLine(options.IsLoopback
            ? "Serving this machine only; from another, tunnel over SSH (see docs/guide/dashboard.md). Ctrl+C stops it."
            : "Serving the network; every request needs the token. Ctrl+C stops it.");
        output.Flush();
        app.WaitForShutdown();
    }
}
