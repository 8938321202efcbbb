using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using WideMinima.Ledger;
using WideMinima.Sweeps.Config;

namespace WideMinima.Tests.Scale;

/// <summary>
/// A private PostgreSQL 15 server for the tests: initdb into a temporary folder (as the postgres user when we are
/// root), a free port on 127.0.0.1, stopped and deleted after the tests. One server is shared by every test that
/// needs one (<see cref="Shared"/>); each test takes a fresh database from it. build/setup.sh installs PostgreSQL.
/// </summary>
internal sealed class PostgresServer : IDisposable
{
    public const string BinFolder = "/usr/lib/postgresql/15/bin";
    private static readonly Lock Gate = new();
    private static PostgresServer? _shared;
    private readonly string[] _extraAddresses;
    private readonly string? _hbaNetwork;

    private PostgresServer(string[] extraAddresses, string? hbaNetwork)
    {
        _extraAddresses = extraAddresses;
        _hbaNetwork = hbaNetwork;
        Folder = TestFolders.New("pg");
        DataFolder = Path.Combine(Folder, "data");
        Directory.CreateDirectory(DataFolder);
        if (IsRoot) Run("chown", "-R", "postgres:postgres", Folder);
        Pg("initdb", "-D", DataFolder, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8");
        if (_hbaNetwork is not null) File.AppendAllText(Path.Combine(DataFolder, "pg_hba.conf"), $"\nhost all all {_hbaNetwork} trust\n");
        for (int attempt = 1; ; attempt++)
        {
            // A port found free may be taken before the server binds it: then try another.
            Port = FreePort();
            try
            {
                Start();
                break;
            }
            catch (InvalidOperationException) when (attempt < 5) { }
        }
    }

    public static bool IsRoot => Environment.UserName == "root";

    /// <summary>The server every PostgreSQL test shares, started on first use.</summary>
    public static PostgresServer Shared
    {
        get
        {
            lock (Gate) return _shared ??= new PostgresServer([], null);
        }
    }

    /// <summary>Stops the shared server, if one was started (assembly cleanup).</summary>
    public static void StopShared()
    {
        lock (Gate)
        {
            _shared?.Dispose();
            _shared = null;
        }
    }

    /// <summary>A server of its own, also listening on <paramref name="extraAddress"/> and trusting <paramref name="network"/> (the network test).</summary>
    public static PostgresServer WithAddress(string extraAddress, string network) => new([extraAddress], network);

    public string Folder { get; }
    public string DataFolder { get; }
    public int Port { get; private set; }

    /// <summary>Starts the server (again).</summary>
    public void Start()
    {
        string addresses = string.Join(',', new[] { "127.0.0.1" }.Concat(_extraAddresses));
        Pg("pg_ctl", "-D", DataFolder, "-l", Path.Combine(Folder, "server.log"), "-w", "-t", "60", "-o",
            $"-p {Port} -k {DataFolder} -c listen_addresses={addresses} -c max_connections=200 -c fsync=off", "start");
    }

    /// <summary>Stops the server (fast shutdown: connections are cut).</summary>
    public void Stop() => Pg("pg_ctl", "-D", DataFolder, "-m", "fast", "-w", "-t", "60", "stop");

    /// <summary>A connection string as the superuser to database <paramref name="database"/>.</summary>
    public string ConnectionString(string database = "postgres", string host = "127.0.0.1", string user = "postgres") =>
        $"Host={host};Port={Port};Username={user};Database={database};Pooling=false;Timeout=10";

    /// <summary>A new empty database; returns its location as a ledger URI would give it.</summary>
    public LedgerLocation NewDatabase(string host = "127.0.0.1")
    {
        string name = "t_" + Guid.NewGuid().ToString("N")[..12];
        Sql("postgres", $"CREATE DATABASE {name};");
        return LedgerLocation.Parse($"postgresql://postgres@{host}:{Port}/{name}");
    }

    /// <summary>Runs SQL as the superuser in <paramref name="database"/>.</summary>
    public void Sql(string database, string sql)
    {
        using var connection = new NpgsqlConnection(ConnectionString(database));
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    /// <summary>A scalar query as the superuser.</summary>
    public object? Scalar(string database, string sql)
    {
        using var connection = new NpgsqlConnection(ConnectionString(database));
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return command.ExecuteScalar();
    }

    public void Dispose()
    {
        try { Stop(); } catch (InvalidOperationException) { }
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private static void Pg(string tool, params string[] args)
    {
        string exe = Path.Combine(BinFolder, tool);
        if (!File.Exists(exe)) Assert.Fail($"PostgreSQL 15 is not installed ({exe} is missing): run build/setup.sh");
        if (IsRoot) Run("runuser", ["-u", "postgres", "--", exe, .. args]);
        else Run(exe, args);
    }

    /// <summary>Runs a program; throws InvalidOperationException with its output when it fails.</summary>
    public static string Run(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(2))) { p.Kill(true); throw new InvalidOperationException($"{program} timed out"); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited {p.ExitCode}: {output.Result}{error.Result}");
        return output.Result;
    }
}
