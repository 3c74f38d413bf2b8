using IndicatorFunctions.Api;
using IndicatorFunctions.Data;
using Azure.Data.Tables;
using IndicatorFunctions.Tests.Infrastructure;

namespace IndicatorFunctions.Tests.Api;

[Collection(AzuriteCollection.Name)]
public sealed class ReadCacheTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_partition_read_is_reused_within_a_run_and_read_again_after_the_next_or_during_one()
    {
        var table = azurite.Tables.GetTableClient("cache" + Guid.NewGuid().ToString("N")[..16]);
        await table.CreateIfNotExistsAsync();
        await table.AddEntityAsync(new TableEntity("p", "1"));
        using var cache = new ReadCache();
        var run1 = new FreshnessState("run-1", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, null, false);

        var first = await cache.ReadPartitionAsync<TableEntity>(run1, table, "p", null, null, CancellationToken.None);
        await table.AddEntityAsync(new TableEntity("p", "2")); // what a later run writes
        var sameRun = await cache.ReadPartitionAsync<TableEntity>(run1, table, "p", null, null, CancellationToken.None);
        var nextRun = await cache.ReadPartitionAsync<TableEntity>(run1 with { RunId = "run-2" }, table, "p", null, null, CancellationToken.None);
        await table.AddEntityAsync(new TableEntity("p", "3"));
        var whileRunning = await cache.ReadPartitionAsync<TableEntity>(run1 with { RunId = "run-2", RunInProgress = true }, table, "p", null, null, CancellationToken.None);

        Assert.Single(first);
        Assert.Single(sameRun);
        Assert.Equal(2, nextRun.Count);
        Assert.Equal(3, whileRunning.Count);
    }
}
