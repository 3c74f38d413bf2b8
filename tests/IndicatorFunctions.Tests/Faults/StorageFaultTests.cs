using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IndicatorFunctions.Samples;
using IndicatorFunctions.Tests.Infrastructure;
using static IndicatorFunctions.Tests.Api.PipelineData;

namespace IndicatorFunctions.Tests.Faults;

/// <summary>Storage that goes away under a run: each test owns its Azurite process and stops and starts it.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class StorageFaultTests(AzuriteFixture azurite)
{
    // ind-000 is summed (the synthetic indicators cycle through the aggregation methods).
    private static readonly string[] Reads =
    [
        "/api/districts/d-001/indicators/ind-000/series",
        "/api/indicators/ind-001/periods/2005",
        "/api/clusters/r-00/indicators/ind-000/rollups",
    ];

    [Fact]
    public async Task Storage_stopped_mid_run_fails_the_run_with_its_real_error_and_nothing_it_wrote_is_served()
    {
        await using var storage = await OwnAzurite.StartNewAsync();
        var settings = new Dictionary<string, string?> { ["AzureWebJobsStorage"] = storage.ConnectionString };
        await using var app = new FunctionAppFactory(azurite, settings);
        var admin = app.CreateAdminClient();
        var data = SyntheticData.Create(seed: 7, districts: 30, indicators: 8, years: 20);
        await SyntheticLoad.LoadAsync(admin, data);
        var first = await RunAsync(admin, full: true);
        var before = await ReadAsync(app.CreateClient());
        await IngestAsync(admin, new { district = "d-001", indicator = "ind-000", period = "2010", value = 123456 });

        using var started = await admin.PostAsJsonAsync("/api/runs", new { full = true });
        var runId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await storage.StopAsync(); // the run has just begun: a full run over 4,800 observations takes seconds
        await Eventually.TrueAsync(() => app.LogLines.Any(l => l.Contains($"Run {runId} failed")), "the run fails while storage is down");
        await storage.StartAsync();
        var failed = await Eventually.UntilAsync(async () =>
        {
            var run = await admin.GetFromJsonAsync<JsonElement>($"/api/runs/{runId}");
            return (run.GetProperty("status").GetString() != "running", run);
        }, "the failed run is recorded once storage is back");
        // A new app on the same storage: no cache, what storage holds now.
        await using var fresh = new FunctionAppFactory(azurite, new Dictionary<string, string?>(settings) { ["StoragePrefix"] = app.Prefix });
        var after = await ReadAsync(fresh.CreateClient());

        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        var errors = failed.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.NotEmpty(errors);
        Assert.DoesNotContain(errors, e => e.StartsWith("abandoned", StringComparison.Ordinal));
        Assert.All(after, r => Assert.Equal(first.GetProperty("id").GetString(), r.GetProperty("runId").GetString()));
        Assert.Equal(before.Select(Figures), after.Select(Figures));

        var next = await RunAsync(fresh.CreateAdminClient());
        var series = await GetJsonAsync(fresh.CreateClient(), Reads[0]);
        Assert.Equal("succeeded", next.GetProperty("status").GetString());
        Assert.Equal(123456, Number(Point(series, "2010"), "value"));
    }

    private static Task<JsonElement[]> ReadAsync(HttpClient client) => Task.WhenAll(Reads.Select(url => GetJsonAsync(client, url)));

    private static string Figures(JsonElement read) =>
        string.Join(",", read.EnumerateObject().Where(p => p.Name is not ("aggregatedAt" or "pendingChanges")).Select(p => p.ToString()));
}
