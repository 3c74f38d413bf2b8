using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CsvHelper;
using IndicatorFunctions.Tests.Formats;
using IndicatorFunctions.Tests.Infrastructure;
using static IndicatorFunctions.Tests.Api.PipelineData;

namespace IndicatorFunctions.Tests.Api;

/// <summary>
/// The three reads in CSV and JSON-stat through the HTTP API on Azurite, each held against the JSON the same
/// request gives: every CSV field is the JSON's field of that name (camelCase → snake_case, <c>yoy</c> flattened,
/// lists joined with <c>;</c>), every JSON-stat value, status and extension array the JSON's figure at that point.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ReadFormatsTests(AzuriteFixture azurite)
{
    /// <summary>A series with a provisional point and a source that needs quoting, a ranked cross-section, rollups with a withheld value.</summary>
    public static TheoryData<string, string> Reads => new()
    {
        { "/api/districts/xuhui/indicators/gdp/series?from=2019", "points" },
        { "/api/districts/wuhou/indicators/gdp/series", "points" },
        { "/api/indicators/gdp/periods/2021", "rows" },
        { "/api/clusters/core/indicators/gdp/rollups", "points" },
        { "/api/clusters/ai/indicators/gdp/rollups?from=2020", "points" },
    };

    private static async Task<FunctionAppFactory> LoadedAsync(AzuriteFixture azurite)
    {
        var app = new FunctionAppFactory(azurite);
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await IngestAsync(admin, [.. Gdp,
            new { district = "xuhui", indicator = "gdp", period = "2022", value = 130, source = "bureau, \"annual\" report" },
            new { district = "xuhui", sector = "ai", indicator = "gdp", period = "2020", value = 10 },
            new { district = "xuhui", sector = "ai", indicator = "gdp", period = "2021", value = 12, status = "estimated" }]);
        await RunAsync(admin, full: true);
        return app;
    }

    private static string Url(string url, string format) => url + (url.Contains('?') ? "&" : "?") + "format=" + format;

    [Theory]
    [MemberData(nameof(Reads))]
    public async Task CSV_has_one_row_per_point_holding_the_JSON_fields(string url, string collection)
    {
        await using var app = await LoadedAsync(azurite);
        var client = app.CreateClient();

        var json = await GetJsonAsync(client, url);
        var response = await client.GetAsync(Url(url, "csv"));
        var rows = ReadCsv(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv; charset=utf-8; header=present", response.Content.Headers.ContentType!.ToString());
        var expected = Flatten(json, collection);
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Count, rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal(expected[i].Keys.Order(), rows[i].Keys.Order());
            foreach (var (column, value) in expected[i])
                AssertSameField(column, value, rows[i][column]);
        }
    }

    [Theory]
    [MemberData(nameof(Reads))]
    public async Task JSON_stat_is_a_valid_dataset_whose_values_statuses_and_extension_are_the_JSON_figures(string url, string collection)
    {
        await using var app = await LoadedAsync(azurite);
        var client = app.CreateClient();

        var json = await GetJsonAsync(client, url);
        var response = await client.GetAsync(Url(url, "jsonstat"));
        var stat = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        JsonStatSchema.AssertValid(stat);
        var points = json.GetProperty(collection).EnumerateArray().ToList();
        Assert.NotEmpty(points);
        // The one dimension with several categories lists the points in the JSON's order.
        var (varying, key) = collection == "rows" ? ("district", "district") : ("period", "period");
        Assert.Equal(points.Select(p => p.GetProperty(key).GetString()), Strings(stat.GetProperty("dimension").GetProperty(varying).GetProperty("category").GetProperty("index")));
        Assert.Equal(points.Select(p => Number(p, "value")), Numbers(stat.GetProperty("value")));
        Assert.Equal(points.Select(p => p.GetProperty("status").GetString()), Strings(stat.GetProperty("status")));
        var indicator = json.GetProperty("indicator").GetString()!;
        var unit = stat.GetProperty("dimension").GetProperty("indicator").GetProperty("category").GetProperty("unit").GetProperty(indicator);
        Assert.Equal((json.GetProperty("unit").GetString(), 0), (unit.GetProperty("label").GetString(), unit.GetProperty("decimals").GetInt32()));
        var extension = stat.GetProperty("extension");
        Assert.Equal(json.GetProperty("runId").GetString(), extension.GetProperty("runId").GetString());
        Assert.Equal(json.GetProperty("pendingChanges").GetBoolean(), extension.GetProperty("pendingChanges").GetBoolean());
        Assert.Equal(json.GetProperty("aggregatedAt").GetDateTimeOffset(), extension.GetProperty("aggregatedAt").GetDateTimeOffset());
        Assert.Equal(json.GetProperty("aggregatedAt").GetDateTimeOffset(), DateTimeOffset.Parse(stat.GetProperty("updated").GetString()!, CultureInfo.InvariantCulture));
        // Every other per-point field of the JSON is an array in extension (yoy: an object of arrays), entry i for point i.
        foreach (var field in points[0].EnumerateObject().Select(p => p.Name).Except(["period", "district", "value", "status"]))
        {
            if (field == "yoy")
            {
                foreach (var yoyField in points[0].GetProperty("yoy").EnumerateObject().Select(p => p.Name))
                    Assert.Equal(points.Select(p => p.GetProperty("yoy").GetProperty(yoyField).GetRawText()), extension.GetProperty("yoy").GetProperty(yoyField).EnumerateArray().Select(e => e.GetRawText()));
            }
            else
            {
                Assert.Equal(points.Select(p => p.GetProperty(field).GetRawText()), extension.GetProperty(field).EnumerateArray().Select(e => e.GetRawText()));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Reads))]
    public async Task Each_format_has_its_own_ETag_answers_304_to_it_and_says_Vary_Accept(string url, string collection)
    {
        _ = collection;
        await using var app = await LoadedAsync(azurite);
        var client = app.CreateClient();

        // CSV chosen by Accept first: a JSON read of the same URL afterwards must not be served the cached CSV.
        using var byAccept = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, url) { Headers = { Accept = { new MediaTypeWithQualityHeaderValue("text/csv") } } });
        var responses = new Dictionary<string, HttpResponseMessage>
        {
            ["json"] = await client.GetAsync(url),
            ["csv"] = await client.GetAsync(Url(url, "csv")),
            ["jsonstat"] = await client.GetAsync(Url(url, "jsonstat")),
            ["explicit json"] = await client.GetAsync(Url(url, "json")),
        };

        Assert.Equal("text/csv", byAccept.Content.Headers.ContentType!.MediaType);
        Assert.Equal(await responses["csv"].Content.ReadAsStringAsync(), await byAccept.Content.ReadAsStringAsync());
        Assert.Equal(responses["csv"].Headers.ETag, byAccept.Headers.ETag);
        Assert.Equal(JsonValueKind.Object, (await responses["json"].Content.ReadFromJsonAsync<JsonElement>()).ValueKind);
        Assert.Equal(responses["json"].Headers.ETag, responses["explicit json"].Headers.ETag);
        var tags = new[] { "json", "csv", "jsonstat" }.Select(f => responses[f].Headers.ETag!).ToList();
        Assert.Equal(3, tags.Select(t => t.Tag).Distinct().Count());
        Assert.All(tags, t => Assert.False(t.IsWeak));
        foreach (var (format, response) in responses.Append(KeyValuePair.Create("by accept", byAccept)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(["Accept"], response.Headers.Vary);
            Assert.Equal(TimeSpan.FromSeconds(60), response.Headers.CacheControl!.MaxAge);
        }
        foreach (var format in new[] { "json", "csv", "jsonstat" })
        {
            var target = format == "json" ? url : Url(url, format);
            using var same = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, target) { Headers = { IfNoneMatch = { responses[format].Headers.ETag! } } });
            var other = format == "csv" ? responses["jsonstat"].Headers.ETag! : responses["csv"].Headers.ETag!;
            using var another = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, target) { Headers = { IfNoneMatch = { other } } });

            Assert.Equal(HttpStatusCode.NotModified, same.StatusCode);
            Assert.Equal(responses[format].Headers.ETag, same.Headers.ETag);
            Assert.Equal(["Accept"], same.Headers.Vary);
            Assert.Empty(await same.Content.ReadAsByteArrayAsync());
            Assert.Equal(HttpStatusCode.OK, another.StatusCode); // another representation's tag does not match
        }
        using var csvByAccept304 = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, url)
        {
            Headers = { Accept = { new MediaTypeWithQualityHeaderValue("text/csv") }, IfNoneMatch = { responses["csv"].Headers.ETag! } },
        });
        Assert.Equal(HttpStatusCode.NotModified, csvByAccept304.StatusCode);
    }

    [Fact]
    public async Task A_new_run_changes_every_format_s_ETag()
    {
        await using var app = await LoadedAsync(azurite);
        var client = app.CreateClient();
        const string Url = "/api/indicators/gdp/periods/2021";
        var before = await Task.WhenAll(new[] { Url, Url + "?format=csv", Url + "?format=jsonstat" }.Select(u => client.GetAsync(u)));

        await IngestAsync(app.CreateAdminClient(), new { district = "jingan", indicator = "gdp", period = "2021", value = 330 });
        await RunAsync(app.CreateAdminClient());
        var after = await Task.WhenAll(before.Select(b => client.SendAsync(new HttpRequestMessage(HttpMethod.Get, b.RequestMessage!.RequestUri) { Headers = { IfNoneMatch = { b.Headers.ETag! } } })));

        Assert.All(after, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        Assert.Contains("jingan,330,", await after[1].Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/api/districts/xuhui/indicators/gdp/series?format=xml")]
    [InlineData("/api/indicators/gdp/periods/2021?format=CSV")]
    [InlineData("/api/clusters/core/indicators/gdp/rollups?format=")]
    [InlineData("/api/clusters/core/indicators/gdp/rollups?format=csv&format=json")]
    public async Task An_unknown_format_is_a_400_problem_naming_the_field_and_the_allowed_values(string url)
    {
        await using var app = await LoadedAsync(azurite);

        var response = await app.CreateClient().GetAsync(url);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var error = Assert.Single(problem.GetProperty("errors").EnumerateArray());
        Assert.Equal("format", error.GetProperty("field").GetString());
        Assert.EndsWith("must be one of json, csv, jsonstat", error.GetProperty("message").GetString());
    }

    private static List<Dictionary<string, string>> ReadCsv(string text)
    {
        using var reader = new CsvReader(new StringReader(text), CultureInfo.InvariantCulture);
        reader.Read();
        reader.ReadHeader();
        var header = reader.HeaderRecord!;
        var rows = new List<Dictionary<string, string>>();
        while (reader.Read())
            rows.Add(header.Select((name, i) => (name, value: reader.GetField(i)!)).ToDictionary(f => f.name, f => f.value));
        return rows;
    }

    /// <summary>The JSON as the CSV should flatten it: the response's own fields on every point, <c>yoy.x</c> as <c>yoy_x</c>, names in snake_case.</summary>
    private static List<Dictionary<string, JsonElement>> Flatten(JsonElement json, string collection)
    {
        var shared = json.EnumerateObject().Where(p => p.Name != collection).ToDictionary(p => Snake(p.Name), p => p.Value);
        return json.GetProperty(collection).EnumerateArray().Select(point =>
        {
            var row = new Dictionary<string, JsonElement>(shared);
            foreach (var field in point.EnumerateObject())
            {
                if (field.Value.ValueKind == JsonValueKind.Object)
                {
                    foreach (var inner in field.Value.EnumerateObject())
                        row[Snake(field.Name) + "_" + Snake(inner.Name)] = inner.Value;
                }
                else
                {
                    row[Snake(field.Name)] = field.Value;
                }
            }
            return row;
        }).ToList();
    }

    private static string Snake(string name) => string.Concat(name.Select(c => char.IsUpper(c) ? "_" + char.ToLowerInvariant(c) : c.ToString()));

    private static void AssertSameField(string column, JsonElement json, string csv)
    {
        switch (json.ValueKind)
        {
            case JsonValueKind.Null:
                Assert.True(csv == "", $"{column}: JSON null, CSV '{csv}'");
                break;
            case JsonValueKind.Number:
                Assert.True(double.TryParse(csv, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && number == json.GetDouble(), $"{column}: JSON {json}, CSV '{csv}'");
                break;
            case JsonValueKind.True or JsonValueKind.False:
                Assert.True(csv == (json.GetBoolean() ? "true" : "false"), $"{column}: JSON {json}, CSV '{csv}'");
                break;
            case JsonValueKind.Array:
                Assert.True(csv == string.Join(";", json.EnumerateArray().Select(e => e.GetString())), $"{column}: JSON {json}, CSV '{csv}'");
                break;
            case JsonValueKind.String when json.TryGetDateTimeOffset(out var time) && column == "aggregated_at":
                Assert.Equal(time, DateTimeOffset.Parse(csv, CultureInfo.InvariantCulture));
                break;
            default:
                Assert.True(csv == json.GetString(), $"{column}: JSON {json}, CSV '{csv}'");
                break;
        }
    }

    private static IEnumerable<string?> Strings(JsonElement array) => array.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Null ? null : e.GetString());

    private static IEnumerable<double?> Numbers(JsonElement array) => array.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Null ? (double?)null : e.GetDouble());
}
