using Azure;
using IndicatorFunctions.Data;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace IndicatorFunctions.Aggregation;

/// <summary>Another run holds the lock; <see cref="RunId"/> is the one running.</summary>
public sealed class RunInProgressException(string? runId) : Exception($"Aggregation run {runId ?? "(unknown)"} is in progress.")
{
    public string? RunId { get; } = runId;
}

/// <summary>
/// One aggregation at a time, across every instance: a 60-second lease on <c>locks/aggregation</c>, renewed every
/// 20 seconds while the run lasts and released at its end. A crashed holder's lease lapses within a minute.
/// The holder writes its run id into the blob so a refused trigger can name it.
/// </summary>
public sealed class RunLock : IAsyncDisposable
{
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(20);
    private readonly BlobClient _blob;
    private readonly BlobLeaseClient _lease;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _renewal;

    private RunLock(BlobClient blob, BlobLeaseClient lease)
    {
        _blob = blob;
        _lease = lease;
        _renewal = RenewAsync();
    }

    public static async Task<RunLock> AcquireAsync(IndicatorTables tables, string runId, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var blob = tables.Locks.GetBlobClient("aggregation");
        try
        {
            await blob.UploadAsync(BinaryData.Empty, overwrite: false, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // The lock blob exists already (409), or exists and is leased (412): either way, try the lease.
        }
        var lease = blob.GetBlobLeaseClient();
        try
        {
            await lease.AcquireAsync(LeaseDuration, cancellationToken: cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            string? holder = null;
            try
            {
                holder = (await blob.DownloadContentAsync(cancellationToken)).Value.Content.ToString();
            }
            catch (RequestFailedException)
            {
            }
            throw new RunInProgressException(string.IsNullOrEmpty(holder) ? null : holder);
        }
        await blob.UploadAsync(BinaryData.FromString(runId), new BlobUploadOptions { Conditions = new BlobRequestConditions { LeaseId = lease.LeaseId } }, cancellationToken);
        return new RunLock(blob, lease);
    }

    private async Task RenewAsync()
    {
        try
        {
            var wait = RenewEvery;
            while (true)
            {
                await Task.Delay(wait, _stop.Token);
                try
                {
                    await _lease.RenewAsync(cancellationToken: _stop.Token);
                    wait = RenewEvery;
                }
                catch (Exception ex) when (ex is Azure.RequestFailedException or HttpRequestException or AggregateException)
                {
                    // A storage hiccup must not let the lease lapse under a live run: try again soon, well inside the 60 s.
                    wait = TimeSpan.FromSeconds(5);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _renewal;
        try
        {
            await _blob.UploadAsync(BinaryData.Empty, new BlobUploadOptions { Conditions = new BlobRequestConditions { LeaseId = _lease.LeaseId } });
            await _lease.ReleaseAsync();
        }
        catch (RequestFailedException)
        {
            // The lease lapsed (a very long stall): nothing to release, and the next run can take it.
        }
        _stop.Dispose();
    }
}
