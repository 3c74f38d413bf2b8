using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IndicatorFunctions.Domain;
using IndicatorFunctions.Runs;
using IndicatorFunctions.Tests.Infrastructure;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace IndicatorFunctions.Tests.Docs;

/// <summary>
/// The OpenAPI document is kept true by tests: it is valid OpenAPI 3.1, it names exactly the functions the build
/// declares (routes, methods, auth), its id and period patterns accept what the app accepts, and — through
/// <see cref="OpenApiContract"/> in every client of every integration test — real responses match its schemas.
/// </summary>
public sealed class OpenApiTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly JsonObject Paths = OpenApiContract.Document["paths"]!.AsObject();

    [Fact]
    public void The_document_is_valid_OpenAPI_3_1_without_errors_or_warnings()
    {
        var (document, diagnostic) = OpenApiDocument.Parse(OpenApiContract.Read(), "json", new OpenApiReaderSettings());

        Assert.NotNull(document);
        Assert.Equal(OpenApiSpecVersion.OpenApi3_1, diagnostic!.SpecificationVersion);
        Assert.Empty(diagnostic.Errors.Select(e => $"{e.Pointer}: {e.Message}"));
        Assert.Empty(diagnostic.Warnings.Select(e => $"{e.Pointer}: {e.Message}"));
        Assert.Empty(document.Validate(ValidationRuleSet.GetDefaultRuleSet())?.Select(e => $"{e.Pointer}: {e.Message}") ?? []);
    }

    [Fact]
    public void Every_http_function_in_functions_metadata_is_documented_and_nothing_else()
    {
        var declared = HttpFunctions();
        var documented = Paths.SelectMany(p => p.Value!.AsObject().Select(o => (Name: (string)o.Value!["operationId"]!, Path: p.Key, Method: o.Key))).ToList();

        Assert.True(declared.Count >= 20, $"functions.metadata lists {declared.Count} http functions");
        Assert.Equal(declared.Select(d => d.Name).Order(), documented.Select(d => d.Name).Order());
        foreach (var d in declared)
        {
            var operation = documented.Single(o => o.Name == d.Name);
            Assert.Equal("/" + d.Route, operation.Path);
            Assert.Equal(d.Method, operation.Method);
        }
    }

    [Fact]
    public void Function_level_operations_require_the_function_key_and_anonymous_ones_do_not()
    {
        foreach (var d in HttpFunctions())
        {
            var security = Paths["/" + d.Route]![d.Method]!["security"]!.AsArray();
            var keyRequired = security.Count > 0 && security.All(s => s!.AsObject().Count > 0);
            Assert.True(keyRequired == (d.AuthLevel == "Function"), $"{d.Name}: auth level {d.AuthLevel}, security {security.ToJsonString()}");
        }
    }

    [Fact]
    public void Every_route_parameter_is_a_documented_required_path_parameter()
    {
        foreach (var d in HttpFunctions())
        {
            var operation = Paths["/" + d.Route]![d.Method]!;
            var documented = (operation["parameters"]?.AsArray() ?? []).Select(Resolve)
                .Where(p => (string)p["in"]! == "path").ToDictionary(p => (string)p["name"]!, p => (bool?)p["required"]);
            var inRoute = Regex.Matches(d.Route, @"\{(\w+)\}").Select(m => m.Groups[1].Value).ToList();
            Assert.Equal(inRoute.Order(), documented.Keys.Order());
            Assert.All(documented.Values, required => Assert.True(required));
        }
    }

    [Theory]
    [InlineData("2021")] [InlineData("1900")] [InlineData("2199")] [InlineData("1899")] [InlineData("2200")]
    [InlineData("2021-H1")] [InlineData("2021-H2")] [InlineData("2021-H3")] [InlineData("2021-H0")]
    [InlineData("2021-Q1")] [InlineData("2021-Q4")] [InlineData("2021-Q5")] [InlineData("2021-Q0")] [InlineData("2021-Q01")]
    [InlineData("2021-01")] [InlineData("2021-12")] [InlineData("2021-13")] [InlineData("2021-00")] [InlineData("2021-1")]
    [InlineData("2021-YTD01")] [InlineData("2021-YTD12")] [InlineData("2021-YTD13")] [InlineData("2021-YTD1")] [InlineData("2021-ytd01")]
    [InlineData("21")] [InlineData("20211")] [InlineData("2021-")] [InlineData("2021 ")] [InlineData("")] [InlineData("２０２１")]
    public void The_period_pattern_accepts_exactly_what_the_app_parses(string text) =>
        Assert.Equal(Period.TryParse(text, out _), Matches("PeriodValue", text));

    [Theory]
    [InlineData("xuhui")] [InlineData("ai-industry")] [InlineData("0")] [InlineData("-a")] [InlineData("A")] [InlineData("a_b")]
    [InlineData("a b")] [InlineData("")] [InlineData("é")]
    [InlineData("a123456789012345678901234567890123456789012345678901234567890ab")]
    [InlineData("a123456789012345678901234567890123456789012345678901234567890abc")]
    public void The_slug_pattern_accepts_exactly_the_ids_the_app_accepts(string text) =>
        Assert.Equal(Slug.IsValid(text), Matches("Slug", text));

    [Theory]
    [InlineData("2516062085572528932-e19b91")] [InlineData("2516062085572528932-E19B91")] [InlineData("251606208557252893-e19b91")]
    [InlineData("2516062085572528932e19b91")] [InlineData("x1")]
    public void The_run_id_pattern_accepts_exactly_the_run_ids_the_app_accepts(string text) =>
        Assert.Equal(RunLedger.IsValidId(text), Matches("RunId", text));

    [Fact]
    public void Every_example_matches_its_schema()
    {
        var examples = new List<(string Where, JsonNode Example, JsonObject Media)>();
        void Walk(JsonNode? node, string where)
        {
            if (node is JsonObject o)
            {
                if (o["example"] is { } example && o["schema"] is not null)
                    examples.Add((where, example, o));
                foreach (var (key, child) in o)
                    Walk(child, $"{where}/{key.Replace("~", "~0").Replace("/", "~1")}");
            }
            else if (node is JsonArray a)
            {
                for (var i = 0; i < a.Count; i++)
                    Walk(a[i], $"{where}/{i}");
            }
        }
        Walk(OpenApiContract.Document, "");

        Assert.True(examples.Count >= 8, $"only {examples.Count} examples");
        Assert.All(examples, e =>
        {
            var media = e.Where.Split('/')[^1];
            if (!media.EndsWith("json", StringComparison.Ordinal))
                return;
            var problems = OpenApiContract.Validate(e.Where, e.Example);
            Assert.True(problems.Count == 0, $"{e.Where}: {string.Join("; ", problems)}");
        });
    }

    [Fact]
    public async Task The_contract_checker_refuses_what_the_document_does_not_allow()
    {
        static HttpResponseMessage Response(HttpStatusCode status, string json, string type = "application/json") =>
            new(status) { Content = new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue(type)) };
        var request = new HttpRequestMessage(HttpMethod.Get, "http://localhost/api/indicators/gdp/periods/2021");
        var conforming = """{"indicator":"gdp","period":"2021","sector":"total","unit":"CNY","runId":null,"aggregatedAt":null,"pendingChanges":false,"rows":[]}""";

        Assert.Empty(await OpenApiContract.CheckAsync(request, Response(HttpStatusCode.OK, conforming)));
        Assert.Contains("does not match", Assert.Single(await OpenApiContract.CheckAsync(request, Response(HttpStatusCode.OK, conforming.Replace("\"rows\":[]", "\"rows\":[{\"district\":\"x\"}]")))));
        Assert.Contains("does not match", Assert.Single(await OpenApiContract.CheckAsync(request, Response(HttpStatusCode.OK, conforming.Replace("\"period\":\"2021\"", "\"period\":\"2021-Q5\"")))));
        Assert.Contains("status 409 is not documented", Assert.Single(await OpenApiContract.CheckAsync(request, Response(HttpStatusCode.Conflict, "{}"))));
        Assert.Contains("content type text/plain is not documented", Assert.Single(await OpenApiContract.CheckAsync(request, Response(HttpStatusCode.OK, "x", "text/plain"))));
        Assert.Empty(await OpenApiContract.CheckAsync(new HttpRequestMessage(HttpMethod.Get, "http://localhost/api/not-a-route"), Response(HttpStatusCode.NotFound, "")));
    }

    [Fact]
    public async Task The_app_serves_the_document_and_a_reference_page_whose_files_it_serves_too()
    {
        await using var app = new FunctionAppFactory(azurite);
        var client = app.CreateClient();

        var document = await client.GetAsync("/api/openapi.json");
        var page = await client.GetStringAsync("/api/docs");
        var assets = Regex.Matches(page, @"(?:src|href)=""(docs/[^""]+)""").Select(m => m.Groups[1].Value).ToList();

        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
        Assert.Equal(OpenApiContract.Read(), await document.Content.ReadAsStringAsync());
        Assert.Equal(["docs/docs.js", "docs/swagger-ui-bundle.js", "docs/swagger-ui.css"], assets.Order());
        foreach (var asset in assets)
        {
            var response = await client.GetAsync("/api/" + asset);
            var text = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True(text.Length > 50, $"{asset} has {text.Length} characters");
        }
        Assert.Contains("SwaggerUIBundle", await client.GetStringAsync("/api/docs/swagger-ui-bundle.js"));
        Assert.Contains("openapi.json", await client.GetStringAsync("/api/docs/docs.js"));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/docs/other.js")).StatusCode);
    }

    [Fact]
    public async Task The_document_and_the_reference_files_answer_304_to_their_ETag()
    {
        await using var app = new FunctionAppFactory(azurite);
        var client = app.CreateClient();

        foreach (var path in new[] { "/api/openapi.json", "/api/docs/swagger-ui-bundle.js" })
        {
            var first = await client.GetAsync(path);
            var again = new HttpRequestMessage(HttpMethod.Get, path);
            again.Headers.IfNoneMatch.Add(first.Headers.ETag!);
            Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(again)).StatusCode);
        }
    }

    private static bool Matches(string schema, string text) =>
        Regex.IsMatch(text, (string)OpenApiContract.Document["components"]!["schemas"]![schema]!["pattern"]!);

    private static JsonNode Resolve(JsonNode? node) =>
        node!["$ref"] is { } reference ? OpenApiContract.Document["components"]!["parameters"]![((string)reference!).Split('/')[^1]]! : node;

    private sealed record HttpFunction(string Name, string AuthLevel, string Method, string Route);

    private static List<HttpFunction> HttpFunctions()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "functions.metadata")));
        return [.. json.RootElement.EnumerateArray().SelectMany(f => f.GetProperty("bindings").EnumerateArray()
            .Where(b => b.GetProperty("type").GetString() == "httpTrigger")
            .SelectMany(b => b.GetProperty("methods").EnumerateArray().Select(m => new HttpFunction(
                f.GetProperty("name").GetString()!, b.GetProperty("authLevel").GetString()!, m.GetString()!, b.GetProperty("route").GetString()!))))];
    }
}
