using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IndicatorFunctions.Collection;
using IndicatorFunctions.Tests.Infrastructure;
using static IndicatorFunctions.Tests.Collection.CollectionData;

namespace IndicatorFunctions.Tests.Collection;

[Collection(AzuriteCollection.Name)]
public sealed class SourcesApiTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Put_creates_then_replaces_get_lists_and_shows_one_delete_removes()
    {
        await using var app = new FunctionAppFactory(azurite, Settings());
        var admin = app.CreateAdminClient();
        var body = HttpCsvSource("https://stats.example.org/minhang/retail.csv", "minhang", schedule: "0 0 2 5 * *");

        var created = await admin.PutAsJsonAsync("/api/sources/minhang-retail", body);
        var replaced = await admin.PutAsJsonAsync("/api/sources/minhang-retail", body);
        await PutSourceAsync(admin, "analyst-drop", new { kind = "blob-drop", container = "analyst-drop" });
        var list = await admin.GetFromJsonAsync<JsonElement>("/api/sources");
        var one = await admin.GetFromJsonAsync<JsonElement>("/api/sources/minhang-retail");
        var deleted = await admin.DeleteAsync("/api/sources/analyst-drop");
        var deletedAgain = await admin.DeleteAsync("/api/sources/analyst-drop");
        var gone = await admin.GetAsync("/api/sources/analyst-drop");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/api/sources/minhang-retail", created.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.Equal(["analyst-drop", "minhang-retail"], list.GetProperty("sources").EnumerateArray().Select(s => s.GetProperty("id").GetString()));
        Assert.Equal("http-csv", one.GetProperty("kind").GetString());
        Assert.True(one.GetProperty("enabled").GetBoolean());
        Assert.Equal("retail_wan", one.GetProperty("mapping").GetProperty("value").GetString());
        Assert.Equal("1e4", one.GetProperty("defaults").GetProperty("scale").GetString());
        Assert.Equal(JsonValueKind.Null, one.GetProperty("nextDue").ValueKind); // never collected: due now
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, deletedAgain.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task An_invalid_definition_is_400_naming_every_bad_field_and_stores_nothing()
    {
        await using var app = new FunctionAppFactory(azurite, Settings());
        var admin = app.CreateAdminClient();
        const string body = """
            {"kind": "http-csv", "url": "ftp://example.org/x.csv",
             "headers": {"Authorization": "Bearer abc"},
             "defaults": {"value": "1", "scale": "-1"}, "schedule": "every night"}
            """;

        var response = await admin.PutAsync("/api/sources/bad", new StringContent(body, Encoding.UTF8, "application/json"));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(["url", "headers.Authorization", "defaults.value", "defaults.scale", "schedule"],
            problem.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/sources/bad")).StatusCode);
    }

    [Theory]
    [InlineData("GET", "/api/sources")]
    [InlineData("GET", "/api/sources/x")]
    [InlineData("PUT", "/api/sources/x")]
    [InlineData("DELETE", "/api/sources/x")]
    public async Task Every_sources_endpoint_needs_the_admin_key(string method, string path)
    {
        await using var app = new FunctionAppFactory(azurite, Settings());

        var response = await app.CreateClient().SendAsync(new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = method == "PUT" ? JsonContent.Create(new { kind = "blob-drop", container = "drop" }) : null,
        });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Changing_a_definition_forgets_its_validators_so_the_next_run_fetches_in_full()
    {
        await using var server = await SourceServer.StartAsync();
        server.ServeFile("/minhang.csv", RetailCsv());
        await using var app = new FunctionAppFactory(azurite, Settings());
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await PutSourceAsync(admin, "minhang-retail", HttpCsvSource(server.Url("/minhang.csv"), "minhang"));
        await CollectAsync(admin);
        var before = await app.Services.GetRequiredService<SourceStore>().GetStateAsync("minhang-retail", CancellationToken.None);

        // Same URL, now read as xuhui's figures: the unchanged file must be fetched and ingested again.
        await PutSourceAsync(admin, "minhang-retail", HttpCsvSource(server.Url("/minhang.csv"), "xuhui"));
        var run = await CollectAsync(admin);

        Assert.NotNull(before!.ETag);
        Assert.Null(server.RequestsTo("/minhang.csv")[1].Headers.GetValueOrDefault("If-None-Match"));
        Assert.Equal(24, Outcome(run, "minhang-retail").GetProperty("inserted").GetInt32());
        Assert.NotNull(await PointAsync(admin, "xuhui", "2021-01"));
    }

    [Fact]
    public async Task A_bad_collection_setting_stops_start_up_naming_the_setting()
    {
        await using var app = new FunctionAppFactory(azurite, Settings(("Collection:BreakDuration", "00:00:00.1")));

        var ex = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.Contains("Collection__BreakDuration", ex.Message);
    }
}
