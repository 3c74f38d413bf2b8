using System.Globalization;
using Azure;
using Azure.Core;

namespace IndicatorFunctions.Storage.Blobs;

public sealed record BlobLease(string LeaseId, ETag ETag);

/// <summary>
/// A lease on one blob: acquire (15–60 s, or infinite), renew, release. A lease held by someone else makes
/// acquire fail with 409 <c>LeaseAlreadyPresent</c> — the basis of a storage-backed singleton lock.
/// </summary>
public sealed class BlobLeaseClient
{
    public static readonly TimeSpan InfiniteLeaseDuration = TimeSpan.FromSeconds(-1);
    private readonly BlobClient _blob;

    internal BlobLeaseClient(BlobClient blob, string? leaseId)
    {
        _blob = blob;
        LeaseId = leaseId ?? Guid.NewGuid().ToString();
    }

    public string LeaseId { get; private set; }

    public async Task<Response<BlobLease>> AcquireAsync(TimeSpan duration, CancellationToken cancellationToken = default)
    {
        if (duration != InfiniteLeaseDuration && (duration < TimeSpan.FromSeconds(15) || duration > TimeSpan.FromSeconds(60)))
            throw new ArgumentOutOfRangeException(nameof(duration), duration, "A lease lasts 15 to 60 seconds, or is infinite.");
        using var message = LeaseMessage("acquire");
        message.Request.Headers.SetValue("x-ms-lease-duration", ((int)duration.TotalSeconds).ToString(CultureInfo.InvariantCulture));
        message.Request.Headers.SetValue("x-ms-proposed-lease-id", LeaseId);
        var response = await _blob.SendAsync(message, cancellationToken).ConfigureAwait(false);
        if (response.Status != 201)
            throw StoragePipeline.Failure(response);
        LeaseId = response.Headers.TryGetValue("x-ms-lease-id", out var id) ? id : LeaseId;
        return Response.FromValue(new BlobLease(LeaseId, response.Headers.ETag ?? default), response);
    }

    public async Task<Response<BlobLease>> RenewAsync(CancellationToken cancellationToken = default)
    {
        using var message = LeaseMessage("renew");
        message.Request.Headers.SetValue("x-ms-lease-id", LeaseId);
        var response = await _blob.SendAsync(message, cancellationToken).ConfigureAwait(false);
        return response.Status == 200
            ? Response.FromValue(new BlobLease(LeaseId, response.Headers.ETag ?? default), response)
            : throw StoragePipeline.Failure(response);
    }

    public async Task<Response> ReleaseAsync(CancellationToken cancellationToken = default)
    {
        using var message = LeaseMessage("release");
        message.Request.Headers.SetValue("x-ms-lease-id", LeaseId);
        var response = await _blob.SendAsync(message, cancellationToken).ConfigureAwait(false);
        return response.Status == 200 ? response : throw StoragePipeline.Failure(response);
    }

    private HttpMessage LeaseMessage(string action)
    {
        var message = _blob.CreateMessage(RequestMethod.Put);
        message.Request.Uri.AppendQuery("comp", "lease");
        message.Request.Headers.SetValue("x-ms-lease-action", action);
        return message;
    }
}
