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
}
