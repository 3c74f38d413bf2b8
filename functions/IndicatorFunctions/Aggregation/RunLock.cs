using System.Diagnostics;
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
/// The holder writes its run id into the blob so a refused trigger can name it. A holder that loses the lease
/// (storage says another holds it, or no renewal succeeded within the lease's 60 s) is told through <see cref="Lost"/>;
/// the lock is advisory, and what is fenced by storage is the run's commit (<see cref="Generations.CommitAsync"/>).
/// </summary>
public sealed class RunLock : IAsyncDisposable
{
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan DefaultRenewEvery = TimeSpan.FromSeconds(20);
    private readonly TimeSpan _renewEvery;
    private readonly BlobClient _blob;
    private readonly BlobLeaseClient _lease;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _lost = new();
    private readonly Task _renewal;

    /// <summary>Cancelled when the lease is lost; <see cref="LostReason"/> says how.</summary>
    public CancellationToken Lost => _lost.Token;

    public string? LostReason { get; private set; }

    private RunLock(BlobClient blob, BlobLeaseClient lease, TimeSpan renewEvery)
    {
        _blob = blob;
        _lease = lease;
        _renewEvery = renewEvery;
        _renewal = RenewAsync();
    }

    public static Task<RunLock> AcquireAsync(IndicatorTables tables, string runId, CancellationToken cancellationToken) =>
        AcquireAsync(tables, runId, DefaultRenewEvery, cancellationToken);

    /// <summary>With another renewal interval: tests see a lost lease within moments.</summary>
    internal static async Task<RunLock> AcquireAsync(IndicatorTables tables, string runId, TimeSpan renewEvery, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var blob = tables.Locks.GetBlobClient("aggregation");
        var lease = blob.GetBlobLeaseClient();
        try
        {
            try
            {
                await lease.AcquireAsync(LeaseDuration, cancellationToken: cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // The first run ever: the lock blob is created, once (a refusal means another instance created it
                // meanwhile), and the lease taken on it. Every later run takes the lease at once, with no refused request.
                await CreateAsync(blob, cancellationToken);
                await lease.AcquireAsync(LeaseDuration, cancellationToken: cancellationToken);
            }
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
        return new RunLock(blob, lease, renewEvery);
    }

    private static async Task CreateAsync(BlobClient blob, CancellationToken cancellationToken)
    {
        try
        {
            await blob.UploadAsync(BinaryData.Empty, overwrite: false, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // Created (409), and perhaps leased (412), by another instance since: the lease decides.
        }
    }

    private async Task RenewAsync()
    {
        try
        {
            var wait = _renewEvery;
            var renewed = Stopwatch.StartNew();
            while (true)
            {
                await Task.Delay(wait, _stop.Token);
                try
                {
                    await _lease.RenewAsync(cancellationToken: _stop.Token);
                    renewed.Restart();
                    wait = _renewEvery;
                }
                catch (RequestFailedException ex) when (ex.Status is 409 or 412)
                {
                    await LoseAsync($"lost the run lock: storage refused to renew its lease ({ex.ErrorCode ?? ex.Status.ToString(System.Globalization.CultureInfo.InvariantCulture)})");
                    return;
                }
                catch (Exception ex) when (ex is RequestFailedException or HttpRequestException or AggregateException || (ex is TaskCanceledException && !_stop.IsCancellationRequested))
                {
                    // A storage hiccup must not let the lease lapse under a live run: try again soon, well inside the 60 s.
                    if (renewed.Elapsed >= LeaseDuration)
                    {
                        await LoseAsync($"lost the run lock: its lease could not be renewed for {LeaseDuration.TotalSeconds:0} s ({ex.GetType().Name}: {ex.Message})");
                        return;
                    }
                    wait = TimeSpan.FromSeconds(5);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task LoseAsync(string reason)
    {
        LostReason = reason;
        await _lost.CancelAsync();
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
        catch (Exception ex) when (ex is RequestFailedException || Hosting.StorageFailures.IsStorageFailure(ex))
        {
            // The lease lapsed or was taken (nothing to release), or storage is down (it lapses within a minute):
            // either way the next run can take it, and the run's outcome stands.
        }
        _stop.Dispose();
        _lost.Dispose();
    }
}
