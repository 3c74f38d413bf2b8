using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Queues.Models;
using IndicatorFunctions.Aggregation;
using IndicatorFunctions.Api;
using IndicatorFunctions.Data;
using IndicatorFunctions.Samples;
using IndicatorFunctions.Tests.Infrastructure;
using static IndicatorFunctions.Tests.Api.PipelineData;

namespace IndicatorFunctions.Tests.Api;

/// <summary>
/// A full run fanned out over the <c>aggregation-work</c> queue (setting <c>AggregationFanOut</c>), on the real
/// Azurite: several app instances share one storage prefix. The coordinator's own worker can be switched off
/// (<c>AzureWebJobs.AggregationWork.Disabled</c>, the host's convention), so which instance does the items, and
/// when, is decided by the test rather than by timing.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class FanOutTests(AzuriteFixture azurite)
{
    private static readonly SyntheticData Data = SyntheticData.Create(seed: 13, districts: 6, indicators: 4, years: 4, firstYear: 2019);

    private readonly string _prefix = "f" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>An app instance on this test's storage prefix; <paramref name="worker"/> false switches its queue function off.</summary>
    private FunctionAppFactory Instance(bool fanOut, bool worker = true) => new(azurite, new Dictionary<string, string?>
    {
        [StorageAccount.PrefixSetting] = _prefix,
        [nameof(AppOptions.AggregationFanOut)] = fanOut ? "true" : "false",
        [$"AzureWebJobs.{AggregationWorkFunction.Name}.Disabled"] = worker ? "false" : "true",
    });

    [Fact]
    public async Task A_fanned_out_full_run_gives_exactly_the_figures_and_counts_of_the_in_process_full_run()
    {
        await using var inProcess = Instance(fanOut: false);
        await using var fannedOut = Instance(fanOut: true);
        await SyntheticLoad.LoadAsync(inProcess.CreateAdminClient(), Data);

        var plain = await RunAsync(inProcess.CreateAdminClient(), full: true);
        var plainFigures = await ReadEverythingAsync(inProcess);
        var fanned = await RunAsync(fannedOut.CreateAdminClient(), full: true);
        var fannedFigures = await ReadEverythingAsync(fannedOut);

        Assert.Equal(Data.Count, plain.GetProperty("observationsRead").GetInt64());
        foreach (var count in new[] { "observationsRead", "growthWritten", "rollupsWritten" })
            Assert.Equal(plain.GetProperty(count).GetInt64(), fanned.GetProperty(count).GetInt64());
        Assert.Equal(JsonValueKind.Null, plain.GetProperty("fanOut").ValueKind);
        var share = fanned.GetProperty("fanOut");
        Assert.Equal(Data.Indicators.Count, share.GetProperty("items").GetInt32());
        Assert.Equal(Data.Indicators.Count, share.GetProperty("workers").EnumerateArray().Sum(w => w.GetProperty("items").GetInt32()));
        Assert.Equal(Data.Count, share.GetProperty("workers").EnumerateArray().Sum(w => w.GetProperty("observationsRead").GetInt64()));
        Assert.Equal(plainFigures.Count, fannedFigures.Count);
        Assert.Equal(plainFigures, fannedFigures);
    }

    [Fact]
    public async Task Another_instance_does_the_items_and_readers_see_the_previous_run_until_the_last_item_is_done()
    {
        await using var inProcess = Instance(fanOut: false);
        await using var coordinator = Instance(fanOut: true, worker: false);
        await SyntheticLoad.LoadAsync(coordinator.CreateAdminClient(), Data);
        var first = await RunAsync(inProcess.CreateAdminClient(), full: true);
        var before = await ReadEverythingAsync(coordinator);
        var (indicator, district, period) = (Data.Indicators[0].Id, Data.Districts[0].Id, Data.Periods[^1].ToString());
        await IngestAsync(coordinator.CreateAdminClient(), new { district, indicator, period, value = 123456.5 });

        var runId = await StartFullRunAsync(coordinator);
        await WaitForQueuedAsync(coordinator, Data.Indicators.Count);
        var during = await ReadEverythingAsync(coordinator);
        var runningRun = await GetRunAsync(coordinator, runId);
        var servedDuring = await ServedRunAsync(coordinator);
        await using var worker = Instance(fanOut: true);
        _ = worker.App; // starts its queue poller
        var finished = await WaitForRunAsync(coordinator, runId);
        var after = await ReadEverythingAsync(coordinator);

        Assert.Equal("running", runningRun.GetProperty("status").GetString());
        Assert.Equal(before, during); // the items were queued and none done: readers still see the first run
        Assert.Equal(first.GetProperty("id").GetString(), servedDuring);
        Assert.True(finished.GetProperty("status").GetString() == "succeeded", finished.ToString());
        Assert.Equal(runId, await ServedRunAsync(coordinator));
        Assert.NotEqual(before, after);
        var series = await GetJsonAsync(coordinator.CreateClient(), $"/api/districts/{district}/indicators/{indicator}/series");
        Assert.Equal(123456.5, Number(Point(series, period), "value"));
        var workers = finished.GetProperty("fanOut").GetProperty("workers").EnumerateArray().ToList();
        var only = Assert.Single(workers); // the coordinator's own worker was off: every item was the other instance's
        Assert.Equal(worker.Services.GetRequiredService<WorkerIdentity>().Id, only.GetProperty("worker").GetString());
        Assert.Equal(Data.Indicators.Count, only.GetProperty("items").GetInt32());
    }

    [Fact]
    public async Task Duplicate_deliveries_at_once_and_after_the_run_neither_double_counts_nor_change_a_figure()
    {
        await using var inProcess = Instance(fanOut: false);
        await using var coordinator = Instance(fanOut: true, worker: false);
        await SyntheticLoad.LoadAsync(coordinator.CreateAdminClient(), Data);
        var plain = await RunAsync(inProcess.CreateAdminClient(), full: true);
        var plainFigures = await ReadEverythingAsync(inProcess);
        var fanOut = coordinator.Services.GetRequiredService<FanOut>();

        var runId = await StartFullRunAsync(coordinator);
        await WaitForQueuedAsync(coordinator, Data.Indicators.Count);
        var received = new List<QueueMessage>();
        // Every message delivered twice at the same moment (two instances received it), and sent back for a third delivery later.
        var messages = await Eventually.UntilAsync(async () =>
        {
            received.AddRange((await fanOut.Queue.ReceiveMessagesAsync(32)).Value);
            return (received.Count >= Data.Indicators.Count, received.ToArray());
        }, "every message received");
        Assert.Equal(Data.Indicators.Count, messages.Length);
        await Task.WhenAll(messages.SelectMany(m => Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
            fanOut.ProcessAsync(Parse(m.Body), m.DequeueCount, CancellationToken.None)))));
        foreach (var m in messages)
        {
            await fanOut.Queue.SendMessageAsync(m.Body);
            await fanOut.Queue.DeleteMessageAsync(m.MessageId, m.PopReceipt);
        }
        var finished = await WaitForRunAsync(coordinator, runId);
        var itemsAtFinish = await ItemsAsync(coordinator, runId);
        await using var worker = Instance(fanOut: true);
        _ = worker.App; // takes the duplicates
        await Eventually.TrueAsync(() => worker.LogLines.Count(l => l.Contains($"Work item {runId}/") && l.EndsWith(": done, nothing to do")) == messages.Length,
            "the worker to take every third delivery");
        var itemsAfterDuplicates = await ItemsAsync(coordinator, runId);
        var figures = await ReadEverythingAsync(coordinator);

        Assert.True(finished.GetProperty("status").GetString() == "succeeded", finished.ToString());
        foreach (var count in new[] { "observationsRead", "growthWritten", "rollupsWritten" })
            Assert.Equal(plain.GetProperty(count).GetInt64(), finished.GetProperty(count).GetInt64());
        Assert.Equal(Data.Indicators.Count, finished.GetProperty("fanOut").GetProperty("workers").EnumerateArray().Sum(w => w.GetProperty("items").GetInt32()));
        Assert.All(itemsAtFinish, i => Assert.Equal(WorkItemEntity.Done, i.Status));
        Assert.Equal(itemsAtFinish.Select(i => (i.RowKey, i.ETag)), itemsAfterDuplicates.Select(i => (i.RowKey, i.ETag))); // untouched by the third deliveries
        Assert.Equal(plainFigures, figures);
        Assert.Equal(finished.ToString(), (await GetRunAsync(coordinator, runId)).ToString());
    }

    [Fact]
    public async Task An_item_that_fails_every_delivery_goes_to_the_poison_queue_fails_the_run_and_nothing_of_the_run_is_served()
    {
        await using var app = Instance(fanOut: true);
        await SyntheticLoad.LoadAsync(app.CreateAdminClient(), Data);
        var first = await RunAsync(app.CreateAdminClient(), full: true);
        var before = await ReadEverythingAsync(app);
        // One stored observation that cannot be read (its row key is not a period): its indicator's item fails at every delivery.
        var broken = Data.Indicators[1].Id;
        var tables = app.Services.GetRequiredService<IndicatorTables>();
        var partition = tables.Observations.Query<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey ge {broken + "|"} and PartitionKey lt {broken + "}"}"), maxPerPage: 1).First().PartitionKey;
        await tables.Observations.UpsertEntityAsync(new TableEntity(partition, "not-a-period") { ["Value"] = 1.0 });

        var runId = await StartFullRunAsync(app);
        var failed = await WaitForRunAsync(app, runId);
        var fanOut = app.Services.GetRequiredService<FanOut>();
        var poisoned = await Eventually.UntilAsync(async () =>
        {
            var peeked = (await fanOut.PoisonQueue.PeekMessagesAsync(32)).Value;
            return (peeked.Length > 0, peeked.Select(m => Parse(m.Body)).ToList());
        }, "the failed item's message in the poison queue");
        var items = await ItemsAsync(app, runId);
        var after = await ReadEverythingAsync(app);

        Assert.Equal("failed", failed.GetProperty("status").GetString());
        var error = Assert.Single(failed.GetProperty("errors").EnumerateArray()).GetString()!;
        Assert.Contains($"work item {broken} failed", error);
        Assert.Contains($"delivery {FanOut.MaxDequeueCount} of {FanOut.MaxDequeueCount}", error);
        Assert.Equal([new WorkMessage(runId, broken)], poisoned);
        var item = items.Single(i => i.RowKey == broken);
        Assert.Equal((WorkItemEntity.Failed, FanOut.MaxDequeueCount), (item.Status, item.Attempts));
        Assert.All(items, i => Assert.NotEqual(WorkItemEntity.Pending, i.Status)); // the rest done, or cancelled with the run
        Assert.Equal(first.GetProperty("id").GetString(), await ServedRunAsync(app));
        Assert.Equal(before, after);
    }

    private static WorkMessage Parse(BinaryData body) => FanOut.TryParse(body, out var message) ? message : throw new InvalidOperationException($"not a work item: {body}");

    private static async Task<string> StartFullRunAsync(FunctionAppFactory app)
    {
        var response = await app.CreateAdminClient().PostAsJsonAsync("/api/runs", new { full = true });
        var run = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Accepted, $"run answered {(int)response.StatusCode}: {run}");
        return run.GetProperty("id").GetString()!;
    }

    private static Task<JsonElement> GetRunAsync(FunctionAppFactory app, string runId) => GetJsonAsync(app.CreateAdminClient(), $"/api/runs/{runId}");

    private static Task<JsonElement> WaitForRunAsync(FunctionAppFactory app, string runId) =>
        Eventually.UntilAsync(async () =>
        {
            var run = await GetRunAsync(app, runId);
            return (run.GetProperty("status").GetString() != "running", run);
        }, $"run {runId} to finish");

    /// <summary>Until the work queue holds exactly <paramref name="count"/> messages (visible or being processed).</summary>
    private static Task WaitForQueuedAsync(FunctionAppFactory app, int count)
    {
        var queue = app.Services.GetRequiredService<FanOut>().Queue;
        return Eventually.UntilAsync(async () =>
        {
            var exists = await queue.ExistsAsync();
            var queued = exists.Value ? (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount : -1;
            return (queued == count, queued);
        }, $"{count} messages in queue {queue.Name}");
    }

    private static async Task<List<WorkItemEntity>> ItemsAsync(FunctionAppFactory app, string runId) =>
        await IndicatorTables.ReadPartitionAsync<WorkItemEntity>(app.Services.GetRequiredService<IndicatorTables>().Runs, WorkItemEntity.PartitionOf(runId), CancellationToken.None);

    private static async Task<string?> ServedRunAsync(FunctionAppFactory app)
    {
        app.Services.GetRequiredService<Freshness>().Invalidate();
        var body = await GetJsonAsync(app.CreateClient(), $"/api/indicators/{Data.Indicators[0].Id}/periods/{Data.Periods[0]}");
        return body.GetProperty("runId").GetString();
    }

    /// <summary>Every series, cross-section and rollup of <see cref="Data"/> as the API serves them, without the run id and times.</summary>
    private static async Task<List<string>> ReadEverythingAsync(FunctionAppFactory app)
    {
        app.Services.GetRequiredService<Freshness>().Invalidate();
        var client = app.CreateClient();
        var urls = Data.Indicators.SelectMany(i =>
            Data.Districts.Select(d => $"/api/districts/{d.Id}/indicators/{i.Id}/series")
                .Concat(Data.Periods.Select(p => $"/api/indicators/{i.Id}/periods/{p}"))
                .Concat(i.Aggregation == Domain.AggregationMethod.None ? [] : Data.Clusters.Select(c => $"/api/clusters/{c.Id}/indicators/{i.Id}/rollups")));
        var bodies = new List<string>();
        foreach (var url in urls)
        {
            var body = await GetJsonAsync(client, url);
            bodies.Add(url + " " + string.Join(",", body.EnumerateObject().Where(p => p.Name is not ("runId" or "aggregatedAt" or "pendingChanges")).Select(p => p.ToString())));
        }
        return bodies;
    }
}
