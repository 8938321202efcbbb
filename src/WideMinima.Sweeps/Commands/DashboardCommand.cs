using System.ComponentModel;
using Spectre.Console.Cli;
using WideMinima.Dashboard;
using WideMinima.Ledger;
using WideMinima.Sweeps.Config;

namespace WideMinima.Sweeps.Commands;

/// <summary>The <c>dashboard</c> options: the ledger (--out or --ledger), where to listen, the token.</summary>
internal sealed class DashboardSettings : LedgerSettings
{
    [CommandOption("--port <PORT>")]
    [Description("The TCP port (default 8080; 0: any free port).")]
    public int Port { get; init; } = DashboardOptions.DefaultPort;

    [CommandOption("--host <ADDRESS>")]
    [Description("The address to listen on (default 127.0.0.1: this machine only). Any other needs --token.")]
    public string Host { get; init; } = DashboardOptions.DefaultHost;

    [CommandOption("--token <TOKEN>")]
    [Description("A secret of 16+ characters every request must carry (header, or the cookie the printed ?token= link sets). Required off loopback.")]
    public string? Token { get; init; }

    /// <summary>The server's options, checked: a bad one is an exit-2 error naming it.</summary>
    public DashboardOptions Options()
    {
        var options = new DashboardOptions { Host = Host.Trim(), Port = Port, Token = Token };
        if (options.Problem() is { } p) throw new SweepConfigException(p.Option, p.Value, p.Rule);
        return options;
    }

    /// <summary>The ledger, opened read-only: the sweep folder's ledger.db, or the shared database (whose --sweep, if given, must exist).</summary>
    public LedgerView View()
    {
        var location = Location();
        var view = location is null ? LedgerView.Sqlite(Path.Combine(ExistingSweepFolder(), SqlLedger.FileName)) : LedgerView.Postgres(location.ConnectionString, location.Display);
        try
        {
            var names = view.Sweeps().Select(s => s.Name).ToList();
            if (SweepName is { } sweep && !names.Contains(sweep))
                throw new SweepConfigException("--sweep", sweep, $"names no sweep in {view.Description} ({(names.Count == 0 ? "it holds none yet" : "it holds: " + string.Join(", ", names))})");
            return view;
        }
        catch
        {
            view.Dispose();
            throw;
        }
    }
}

/// <summary><c>dashboard</c>: a read-only web view of the ledger's sweeps and tunings that updates while workers write.</summary>
internal sealed class DashboardCommand : Command<DashboardSettings>
{
    public override int Execute(CommandContext context, DashboardSettings settings, CancellationToken cancellationToken)
    {
        var options = settings.Options();
        using var view = settings.View();
        try
        {
            DashboardServer.Run(view, options, Console.Out, settings.SweepName);
        }
        catch (IOException e)
        {
            throw new SweepConfigException("--port", options.Port, $"cannot be bound on {options.Host} ({e.Message.TrimEnd('.')}); pick another port, or 0 for any free one");
        }
        return ExitCodes.Success;
    }
}
