using System.Text.Json;
using IndicatorFunctions.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;

namespace IndicatorFunctions.Tests.App;

/// <summary>
/// Under the Functions host a request reaches the handler only if some function.json declares its route and
/// method; an endpoint mapped in code but not declared would work locally and 404 in Azure.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class FunctionFoldersTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Every_api_endpoint_is_declared_by_an_http_function_with_its_route_and_method()
    {
        await using var app = new FunctionAppFactory(azurite);
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/api/", StringComparison.Ordinal))
            .SelectMany(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()!.HttpMethods
                .Select(m => (Method: m.ToLowerInvariant(), Route: e.RoutePattern.RawText!["/api/".Length..])))
            .ToHashSet();
        var declared = Directory.EnumerateFiles(AppContext.BaseDirectory, "function.json", SearchOption.AllDirectories)
            .SelectMany(file =>
            {
                using var json = JsonDocument.Parse(File.ReadAllText(file));
                return json.RootElement.GetProperty("bindings").EnumerateArray()
                    .Where(b => b.GetProperty("type").GetString() == "httpTrigger")
                    .SelectMany(b => b.GetProperty("methods").EnumerateArray().Select(m =>
                        (Method: m.GetString()!, Route: b.GetProperty("route").GetString()!)))
                    .ToList();
            })
            .ToList();

        Assert.True(endpoints.Count >= 14, $"expected the API's endpoints, found {endpoints.Count}");
        Assert.All(endpoints, endpoint => Assert.Contains(declared, d => d.Method == endpoint.Method && Covers(d.Route, endpoint.Route)));
        Assert.All(declared, d => Assert.Contains(endpoints, e => e.Method == d.Method && Covers(d.Route, e.Route)));
    }

    // "runs/{id?}" declares both "runs" and "runs/{id}"; parameter names must match.
    private static bool Covers(string declared, string mapped) =>
        declared == mapped || (declared.EndsWith("?}", StringComparison.Ordinal) && (declared.Replace("?}", "}") == mapped || declared[..declared.LastIndexOf('/')] == mapped));
}
