using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using WideMinima.Dashboard;
using WideMinima.Ledger;
using WideMinima.Sweeps.Benchmarks;

namespace WideMinima.Tests.Dashboard;

/// <summary>Ledgers made through the ledger API and the dashboard served in memory (ASP.NET Core's test server).</summary>
internal static class DashboardHarness
{
    /// <summary>A SQLite ledger in a new folder holding a generated sweep (see <see cref="DashboardBenchmark.Generate"/>); returns the folder, the file and a done run.</summary>
    public static (string Folder, string File, string Sweep, string DoneRun) Synthetic(int runs = 300, string sweep = "synthetic", int seed = 1)
    {
        string folder = TestFolders.New("dash");
        string file = Path.Combine(folder, SqlLedger.FileName);
        using var ledger = SqlLedger.Sqlite(file, sweep);
        string done = DashboardBenchmark.Generate(ledger, sweep, runs, seed);
        return (folder, file, sweep, done);
    }

    /// <summary>A copy of a fixture ledger, migrated to the current schema by opening it once as a writer.</summary>
    public static string Fixture(string name)
    {
        string file = Path.Combine(TestFolders.New("dash-fixture"), SqlLedger.FileName);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Ledgers", name), file);
        using (SqlLedger.Sqlite(file)) { }
        return file;
    }

    /// <summary>The dashboard over <paramref name="view"/> in a test server, and a client for it.</summary>
    public static (WebApplication App, HttpClient Client) Serve(LedgerView view, DashboardOptions? options = null)
    {
        var app = DashboardApp.Build(new DashboardService(view), options ?? new DashboardOptions(), b => b.WebHost.UseTestServer());
        app.StartAsync().GetAwaiter().GetResult();
        var client = app.GetTestClient();
        return (app, client);
    }

    public static JsonElement Json(this HttpClient client, string path)
    {
        using var response = client.GetAsync(path).GetAwaiter().GetResult();
        Assert.AreEqual(System.Net.HttpStatusCode.OK, response.StatusCode, $"GET {path}: {response.Content.ReadAsStringAsync().GetAwaiter().GetResult()}");
        return response.Content.ReadFromJsonAsync<JsonElement>().GetAwaiter().GetResult();
    }

    /// <summary>The table block with id <paramref name="id"/> of an answer's blocks, as rows of cells.</summary>
    public static List<string[]> Table(JsonElement blocks, string id)
    {
        var table = blocks.EnumerateArray().Single(b => b.GetProperty("type").GetString() == "table" && b.TryGetProperty("id", out var i) && i.GetString() == id);
        return [.. table.GetProperty("rows").EnumerateArray().Select(r => r.EnumerateArray().Select(c => c.GetString()!).ToArray())];
    }

    /// <summary>The rows of the markdown table whose header starts with <paramref name="header"/>, as cells.</summary>
    public static List<string[]> MarkdownTable(string markdown, string header)
    {
        var lines = markdown.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        int start = lines.FindIndex(l => l.StartsWith(header, StringComparison.Ordinal));
        Assert.IsGreaterThanOrEqualTo(0, start, $"no table starting with '{header}' in:\n{markdown}");
        return [.. lines.Skip(start + 2).TakeWhile(l => l.StartsWith('|')).Select(l => l.Trim('|').Split(" | ").Select(c => c.Trim()).ToArray())];
    }
}
