using System.Net;
using System.Net.Sockets;
using WideMinima.Ledger;
using WideMinima.Tests.Sweeps;

namespace WideMinima.Tests.Dashboard;

/// <summary><c>wideminima dashboard</c> as a child process: bad input exits 2 with a clear message before anything is served; Ctrl+C stops it.</summary>
[TestClass]
public sealed class DashboardCliTests
{
    [TestMethod]
    public void Bad_input_exits_2_naming_the_option_and_the_value()
    {
        var (folder, file, _, _) = DashboardHarness.Synthetic(runs: 60);
        string empty = TestFolders.New("dash-empty");
        string garbage = TestFolders.New("dash-garbage");
        File.WriteAllText(Path.Combine(garbage, SqlLedger.FileName), "this is not a database, just some text that is long enough to have a header");
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int busy = ((IPEndPoint)taken.LocalEndpoint).Port;
        (string[] Args, string Expected)[] cases =
        [
            (["--out", folder, "--port", "70000"], "--port: must be a TCP port, 1 to 65535 (0: any free port), but was 70000"),
            (["--out", folder, "--port", "eighty"], "eighty"),
            (["--out", empty], $"--out: must hold a ledger.db"),
            (["--out", garbage], "cannot be read as a sweep ledger"),
            (["--out", folder, "--host", "0.0.0.0"], "--host: is not a loopback address: serving other machines requires --token"),
            (["--out", folder, "--host", "db.example.org", "--token", "0123456789abcdef"], "--host: must be an IP address"),
            (["--out", folder, "--token", "short"], "--token: must be at least 16 characters"),
            (["--out", folder, "--sweep", "nope"], "--sweep: names no sweep in"),
            (["--out", folder, "--port", busy.ToString(System.Globalization.CultureInfo.InvariantCulture)], "cannot be bound on 127.0.0.1"),
            (["--ledger", "postgresql://me:pw@db.example.org/sweeps"], "must not contain a password"),
        ];
        foreach (var (args, expected) in cases)
        {
            var (code, output, error) = TinySweep.Run(["dashboard", .. args]);
            string shown = string.Join(' ', args);
            Assert.AreEqual(2, code, $"dashboard {shown}:\n{output}{error}");
            StringAssert.Contains(error, expected, shown);
            Assert.DoesNotContain("   at ", error, $"no stack trace: {shown}");
            Assert.DoesNotContain(":pw@", error + output, "a password given is never printed");
        }
        Assert.IsFalse(File.Exists(Path.Combine(empty, SqlLedger.FileName)), "a missing ledger is not created");
        StringAssert.StartsWith(File.ReadAllText(Path.Combine(garbage, SqlLedger.FileName)), "this is not a database", "a garbage ledger is left untouched");
    }

    [TestMethod]
    public void It_prints_its_address_serves_the_ledger_and_stops_on_ctrl_c()
    {
        var (folder, _, sweep, _) = DashboardHarness.Synthetic(runs: 60);
        using var dashboard = DashboardProcess.Start(null, "--out", folder, "--sweep", sweep);
        StringAssert.StartsWith(dashboard.Url, "http://127.0.0.1:");
        StringAssert.EndsWith(dashboard.Url, $"/sweeps/{sweep}");
        using var http = new HttpClient();
        string sweeps = http.GetStringAsync(dashboard.Origin + "/api/sweeps").GetAwaiter().GetResult();
        StringAssert.Contains(sweeps, $"\"name\":\"{sweep}\"");
        Assert.AreEqual(HttpStatusCode.OK, http.GetAsync(dashboard.Url).GetAwaiter().GetResult().StatusCode);
        Assert.AreEqual(0, dashboard.Stop(), dashboard.Output);
        Assert.ThrowsExactly<HttpRequestException>(() => http.GetStringAsync(dashboard.Origin + "/api/sweeps").GetAwaiter().GetResult(), "stopped serving");
    }
}
