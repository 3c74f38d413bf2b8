using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using IndicatorFunctions.Api;
using IndicatorFunctions.Hosting;
using IndicatorFunctions.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;

namespace IndicatorFunctions.Tests.Api;

/// <summary>
/// Oversized and odd requests: every body has a limit (413), every JSON body a content type (415), and every 4xx a
/// problem body — on every route the app serves, and on the admin endpoint.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RequestLimitTests(AzuriteFixture azurite)
{
    private const int IngestLimit = 100_000;

    [Fact]
    public async Task A_31_MB_body_to_post_runs_is_a_413_problem_naming_the_limit_and_starts_no_run()
    {
        await using var app = new FunctionAppFactory(azurite);
        var admin = app.CreateAdminClient();

        var response = await admin.PostAsync("/api/runs", Json(new byte[31 * 1024 * 1024]));

        var problem = await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains(RequestBody.MaxBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), problem.GetProperty("detail").GetString());
        Assert.Equal(RequestBody.MaxBytes, problem.GetProperty("maxBytes").GetInt32());
        Assert.Empty((await PipelineData.GetJsonAsync(admin, "/api/runs")).GetProperty("runs").EnumerateArray());
    }

    [Fact]
    public async Task A_body_without_a_length_is_cut_off_at_the_limit_with_a_413()
    {
        await using var app = new FunctionAppFactory(azurite);
        var json = Encoding.UTF8.GetBytes("{\"name\":\"" + new string('g', RequestBody.MaxBytes) + "\"}");

        // Straight to the server, as a chunked upload arrives: a body and no Content-Length.
        var context = await app.App.GetTestServer().SendAsync(c =>
        {
            c.Request.Method = "PUT";
            c.Request.Path = "/api/indicators/gdp";
            c.Request.Headers["x-functions-key"] = FunctionAppFactory.AdminKey;
            c.Request.ContentType = "application/json";
            c.Request.Body = new MemoryStream(json);
        });

        Assert.Null(context.Request.ContentLength);
        Assert.Equal(StatusCodes.Status413PayloadTooLarge, context.Response.StatusCode);
        Assert.Equal("application/problem+json", context.Response.ContentType);
    }

    [Fact]
    public async Task A_json_endpoint_refuses_another_content_type_with_a_415_problem()
    {
        await using var app = new FunctionAppFactory(azurite);

        var response = await app.CreateAdminClient().PostAsync("/api/runs", new StringContent("full=true", Encoding.UTF8, "application/x-www-form-urlencoded"));

        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task The_admin_endpoint_refuses_a_body_that_is_not_json_with_a_415_problem()
    {
        await using var app = new FunctionAppFactory(azurite);

        var response = await app.CreateAdminClient().PostAsync("/admin/functions/NightlyAggregation", new StringContent("run it", Encoding.UTF8, "text/plain"));

        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task The_admin_endpoint_answers_an_unknown_function_with_a_404_problem()
    {
        await using var app = new FunctionAppFactory(azurite);

        var response = await app.CreateAdminClient().PostAsync("/admin/functions/NoSuchTimer", Json("""{"input":""}"""u8.ToArray()));

        await AssertProblemAsync(response, HttpStatusCode.NotFound);
    }

    /// <summary>
    /// <c>%00</c> in a request line is refused by the server's own parser before any app code runs (Kestrel and the test
    /// server share it, and neither lets an app give that 400 a body); a NUL that does reach the app is a problem.
    /// </summary>
    [Theory]
    [InlineData("PUT", "/api/districts/a\0b", StatusCodes.Status400BadRequest)]
    [InlineData("GET", "/api/clusters/a\0b", StatusCodes.Status400BadRequest)]
    [InlineData("GET", "/api/districts/a\0b", StatusCodes.Status405MethodNotAllowed)]
    [InlineData("GET", "/api/a\0b", StatusCodes.Status404NotFound)]
    public async Task A_null_character_in_a_path_is_a_problem_with_a_body(string method, string path, int expected)
    {
        await using var app = new FunctionAppFactory(azurite);

        var context = await app.App.GetTestServer().SendAsync(c =>
        {
            c.Request.Method = method;
            c.Request.Path = path;
            c.Request.Headers["x-functions-key"] = FunctionAppFactory.AdminKey;
            c.Request.ContentType = "application/json";
            c.Request.Body = new MemoryStream("{\"name\":\"A\"}"u8.ToArray());
        });

        Assert.Equal(expected, context.Response.StatusCode);
        Assert.Equal("application/problem+json", context.Response.ContentType);
        using var problem = await JsonDocument.ParseAsync(context.Response.Body);
        Assert.Equal(expected, problem.RootElement.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task A_method_a_route_does_not_take_is_a_405_problem()
    {
        await using var app = new FunctionAppFactory(azurite);

        var response = await app.CreateAdminClient().DeleteAsync("/api/runs");

        await AssertProblemAsync(response, HttpStatusCode.MethodNotAllowed);
    }

    /// <summary>
    /// Every route in the function index (and the admin endpoint for every timer), with an oversized body and with
    /// a body of the wrong type: never a 5xx; every 4xx a problem; routes that read a body say 413 and 415.
    /// </summary>
    [Fact]
    public async Task Every_route_answers_oversized_and_mistyped_bodies_with_problems_never_a_5xx()
    {
        await using var app = new FunctionAppFactory(azurite, new Dictionary<string, string?> { [nameof(AppOptions.MaxIngestBytes)] = IngestLimit.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var admin = app.CreateAdminClient();
        var oversized = new byte[Math.Max(IngestLimit, RequestBody.MaxBytes) + 1];
        Array.Fill(oversized, (byte)' ');
        var failures = new List<string>();

        foreach (var (method, url, readsBody) in Endpoints())
        {
            foreach (var (label, content, expected) in new (string, Func<HttpContent>, HttpStatusCode)[]
                     {
                         ("oversized", () => Json(oversized), HttpStatusCode.RequestEntityTooLarge),
                         ("mistyped", () => new StringContent("<run full=\"true\"/>", Encoding.UTF8, "application/xml"), HttpStatusCode.UnsupportedMediaType),
                     })
            {
                var response = await admin.SendAsync(new HttpRequestMessage(new HttpMethod(method), url) { Content = content() });
                var text = await response.Content.ReadAsStringAsync();
                var status = (int)response.StatusCode;
                var what = $"{method} {url} ({label}) → {status} {response.Content.Headers.ContentType}: {text[..Math.Min(200, text.Length)]}";
                if (status >= 500 || (readsBody && response.StatusCode != expected))
                    failures.Add(what);
                else if (status >= 400 && !IsProblem(response, text, status))
                    failures.Add(what + " (not a problem body)");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>Each HTTP function's methods at its route, route values filled in; then the admin endpoint for each timer.</summary>
    private static IEnumerable<(string Method, string Url, bool ReadsBody)> Endpoints()
    {
        var functions = FunctionIndex.Of(typeof(LocalMode).Assembly);
        Assert.NotEmpty(functions);
        foreach (var function in functions.Where(f => f.Http is not null))
        {
            var path = System.Text.RegularExpressions.Regex.Replace(function.Route, @"\{[^}]+\}", "x");
            foreach (var method in function.Methods ?? ["get", "post"])
                yield return (method.ToUpperInvariant(), $"/{FunctionIndex.RoutePrefix}/{path}", method is "post" or "put");
        }
        foreach (var timer in functions.Where(f => f.Timer is not null))
            yield return ("POST", $"/admin/functions/{timer.Name}", true);
    }

    private static bool IsProblem(HttpResponseMessage response, string text, int status)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
            return false;
        using var problem = JsonDocument.Parse(text);
        return problem.RootElement.TryGetProperty("status", out var s) && s.GetInt32() == status && problem.RootElement.TryGetProperty("title", out _);
    }

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        Assert.True(IsProblem(response, text, (int)expected), $"not a problem body: {response.Content.Headers.ContentType} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static ByteArrayContent Json(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }
}
