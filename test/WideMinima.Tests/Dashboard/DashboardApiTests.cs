using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using WideMinima.Dashboard;
using WideMinima.Ledger;
using WideMinima.Reports;

namespace WideMinima.Tests.Dashboard;

/// <summary>The dashboard's API in ASP.NET Core's test server, over ledgers made through the ledger API.</summary>
[TestClass]
public sealed class DashboardApiTests
{
    [TestMethod]
    public void The_sweep_list_counts_each_sweep_as_the_ledger_holds_it()
    {
        var (_, file, sweep, _) = DashboardHarness.Synthetic(runs: 220);
        using var view = LedgerView.Sqlite(file);
        var (app, client) = DashboardHarness.Serve(view);
        using var _a = app;
        var answer = client.Json("/api/sweeps");
        StringAssert.Contains(answer.GetProperty("database").GetString(), file);
        var s = answer.GetProperty("sweeps").EnumerateArray().Single();
        Assert.AreEqual(sweep, s.GetProperty("name").GetString());
        Assert.AreEqual("sweep", s.GetProperty("kind").GetString());
        using var ledger = SqlLedger.Sqlite(file);
        var runs = ledger.Runs();
        var counts = s.GetProperty("counts");
        foreach (var status in Enum.GetValues<RunStatus>())
            Assert.AreEqual(runs.Count(r => r.Status == status), counts.GetProperty(status.ToText()).GetInt32(), status.ToText());
        var best = SweepSummary.From(sweep, runs).Best!;
        Assert.AreEqual(best.Setting, s.GetProperty("best_setting").GetString(), "the best setting is the summary's");
        Assert.AreEqual(best.MeanAccuracy, s.GetProperty("best_accuracy").GetDouble() * 100, 1e-9);
        Assert.AreEqual(runs.Count(r => r.Status == RunStatus.Running), s.GetProperty("workers").GetInt32(), "each generated running run has its own worker");
        Assert.IsGreaterThanOrEqualTo(0, s.GetProperty("eta_seconds").GetDouble(), "runs are left and some finished: there is an ETA");
    }

    private static string[] Ids(JsonElement page) => [.. page.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("run_id").GetString()!)];

    [TestMethod]
    public void A_sweeps_page_shows_summary_md_cell_for_cell_and_its_charts()
    {
        var (_, file, sweep, _) = DashboardHarness.Synthetic(runs: 260);
        string markdown;
        using (var ledger = SqlLedger.Sqlite(file)) markdown = SummaryWriter.Markdown(sweep, ledger.Runs());
        using var view = LedgerView.Sqlite(file);
        var (app, client) = DashboardHarness.Serve(view);
        using var _a = app;
        var page = client.Json($"/api/sweeps/{sweep}");
        var blocks = page.GetProperty("blocks");
        var shown = DashboardHarness.Table(blocks, "summary");
        var written = DashboardHarness.MarkdownTable(markdown, "| setting | n | accuracy mean");
        Assert.HasCount(written.Count, shown);
        for (int i = 0; i < written.Count; i++) CollectionAssert.AreEqual(written[i], shown[i], $"row {i}");
        CollectionAssert.AreEqual(DashboardHarness.MarkdownTable(markdown, "| Knee setting |"), DashboardHarness.Table(blocks, "knee"));
        var title = blocks.EnumerateArray().First();
        Assert.AreEqual(markdown.Split('\n')[0].TrimStart('#', ' ').TrimEnd('\r'), title.GetProperty("text").GetString());
        foreach (var chart in new[] { "accuracy-vs-explore", "width-vs-explore", "accuracy-vs-width", "lr-schedules" })
        {
            var c = blocks.EnumerateArray().Single(b => b.TryGetProperty("id", out var id) && id.GetString() == chart);
            Assert.IsGreaterThan(0, c.GetProperty("series").GetArrayLength(), chart);
        }
        var lr = blocks.EnumerateArray().Single(b => b.TryGetProperty("id", out var id) && id.GetString() == "lr-schedules");
        Assert.AreEqual(22, lr.GetProperty("series").GetArrayLength(), "one LR curve per setting");
        Assert.AreEqual(200, lr.GetProperty("series")[0].GetProperty("x").GetArrayLength());
        var explore = blocks.EnumerateArray().Single(b => b.TryGetProperty("id", out var id) && id.GetString() == "accuracy-vs-explore");
        var cosine = explore.GetProperty("series").EnumerateArray().Single(s => s.GetProperty("name").GetString()!.StartsWith("cosine", StringComparison.Ordinal));
        Assert.AreEqual("dashed", cosine.GetProperty("style").GetString(), "a baseline is a band");
        Assert.IsLessThan(cosine.GetProperty("y")[0].GetDouble(), cosine.GetProperty("low")[0].GetDouble());
        Assert.IsGreaterThan(cosine.GetProperty("y")[0].GetDouble(), cosine.GetProperty("high")[0].GetDouble());
    }

    [TestMethod]
    public void The_runs_table_pages_sorts_and_filters_as_the_ledger_would()
    {
        var (_, file, sweep, _) = DashboardHarness.Synthetic(runs: 240);
        List<LedgerRun> runs;
        using (var ledger = SqlLedger.Sqlite(file)) runs = [.. ledger.Runs()];
        using var view = LedgerView.Sqlite(file);
        var (app, client) = DashboardHarness.Serve(view);
        using var _a = app;

        var first = client.Json($"/api/sweeps/{sweep}/runs?limit=25");
        Assert.AreEqual(runs.Count, first.GetProperty("total").GetInt32());
        CollectionAssert.AreEqual(runs.Take(25).Select(r => r.RunId).ToArray(), Ids(first), "queue order by default");

        var sorted = client.Json($"/api/sweeps/{sweep}/runs?limit=20&offset=10&sort=test_accuracy&desc=true");
        var expected = runs.Where(r => r.TestAccuracy is not null).OrderByDescending(r => r.TestAccuracy).ThenBy(r => r.Ordinal).Skip(10).Take(20).Select(r => r.RunId).ToArray();
        CollectionAssert.AreEqual(expected, Ids(sorted));

        var failed = client.Json($"/api/sweeps/{sweep}/runs?status=failed&limit=1000");
        CollectionAssert.AreEqual(runs.Where(r => r.Status == RunStatus.Failed).Select(r => r.RunId).ToArray(), Ids(failed));
        var cosine = client.Json($"/api/sweeps/{sweep}/runs?setting=cosine&limit=1000");
        CollectionAssert.AreEqual(runs.Where(r => r.Setting == "cosine").Select(r => r.RunId).ToArray(), Ids(cosine));
        var search = client.Json($"/api/sweeps/{sweep}/runs?q=E0.5-S1&limit=1000");
        CollectionAssert.AreEqual(runs.Where(r => r.RunId.Contains("e0.5-s1", StringComparison.Ordinal)).Select(r => r.RunId).ToArray(), Ids(search), "case-insensitive search");

        var running = client.Json($"/api/sweeps/{sweep}/runs?status=running").GetProperty("rows").EnumerateArray().ToList();
        Assert.IsNotEmpty(running);
        Assert.IsTrue(running.All(r => r.GetProperty("epoch").GetString() == "3/20" && r.GetProperty("lease_expires_at").GetInt64() > 0), "a running run shows the epoch its worker reported and its lease");
        var done = client.Json($"/api/sweeps/{sweep}/runs?status=done&limit=1").GetProperty("rows")[0];
        Assert.AreEqual("20", done.GetProperty("epoch").GetString(), "a finished run reached the budget's epochs");

        foreach (var (query, name) in new[] { ("limit=0", "limit"), ("limit=5000", "limit"), ("offset=-1", "offset"), ("sort=colour", "sort"), ("desc=maybe", "desc"), ("status=sleeping", "status") })
        {
            using var response = client.GetAsync($"/api/sweeps/{sweep}/runs?{query}").GetAwaiter().GetResult();
            Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode, query);
            StringAssert.StartsWith(JsonDocument.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult()).RootElement.GetProperty("error").GetString(), name + ":", query);
        }
    }

    [TestMethod]
    public void A_runs_page_has_its_curves_width_and_checkpoints_and_a_failed_run_its_error()
    {
        var (_, file, sweep, doneRun) = DashboardHarness.Synthetic(runs: 150);
        string failedRun;
        using (var ledger = SqlLedger.Sqlite(file))
        {
            failedRun = ledger.Runs().First(r => r.Status == RunStatus.Failed).RunId;
            var running = ledger.Runs().First(r => r.Status == RunStatus.Running);
            ledger.RecordCheckpoint(new CheckpointRow(running.RunId, running.Attempts, 780, 2, "/ckpt/a.wmckpt", new string('a', 64), 123_456, 1_700_000_000_000));
        }
        using var view = LedgerView.Sqlite(file);
        var (app, client) = DashboardHarness.Serve(view);
        using var _a = app;

        var run = client.Json($"/api/sweeps/{sweep}/runs/{doneRun}");
        Assert.AreEqual(doneRun, run.GetProperty("run").GetProperty("run_id").GetString());
        var blocks = run.GetProperty("blocks");
        var lr = blocks.EnumerateArray().Single(b => b.TryGetProperty("id", out var id) && id.GetString() == "run-lr");
        Assert.AreEqual(200, lr.GetProperty("series")[0].GetProperty("y").GetArrayLength());
        var epochs = blocks.EnumerateArray().Single(b => b.TryGetProperty("id", out var id) && id.GetString() == "run-epochs");
        var names = epochs.GetProperty("series").EnumerateArray().Select(s => s.GetProperty("name").GetString()).ToList();
        CollectionAssert.IsSubsetOf(new[] { "train loss", "test accuracy (%)", "final test accuracy (%)" }, names);
        Assert.AreEqual("keskar", DashboardHarness.Table(blocks, "run-width")[0][0]);

        var failed = client.Json($"/api/sweeps/{sweep}/runs/{failedRun}");
        StringAssert.Contains(failed.GetProperty("error").GetString(), "the disk was full");

        string runningId;
        using (var ledger = SqlLedger.Sqlite(file)) runningId = ledger.Runs().First(r => r.Status == RunStatus.Running).RunId;
        var checkpoints = DashboardHarness.Table(client.Json($"/api/sweeps/{sweep}/runs/{runningId}").GetProperty("blocks"), "run-checkpoints");
        CollectionAssert.AreEqual(new[] { "780", "2", "1", "123,456" }, checkpoints[0].Take(4).ToArray());

        Assert.AreEqual(HttpStatusCode.NotFound, client.GetAsync($"/api/sweeps/{sweep}/runs/no-such-run").GetAwaiter().GetResult().StatusCode);
        Assert.AreEqual(HttpStatusCode.NotFound, client.GetAsync("/api/sweeps/no-such-sweep").GetAwaiter().GetResult().StatusCode);
        Assert.AreEqual(HttpStatusCode.NotFound, client.GetAsync("/sweeps/no-such-sweep").GetAwaiter().GetResult().StatusCode, "the page of an unknown sweep");
        Assert.AreEqual(HttpStatusCode.OK, client.GetAsync($"/sweeps/{sweep}/runs/{doneRun}").GetAwaiter().GetResult().StatusCode);
    }

    [TestMethod]
    public void Polling_an_unchanged_ledger_gets_304_and_a_write_changes_the_answer()
    {
        var (_, file, sweep, _) = DashboardHarness.Synthetic(runs: 400);
        using var view = LedgerView.Sqlite(file);
        var (app, client) = DashboardHarness.Serve(view);
        using var _a = app;
        string path = $"/api/sweeps/{sweep}";
        using var first = client.GetAsync(path).GetAwaiter().GetResult();
        var etag = first.Headers.ETag!;
        string stamp = client.Json("/api/version").GetProperty("stamp").GetString()!;
        using (var again = new HttpRequestMessage(HttpMethod.Get, path))
        {
            again.Headers.IfNoneMatch.Add(etag);
            Assert.AreEqual(HttpStatusCode.NotModified, client.SendAsync(again).GetAwaiter().GetResult().StatusCode, "nothing changed");
        }
        using (var ledger = SqlLedger.Sqlite(file))
        {
            var pending = ledger.Runs().First(r => r.Status == RunStatus.Pending);
            var lease = ledger.Claim("w", TimeSpan.FromMinutes(1), _ => true)!.Lease;
            Assert.AreEqual(pending.RunId, lease.RunId);
            ledger.Complete(lease, new RunOutcome(RunStatus.Failed, null, "stopped by the test"));
        }
        Assert.AreNotEqual(stamp, client.Json("/api/version").GetProperty("stamp").GetString(), "a write changes the stamp");
        using var changed = new HttpRequestMessage(HttpMethod.Get, path);
        changed.Headers.IfNoneMatch.Add(etag);
        using var response = client.SendAsync(changed).GetAwaiter().GetResult();
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreNotEqual(etag, response.Headers.ETag);
        var failedBefore = JsonDocument.Parse(first.Content.ReadAsStringAsync().GetAwaiter().GetResult()).RootElement.GetProperty("overview").GetProperty("counts").GetProperty("failed").GetInt32();
        var failedAfter = JsonDocument.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult()).RootElement.GetProperty("overview").GetProperty("counts").GetProperty("failed").GetInt32();
        Assert.AreEqual(failedBefore + 1, failedAfter);
    }

    [TestMethod]
    public void Nothing_writes_every_other_method_is_refused_and_the_ledger_is_unchanged()
    {
        var (_, file, sweep, doneRun) = DashboardHarness.Synthetic(runs: 100);
        using var view = LedgerView.Sqlite(file);
        var (app, client) = DashboardHarness.Serve(view);
        using var _a = app;
        string before = view.Stamp().Text;
        foreach (var method in new[] { HttpMethod.Post, HttpMethod.Put, HttpMethod.Delete, HttpMethod.Patch })
        {
            foreach (var path in new[] { "/", $"/api/sweeps/{sweep}", $"/api/sweeps/{sweep}/runs/{doneRun}", $"/api/sweeps/{sweep}/runs" })
            {
                using var request = new HttpRequestMessage(method, path) { Content = new StringContent("{}") };
                Assert.AreEqual(HttpStatusCode.MethodNotAllowed, client.SendAsync(request).GetAwaiter().GetResult().StatusCode, $"{method} {path}");
            }
        }
        Assert.AreEqual(before, view.Stamp().Text, "no request changed the ledger");
    }

    [TestMethod]
    public void With_a_token_every_request_without_it_gets_401_and_a_link_sets_a_cookie()
    {
        var (_, file, sweep, _) = DashboardHarness.Synthetic(runs: 80);
        const string token = "s3cret-token-0123456789";
        using var view = LedgerView.Sqlite(file);
        var (app, client) = DashboardHarness.Serve(view, new DashboardOptions { Token = token });
        using var _a = app;
        foreach (var path in new[] { "/", $"/sweeps/{sweep}", "/api/sweeps", "/api/version", $"/api/sweeps/{sweep}/runs", "/static/app.js", "/static/vendor/uplot/uPlot.iife.min.js" })
            Assert.AreEqual(HttpStatusCode.Unauthorized, client.GetAsync(path).GetAwaiter().GetResult().StatusCode, path);
        Assert.AreEqual(HttpStatusCode.Unauthorized, client.GetAsync("/?token=wrong-token-0123456789").GetAwaiter().GetResult().StatusCode);

        using (var header = new HttpRequestMessage(HttpMethod.Get, "/api/sweeps"))
        {
            header.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            Assert.AreEqual(HttpStatusCode.OK, client.SendAsync(header).GetAwaiter().GetResult().StatusCode, "Authorization: Bearer");
        }
        using (var header = new HttpRequestMessage(HttpMethod.Get, "/api/sweeps"))
        {
            header.Headers.Add(DashboardApp.TokenHeader, token);
            Assert.AreEqual(HttpStatusCode.OK, client.SendAsync(header).GetAwaiter().GetResult().StatusCode, DashboardApp.TokenHeader);
        }
        using var link = client.GetAsync($"/sweeps/{sweep}?token={token}&x=1").GetAwaiter().GetResult();
        Assert.AreEqual(HttpStatusCode.Redirect, link.StatusCode);
        Assert.AreEqual($"/sweeps/{sweep}?x=1", link.Headers.Location!.OriginalString, "the token leaves the address bar");
        string cookie = link.Headers.GetValues("Set-Cookie").Single();
        StringAssert.StartsWith(cookie, $"{DashboardApp.TokenCookie}={Uri.EscapeDataString(token)}");
        StringAssert.Contains(cookie.ToLowerInvariant(), "httponly");
        StringAssert.Contains(cookie.ToLowerInvariant(), "samesite=strict");
        using var withCookie = new HttpRequestMessage(HttpMethod.Get, "/api/sweeps");
        withCookie.Headers.Add("Cookie", $"{DashboardApp.TokenCookie}={Uri.EscapeDataString(token)}");
        Assert.AreEqual(HttpStatusCode.OK, client.SendAsync(withCookie).GetAwaiter().GetResult().StatusCode, "the cookie");
    }

    [TestMethod]
    public void The_token_check_accepts_only_the_token()
    {
        var check = new TokenCheck("0123456789abcdef");
        Assert.IsTrue(check.Matches("0123456789abcdef"));
        foreach (var other in new[] { null, "", "0123456789abcde", "0123456789abcdef ", "0123456789ABCDEF", "1123456789abcdef" })
            Assert.IsFalse(check.Matches(other), other ?? "null");
    }

    [TestMethod]
    public void Options_refuse_a_bad_port_host_or_token_and_other_hosts_without_a_token()
    {
        Assert.IsNull(new DashboardOptions().Problem());
        Assert.IsNull(new DashboardOptions { Host = "::1", Port = 0 }.Problem());
        Assert.IsNull(new DashboardOptions { Host = "0.0.0.0", Token = "0123456789abcdef" }.Problem());
        Assert.AreEqual("--port", new DashboardOptions { Port = 70000 }.Problem()!.Value.Option);
        Assert.AreEqual("--port", new DashboardOptions { Port = -1 }.Problem()!.Value.Option);
        Assert.AreEqual("--host", new DashboardOptions { Host = "db.example.org" }.Problem()!.Value.Option);
        var open = new DashboardOptions { Host = "0.0.0.0" }.Problem()!.Value;
        Assert.AreEqual("--host", open.Option);
        StringAssert.Contains(open.Rule, "requires --token");
        Assert.AreEqual("--token", new DashboardOptions { Token = "short" }.Problem()!.Value.Option);
        Assert.AreEqual("(hidden)", new DashboardOptions { Token = "has a space in it!!" }.Problem()!.Value.Value, "a refused token is never echoed");
    }

    [TestMethod]
    public void A_tunings_page_shows_its_trials_by_rung_its_charts_and_the_chosen_settings()
    {
        string file = DashboardHarness.Fixture("tune-workers-v4.db");
        using var view = LedgerView.Sqlite(file);
        var overview = view.Sweeps().Single();
        Assert.AreEqual(SweepKind.Tuning, overview.Kind);
        var (app, client) = DashboardHarness.Serve(view);
        using var _a = app;
        var page = client.Json($"/api/sweeps/{Uri.EscapeDataString(overview.Name)}");
        Assert.AreEqual("tuning", page.GetProperty("kind").GetString());
        var blocks = page.GetProperty("blocks");
        var trials = DashboardHarness.Table(blocks, "trials");
        CollectionAssert.AreEqual(Enumerable.Range(0, 7).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray(), trials.Select(t => t[0]).ToArray(), "trials 0..6, by id");
        Assert.AreEqual("75.0", trials[1][4], "trial 1 at rung 1: validation 0.75");
        var chosen = DashboardHarness.Table(blocks, "chosen");
        CollectionAssert.AreEqual(new[] { "1", "3" }, chosen.Select(c => c[0]).ToArray());
        StringAssert.Contains(chosen[1][4], "s1: 66.0");
        foreach (var id in new[] { "tune-lr", "tune-explore", "tune-best" })
            Assert.IsTrue(blocks.EnumerateArray().Any(b => b.TryGetProperty("id", out var i) && i.GetString() == id), id);
    }

    [TestMethod]
    public void Compare_aligns_two_sweeps_by_setting()
    {
        string folder = TestFolders.New("dash-compare");
        string file = Path.Combine(folder, SqlLedger.FileName);
        using (var a = SqlLedger.Sqlite(file, "a")) WideMinima.Sweeps.Benchmarks.DashboardBenchmark.Generate(a, "a", 120, 1);
        using (var b = SqlLedger.Sqlite(file, "b")) WideMinima.Sweeps.Benchmarks.DashboardBenchmark.Generate(b, "b", 60, 2);
        using var view = LedgerView.Sqlite(file);
        var (app, client) = DashboardHarness.Serve(view);
        using var _a = app;
        var page = client.Json("/api/compare?sweep=a&sweep=b");
        var rows = DashboardHarness.Table(page.GetProperty("blocks"), "compare");
        using var ledgerA = SqlLedger.Sqlite(file, "a");
        using var ledgerB = SqlLedger.Sqlite(file, "b");
        var sa = SweepSummary.From("a", ledgerA.Runs());
        var sb = SweepSummary.From("b", ledgerB.Runs());
        Assert.HasCount(sa.Settings.Count, rows);
        foreach (var row in rows)
        {
            var x = sa.Settings.Single(s => s.Setting == row[0]);
            var y = sb.Settings.Single(s => s.Setting == row[0]);
            Assert.AreEqual($"{x.Done}/{x.Planned}", row[1]);
            StringAssert.StartsWith(row[2], x.AccuracyMean.ToString("F2", CultureInfo.InvariantCulture));
            Assert.AreEqual($"{y.Done}/{y.Planned}", row[4], "the same setting of the other sweep on the same row");
        }
        Assert.AreEqual(HttpStatusCode.BadRequest, client.GetAsync("/api/compare?sweep=a").GetAwaiter().GetResult().StatusCode);
        Assert.AreEqual(HttpStatusCode.NotFound, client.GetAsync("/api/compare?sweep=a&sweep=zz").GetAwaiter().GetResult().StatusCode);
    }

    [TestMethod]
    public void The_page_files_come_from_the_assembly_with_the_vendored_chart_library_and_its_licence()
    {
        var (_, file, _, _) = DashboardHarness.Synthetic(runs: 50);
        using var view = LedgerView.Sqlite(file);
        var (app, client) = DashboardHarness.Serve(view);
        using var _a = app;
        string uplot = client.GetStringAsync("/static/vendor/uplot/uPlot.iife.min.js").GetAwaiter().GetResult();
        StringAssert.Contains(uplot, "uPlot");
        StringAssert.Contains(client.GetStringAsync("/static/vendor/uplot/LICENSE").GetAwaiter().GetResult(), "Leon Sorokin");
        StringAssert.Contains(client.GetStringAsync("/static/vendor/uplot/README.md").GetAwaiter().GetResult(), "1.6.32");
        using var page = client.GetAsync("/").GetAwaiter().GetResult();
        string html = page.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        StringAssert.Contains(html, "/static/app.js");
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org", "", StringComparison.Ordinal), "nothing is fetched from elsewhere");
        Assert.DoesNotContain("https://", html);
        StringAssert.Contains(page.Headers.GetValues("Content-Security-Policy").Single(), "default-src 'self'");
        Assert.AreEqual(HttpStatusCode.NotFound, client.GetAsync("/static/../DashboardApp.cs").GetAwaiter().GetResult().StatusCode);
    }
}
