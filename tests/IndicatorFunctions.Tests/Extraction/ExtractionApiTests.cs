using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IndicatorFunctions.Tests.Infrastructure;
using static IndicatorFunctions.Tests.Collection.CollectionData;

namespace IndicatorFunctions.Tests.Extraction;

/// <summary><c>POST /api/extractions</c> against the real app and Azurite: facts out; with ingest=true, stored through ingestion.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ExtractionApiTests(AzuriteFixture azurite)
{
    private const string Article = "In 2021, the GDP of Xuhui District reached 160 billion yuan, up 8.1% year on year. " +
                                   "The total retail sales of consumer goods increased by 15.2%. By 2025, GDP aims to exceed 250 billion yuan.";

    private static StringContent Text(string text, string type = "text/plain") => new(text, Encoding.UTF8, type);

    private static async Task CatalogAsync(HttpClient admin)
    {
        (await admin.PutAsJsonAsync("/api/districts/xuhui", new { name = "Xuhui District", aliases = new[] { "Xuhui" } })).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync("/api/indicators/gdp", new { name = "GDP", unit = "CNY", aggregation = "sum" })).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync("/api/indicators/gdp-growth-reported", new { name = "GDP growth", unit = "percent", aggregation = "none" })).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task Extraction_returns_facts_and_stores_nothing()
    {
        await using var app = new FunctionAppFactory(azurite, Settings());
        var admin = app.CreateAdminClient();
        await CatalogAsync(admin);

        var response = await admin.PostAsync("/api/extractions?published=2022-03-01&url=https://news.example.org/a", Text(Article));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var run = await (await admin.PostAsJsonAsync("/api/runs?wait=true", new { full = true })).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var facts = body.GetProperty("facts").EnumerateArray().ToList();
        Assert.Equal(["gdp", "gdp-growth-reported", "retail-sales-growth-reported", "gdp"], facts.Select(f => f.GetProperty("indicator").GetString()));
        Assert.Equal(["level", "yoy_growth_pct", "yoy_growth_pct", "target"], facts.Select(f => f.GetProperty("kind").GetString()));
        Assert.All(facts, f => Assert.Equal("xuhui", f.GetProperty("districtId").GetString()));
        Assert.Equal("160 billion yuan", Article[facts[0].GetProperty("start").GetInt32()..facts[0].GetProperty("end").GetInt32()]);
        Assert.False(body.TryGetProperty("ingested", out _));
        Assert.Equal(0, run.GetProperty("observationsRead").GetInt32());
    }

    [Fact]
    public async Task Ingest_stores_what_resolves_and_says_why_the_rest_did_not()
    {
        await using var app = new FunctionAppFactory(azurite, Settings());
        var admin = app.CreateAdminClient();
        await CatalogAsync(admin);

        var response = await admin.PostAsync("/api/extractions?published=2022-03-01&url=https://news.example.org/a&ingest=true", Text(Article));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var again = await (await admin.PostAsync("/api/extractions?published=2022-03-01&url=https://news.example.org/a&ingest=true", Text(Article))).Content.ReadFromJsonAsync<JsonElement>();
        var run = await admin.PostAsJsonAsync("/api/runs?wait=true", new { full = true });
        var series = await admin.GetFromJsonAsync<JsonElement>("/api/districts/xuhui/indicators/gdp/series");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([(0, "gdp"), (1, "gdp-growth-reported")], body.GetProperty("ingested").EnumerateArray().Select(i => (i.GetProperty("fact").GetInt32(), i.GetProperty("indicator").GetString())));
        var unresolved = body.GetProperty("unresolved").EnumerateArray().Select(u => (u.GetProperty("fact").GetInt32(), u.GetProperty("reason").GetString()!)).ToList();
        Assert.Equal([2, 3], unresolved.Select(u => u.Item1));
        Assert.Contains("indicator 'retail-sales-growth-reported' is not in the catalog", unresolved[0].Item2);
        Assert.Contains("target", unresolved[1].Item2);
        Assert.Equal(2, body.GetProperty("inserted").GetInt32());
        Assert.Equal(2, again.GetProperty("unchanged").GetInt32());
        Assert.Equal(HttpStatusCode.OK, run.StatusCode);
        var point = Assert.Single(series.GetProperty("points").EnumerateArray());
        Assert.Equal(160e9, point.GetProperty("value").GetDouble());
        Assert.Equal("provisional", point.GetProperty("status").GetString());
        var start = Article.IndexOf("160 billion yuan", StringComparison.Ordinal);
        Assert.Equal($"https://news.example.org/a#char={start},{start + 16}", point.GetProperty("source").GetString());
    }

    [Fact]
    public async Task Catalog_phrases_name_indicators_for_the_extractor()
    {
        await using var app = new FunctionAppFactory(azurite, Settings());
        var admin = app.CreateAdminClient();
        var put = await admin.PutAsJsonAsync("/api/indicators/ev-output", new { name = "NEV output", unit = "CNY", aggregation = "sum", phrases = new[] { "new energy vehicle output" } });

        var body = await (await admin.PostAsync("/api/extractions?published=2023-02-01", Text("<p>In 2022, new energy vehicle output reached 3 billion yuan.</p>", "text/html"))).Content.ReadFromJsonAsync<JsonElement>();
        var listed = await admin.GetFromJsonAsync<JsonElement>("/api/indicators");

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal("ev-output", Assert.Single(body.GetProperty("facts").EnumerateArray()).GetProperty("indicator").GetString());
        Assert.Equal(["new energy vehicle output"], listed.GetProperty("indicators")[0].GetProperty("phrases").EnumerateArray().Select(p => p.GetString()));
    }

    [Theory]
    [InlineData("/api/extractions?published=yesterday", "text/plain", HttpStatusCode.BadRequest)]
    [InlineData("/api/extractions?url=ftp://x", "text/plain", HttpStatusCode.BadRequest)]
    [InlineData("/api/extractions?ingest=yes", "text/plain", HttpStatusCode.BadRequest)]
    [InlineData("/api/extractions", "application/json", HttpStatusCode.UnsupportedMediaType)]
    public async Task Bad_requests_are_problems(string url, string type, HttpStatusCode status)
    {
        await using var app = new FunctionAppFactory(azurite, Settings());
        var response = await app.CreateAdminClient().PostAsync(url, Text("In 2022, GDP grew 5%.", type));
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Extraction_needs_the_admin_key()
    {
        await using var app = new FunctionAppFactory(azurite, Settings());
        var response = await app.CreateClient().PostAsync("/api/extractions", Text("In 2022, GDP grew 5%."));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
