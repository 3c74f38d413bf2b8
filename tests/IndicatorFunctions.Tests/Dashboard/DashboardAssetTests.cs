using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using IndicatorFunctions.Dashboard;
using IndicatorFunctions.Tests.Infrastructure;

namespace IndicatorFunctions.Tests.Dashboard;

/// <summary>
/// <c>GET /api/dashboard</c> and its assets: anonymous, an allow-list of names with their content types, strong ETags
/// with 304, no-cache, a same-origin Content-Security-Policy, and the chart library being npm's pinned chart.js.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class DashboardAssetTests(AzuriteFixture azurite)
{
    public static TheoryData<string, string> Assets => new()
    {
        { "/api/dashboard", "text/html" },
        { "/api/dashboard/dashboard.js", "text/javascript" },
        { "/api/dashboard/dashboard.css", "text/css" },
        { "/api/dashboard/chart.umd.min.js", "text/javascript" },
    };

    [Theory]
    [MemberData(nameof(Assets))]
    public async Task Each_file_is_served_anonymously_with_its_type_a_strong_etag_no_cache_and_the_policy(string path, string mediaType)
    {
        await using var app = new FunctionAppFactory(azurite);
        var http = app.CreateClient();

        using var response = await http.GetAsync(path);
        var body = await response.Content.ReadAsByteArrayAsync();
        using var again = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { "If-None-Match", response.Headers.ETag!.Tag } } };
        using var revalidated = await http.SendAsync(again);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType.CharSet);
        Assert.False(response.Headers.ETag.IsWeak);
        Assert.Equal("no-cache", response.Headers.CacheControl!.ToString());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal(DashboardAssets.ContentSecurityPolicy, response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal(body.Length, response.Content.Headers.ContentLength);
        Assert.True(body.Length > 500, $"{path} is {body.Length} bytes");
        Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
        Assert.Empty(await revalidated.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("index.html")] // the page is /api/dashboard only
    [InlineData("Dashboard.js")]
    [InlineData("dashboard.js.map")]
    [InlineData("chart.js")]
    [InlineData("appsettings.json")]
    [InlineData("IndicatorFunctions.dll")]
    [InlineData("..%2Fhost.json")]
    [InlineData("%2e%2e")]
    public async Task Only_the_allow_listed_assets_are_served_anything_else_is_a_404_problem(string asset)
    {
        await using var app = new FunctionAppFactory(azurite);

        using var response = await app.CreateClient().GetAsync("/api/dashboard/" + asset);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_page_loads_its_scripts_and_styles_from_the_app_only_and_the_chart_library_is_npms_pinned_chart_js()
    {
        await using var app = new FunctionAppFactory(azurite);
        var http = app.CreateClient();

        var page = await http.GetStringAsync("/api/dashboard");
        var chart = await http.GetByteArrayAsync("/api/dashboard/chart.umd.min.js");
        using var packageJson = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "package.json")));
        var pinned = packageJson.RootElement.GetProperty("devDependencies").GetProperty("chart.js").GetString()!;
        var installed = await File.ReadAllBytesAsync(Path.Combine(RepositoryPaths.Root, "node_modules", "chart.js", "dist", "chart.umd.min.js"));

        var references = Regex.Matches(page, "(?:src|href)=\"([^\"]*)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["data:,", "/api/dashboard/dashboard.css", "/api/dashboard/chart.umd.min.js", "/api/dashboard/dashboard.js"], references);
        Assert.All(references.Where(r => r != "data:,"), r => Assert.NotNull(DashboardAssets.Find(r["/api/dashboard/".Length..])));
        Assert.Matches(@"^\d+\.\d+\.\d+$", pinned); // an exact version, not a range
        Assert.Equal(installed, chart);
        Assert.Contains($"Chart.js v{pinned}", System.Text.Encoding.UTF8.GetString(chart.AsSpan(0, 200)));
    }
}
