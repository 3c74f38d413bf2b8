using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IndicatorFunctions.Data;
using IndicatorFunctions.Tests.Infrastructure;
using static IndicatorFunctions.Tests.Api.PipelineData;

namespace IndicatorFunctions.Tests.Api;

/// <summary>Bad input gets an RFC 9457 problem naming the field and the rule; nothing stored is lost or half-written.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class BadInputTests(AzuriteFixture azurite)
{
    private const string Injection = "x' or PartitionKey ne '";

    [Theory]
    [InlineData("/api/districts/{0}/indicators/gdp/series", "district")]
    [InlineData("/api/districts/xuhui/indicators/{0}/series", "indicator")]
    [InlineData("/api/districts/xuhui/indicators/gdp/series?sector={0}", "sector")]
    [InlineData("/api/districts/xuhui/indicators/gdp/series?from={0}", "from")]
    [InlineData("/api/indicators/{0}/periods/2021", "indicator")]
    [InlineData("/api/indicators/gdp/periods/{0}", "period")]
    [InlineData("/api/indicators/gdp/periods/2021?sector={0}", "sector")]
    [InlineData("/api/clusters/{0}/indicators/gdp/rollups", "cluster")]
    [InlineData("/api/clusters/core/indicators/{0}/rollups", "indicator")]
    [InlineData("/api/clusters/core/indicators/gdp/rollups?to={0}", "to")]
    [InlineData("/api/clusters/{0}", "id")]
    [InlineData("/api/runs/{0}", "id")]
    public async Task A_filter_injection_in_any_id_parameter_is_a_400_naming_the_parameter(string template, string field)
    {
        await using var app = new FunctionAppFactory(azurite);
        await SeedCatalogAsync(app.CreateAdminClient());

        var response = await app.CreateClient().GetAsync(string.Format(template, Uri.EscapeDataString(Injection)));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains(problem.GetProperty("errors").EnumerateArray(), e => e.GetProperty("field").GetString() == field);
    }

    [Theory]
    [InlineData("/api/districts/nowhere/indicators/gdp/series", "district")]
    [InlineData("/api/districts/xuhui/indicators/nothing/series", "indicator")]
    [InlineData("/api/indicators/nothing/periods/2021", "indicator")]
    [InlineData("/api/clusters/none/indicators/gdp/rollups", "cluster")]
    [InlineData("/api/clusters/none", "cluster")]
    [InlineData("/api/runs/2516068100000000000-abcdef", "run")]
    public async Task Unknown_ids_are_404_problems_naming_what_is_missing(string url, string what)
    {
        await using var app = new FunctionAppFactory(azurite);
        await SeedCatalogAsync(app.CreateAdminClient());

        var response = await app.CreateClient().GetAsync(url);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.StartsWith(what, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Rollups_of_an_indicator_that_is_not_aggregated_are_refused()
    {
        await using var app = new FunctionAppFactory(azurite);
        await SeedCatalogAsync(app.CreateAdminClient());

        var response = await app.CreateClient().GetAsync("/api/clusters/core/indicators/rate/rollups");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("aggregation 'none'", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Csv_rows_are_validated_one_by_one_and_the_valid_ones_stored()
    {
        await using var app = new FunctionAppFactory(azurite);
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        var csv = """
            district,indicator,period,value,unit,scale,status
            xuhui,gdp,2019,100,,,
            nowhere,gdp,2019,1,,,
            xuhui,gdp,2019-Q5,1,,,
            xuhui,gdp,2020,abc,,,
            xuhui,gdp,2020,5,percent,,
            xuhui,gdp,2020,5,,0,
            xuhui,gdp,2020,5,,,guessed
            徐汇区,gdp,2021,121,CNY,1,provisional
            """;

        var response = await admin.PostAsync("/api/observations", new StringContent(csv, Encoding.UTF8, "text/csv"));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        await RunAsync(admin, full: true);
        var series = await GetJsonAsync(app.CreateClient(), "/api/districts/xuhui/indicators/gdp/series");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((2, 6), (body.GetProperty("accepted").GetInt32(), body.GetProperty("rejected").GetInt32()));
        // Rows are numbered by line in the file; the header is line 1.
        Assert.Equal(
            [(3, "district", "unknown district 'nowhere'"), (4, "period", "'2019-Q5' is not a period"), (5, "value", "value abc is not a number"),
             (6, "unit", "indicator gdp is measured in CNY, not percent"), (7, "scale", "scale must be a finite number greater than 0"), (8, "status", "status 'guessed'")],
            body.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("row").GetInt32(), e.GetProperty("field").GetString()!, Prefix(e.GetProperty("message").GetString()!))));
        Assert.Equal(["2019", "2021"], series.GetProperty("points").EnumerateArray().Select(p => p.GetProperty("period").GetString()));
        Assert.Equal("provisional", Point(series, "2021").GetProperty("status").GetString());

        static string Prefix(string message) => message.Split(" (")[0].Split(" must be final")[0];
    }

    [Fact]
    public async Task A_body_with_no_valid_row_is_a_400_problem_listing_each_error_and_nothing_changes()
    {
        await using var app = new FunctionAppFactory(azurite);
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await IngestAsync(admin, new { district = "xuhui", indicator = "gdp", period = "2019", value = 100 });

        var response = await admin.PostAsJsonAsync("/api/observations", new
        {
            observations = new object[]
            {
                new { district = "xuhui", indicator = "gdp", period = "2019", value = "100" },
                new { district = "xuhui", indicator = "gdp", period = "2019", value = double.MaxValue, scale = 10 },
                new { indicator = "gdp", period = "2019", value = 1 },
            },
        });
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var stored = (await IndicatorTables.ReadPartitionAsync<ObservationEntity>(app.Services.GetRequiredService<IndicatorTables>().Observations, "gdp|xuhui|total", CancellationToken.None))
            .Select(e => e.ToObservation()).ToList();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal((0, 3), (problem.GetProperty("accepted").GetInt32(), problem.GetProperty("rejected").GetInt32()));
        Assert.Equal([(1, "value"), (2, "scale"), (3, "district")],
            problem.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("row").GetInt32(), e.GetProperty("field").GetString()!)));
        Assert.Equal(100, Assert.Single(stored).Value);
    }

    // An unterminated quote used to swallow the next line into source: 200, 2 accepted, 0 rejected.
    [Fact]
    public async Task A_csv_quote_left_open_is_a_row_error_naming_its_line_and_swallows_no_other_line()
    {
        await using var app = new FunctionAppFactory(azurite);
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        var csv = "district,indicator,period,value,source\n" +
                  "xuhui,gdp,2019,100,\"bureau\n" +
                  "xuhui,gdp,2020,110,bureau\"\n" +
                  "xuhui,gdp,2021,121,bureau\n";

        var response = await admin.PostAsync("/api/observations", new StringContent(csv, Encoding.UTF8, "text/csv"));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        await RunAsync(admin, full: true);
        var series = await GetJsonAsync(app.CreateClient(), "/api/districts/xuhui/indicators/gdp/series");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((1, 2), (body.GetProperty("accepted").GetInt32(), body.GetProperty("rejected").GetInt32()));
        Assert.Equal([(2, "source"), (3, "source")],
            body.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("row").GetInt32(), e.GetProperty("field").GetString()!)));
        Assert.Equal(["2021"], series.GetProperty("points").EnumerateArray().Select(p => p.GetProperty("period").GetString()));
        Assert.Equal("bureau", Point(series, "2021").GetProperty("source").GetString());
    }

    [Fact]
    public async Task Csv_that_is_not_utf8_is_a_400_naming_the_line_and_nothing_is_stored()
    {
        await using var app = new FunctionAppFactory(azurite);
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        byte[] gbk = [.. "district,indicator,period,value,source\nxuhui,gdp,2019,100,bureau\nxuhui,gdp,2020,110,"u8, 0xD0, 0xEC, .. "\n"u8];

        var response = await admin.PostAsync("/api/observations", new ByteArrayContent(gbk) { Headers = { { "Content-Type", "text/csv" } } });
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = Assert.Single(problem.GetProperty("errors").EnumerateArray());
        Assert.Equal("body", error.GetProperty("field").GetString());
        Assert.Contains("line 3", error.GetProperty("message").GetString());
        Assert.Contains("UTF-8", error.GetProperty("message").GetString());
        Assert.Empty(await IndicatorTables.ReadPartitionAsync<ObservationEntity>(app.Services.GetRequiredService<IndicatorTables>().Observations, "gdp|xuhui|total", CancellationToken.None));
    }

    [Fact]
    public async Task Csv_nul_in_a_field_is_a_row_error_naming_line_and_field()
    {
        await using var app = new FunctionAppFactory(azurite);
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        var csv = "district,indicator,period,value,source\nxuhui,gdp,2019,100,bureau\nxuhui,gdp,2020,110,bu\0reau\n";

        var response = await admin.PostAsync("/api/observations", new StringContent(csv, Encoding.UTF8, "text/csv"));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((1, 1), (body.GetProperty("accepted").GetInt32(), body.GetProperty("rejected").GetInt32()));
        var error = Assert.Single(body.GetProperty("errors").EnumerateArray());
        Assert.Equal((3, "source"), (error.GetProperty("row").GetInt32(), error.GetProperty("field").GetString()));
        Assert.Contains("U+0000", error.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData(new byte[] { 0xC3 })]
    [InlineData(new byte[] { 0xFF })]
    public async Task Json_that_is_not_utf8_is_a_400_not_a_500(byte[] bad)
    {
        await using var app = new FunctionAppFactory(azurite);
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        byte[] json = [.. """{"observations": [{"district": "xuhui", "indicator": "gdp", "period": "2019", "value": 1, "source": "a"""u8, .. bad, .. "\"}]}"u8];

        var response = await admin.PostAsync("/api/observations", new ByteArrayContent(json) { Headers = { { "Content-Type", "application/json" } } });
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("body", problem.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Contains("UTF-8", problem.GetProperty("errors")[0].GetProperty("message").GetString());
    }

    [Fact]
    public async Task Observations_with_a_duplicate_key_are_a_400_rather_than_the_last_value_winning()
    {
        await using var app = new FunctionAppFactory(azurite);
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        var json = """{"observations": [{"district": "xuhui", "indicator": "gdp", "period": "2019", "value": 1, "value": 1000}]}""";

        var response = await admin.PostAsync("/api/observations", new StringContent(json, Encoding.UTF8, "application/json"));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("body", problem.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Contains("Duplicate property 'value'", problem.GetProperty("errors")[0].GetProperty("message").GetString());
        Assert.Empty(await IndicatorTables.ReadPartitionAsync<ObservationEntity>(app.Services.GetRequiredService<IndicatorTables>().Observations, "gdp|xuhui|total", CancellationToken.None));
    }

    // 1e-300 then 1e300 gave an infinite YoY; two members at 1.5e308 summed to Infinity.
    [Fact]
    public async Task Values_outside_the_documented_range_are_row_errors_naming_value()
    {
        await using var app = new FunctionAppFactory(azurite);
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        var json = """
            {"observations": [
              {"district": "xuhui", "indicator": "gdp", "period": "2019", "value": 1e-300},
              {"district": "xuhui", "indicator": "gdp", "period": "2020", "value": 1e300},
              {"district": "xuhui", "indicator": "gdp", "period": "2021", "value": 1.5e308},
              {"district": "wuhou", "indicator": "gdp", "period": "2021", "value": 1.5e308},
              {"district": "wuhou", "indicator": "gdp", "period": "2022", "value": 1e400}
            ]}
            """;

        var response = await admin.PostAsync("/api/observations", new StringContent(json, Encoding.UTF8, "application/json"));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal([(1, "value"), (2, "value"), (3, "value"), (4, "value"), (5, "value")],
            problem.GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("row").GetInt32(), e.GetProperty("field").GetString()!)));
        Assert.All(problem.GetProperty("errors").EnumerateArray().Take(4), e => Assert.Contains("1e15", e.GetProperty("message").GetString()));
    }

    [Theory]
    [InlineData("/api/indicators/gdp", """{"name": "GDP", "unit": "CNY", "aggregation": "sum", "decimals": "2"}""", "decimals")]
    [InlineData("/api/indicators/gdp", """{"name": "GDP", "unit": "CNY", "aggregation": "sum", "decimals": 2, "decimals": 9}""", "decimals")]
    [InlineData("/api/indicators/gdp", """{"name": "GDP", "unit": "CNY", "aggregation": "sum", "aggregation": "none"}""", "aggregation")]
    [InlineData("/api/districts/xuhui", """{"name": "Xuhui", "name": "Other"}""", "name")]
    [InlineData("/api/clusters/core", """{"name": "Core", "kind": "region", "members": [{"district": "xuhui", "from": "2020"}]}""", "members[0].from")]
    [InlineData("/api/clusters/core", """{"name": "Core", "kind": "region", "minCoverage": "0.5", "members": [{"district": "xuhui"}]}""", "minCoverage")]
    public async Task Catalog_bodies_with_a_number_in_a_string_or_a_duplicate_key_are_400_naming_the_field(string url, string json, string field)
    {
        await using var app = new FunctionAppFactory(azurite);
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);

        var response = await admin.PutAsync(url, new StringContent(json, Encoding.UTF8, "application/json"));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, Assert.Single(problem.GetProperty("errors").EnumerateArray()).GetProperty("field").GetString());
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_400_but_still_archived()
    {
        await using var app = new FunctionAppFactory(azurite);
        var admin = app.CreateAdminClient();

        var response = await admin.PostAsync("/api/observations", new StringContent("{\"observations\": [", Encoding.UTF8, "application/json"));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var batchId = problem.GetProperty("batchId").GetString();
        var archived = await app.Services.GetRequiredService<IndicatorTables>().Raw.GetBlobClient($"observations/{batchId}.json").DownloadContentAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("body", problem.GetProperty("errors")[0].GetProperty("field").GetString());
        Assert.Equal("{\"observations\": [", archived.Value.Content.ToString());
    }

    [Fact]
    public async Task Other_content_types_are_415()
    {
        await using var app = new FunctionAppFactory(azurite);

        var response = await app.CreateAdminClient().PostAsync("/api/observations", new StringContent("district=xuhui", Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task A_body_over_the_configured_limit_is_413_and_not_archived()
    {
        await using var app = new FunctionAppFactory(azurite, new Dictionary<string, string?> { ["MaxIngestBytes"] = "1000" });
        var admin = app.CreateAdminClient();
        var tables = app.Services.GetRequiredService<IndicatorTables>();
        await tables.EnsureCreatedAsync(CancellationToken.None);
        var big = JsonSerializer.Serialize(new { observations = Enumerable.Range(0, 50).Select(i => new { district = "xuhui", indicator = "gdp", period = $"{1950 + i}", value = i }) });

        var response = await admin.PostAsync("/api/observations", new StringContent(big, Encoding.UTF8, "application/json"));
        var archived = new List<string>();
        await foreach (var blob in tables.Raw.GetBlobsAsync())
            archived.Add(blob.Name);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("MaxIngestBytes", await response.Content.ReadAsStringAsync());
        Assert.Empty(archived);
    }

    [Theory]
    [InlineData("PUT", "/api/indicators/gdp")]
    [InlineData("PUT", "/api/districts/xuhui")]
    [InlineData("PUT", "/api/clusters/core")]
    [InlineData("POST", "/api/observations")]
    [InlineData("POST", "/api/runs")]
    public async Task Writes_without_the_admin_key_are_401(string method, string url)
    {
        await using var app = new FunctionAppFactory(azurite);
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("x-functions-key", "wrong");

        var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), url) { Content = JsonContent.Create(new { }) });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Catalog_writes_are_validated_field_by_field()
    {
        await using var app = new FunctionAppFactory(azurite);
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);

        var cluster = await admin.PutAsJsonAsync("/api/clusters/bad", new
        {
            name = "", kind = "galaxy", minCoverage = 1.5,
            members = new object[] { new { district = "nowhere" }, new { district = "xuhui", from = 2022, to = 2020 }, new { district = "wuhou", sector = "total" } },
        });
        var unitChange = await admin.PutAsJsonAsync("/api/indicators/gdp", new { name = "GDP", unit = "USD", aggregation = "sum" });
        var aliasClash = await admin.PutAsJsonAsync("/api/districts/other", new { name = "Other", aliases = new[] { "徐汇区" } });
        var fields = (await cluster.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()).ToList();

        Assert.Equal(HttpStatusCode.BadRequest, cluster.StatusCode);
        Assert.Equal(["name", "kind", "minCoverage", "members[0].district", "members[1].to", "members[2].sector"], fields);
        Assert.Equal(HttpStatusCode.Conflict, unitChange.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, aliasClash.StatusCode);
        Assert.Equal("CNY", (await GetJsonAsync(app.CreateClient(), "/api/indicators")).GetProperty("indicators").EnumerateArray().Single(i => i.GetProperty("id").GetString() == "gdp").GetProperty("unit").GetString());
    }

    [Fact]
    public async Task Reads_allow_the_configured_dashboard_origin_only()
    {
        await using var app = new FunctionAppFactory(azurite, new Dictionary<string, string?> { ["CorsOrigins"] = "https://dash.example" });
        var client = app.CreateClient();

        using var allowed = new HttpRequestMessage(HttpMethod.Get, "/api/indicators") { Headers = { { "Origin", "https://dash.example" } } };
        using var other = new HttpRequestMessage(HttpMethod.Get, "/api/indicators") { Headers = { { "Origin", "https://evil.example" } } };
        var ok = await client.SendAsync(allowed);
        var refused = await client.SendAsync(other);

        Assert.Equal("https://dash.example", ok.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
    }
}
