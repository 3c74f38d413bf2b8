using Azure.Storage.Blobs.Specialized;
using IndicatorFunctions.Aggregation;
using IndicatorFunctions.Data;
using IndicatorFunctions.Tests.Infrastructure;

namespace IndicatorFunctions.Tests.Api;

[Collection(AzuriteCollection.Name)]
public sealed class RunLockTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_holder_whose_lease_was_taken_is_told_it_lost_the_lock()
    {
        await using var app = new FunctionAppFactory(azurite);
        var tables = app.Services.GetRequiredService<IndicatorTables>();
        await using var held = await RunLock.AcquireAsync(tables, "run-a", TimeSpan.FromMilliseconds(200), CancellationToken.None);

        // What an operator (or a second instance after a long stall) can do: break the lease and take it.
        var blob = tables.Locks.GetBlobClient("aggregation");
        await blob.GetBlobLeaseClient().BreakAsync(TimeSpan.Zero);
        await blob.GetBlobLeaseClient().AcquireAsync(TimeSpan.FromSeconds(60));
        var lost = new TaskCompletionSource();
        await using var _ = held.Lost.Register(lost.SetResult);
        await lost.Task.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.StartsWith("lost the run lock", held.LostReason);
    }

    [Fact]
    public async Task A_second_holder_is_refused_while_the_first_renews()
    {
        await using var app = new FunctionAppFactory(azurite);
        var tables = app.Services.GetRequiredService<IndicatorTables>();
        await using var held = await RunLock.AcquireAsync(tables, "run-a", TimeSpan.FromMilliseconds(200), CancellationToken.None);

        var refused = await Assert.ThrowsAsync<RunInProgressException>(() => RunLock.AcquireAsync(tables, "run-b", CancellationToken.None));

        Assert.Equal("run-a", refused.RunId);
        Assert.False(held.Lost.IsCancellationRequested);
    }

    [Fact]
    public async Task Two_first_runs_on_a_store_without_the_lock_blob_get_one_lock_between_them_and_the_next_run_gets_it_after()
    {
        await using var app = new FunctionAppFactory(azurite);
        var tables = app.Services.GetRequiredService<IndicatorTables>();
        Assert.False((await tables.Locks.GetBlobClient("aggregation").ExistsAsync()).Value);

        var attempts = await Task.WhenAll(new[] { "run-a", "run-b" }.Select(async id =>
        {
            try
            {
                return (Lock: await RunLock.AcquireAsync(tables, id, CancellationToken.None), Refused: (RunInProgressException?)null);
            }
            catch (RunInProgressException ex)
            {
                return (Lock: (RunLock?)null, Refused: ex);
            }
        }));

        var held = Assert.Single(attempts, a => a.Lock is not null).Lock!;
        Assert.Single(attempts, a => a.Refused is not null);
        await held.DisposeAsync();
        await using var next = await RunLock.AcquireAsync(tables, "run-c", CancellationToken.None);
        Assert.Equal("run-c", (await tables.Locks.GetBlobClient("aggregation").DownloadContentAsync()).Value.Content.ToString());
    }
}
