using System.Text.RegularExpressions;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace IndicatorFunctions.Storage.Blobs;

public sealed class BlobClientOptions : ClientOptions
{
    public enum ServiceVersion
    {
        // Served by Azurite 3.35 and Azure; adds nothing this client needs beyond leases and conditional puts.
        V2021_12_02 = 1,
    }

    public BlobClientOptions(ServiceVersion version = ServiceVersion.V2021_12_02) => Version = version;

    public ServiceVersion Version { get; }

    internal string VersionString => Version switch
    {
        ServiceVersion.V2021_12_02 => "2021-12-02",
        _ => throw new ArgumentOutOfRangeException(nameof(Version)),
    };
}

/// <summary>A blob service endpoint; hands out <see cref="BlobContainerClient"/>s sharing its pipeline.</summary>
public sealed partial class BlobServiceClient
{
    private readonly HttpPipeline _pipeline;
    private readonly string _version;

    public BlobServiceClient(string connectionString, BlobClientOptions? options = null)
        : this(StorageConnectionString.Parse(connectionString), options) { }

    public BlobServiceClient(StorageConnectionString connection, BlobClientOptions? options = null)
        : this(connection.BlobEndpoint, new BlobSharedKeyPolicy(connection.Credential), options) { }

    public BlobServiceClient(Uri endpoint, StorageSharedKeyCredential credential, BlobClientOptions? options = null)
        : this(endpoint, new BlobSharedKeyPolicy(credential), options) { }

    /// <summary>Entra ID (Azure.Identity) authentication, e.g. with a managed identity in Azure.</summary>
    public BlobServiceClient(Uri endpoint, TokenCredential credential, BlobClientOptions? options = null)
        : this(endpoint, StoragePipeline.BearerToken(credential), options) { }

    private BlobServiceClient(Uri endpoint, HttpPipelinePolicy authentication, BlobClientOptions? options)
    {
        options ??= new BlobClientOptions();
        Uri = new Uri(endpoint.AbsoluteUri.TrimEnd('/'));
        _version = options.VersionString;
        _pipeline = StoragePipeline.Build(options, authentication);
    }

    public Uri Uri { get; }

    public BlobContainerClient GetBlobContainerClient(string containerName) => new(this, containerName);

    /// <summary>Reads the service properties: a cheap authenticated round trip (used by health checks).</summary>
    public async Task<Response> GetPropertiesAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage(RequestMethod.Get, "/");
        message.Request.Uri.AppendQuery("restype", "service");
        message.Request.Uri.AppendQuery("comp", "properties");
        var response = await SendAsync(message, cancellationToken).ConfigureAwait(false);
        return response.Status == 200 ? response : throw StoragePipeline.Failure(response);
    }

    internal HttpMessage CreateMessage(RequestMethod method, string path)
    {
        var message = _pipeline.CreateMessage();
        message.Request.Method = method;
        message.Request.Uri.Reset(Uri);
        message.Request.Uri.AppendPath(path, escape: false);
        message.Request.Headers.SetValue("x-ms-version", _version);
        return message;
    }

    internal async Task<Response> SendAsync(HttpMessage message, CancellationToken cancellationToken)
    {
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        return message.Response;
    }

    [GeneratedRegex(@"^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]\z")]
    private static partial Regex ContainerNamePattern();

    internal static void ValidateContainerName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!ContainerNamePattern().IsMatch(name))
            throw new ArgumentException($"Container name '{name}' is invalid: 3-63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit.", nameof(name));
    }

    internal static void ValidateBlobName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Length > 1024)
            throw new ArgumentException($"Blob name is {name.Length} characters long; the limit is 1024.", nameof(name));
    }
}
