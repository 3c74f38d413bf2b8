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

    [Theory]
    [InlineData("GET", "/api/indicators", false)]
    [InlineData("GET", "/api/districts/xuhui/indicators/gdp/series", false)]
    [InlineData("GET", "/api/runs", false)]
    [InlineData("PUT", "/api/indicators/gdp", true)]
    [InlineData("POST", "/api/observations", true)]
    public async Task Storage_that_is_down_is_a_503_problem_with_Retry_After_from_every_function(string method, string url, bool admin)
    {
        var deadStorage = AzuriteFixture.UnreachableConnectionString(out _);
        await using var app = new FunctionAppFactory(azurite, new Dictionary<string, string?> { ["AzureWebJobsStorage"] = deadStorage });
        var client = admin ? app.CreateAdminClient() : app.CreateClient();
        var body = url.EndsWith("observations")
            ? """{"observations":[{"district":"xuhui","indicator":"gdp","period":"2021","value":1}]}"""
            : """{"name":"GDP","unit":"CNY","aggregation":"sum"}""";

        var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), url)
        {
            Content = method == "GET" ? null : new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After is missing");
    }

    [Fact]
    public async Task Tables_and_containers_lost_under_a_running_app_are_recreated_on_demand()
    {
        await using var app = new FunctionAppFactory(azurite);
        var admin = app.CreateAdminClient();
        var indicator = """{"name":"GDP","unit":"CNY","aggregation":"sum"}""";
        Assert.Equal(HttpStatusCode.Created, (await admin.PutAsync("/api/indicators/gdp", new StringContent(indicator, System.Text.Encoding.UTF8, "application/json"))).StatusCode);

        // What an in-memory Azurite restarted under the app looks like: the app's tables and containers are gone.
        var tables = app.Services.GetRequiredService<IndicatorFunctions.Data.IndicatorTables>();
        await tables.Catalog.DeleteAsync();
        await tables.Changes.DeleteAsync();
        await tables.Raw.DeleteIfExistsAsync();
        var first = await admin.PutAsync("/api/indicators/gdp", new StringContent(indicator, System.Text.Encoding.UTF8, "application/json"));
        var second = await admin.PutAsync("/api/indicators/gdp", new StringContent(indicator, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
    }

    [Fact]
    public async Task Health_reports_and_creates_the_tables_and_containers_storage_lost()
    {
        await using var app = new FunctionAppFactory(azurite);
        var client = app.CreateClient();
        using var before = JsonDocument.Parse(await client.GetStringAsync("/api/health")); // a new app: creates everything
        var tables = app.Services.GetRequiredService<IndicatorFunctions.Data.IndicatorTables>();

        await tables.Revisions.DeleteAsync();
        await tables.Locks.DeleteIfExistsAsync();
        var response = await client.GetAsync("/api/health");
        using var after = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        using var again = JsonDocument.Parse(await client.GetStringAsync("/api/health"));

        Assert.Equal(9, before.RootElement.GetProperty("created").GetArrayLength());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new[] { tables.Revisions.Name, tables.Locks.Name }.Order(), after.RootElement.GetProperty("created").EnumerateArray().Select(e => e.GetString()).Order().ToArray());
        Assert.Equal(0, again.RootElement.GetProperty("created").GetArrayLength());
        Assert.True(await tables.Locks.ExistsAsync());
    }

    [Fact]
    public async Task A_storage_account_that_accepts_connections_but_never_answers_gives_a_503_not_a_hung_request()
    {
        // A listener that takes connections and never replies: a hung account. The SDK's per-try timeout and retries end it.
        using var blackHole = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        blackHole.Start();
        var held = new List<System.Net.Sockets.TcpClient>();
        using var stop = new CancellationTokenSource();
        var accepting = Task.Run(async () =>
        {
            try
            {
                while (true)
                    held.Add(await blackHole.AcceptTcpClientAsync(stop.Token));
            }
            catch (OperationCanceledException)
            {
            }
        });
        var port = ((System.Net.IPEndPoint)blackHole.LocalEndpoint).Port;
        var hung = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AzuriteFixture.DevelopmentAccountKey};" +
                   $"TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1;BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";
        await using var app = new FunctionAppFactory(azurite, new Dictionary<string, string?> { ["AzureWebJobsStorage"] = hung });

        var response = await app.CreateClient().GetAsync("/api/indicators");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("did not answer in time", await response.Content.ReadAsStringAsync());
        await stop.CancelAsync();
        await accepting;
        held.ForEach(c => c.Dispose());
    }
}
