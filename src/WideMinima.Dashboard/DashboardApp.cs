using System.Globalization;
using System.Net;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WideMinima.Ledger;

namespace WideMinima.Dashboard;

/// <summary>
/// The dashboard's web application: an HTML shell per page, a read-only JSON API, the page's script and the vendored
/// chart library from the assembly's resources. Only GET and HEAD are served (nothing writes). With a token, every
/// request must carry it (a header, or the cookie a <c>?token=</c> link sets), compared in constant time.
/// </summary>
/// <remarks>
/// Routes: <c>/</c>, <c>/sweeps/{name}</c>, <c>/sweeps/{name}/runs/{id}</c>, <c>/compare?sweep=a&amp;sweep=b</c>;
/// the API under <c>/api</c>: <c>version</c>, <c>sweeps</c>, <c>sweeps/{name}</c>, <c>sweeps/{name}/runs</c>
/// (paged: offset, limit, sort, desc, status, setting, q), <c>sweeps/{name}/runs/{id}</c>, <c>compare</c>. Every API
/// answer carries an ETag made from the ledger's <see cref="LedgerStamp"/>, so a poll that finds nothing new costs one
/// small aggregate query and a 304.
/// </remarks>
public static class DashboardApp
{
    private const string StampKey = "wideminima.stamp";

    /// <summary>The cookie a <c>?token=</c> link sets.</summary>
    public const string TokenCookie = "wideminima_token";

    /// <summary>The header that may carry the token (besides <c>Authorization: Bearer</c>).</summary>
    public const string TokenHeader = "X-WideMinima-Token";

    /// <summary>The JSON the API writes: snake_case, enums by their spelled names, NaN as <c>"NaN"</c>.</summary>
    public static JsonSerializerOptions Json { get; } = LedgerJson.Create(writeIndented: false);

    /// <summary>
    /// Builds the application over <paramref name="service"/>. <paramref name="configure"/> runs last on the builder
    /// (tests put a test server in Kestrel's place there).
    /// </summary>
    public static WebApplication Build(DashboardService service, DashboardOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Problem() is { } problem) throw new ArgumentException($"{problem.Option}: {problem.Rule}.", nameof(options));
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(DashboardApp).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            Args = [],
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            if (string.Equals(options.Host, "localhost", StringComparison.OrdinalIgnoreCase)) k.ListenLocalhost(options.Port);
            else k.Listen(IPAddress.Parse(options.Host), options.Port);
        });
        builder.Services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = Json.PropertyNamingPolicy;
            o.SerializerOptions.NumberHandling = Json.NumberHandling;
            foreach (var c in Json.Converters) o.SerializerOptions.Converters.Add(c);
        });
        configure?.Invoke(builder);
        var app = builder.Build();
        var assets = Assets.Load();
        var token = options.Token is null ? null : new TokenCheck(options.Token);

        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
            {
                context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                headers.Allow = "GET, HEAD";
                return;
            }
            if (token is not null && !Authorize(context, token)) return;
            try
            {
                await next(context).ConfigureAwait(false);
            }
            catch (LedgerUnavailableException e) when (!context.Response.HasStarted)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                await context.Response.WriteAsJsonAsync(new ApiError(e.Message), Json).ConfigureAwait(false);
            }
        });
        // The API's ETag: the ledger's stamp. A client that already holds this state gets a 304 without a query run.
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
            {
                string stamp = service.Stamp().Text;
                context.Items[StampKey] = stamp;
                string etag = ETag(stamp);
                context.Response.Headers.CacheControl = "no-cache";
                if (context.Request.Headers.IfNoneMatch.Contains(etag))
                {
                    context.Response.StatusCode = StatusCodes.Status304NotModified;
                    context.Response.Headers.ETag = etag;
                    return;
                }
                context.Response.OnStarting(() =>
                {
                    if (context.Response.StatusCode == StatusCodes.Status200OK) context.Response.Headers.ETag = etag;
                    return Task.CompletedTask;
                });
            }
            await next(context).ConfigureAwait(false);
        });

        app.MapGet("/", () => Shell("index", null, null, options));
        app.MapGet("/compare", () => Shell("compare", null, null, options));
        app.MapGet("/sweeps/{name}", (string name) => service.Exists(name) ? Shell("sweep", name, null, options) : NotFoundPage($"There is no sweep named '{name}' in this ledger."));
        app.MapGet("/sweeps/{name}/runs/{id}", (string name, string id) => service.Exists(name) ? Shell("run", name, id, options) : NotFoundPage($"There is no sweep named '{name}' in this ledger."));
        app.MapGet("/static/{**path}", (HttpContext context, string path) => assets.Serve(context, path));

        // Answers are computed once per ledger state and shared (the stamp the ETag middleware read is their key).
        T Cached<T>(HttpContext context, Func<T> compute) =>
            service.Cached((string)context.Items[StampKey]!, context.Request.Path + context.Request.QueryString, compute);
        app.MapGet("/api/version", (HttpContext context) => Results.Json(new VersionAnswer((string)context.Items[StampKey]!, options.PollMilliseconds), Json));
        app.MapGet("/api/sweeps", (HttpContext context) => Results.Json(Cached(context, () => new SweepsAnswer(service.Database, service.Sweeps())), Json));
        app.MapGet("/api/sweeps/{name}", (HttpContext context, string name) => Cached(context, () => service.Sweep(name)) is { } page ? Results.Json(page, Json) : NoSweep(name));
        app.MapGet("/api/sweeps/{name}/runs", (string name, HttpRequest request) =>
        {
            var (query, error) = RunQueries.Parse(request.Query);
            if (query is null) return Results.Json(new ApiError(error!), Json, statusCode: StatusCodes.Status400BadRequest);
            return Cached(request.HttpContext, () => service.Runs(name, query)) is { } page ? Results.Json(page, Json) : NoSweep(name);
        });
        app.MapGet("/api/sweeps/{name}/runs/{id}", (HttpContext context, string name, string id) => Cached(context, () => service.Run(name, id)) is { } run ? Results.Json(run, Json)
            : service.Exists(name) ? Results.Json(new ApiError($"Sweep '{name}' has no run '{id}'."), Json, statusCode: StatusCodes.Status404NotFound) : NoSweep(name));
        app.MapGet("/api/compare", (HttpRequest request) =>
        {
            var names = request.Query["sweep"].Where(s => !string.IsNullOrEmpty(s)).Select(s => s!).Distinct().ToList();
            if (names.Count < 2) return Results.Json(new ApiError("Name two or more sweeps to compare: /api/compare?sweep=a&sweep=b."), Json, statusCode: StatusCodes.Status400BadRequest);
            var (page, missing) = Cached(request.HttpContext, () => service.Compare(names));
            return page is not null ? Results.Json(page, Json) : NoSweep(missing!);
        });
        return app;
    }

    /// <summary>The page's address for people: the host as given (an unspecified address as this machine's name), the port bound, and the token link.</summary>
    public static string Url(DashboardOptions options, int port, string? sweep = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        string host = options.Host;
        if (IPAddress.TryParse(host, out var ip))
        {
            if (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)) host = Dns.GetHostName();
            else if (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6) host = $"[{host}]";
        }
        string path = sweep is null ? "/" : "/sweeps/" + Uri.EscapeDataString(sweep);
        string query = options.Token is null ? "" : "?token=" + Uri.EscapeDataString(options.Token);
        return string.Create(CultureInfo.InvariantCulture, $"http://{host}:{port}{path}{query}");
    }

    private static bool Authorize(HttpContext context, TokenCheck token)
    {
        var request = context.Request;
        if (request.Query.TryGetValue("token", out var link))
        {
            if (!token.Matches(link.ToString()))
            {
                Refuse(context);
                return false;
            }
            // A link that carries the token: keep it in a cookie and take it out of the address bar (and of the history).
            context.Response.Cookies.Append(TokenCookie, link.ToString(), new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/", IsEssential = true });
            var rest = request.Query.Where(kv => kv.Key != "token").SelectMany(kv => kv.Value.Select(v => $"{Uri.EscapeDataString(kv.Key)}={Uri.EscapeDataString(v ?? "")}"));
            string query = string.Join('&', rest);
            context.Response.Redirect(request.PathBase + request.Path + (query.Length > 0 ? "?" + query : ""));
            return false;
        }
        string? presented = request.Headers[TokenHeader].FirstOrDefault();
        if (presented is null && request.Headers.Authorization.FirstOrDefault() is { } auth && auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            presented = auth["Bearer ".Length..].Trim();
        presented ??= request.Cookies[TokenCookie];
        if (token.Matches(presented)) return true;
        Refuse(context);
        return false;
    }

    private static void Refuse(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer realm=\"wideminima-dashboard\"";
        context.Response.ContentType = "text/plain; charset=utf-8";
        _ = context.Response.WriteAsync("401: this dashboard asks for its token. Open the link it printed (.../?token=...), or send the header 'Authorization: Bearer TOKEN'.\n");
    }

    private static string ETag(string stamp) => "\"" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(stamp)))[..20] + "\"";

    private static IResult NoSweep(string name) => Results.Json(new ApiError($"There is no sweep named '{name}' in this ledger."), Json, statusCode: StatusCodes.Status404NotFound);

    private static IResult NotFoundPage(string message) => Results.Content(
        $"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found</title><link rel=\"icon\" href=\"data:,\"><link rel=\"stylesheet\" href=\"/static/app.css\"></head><body><header><a href=\"/\">WideMinima dashboard</a></header><main><p class=\"error\">{HtmlEncoder.Default.Encode(message)}</p></main></body></html>",
        "text/html; charset=utf-8", Encoding.UTF8, StatusCodes.Status404NotFound);

    private static IResult Shell(string page, string? sweep, string? run, DashboardOptions options)
    {
        var h = HtmlEncoder.Default;
        string title = sweep is null ? "WideMinima dashboard" : run is null ? $"{sweep} · WideMinima" : $"{run} · {sweep} · WideMinima";
        string html = $"""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{h.Encode(title)}</title>
            <link rel="icon" href="data:,">
            <link rel="stylesheet" href="/static/vendor/uplot/uPlot.min.css">
            <link rel="stylesheet" href="/static/app.css">
            <script src="/static/vendor/uplot/uPlot.iife.min.js" defer></script>
            <script src="/static/app.js" defer></script>
            </head>
            <body data-page="{page}" data-sweep="{h.Encode(sweep ?? "")}" data-run="{h.Encode(run ?? "")}" data-poll="{options.PollMilliseconds.ToString(CultureInfo.InvariantCulture)}">
            <header><a class="home" href="/">WideMinima dashboard</a><nav id="crumbs"></nav><span id="live" class="live" title="updates while workers write">connecting</span></header>
            <main id="main"><noscript>This page needs JavaScript.</noscript></main>
            </body>
            </html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", Encoding.UTF8);
    }

    private sealed record ApiError(string Error);

    private sealed record VersionAnswer(string Stamp, int PollMs);

    private sealed record SweepsAnswer(string Database, IReadOnlyList<SweepOverview> Sweeps);

    /// <summary>The page's files, read once from the assembly's resources (<c>wwwroot/...</c>).</summary>
    private sealed class Assets
    {
        private readonly Dictionary<string, (byte[] Bytes, string Type, string ETag)> _files = new(StringComparer.Ordinal);

        public static Assets Load()
        {
            var assets = new Assets();
            var assembly = typeof(DashboardApp).Assembly;
            foreach (string name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("wwwroot/", StringComparison.Ordinal)))
            {
                using var stream = assembly.GetManifestResourceStream(name)!;
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                byte[] bytes = copy.ToArray();
                string type = Path.GetExtension(name) switch
                {
                    ".js" => "text/javascript; charset=utf-8",
                    ".css" => "text/css; charset=utf-8",
                    ".md" => "text/markdown; charset=utf-8",
                    _ => "text/plain; charset=utf-8",
                };
                assets._files[name["wwwroot/".Length..]] = (bytes, type, "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..20] + "\"");
            }
            return assets;
        }

        public IResult Serve(HttpContext context, string path)
        {
            if (!_files.TryGetValue(path, out var file)) return Results.NotFound();
            context.Response.Headers.CacheControl = "no-cache";
            context.Response.Headers.ETag = file.ETag;
            if (context.Request.Headers.IfNoneMatch.Contains(file.ETag)) return Results.StatusCode(StatusCodes.Status304NotModified);
            return Results.Bytes(file.Bytes, file.Type);
        }
    }
}

/// <summary>Reads the runs table's query string: offset, limit, sort, desc, status, setting, q.</summary>
public static class RunQueries
{
    /// <summary>The sort keys, as the query spells them (snake_case of <see cref="RunSort"/>).</summary>
    public static IReadOnlyDictionary<string, RunSort> Sorts { get; } = Enum.GetValues<RunSort>()
        .ToDictionary(s => JsonNamingPolicy.SnakeCaseLower.ConvertName(s.ToString()), s => s, StringComparer.Ordinal);

    /// <summary>The query, or null and the error naming the parameter and its value.</summary>
    public static (RunQuery? Query, string? Error) Parse(IQueryCollection q)
    {
        ArgumentNullException.ThrowIfNull(q);
        int offset = 0, limit = 50;
        if (q.TryGetValue("offset", out var o) && (!int.TryParse(o, NumberStyles.None, CultureInfo.InvariantCulture, out offset)))
            return (null, $"offset: must be a whole number >= 0, but was '{o}'.");
        if (q.TryGetValue("limit", out var l) && (!int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 1000))
            return (null, $"limit: must be 1 to 1000, but was '{l}'.");
        var sort = RunSort.Ordinal;
        if (q.TryGetValue("sort", out var s) && !Sorts.TryGetValue(s.ToString(), out sort))
            return (null, $"sort: must be one of {string.Join(", ", Sorts.Keys)}, but was '{s}'.");
        bool descending = false;
        if (q.TryGetValue("desc", out var d) && !bool.TryParse(d, out descending))
            return (null, $"desc: must be true or false, but was '{d}'.");
        RunStatus? status = null;
        if (q.TryGetValue("status", out var st) && st.ToString().Length > 0)
        {
            if (!EnumNames.TryParse<RunStatus>(st.ToString(), out var parsed)) return (null, $"status: must be one of {string.Join(", ", EnumNames.All<RunStatus>())}, but was '{st}'.");
            status = parsed;
        }
        string? setting = q.TryGetValue("setting", out var se) && se.ToString().Length > 0 ? se.ToString() : null;
        string? search = q.TryGetValue("q", out var qs) && qs.ToString().Length > 0 ? qs.ToString() : null;
        return (new RunQuery(offset, limit, sort, descending, status, setting, search), null);
    }
}
