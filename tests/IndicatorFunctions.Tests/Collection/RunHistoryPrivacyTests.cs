using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using IndicatorFunctions.Tests.Infrastructure;
using static IndicatorFunctions.Tests.Collection.CollectionData;

namespace IndicatorFunctions.Tests.Collection;

/// <summary>
/// The run ledger is anonymous, but what sources said is not: without the admin key a run shows status, times and
/// counts only; with it (x-functions-key or ?code=), its errors and every source's outcome.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RunHistoryPrivacyTests(AzuriteFixture azurite)
{
    private const string Secret = "s3cr3t-token-42";

    [Fact]
    public async Task Anonymous_callers_see_status_times_and_counts_but_no_hosts_or_rejected_values()
    {
        var (app, server, closed, runId) = await RunWithALeakySourceAsync();
        await using var appScope = app;
        await using var serverScope = server;
        var anonymous = app.CreateClient();

        foreach (var url in new[] { $"/api/runs/{runId}", "/api/runs" })
        {
            var text = await anonymous.GetStringAsync(url);
            Assert.DoesNotContain(Secret, text);
            Assert.DoesNotContain(new Uri(server.BaseUrl).Authority, text);
            Assert.DoesNotContain($":{closed}", text);
        }
        var run = await anonymous.GetFromJsonAsync<JsonElement>($"/api/runs/{runId}");
        Assert.Equal("partial", run.GetProperty("status").GetString());
        Assert.True(run.GetProperty("finishedAt").GetDateTimeOffset() >= run.GetProperty("startedAt").GetDateTimeOffset());
        Assert.Equal(1, run.GetProperty("collection").GetProperty("failed").GetInt32());
        Assert.Equal(1, run.GetProperty("collection").GetProperty("rowsRejected").GetInt64());
        Assert.Equal(1, run.GetProperty("errorCount").GetInt32());
        Assert.False(run.TryGetProperty("sources", out _));
        Assert.False(run.TryGetProperty("errors", out _));
        var listed = (await anonymous.GetFromJsonAsync<JsonElement>("/api/runs")).GetProperty("runs")[0];
        Assert.Equal(runId, listed.GetProperty("id").GetString());
        Assert.False(listed.TryGetProperty("errors", out _));
    }

    [Fact]
    public async Task The_admin_key_in_the_header_or_query_shows_each_source_and_the_rejected_values()
    {
        var (app, server, closed, runId) = await RunWithALeakySourceAsync();
        await using var appScope = app;
        await using var serverScope = server;

        var byHeader = await app.CreateAdminClient().GetFromJsonAsync<JsonElement>($"/api/runs/{runId}");
        var byQuery = await app.CreateClient().GetStringAsync($"/api/runs/{runId}?code={FunctionAppFactory.AdminKey}");
        var listed = await app.CreateClient().GetStringAsync($"/api/runs?code={FunctionAppFactory.AdminKey}");
        var wrongKey = await app.CreateClient().GetStringAsync($"/api/runs/{runId}?code=not-the-key");

        Assert.Contains(Secret, Outcome(byHeader, "xuhui-retail").GetRawText());
        Assert.Equal("failed", Outcome(byHeader, "closed").GetProperty("status").GetString());
        Assert.Contains($"127.0.0.1:{closed}", Outcome(byHeader, "closed").GetProperty("reason").GetString());
        Assert.Single(byHeader.GetProperty("errors").EnumerateArray());
        Assert.Contains(Secret, byQuery);
        Assert.Contains("\"errors\"", listed);
        Assert.DoesNotContain(Secret, wrongKey);
    }

    /// <summary>A collecting run with one source that rejects a row holding a secret and one at a closed port.</summary>
    private async Task<(FunctionAppFactory App, SourceServer Server, int ClosedPort, string RunId)> RunWithALeakySourceAsync()
    {
        var server = await SourceServer.StartAsync();
        server.ServeFile("/xuhui.csv", RetailCsv() + $"2021-12,{Secret}\n");
        var closed = ClosedPort();
        var app = new FunctionAppFactory(azurite, Settings());
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await PutSourceAsync(admin, "xuhui-retail", HttpCsvSource(server.Url("/xuhui.csv"), "xuhui"));
        await PutSourceAsync(admin, "closed", HttpCsvSource($"http://127.0.0.1:{closed}/minhang.csv", "minhang"));
        var run = await CollectAsync(admin);
        return (app, server, closed, run.GetProperty("id").GetString()!);
    }

    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
