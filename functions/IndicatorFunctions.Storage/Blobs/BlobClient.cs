using System.Globalization;
using Azure;
using Azure.Core;

namespace IndicatorFunctions.Storage.Blobs;

public sealed record BlobContentInfo(ETag ETag, DateTimeOffset? LastModified);

public sealed record BlobDownloadResult(BinaryData Content, string? ContentType, ETag ETag, IReadOnlyDictionary<string, string> Metadata);

public sealed class BlobUploadOptions
{
    public string? ContentType { get; init; }

    /// <summary>Name/value pairs stored with the blob (<c>x-ms-meta-*</c>); names must be C# identifiers.</summary>
    public IDictionary<string, string>? Metadata { get; init; }

    /// <summary>Write only if the blob's ETag matches (412 otherwise).</summary>
    public ETag? IfMatch { get; init; }

    /// <summary><see cref="ETag.All"/> = create only: 409 <c>BlobAlreadyExists</c> when the blob exists.</summary>
    public ETag? IfNoneMatch { get; init; }

    /// <summary>Required when writing a blob someone holds a lease on.</summary>
    public string? LeaseId { get; init; }
}

/// <summary>Conditions on a write to an existing blob, as in Azure.Storage.Blobs.</summary>
public sealed class BlobRequestConditions
{
    /// <summary>Write only if the blob's ETag matches (412 <c>ConditionNotMet</c> otherwise).</summary>
    public ETag? IfMatch { get; init; }

    /// <summary>Required when the blob is leased.</summary>
    public string? LeaseId { get; init; }
}

/// <summary>One block blob: upload, download, delete, and leases through <see cref="GetBlobLeaseClient"/>.</summary>
public sealed class BlobClient
{
    private const string MetadataPrefix = "x-ms-meta-";
    private readonly BlobContainerClient _container;

    internal BlobClient(BlobContainerClient container, string name)
    {
        BlobServiceClient.ValidateBlobName(name);
        _container = container;
        Name = name;
    }

    public string Name { get; }

    public string ContainerName => _container.Name;

    public BlobLeaseClient GetBlobLeaseClient(string? leaseId = null) => new(this, leaseId);

    /// <summary>Uploads a block blob. Without <paramref name="overwrite"/> the upload is create-only (409 when it exists), as in the SDK.</summary>
    public Task<Response<BlobContentInfo>> UploadAsync(BinaryData content, bool overwrite = false, CancellationToken cancellationToken = default) =>
        UploadAsync(content, new BlobUploadOptions { IfNoneMatch = overwrite ? null : ETag.All }, cancellationToken);

    public async Task<Response<BlobContentInfo>> UploadAsync(BinaryData content, BlobUploadOptions options, CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Put);
        var headers = message.Request.Headers;
        message.Request.Content = RequestContent.Create(content);
        headers.SetValue("x-ms-blob-type", "BlockBlob");
        headers.SetValue("Content-Type", options.ContentType ?? "application/octet-stream");
        if (options.IfMatch is { } ifMatch) headers.SetValue("If-Match", ifMatch.ToString());
        if (options.IfNoneMatch is { } ifNoneMatch) headers.SetValue("If-None-Match", ifNoneMatch.ToString());
        if (options.LeaseId is { } lease) headers.SetValue("x-ms-lease-id", lease);
        foreach (var (name, value) in options.Metadata ?? new Dictionary<string, string>())
            headers.SetValue(MetadataPrefix + name, value);

        var response = await SendAsync(message, cancellationToken).ConfigureAwait(false);
        return response.Status == 201
            ? Response.FromValue(new BlobContentInfo(response.Headers.ETag ?? default, LastModified(response)), response)
            : throw StoragePipeline.Failure(response);
    }

    /// <summary>Replaces the blob's metadata (all of it: pass what should stay); the content is untouched, the ETag changes.</summary>
    public async Task<Response<BlobContentInfo>> SetMetadataAsync(IDictionary<string, string> metadata, BlobRequestConditions? conditions = null, CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Put);
        message.Request.Uri.AppendQuery("comp", "metadata");
        var headers = message.Request.Headers;
        if (conditions?.IfMatch is { } ifMatch) headers.SetValue("If-Match", ifMatch.ToString());
        if (conditions?.LeaseId is { } lease) headers.SetValue("x-ms-lease-id", lease);
        foreach (var (name, value) in metadata)
            headers.SetValue(MetadataPrefix + name, value);
        var response = await SendAsync(message, cancellationToken).ConfigureAwait(false);
        return response.Status == 200
            ? Response.FromValue(new BlobContentInfo(response.Headers.ETag ?? default, LastModified(response)), response)
            : throw StoragePipeline.Failure(response);
    }

    public async Task<Response<BlobDownloadResult>> DownloadContentAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Get);
        var response = await SendAsync(message, cancellationToken).ConfigureAwait(false);
        if (response.Status != 200)
            throw StoragePipeline.Failure(response);
        var metadata = response.Headers
            .Where(h => h.Name.StartsWith(MetadataPrefix, StringComparison.OrdinalIgnoreCase))
            .ToDictionary(h => h.Name[MetadataPrefix.Length..], h => h.Value, StringComparer.OrdinalIgnoreCase);
        return Response.FromValue(new BlobDownloadResult(response.Content, response.Headers.ContentType, response.Headers.ETag ?? default, metadata), response);
    }

    public async Task<bool> ExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Head);
        var response = await SendAsync(message, cancellationToken).ConfigureAwait(false);
        return response.Status switch
        {
            200 => true,
            404 => false,
            _ => throw StoragePipeline.Failure(response),
        };
    }

    public async Task<bool> DeleteIfExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Delete);
        var response = await SendAsync(message, cancellationToken).ConfigureAwait(false);
        return response.Status switch
        {
            202 => true,
            404 => false,
            _ => throw StoragePipeline.Failure(response),
        };
    }

    internal HttpMessage CreateMessage(RequestMethod method)
    {
        // Escape each path segment but keep '/' so virtual directories stay readable in the URL.
        var path = string.Join('/', Name.Split('/').Select(Uri.EscapeDataString));
        return _container.Service.CreateMessage(method, $"/{_container.Name}/{path}");
    }

    internal Task<Response> SendAsync(HttpMessage message, CancellationToken cancellationToken) =>
        _container.Service.SendAsync(message, cancellationToken);

    private static DateTimeOffset? LastModified(Response response) =>
        response.Headers.TryGetValue("Last-Modified", out var value) &&
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : null;
}
