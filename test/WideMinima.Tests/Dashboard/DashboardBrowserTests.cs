using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;
using WideMinima.Dashboard;
using WideMinima.Ledger;
using WideMinima.Reports;
using WideMinima.Sweeps.Benchmarks;
using WideMinima.Sweeps.Config;
using WideMinima.Tests.Scale;
using WideMinima.Tests.Sweeps;

namespace WideMinima.Tests.Dashboard;

/// <summary>
/// The dashboard's pages in a real browser: Debian's chromium (/usr/bin/chromium, which build/setup.sh installs) driven
/// by Playwright through its executable path. Every page is checked for console errors. Screenshots go to
/// <c>dashboard-screenshots/</c> beside the test assembly.
/// </summary>
[TestClass]
public sealed class DashboardBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";
    private static IPlaywright? _playwright;
    private static IBrowser? _browser;

    public static string Screenshots => Path.Combine(AppContext.BaseDirectory, "dashboard-screenshots");

    [ClassInitialize]
    public static async Task Start(TestContext _)
    {
        Assert.IsTrue(File.Exists(Chromium), $"{Chromium} is missing: run build/setup.sh (it installs Debian's chromium)");
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            // As root, chromium runs only without its sandbox; /dev/shm may be small in containers.
            Args = PostgresServer.IsRoot ? ["--no-sandbox", "--disable-dev-shm-usage"] : ["--disable-dev-shm-usage"],
        });
        Directory.CreateDirectory(Screenshots);
    }

    [ClassCleanup]
    public static async Task Stop()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
    }

    /// <summary>A page that records every console error and uncaught exception.</summary>
    private static async Task<(IPage Page, List<string> Errors)> Open(IBrowserContext? context = null)
    {
        context ??= await _browser!.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1360, Height = 900 } });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") lock (errors) errors.Add($"console: {message.Text} ({page.Url})"); };
        page.PageError += (_, error) => { lock (errors) errors.Add($"page error: {error} ({page.Url})"); };
        return (page, errors);
    }

    private static async Task<string> Text(IPage page, string selector) => (await page.Locator(selector).First.InnerTextAsync()).Trim();

    /// <summary>A table's body rows as cells (the page's own text).</summary>
    private static async Task<List<string[]>> Rows(IPage page, string tableId)
    {
        var json = await page.EvaluateAsync<string>($$"""
            () => JSON.stringify([...document.querySelectorAll('table[data-id="{{tableId}}"] tbody tr')].map(tr => [...tr.cells].map(td => td.innerText.trim())))
            """);
        return JsonSerializer.Deserialize<List<string[]>>(json)!;
    }

    private static async Task<int> ChartPoints(IPage page, string chartId)
    {
        var chart = page.Locator($".chart[data-id=\"{chartId}\"]");
        await chart.Locator("canvas").WaitForAsync(new LocatorWaitForOptions { Timeout = 10_000 });
        return int.Parse(await chart.GetAttributeAsync("data-points") ?? "0", CultureInfo.InvariantCulture);
    }

    private static Dictionary<string, Dictionary<string, string>> Csv(string folder)
    {
        var lines = File.ReadAllLines(Path.Combine(folder, "results.csv"));
        var header = lines[0].Split(',');
        return lines.Skip(1).Select(l => l.Split(',')).ToDictionary(c => c[0], c => header.Zip(c).ToDictionary(p => p.First, p => p.Second));
    }

    [TestMethod]
    [Timeout(300_000)]
    public async Task A_sweep_with_two_workers_updates_the_page_as_runs_finish_and_shows_its_reports_numbers()
    {
        // Real images (the Fashion-MNIST subset shipped with the tool, cut down; TinySweep's MLP), so the screenshot shows real numbers.
        // 6,000 images make a run last about a second: long enough for the page's 2 s poll to see both workers running
        // (with 1,500 a run took 0.25 s and the poll often missed every moment two ran at once).
        var config = TinySweep.Config(TinySweep.Dataset(), workers: 2, seeds: 3, epochs: 4) with
        {
            Dataset = new DatasetConfig { Kind = DatasetKind.FashionMnistSubset, TrainLimit = 6000, TestLimit = 500 },
            ExploreFractions = [0, 0.5, 0.9],
            BatchSize = 64,
            PeakLr = 0.05,
        };
        int total = (config.ExploreFractions.Count + config.Baselines.Count) * config.Seeds;
        string folder = TinySweep.NewFolder("dash-live");
        string configFile = TinySweep.WriteConfig(config, folder);
        var register = TinySweep.Run("run", "--config", configFile, "--out", folder, "--workers", "0");
        Assert.AreEqual(0, register.ExitCode, register.Output + register.Error);

        using var dashboard = DashboardProcess.Start(null, "--out", folder);
        var (page, errors) = await Open();
        await page.GotoAsync($"{dashboard.Origin}/sweeps/tiny");
        await page.Locator("table[data-id=\"summary\"]").WaitForAsync();
        Assert.AreEqual("0", await Text(page, "[data-field=\"done\"]"));
        Assert.AreEqual(total.ToString(CultureInfo.InvariantCulture), await Text(page, "[data-field=\"pending\"]"));
        await page.EvaluateAsync("() => { window.__sameDocument = true; }");

        // The sweep runs with two workers while the page watches: it must show the runs finishing, without a reload.
        using var sweep = TinySweep.Start("run", "--config", configFile, "--out", folder, "--workers", "2");
        var sweepOutput = new System.Text.StringBuilder();
        sweep.OutputDataReceived += (_, e) => { lock (sweepOutput) sweepOutput.AppendLine(e.Data); };
        sweep.ErrorDataReceived += (_, e) => { lock (sweepOutput) sweepOutput.AppendLine(e.Data); };
        sweep.BeginOutputReadLine();
        sweep.BeginErrorReadLine();
        var started = DateTime.UtcNow;
        var seen = new List<int>();
        var running = new List<int>();
        while (!sweep.HasExited)
        {
            seen.Add(int.Parse(await Text(page, "[data-field=\"done\"]"), CultureInfo.InvariantCulture));
            running.Add(int.Parse(await Text(page, "[data-field=\"running\"]"), CultureInfo.InvariantCulture));
            await Task.Delay(250);
        }
        sweep.WaitForExit();
        lock (sweepOutput) Assert.AreEqual(0, sweep.ExitCode, sweepOutput.ToString());
        Console.WriteLine($"the sweep ran {(DateTime.UtcNow - started).TotalSeconds:F1} s; the page showed done = {string.Join(",", seen)}");
        // Within 5 seconds of the last run's end, the page shows every run done.
        await page.WaitForFunctionAsync($"() => document.querySelector('[data-field=\"done\"]').innerText === '{total}' && document.querySelector('[data-field=\"eta\"]').innerText === 'finished'",
            null, new PageWaitForFunctionOptions { Timeout = 5000 });
        var distinct = seen.Distinct().ToList();
        Assert.IsGreaterThanOrEqualTo(3, distinct.Count, $"the page showed the runs finishing one after another: {string.Join(",", seen)}");
        CollectionAssert.AreEqual(distinct.OrderBy(d => d).ToList(), distinct, "the count only grows");
        Assert.IsTrue(running.Any(r => r == 2), $"it showed both workers' runs running: {string.Join(",", running)}");
        Assert.IsTrue(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "no reload");

        // The numbers shown are summary.md's and results.csv's.
        string markdown = File.ReadAllText(Path.Combine(folder, "summary.md"));
        var shownSummary = await Rows(page, "summary");
        var writtenSummary = DashboardHarness.MarkdownTable(markdown, "| setting | n | accuracy mean");
        Assert.HasCount(writtenSummary.Count, shownSummary);
        for (int i = 0; i < writtenSummary.Count; i++) CollectionAssert.AreEqual(writtenSummary[i], shownSummary[i], $"summary row {i}");
        StringAssert.Contains(await Text(page, ".blocks h2"), markdown.Split('\n')[0].TrimStart('#', ' ').TrimEnd('\r'));
        var csv = Csv(folder);
        var runs = await Rows(page, "runs");
        Assert.HasCount(csv.Count, runs);
        foreach (var row in runs)
        {
            var r = csv[row[0]];
            Assert.AreEqual(r["status"], row[1], row[0]);
            Assert.AreEqual((double.Parse(r["test_accuracy"], CultureInfo.InvariantCulture) * 100).ToString("F2", CultureInfo.InvariantCulture), row[8], row[0]);
            Assert.AreEqual(double.Parse(r["sharpness"], CultureInfo.InvariantCulture).ToString("F4", CultureInfo.InvariantCulture), row[10], row[0]);
        }
        foreach (var chart in new[] { "accuracy-vs-explore", "width-vs-explore", "accuracy-vs-width", "lr-schedules" })
            Assert.IsGreaterThan(0, await ChartPoints(page, chart), chart);
        Assert.AreEqual(total, await ChartPoints(page, "accuracy-vs-width"), "a point per run");

        // Sorting and filtering happen in the page.
        await page.Locator("th[data-sort=\"test_accuracy\"]").ClickAsync();
        await page.Locator("th[data-sort=\"test_accuracy\"]").ClickAsync();
        await page.WaitForFunctionAsync("() => document.querySelector('th[data-sort=\"test_accuracy\"]').innerText.endsWith('▼')");
        var sorted = (await Rows(page, "runs")).Select(r => double.Parse(r[8], CultureInfo.InvariantCulture)).ToList();
        CollectionAssert.AreEqual(sorted.OrderByDescending(v => v).ToList(), sorted, "sorted by test accuracy, highest first");
        await page.Locator("select[data-filter=\"setting\"]").SelectOptionAsync("cosine");
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('table[data-id=\"runs\"] tbody tr')].length === 3");
        Assert.IsTrue((await Rows(page, "runs")).All(r => r[2] == "cosine"));
        await page.Locator("select[data-filter=\"setting\"]").SelectOptionAsync("");
        await page.WaitForFunctionAsync($"() => [...document.querySelectorAll('table[data-id=\"runs\"] tbody tr')].length === {total}");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "dashboard.png"), FullPage = true });

        // A run's page plots its LR curve and its epochs.
        await page.Locator("table[data-id=\"runs\"] a", new PageLocatorOptions { HasText = "knee-e0.5-s1" }).ClickAsync();
        await page.WaitForURLAsync("**/sweeps/tiny/runs/knee-e0.5-s1");
        Assert.IsGreaterThan(10, await ChartPoints(page, "run-lr"), "the LR curve");
        Assert.IsGreaterThanOrEqualTo(3 * 3, await ChartPoints(page, "run-epochs"), "train loss, test loss and accuracy for each of 3 epochs");
        Assert.AreEqual((double.Parse(csv["knee-e0.5-s1"]["test_accuracy"], CultureInfo.InvariantCulture) * 100).ToString("F2", CultureInfo.InvariantCulture) + "%", await Text(page, "[data-field=\"test_accuracy\"]"));
        Assert.AreEqual("keskar", (await Rows(page, "run-width"))[0][0]);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "dashboard-run.png"), FullPage = true });

        // The list of sweeps.
        await page.GotoAsync(dashboard.Origin + "/");
        await page.Locator("table[data-id=\"sweeps\"] tbody tr").First.WaitForAsync();
        var list = (await Rows(page, "sweeps")).Single();
        CollectionAssert.AreEqual(new[] { "tiny", "sweep", total.ToString(CultureInfo.InvariantCulture), "0", "0", "0" }, list.Skip(1).Take(6).ToArray());
        Assert.AreEqual("finished", list[9]);
        StringAssert.StartsWith(list[8], SweepSummary.From("tiny", LedgerRows(folder)).Best!.Setting + " (");
        Assert.AreEqual(0, dashboard.Stop());
        lock (errors) Assert.IsEmpty(errors, string.Join("\n", errors));

        // The sweep's results are exactly those of the same sweep run without anyone watching.
        string reference = TinySweep.NewFolder("dash-reference");
        var alone = TinySweep.Run("run", "--config", TinySweep.WriteConfig(config, reference), "--out", reference, "--workers", "2");
        Assert.AreEqual(0, alone.ExitCode, alone.Output + alone.Error);
        var expected = Csv(reference);
        foreach (var (id, r) in csv)
        {
            foreach (var column in new[] { "status", "test_accuracy", "sharpness", "test_loss", "train_loss", "width_max_loss", "width_steps", "attempts", "error" })
                Assert.AreEqual(expected[id][column], r[column], $"{id} {column}");
        }
    }

    private static IReadOnlyList<LedgerRun> LedgerRows(string folder)
    {
        using var ledger = SqlLedger.Sqlite(Path.Combine(folder, SqlLedger.FileName), readOnly: true);
        return ledger.Runs();
    }

    [TestMethod]
    [Timeout(120_000)]
    public async Task With_a_token_the_browser_gets_401_until_it_follows_the_printed_link()
    {
        var (folder, _, sweep, doneRun) = DashboardHarness.Synthetic(runs: 120);
        const string token = "browser-token-0123456789";
        using var dashboard = DashboardProcess.Start(null, "--out", folder, "--token", token);
        StringAssert.EndsWith(dashboard.Url, "/?token=" + token, "it prints the link that carries the token");
        // Refused pages in a page of their own: the browser reports each 401 as a failed resource on its console.
        var (refusedPage, _) = await Open();
        foreach (var path in new[] { "/", $"/sweeps/{sweep}", $"/sweeps/{sweep}/runs/{doneRun}", "/api/sweeps", "/static/app.js" })
        {
            var refused = await refusedPage.GotoAsync(dashboard.Origin + path);
            Assert.AreEqual(401, refused!.Status, path);
        }
        var (page, errors) = await Open();
        var response = await page.GotoAsync(dashboard.Url);
        Assert.AreEqual(200, response!.Status);
        Assert.AreEqual(dashboard.Origin + "/", page.Url, "the token left the address bar");
        await page.Locator("table[data-id=\"sweeps\"] tbody tr").First.WaitForAsync();
        await page.Locator("table[data-id=\"sweeps\"] a").First.ClickAsync();
        await page.Locator("table[data-id=\"summary\"]").WaitForAsync();
        Assert.IsGreaterThan(0, await ChartPoints(page, "lr-schedules"), "the page's API calls carry the cookie");
        var cookie = (await page.Context.CookiesAsync()).Single(c => c.Name == DashboardApp.TokenCookie);
        Assert.IsTrue(cookie.HttpOnly);
        Assert.AreEqual(SameSiteAttribute.Strict, cookie.SameSite);
        var other = await _browser!.NewContextAsync();
        var stranger = await other.NewPageAsync();
        Assert.AreEqual(401, (await stranger.GotoAsync(dashboard.Origin + $"/sweeps/{sweep}"))!.Status, "another browser without the link");
        await other.DisposeAsync();
        Assert.AreEqual(0, dashboard.Stop());
        lock (errors) Assert.IsEmpty(errors, string.Join("\n", errors));
    }

    [TestMethod]
    [Timeout(180_000)]
    public async Task On_a_postgresql_ledger_it_lists_shows_and_compares_sweeps_and_never_shows_the_password()
    {
        var location = PostgresServer.Shared.NewDatabase();
        using (var a = SqlLedger.Postgres(location.ConnectionString, location.Display, "pg-a")) DashboardBenchmark.Generate(a, "pg-a", 300, seed: 4);
        using (var b = SqlLedger.Postgres(location.ConnectionString, location.Display, "pg-b")) DashboardBenchmark.Generate(b, "pg-b", 150, seed: 5);
        const string password = "never-shown-Pa55word";
        using var dashboard = DashboardProcess.Start(new Dictionary<string, string> { ["PGPASSWORD"] = password }, "--ledger", location.Display);
        var (page, errors) = await Open();
        await page.GotoAsync(dashboard.Url);
        await page.Locator("table[data-id=\"sweeps\"] tbody tr").Nth(1).WaitForAsync();
        var list = await Rows(page, "sweeps");
        CollectionAssert.AreEqual(new[] { "pg-a", "pg-b" }, list.Select(r => r[1]).ToArray());
        StringAssert.Contains(await page.ContentAsync(), location.Display, "the page names the database");

        await page.Locator("a", new PageLocatorOptions { HasText = "pg-a" }).First.ClickAsync();
        await page.Locator("table[data-id=\"summary\"]").WaitForAsync();
        IReadOnlyList<LedgerRun> runs;
        using (var ledger = SqlLedger.Postgres(location.ConnectionString, location.Display, "pg-a")) runs = ledger.Runs();
        var written = DashboardHarness.MarkdownTable(SummaryWriter.Markdown("pg-a", runs), "| setting | n | accuracy mean");
        var shown = await Rows(page, "summary");
        for (int i = 0; i < written.Count; i++) CollectionAssert.AreEqual(written[i], shown[i], $"summary row {i}");
        Assert.AreEqual(runs.Count.ToString(CultureInfo.InvariantCulture), await page.Locator(".runs .muted[data-total]").GetAttributeAsync("data-total"));
        await page.Locator("button", new PageLocatorOptions { HasText = "next" }).ClickAsync();
        await page.WaitForFunctionAsync("() => document.querySelector('.runs .muted').innerText.startsWith('runs 51–100')");
        Assert.AreEqual(runs[50].RunId, (await Rows(page, "runs"))[0][0], "the second page of the runs table");

        await page.GotoAsync(dashboard.Origin + "/");
        await page.Locator("table[data-id=\"sweeps\"] tbody tr").Nth(1).WaitForAsync();
        await page.Locator("tr[data-sweep=\"pg-a\"] input").CheckAsync();
        await page.Locator("tr[data-sweep=\"pg-b\"] input").CheckAsync();
        await page.Locator(".compare a").ClickAsync();
        await page.Locator("table[data-id=\"compare\"]").WaitForAsync();
        var compare = await Rows(page, "compare");
        Assert.HasCount(22, compare, "every setting once, aligned");
        Assert.IsGreaterThan(0, await ChartPoints(page, "compare-explore"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "dashboard-compare.png"), FullPage = true });

        foreach (var path in new[] { "/", "/sweeps/pg-a", "/compare?sweep=pg-a&sweep=pg-b" })
        {
            await page.GotoAsync(dashboard.Origin + path);
            await page.WaitForFunctionAsync("() => document.body.dataset.updated !== undefined");
            Assert.DoesNotContain(password, await page.ContentAsync(), path);
        }
        foreach (var api in new[] { "/api/sweeps", "/api/sweeps/pg-a", "/api/sweeps/pg-a/runs", "/api/version" })
        {
            using var http = new HttpClient();
            Assert.DoesNotContain(password, await http.GetStringAsync(dashboard.Origin + api), api);
        }
        Assert.AreEqual(0, dashboard.Stop());
        Assert.DoesNotContain(password, dashboard.Output, "nor the log");
        lock (errors) Assert.IsEmpty(errors, string.Join("\n", errors));
    }

    [TestMethod]
    [Timeout(120_000)]
    public async Task A_tunings_page_shows_trials_by_rung_its_charts_and_the_chosen_settings()
    {
        string file = DashboardHarness.Fixture("tune-workers-v4.db");
        using var view = LedgerView.Sqlite(file);
        string name = view.Sweeps().Single().Name;
        var app = DashboardApp.Build(new DashboardService(view), new DashboardOptions { Port = 0 });
        await app.StartAsync();
        try
        {
            string origin = app.Urls.First();
            var (page, errors) = await Open();
            await page.GotoAsync($"{origin}/sweeps/{name}");
            await page.Locator("table[data-id=\"trials\"]").WaitForAsync();
            Assert.HasCount(7, await Rows(page, "trials"));
            CollectionAssert.AreEqual(new[] { "1", "3" }, (await Rows(page, "chosen")).Select(r => r[0]).ToArray());
            Assert.IsGreaterThan(0, await ChartPoints(page, "tune-lr"));
            Assert.IsGreaterThan(0, await ChartPoints(page, "tune-explore"));
            Assert.AreEqual(7, await ChartPoints(page, "tune-best"), "a point per finished job");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "dashboard-tuning.png"), FullPage = true });
            await page.Locator("table[data-id=\"runs\"] a", new PageLocatorOptions { HasText = "tune-final-t3-s1" }).ClickAsync();
            await page.Locator("details[open] pre").First.WaitForAsync();
            StringAssert.Contains(await page.ContentAsync(), "test_accuracy");
            lock (errors) Assert.IsEmpty(errors, string.Join("\n", errors));
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
