using System.Net;
using System.Text.Json;
using IndicatorFunctions.Tests.Infrastructure;

namespace IndicatorFunctions.Tests.App;

[Collection(AzuriteCollection.Name)]
public sealed class HealthTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Health_is_200_with_both_services_reachable_and_a_version()
    {
        await using var app = new FunctionAppFactory(azurite);

        var response = await app.CreateClient().GetAsync("/api/health");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var root = body.RootElement;
        Assert.Equal("healthy", root.GetProperty("status").GetString());
        Assert.StartsWith("0.2.0", root.GetProperty("version").GetString());
        Assert.Equal("reachable", root.GetProperty("storage").GetProperty("tables").GetProperty("status").GetString());
        Assert.Equal("reachable", root.GetProperty("storage").GetProperty("blobs").GetProperty("status").GetString());
        Assert.Equal(azurite.Tables.Uri.AbsoluteUri, root.GetProperty("storage").GetProperty("tables").GetProperty("endpoint").GetString());
    }

    [Fact]
    public async Task Health_is_503_naming_the_endpoint_tried_when_storage_is_down_and_the_app_still_starts()
    {
        var deadStorage = AzuriteFixture.UnreachableConnectionString(out var port);
        await using var app = new FunctionAppFactory(azurite, new Dictionary<string, string?> { ["AzureWebJobsStorage"] = deadStorage });

        var response = await app.CreateClient().GetAsync("/api/health");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var tables = body.RootElement.GetProperty("storage").GetProperty("tables");
        Assert.Equal("unhealthy", body.RootElement.GetProperty("status").GetString());
        Assert.Equal("unreachable", tables.GetProperty("status").GetString());
        Assert.Equal($"http://127.0.0.1:{port}/devstoreaccount1", tables.GetProperty("endpoint").GetString());
        Assert.False(string.IsNullOrEmpty(tables.GetProperty("error").GetString()));
        Assert.Contains(app.LogLines, line => line.StartsWith("Warning") && line.Contains($"127.0.0.1:{port}") && line.Contains("unreachable"));
    }

    [Fact]
    public async Task Health_is_503_with_the_service_error_when_the_key_is_wrong()
    {
        var wrongKey = azurite.ConnectionString.Replace(
            AzuriteFixture.DevelopmentAccountKey, Convert.ToBase64String(new byte[64]));
        await using var app = new FunctionAppFactory(azurite, new Dictionary<string, string?> { ["AzureWebJobsStorage"] = wrongKey });

        var response = await app.CreateClient().GetAsync("/api/health");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.StartsWith("403", body.RootElement.GetProperty("storage").GetProperty("blobs").GetProperty("error").GetString());
    }
}
