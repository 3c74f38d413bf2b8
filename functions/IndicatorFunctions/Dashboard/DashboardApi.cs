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

    /// <summary>The page may load scripts, styles and data from its own origin only.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>Asset name → content type. The names are the embedded resources' logical names (see the project file).</summary>
    public static readonly IReadOnlyDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [PageName] = "text/html; charset=utf-8",
        ["dashboard.js"] = "text/javascript; charset=utf-8",
        ["dashboard.css"] = "text/css; charset=utf-8",
        ["chart.umd.min.js"] = "text/javascript; charset=utf-8",
    };

    private static readonly Dictionary<string, StaticFile> Files =
        ContentTypes.ToDictionary(pair => pair.Key, pair => new StaticFile(Read(pair.Key), pair.Value, ContentSecurityPolicy), StringComparer.Ordinal);

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
