using System.Security.Cryptography;
using IndicatorFunctions.Api;
using Microsoft.Azure.Functions.Worker;

namespace IndicatorFunctions.Dashboard;

/// <summary>
/// The built-in dashboard: <c>GET /api/dashboard</c> (the page) and <c>GET /api/dashboard/{asset}</c> (its script,
/// stylesheet and the chart library), anonymous and read-only. The files are embedded in the assembly at build
/// (<see cref="DashboardAssets"/>), so the page works offline, under the Functions host and in local mode alike, and
/// reads the API from its own origin.
/// </summary>
public sealed class DashboardApi
{
    [Function("Dashboard")]
    public Task<IResult> GetPageAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "dashboard")] HttpRequest request) =>
        Task.FromResult<IResult>(DashboardAssets.Page);

    [Function("DashboardAsset")]
    public Task<IResult> GetAssetAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "dashboard/{asset}")] HttpRequest request, string asset) =>
        Task.FromResult(DashboardAssets.Find(asset) is { } file ? file : Problems.NotFound("dashboard asset", asset));
}

/// <summary>
/// The dashboard's files, a fixed allow-list of names (no path from a request ever reaches a file system): each read
/// once from the assembly's embedded resources, with its content type and a strong ETag over its bytes.
/// </summary>
public static class DashboardAssets
{
    public const string PageName = "index.html";

    /// <summary>Asset name → content type. The names are the embedded resources' logical names (see the project file).</summary>
    public static readonly IReadOnlyDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [PageName] = "text/html; charset=utf-8",
        ["dashboard.js"] = "text/javascript; charset=utf-8",
        ["dashboard.css"] = "text/css; charset=utf-8",
        ["chart.umd.min.js"] = "text/javascript; charset=utf-8",
    };

    private static readonly Dictionary<string, StaticFile> Files =
        ContentTypes.ToDictionary(pair => pair.Key, pair => new StaticFile(Read(pair.Key), pair.Value), StringComparer.Ordinal);

    public static StaticFile Page => Files[PageName];

    /// <summary>The asset by its exact name, or null; the page itself is served at <c>/api/dashboard</c> only.</summary>
    public static StaticFile? Find(string? name) =>
        name is not null && name != PageName && Files.TryGetValue(name, out var file) ? file : null;

    private static byte[] Read(string name)
    {
        using var stream = typeof(DashboardAssets).Assembly.GetManifestResourceStream("dashboard/" + name)
            ?? throw new InvalidOperationException($"The dashboard asset {name} is not embedded in the build.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}

/// <summary>
/// A file of the app, answered with a strong ETag (a hash of its bytes; 304 to a matching <c>If-None-Match</c>) and
/// <c>Cache-Control: no-cache</c>: the URLs carry no version, so a browser revalidates (a 304, no body) rather than
/// keeping a page and a script of two different builds. The page may load scripts, styles and data from its own
/// origin only (<c>Content-Security-Policy</c>).
/// </summary>
public sealed class StaticFile(byte[] body, string contentType) : IResult
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public byte[] Body { get; } = body;

    public string ContentType { get; } = contentType;

    public string ETag { get; } = "\"" + Convert.ToHexStringLower(SHA256.HashData(body).AsSpan(0, 16)) + "\"";

    public async Task ExecuteAsync(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.ETag = ETag;
        headers.CacheControl = "no-cache";
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        if (context.Request.Headers.IfNoneMatch.Any(v => v is not null && v.Split(',').Any(t => t.Trim() == ETag || t.Trim() == "*")))
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = ContentType;
        context.Response.ContentLength = Body.Length;
        await context.Response.Body.WriteAsync(Body, context.RequestAborted);
    }
}
