using System.Net.Http.Json;
using System.Text.Json;
using Azure.Storage.Blobs.Models;
using IndicatorFunctions.Collection;
using IndicatorFunctions.Data;
using IndicatorFunctions.Tests.Infrastructure;
using static IndicatorFunctions.Tests.Collection.CollectionData;

namespace IndicatorFunctions.Tests.Extraction;

/// <summary>press-release sources: articles from a page or a drop container, archived, extracted, ingested, counted in the ledger.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class PressReleaseSourceTests(AzuriteFixture azurite)
{
    private static readonly string Fixtures = Path.Combine(RepositoryPaths.Root, "tests/IndicatorFunctions.Tests/Extraction/Fixtures");

    private static async Task PressCatalogAsync(HttpClient admin)
    {
        foreach (var (id, unit) in new[] { ("gdp-growth-reported", "percent"), ("retail-sales-growth-reported", "percent"), ("revenue", "CNY") })
            (await admin.PutAsJsonAsync($"/api/indicators/{id}", new { name = id, unit, aggregation = id == "revenue" ? "sum" : "none" })).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync("/api/districts/xuhui", new { name = "Xuhui District", aliases = new[] { "Xuhui" } })).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task A_dropped_article_is_extracted_ingested_and_counted_once()
    {
        var drop = await azurite.NewContainerAsync("press");
        var article = await File.ReadAllTextAsync(Path.Combine(Fixtures, "xuhui-shanghai-2022.txt"));
        await drop.GetBlobClient("news/xuhui-shanghai-2022.txt").UploadAsync(BinaryData.FromString(article));
        await drop.GetBlobClient("news/notes.docx").UploadAsync(BinaryData.FromString("not an article"));
        await using var app = new FunctionAppFactory(azurite, Settings());
        var admin = app.CreateAdminClient();
        await PressCatalogAsync(admin);
        await PutSourceAsync(admin, "press", new { kind = "press-release", container = drop.Name, prefix = "news/" });

        var first = await CollectAsync(admin);
        var second = await CollectAsync(admin);
        var growth = await admin.GetFromJsonAsync<JsonElement>("/api/districts/xuhui/indicators/gdp-growth-reported/series");

        var outcome = Outcome(first, "press");
        Assert.Equal("failed", outcome.GetProperty("status").GetString()); // notes.docx is not an article
        var files = outcome.GetProperty("files").EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!, f => f.GetProperty("status").GetString());
        Assert.True(files["news/xuhui-shanghai-2022.txt"] == "collected", outcome.ToString());
        Assert.Equal("failed", files["news/notes.docx"]);
        Assert.Equal(14, outcome.GetProperty("factsExtracted").GetInt32());
        Assert.Equal(3, outcome.GetProperty("inserted").GetInt32()); // GDP and retail growth, services revenue; the rest are not in this catalog
        Assert.Equal(11, outcome.GetProperty("factsUnresolved").GetInt32());
        Assert.Equal(14, first.GetProperty("collection").GetProperty("factsExtracted").GetInt64());
        var unresolved = (await app.Services.GetRequiredService<IndicatorTables>().Raw.GetBlobClient(Assert.Single(outcome.GetProperty("files").EnumerateArray(), f => f.GetProperty("status").GetString() == "collected").GetProperty("rejects").GetString()).DownloadContentAsync()).Value.Content.ToString();
        var reasons = JsonDocument.Parse(unresolved).RootElement.GetProperty("unresolved").EnumerateArray().Select(u => u.GetProperty("reason").GetString()).ToList();
        Assert.Contains("indicator 'rd-intensity' is not in the catalog", reasons);
        Assert.Equal(11, reasons.Count);
        Assert.Equal("no new files", Outcome(second, "press").GetProperty("reason").GetString());
        var point = Assert.Single(growth.GetProperty("points").EnumerateArray());
        Assert.Equal(("2021", 8.1), (point.GetProperty("period").GetString(), point.GetProperty("value").GetDouble()));
        var span = point.GetProperty("source").GetString()!;
        Assert.StartsWith($"{drop.Name}/news/xuhui-shanghai-2022.txt#char=", span);
        var chars = span[(span.IndexOf('=') + 1)..].Split(',').Select(int.Parse).ToArray();
        Assert.Equal("8.1%", article[chars[0]..chars[1]]);
    }

    [Fact]
    public async Task A_page_is_fetched_as_html_and_its_figures_ingested()
    {
        await using var server = await SourceServer.StartAsync();
        server.ServeFile("/news/2022/xuhui.html", "<html><body><h1>Xuhui</h1><p>In 2021, the GDP of Xuhui District increased by 8.1%.</p></body></html>", "text/html");
        await using var app = new FunctionAppFactory(azurite, Settings());
        var admin = app.CreateAdminClient();
        await PressCatalogAsync(admin);
        await PutSourceAsync(admin, "xuhui-news", new { kind = "press-release", url = server.Url("/news/2022/xuhui.html") });

        var first = await CollectAsync(admin);
        var second = await CollectAsync(admin);

        var outcome = Outcome(first, "xuhui-news");
        Assert.Equal("fetched", outcome.GetProperty("status").GetString());
        Assert.Equal((1, 1), (outcome.GetProperty("factsExtracted").GetInt32(), outcome.GetProperty("inserted").GetInt32()));
        Assert.EndsWith(".html", outcome.GetProperty("payload").GetString());
        Assert.Equal("unchanged", Outcome(second, "xuhui-news").GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("""{"kind": "press-release"}""", "url")]
    [InlineData("""{"kind": "press-release", "url": "https://news.example.org/a", "container": "press"}""", "url")]
    [InlineData("""{"kind": "press-release", "container": "press", "mapping": {"value": "x"}}""", "mapping")]
    [InlineData("""{"kind": "press-release", "container": "press", "defaults": {"indicator": "gdp"}}""", "defaults.indicator")]
    public async Task Press_release_definitions_are_checked(string body, string field)
    {
        await using var app = new FunctionAppFactory(azurite, Settings());
        var response = await app.CreateAdminClient().PutAsync("/api/sources/bad", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, problem.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()));
    }
}
