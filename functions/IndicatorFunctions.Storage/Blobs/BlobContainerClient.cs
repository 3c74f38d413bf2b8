using System.Globalization;
using System.Xml.Linq;
using Azure;
using Azure.Core;

namespace IndicatorFunctions.Storage.Blobs;

public sealed record BlobItem(string Name, ETag ETag, long ContentLength, string? ContentType, DateTimeOffset? LastModified)
{
    private static readonly IReadOnlyDictionary<string, string> NoMetadata = new Dictionary<string, string>();

    /// <summary>The blob's metadata when listed with <see cref="BlobTraits.Metadata"/>; empty otherwise.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = NoMetadata;
}

/// <summary>What a listing returns besides names and properties, as in Azure.Storage.Blobs.</summary>
[Flags]
public enum BlobTraits { None = 0, Metadata = 1 }

/// <summary>One container: create/delete, list blobs by prefix, and <see cref="BlobClient"/>s for its blobs.</summary>
public sealed class BlobContainerClient
{
    internal BlobContainerClient(BlobServiceClient service, string name)
    {
        BlobServiceClient.ValidateContainerName(name);
        Service = service;
        Name = name;
    }

    public string Name { get; }

    internal BlobServiceClient Service { get; }

    public BlobClient GetBlobClient(string blobName) => new(this, blobName);

    public async Task<Response> CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = ContainerMessage(RequestMethod.Put);
        var response = await Service.SendAsync(message, cancellationToken).ConfigureAwait(false);
        return response.Status is 201 or 409 ? response : throw StoragePipeline.Failure(response);
    }

    public async Task<bool> DeleteIfExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = ContainerMessage(RequestMethod.Delete);
        var response = await Service.SendAsync(message, cancellationToken).ConfigureAwait(false);
        return response.Status switch
        {
            202 => true,
            404 => false,
            _ => throw StoragePipeline.Failure(response),
        };
    }

    /// <summary>Lists blobs whose names start with <paramref name="prefix"/>, in name order, following NextMarker.</summary>
    public AsyncPageable<BlobItem> GetBlobsAsync(string? prefix = null, int? maxPerPage = null, CancellationToken cancellationToken = default) =>
        GetBlobsAsync(BlobTraits.None, prefix, maxPerPage, cancellationToken);

    /// <summary>As above; <see cref="BlobTraits.Metadata"/> also returns each blob's metadata (<c>include=metadata</c>).</summary>
    public AsyncPageable<BlobItem> GetBlobsAsync(BlobTraits traits, string? prefix = null, int? maxPerPage = null, CancellationToken cancellationToken = default) =>
        new FuncAsyncPageable<BlobItem>(async (marker, pageSize, ct) =>
        {
            using var message = ContainerMessage(RequestMethod.Get);
            var uri = message.Request.Uri;
            uri.AppendQuery("comp", "list");
            if (!string.IsNullOrEmpty(prefix)) uri.AppendQuery("prefix", prefix);
            if (traits.HasFlag(BlobTraits.Metadata)) uri.AppendQuery("include", "metadata");
            if (!string.IsNullOrEmpty(marker)) uri.AppendQuery("marker", marker);
            if ((pageSize ?? maxPerPage) is { } max) uri.AppendQuery("maxresults", max.ToString(CultureInfo.InvariantCulture));
            var response = await Service.SendAsync(message, ct).ConfigureAwait(false);
            if (response.Status != 200)
                throw StoragePipeline.Failure(response);
            var (items, next) = ParseList(response.Content.ToString());
            return Page<BlobItem>.FromValues(items, next, response);
        }, cancellationToken);

    internal static (IReadOnlyList<BlobItem> Items, string? NextMarker) ParseList(string xml)
    {
        // Azure (not Azurite) starts its XML with a UTF-8 byte-order mark, which XElement.Parse rejects.
        var root = XElement.Parse(xml.TrimStart('\uFEFF'));
        var items = root.Element("Blobs")?.Elements("Blob").Select(blob =>
        {
            var props = blob.Element("Properties");
            var item = new BlobItem(
                blob.Element("Name")!.Value,
                new ETag(props?.Element("Etag")?.Value ?? ""),
                long.TryParse(props?.Element("Content-Length")?.Value, CultureInfo.InvariantCulture, out var length) ? length : 0,
                props?.Element("Content-Type")?.Value,
                DateTimeOffset.TryParse(props?.Element("Last-Modified")?.Value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var modified) ? modified : null);
            // Only a listing with include=metadata has metadata; without any, the item keeps the shared empty set.
            return blob.Element("Metadata") is { HasElements: true } metadata
                ? item with { Metadata = metadata.Elements().ToDictionary(e => e.Name.LocalName, e => e.Value, StringComparer.OrdinalIgnoreCase) }
                : item;
        }).ToList() ?? [];
        var next = root.Element("NextMarker")?.Value;
        return (items, string.IsNullOrEmpty(next) ? null : next);
    }

    private HttpMessage ContainerMessage(RequestMethod method)
    {
        var message = Service.CreateMessage(method, "/" + Name);
        message.Request.Uri.AppendQuery("restype", "container");
        return message;
    }
}
