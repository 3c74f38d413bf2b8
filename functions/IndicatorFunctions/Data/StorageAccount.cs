using System.Text.RegularExpressions;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace IndicatorFunctions.Data;

/// <summary>
/// The app's storage account from the <c>AzureWebJobsStorage</c> setting, read as the Functions host reads it: a
/// connection string (<c>UseDevelopmentStorage=true</c> for Azurite), or identity-based access through
/// <c>AzureWebJobsStorage__accountName</c> (or <c>__tableServiceUri</c>, <c>__blobServiceUri</c> and <c>__queueServiceUri</c>) with
/// <c>__credential=managedidentity</c> and <c>__clientId</c> for a user-assigned identity.
/// </summary>
public sealed partial class StorageAccount
{
    public const string Setting = "AzureWebJobsStorage";
    public const string PrefixSetting = "StoragePrefix";

    /// <summary>
    /// Azure.Storage.Blobs 12.30 defaults to a service version newer than Azurite 3.35 accepts; 2025-11-05 is the
    /// newest it does, and Azure serves it too. Pinned here rather than starting Azurite with --skipApiVersionCheck,
    /// so any Azurite 3.35 a developer already runs works.
    /// </summary>
    public const BlobClientOptions.ServiceVersion BlobServiceVersion = BlobClientOptions.ServiceVersion.V2025_11_05;

    /// <summary>The same for Azure.Storage.Queues 12.28, whose default Azurite 3.35 refuses too.</summary>
    public const QueueClientOptions.ServiceVersion QueueServiceVersion = QueueClientOptions.ServiceVersion.V2025_11_05;

    /// <summary>Per try; with <see cref="MaxRetries"/> a hung account answers with an error within about 30 seconds.</summary>
    public static readonly TimeSpan NetworkTimeout = TimeSpan.FromSeconds(8);

    public const int MaxRetries = 2;

    private readonly Func<TableClientOptions, TableServiceClient> _tables;
    private readonly Func<BlobClientOptions, BlobServiceClient> _blobs;

    private StorageAccount(string prefix, Uri tableEndpoint, Uri blobEndpoint, Func<TableClientOptions, TableServiceClient> tables, Func<BlobClientOptions, BlobServiceClient> blobs,
        Func<QueueClientOptions, QueueServiceClient> queues)
    {
        Prefix = prefix;
        TableEndpoint = tableEndpoint;
        BlobEndpoint = blobEndpoint;
        _tables = tables;
        _blobs = blobs;
        Tables = tables(WithDeadlines(new TableClientOptions(), MaxRetries, NetworkTimeout));
        Blobs = blobs(WithDeadlines(new BlobClientOptions(BlobServiceVersion), MaxRetries, NetworkTimeout));
        // Built on first use: only a fanned-out run needs the queue service (an account string may not name it).
        _queues = new Lazy<QueueServiceClient>(() => queues(WithDeadlines(new QueueClientOptions(QueueServiceVersion) { MessageEncoding = QueueMessageEncoding }, MaxRetries, NetworkTimeout)));
    }

    /// <summary>The Functions host's queue trigger reads and writes messages as base64 (host.json <c>messageEncoding</c>'s default).</summary>
    public const QueueMessageEncoding QueueMessageEncoding = Azure.Storage.Queues.QueueMessageEncoding.Base64;

    private readonly Lazy<QueueServiceClient> _queues;

    public QueueServiceClient Queues => _queues.Value;

    /// <summary>A queue, its name prefixed as tables and containers are (queue names allow lowercase letters, digits and dashes).</summary>
    public QueueClient GetQueueClient(string name) => Queues.GetQueueClient(Prefix + name);

    /// <summary>Put before every table and container name, so several deployments or test runs can share one account.</summary>
    public string Prefix { get; }

    public Uri TableEndpoint { get; }

    public Uri BlobEndpoint { get; }

    public TableServiceClient Tables { get; }

    public BlobServiceClient Blobs { get; }

    public TableClient GetTableClient(string name) => Tables.GetTableClient(Prefix + name);

    public BlobContainerClient GetBlobContainerClient(string name) => Blobs.GetBlobContainerClient(Prefix + name);

    /// <summary>Clients that fail fast (no retries, short timeout): a health probe must answer, not wait.</summary>
    public (TableServiceClient Tables, BlobServiceClient Blobs) CreateProbeClients(TimeSpan timeout) =>
        (_tables(WithDeadlines(new TableClientOptions(), 0, timeout)), _blobs(WithDeadlines(new BlobClientOptions(BlobServiceVersion), 0, timeout)));

    private static T WithDeadlines<T>(T options, int maxRetries, TimeSpan networkTimeout) where T : Azure.Core.ClientOptions
    {
        options.Retry.MaxRetries = maxRetries;
        options.Retry.NetworkTimeout = networkTimeout;
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.Delay = TimeSpan.FromMilliseconds(500);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(4);
        return options;
    }

    public static StorageAccount FromConfiguration(IConfiguration configuration, TokenCredential? credential = null)
    {
        var prefix = configuration[PrefixSetting] ?? "";
        if (prefix.Length > 0 && !PrefixPattern().IsMatch(prefix))
            throw new InvalidOperationException($"Setting {PrefixSetting} '{prefix}' is invalid: 1-16 lowercase letters and digits, starting with a letter (it begins table and container names).");
        if (configuration[Setting] is { Length: > 0 } connectionString)
        {
            // The SDK clients parse the connection string; building one now turns a malformed setting into a start-up error naming it.
            TableServiceClient probe;
            BlobServiceClient blobProbe;
            try
            {
                probe = new TableServiceClient(connectionString);
                blobProbe = new BlobServiceClient(connectionString, new BlobClientOptions(BlobServiceVersion));
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
            {
                throw new InvalidOperationException($"Setting {Setting}: {ex.Message.TrimEnd('.')}. Give UseDevelopmentStorage=true, or DefaultEndpointsProtocol=https;AccountName=…;AccountKey=… (base64), or {Setting}__accountName for identity-based access.", ex);
            }
            return new StorageAccount(prefix, probe.Uri, blobProbe.Uri,
                o => new TableServiceClient(connectionString, o), o => new BlobServiceClient(connectionString, o), o => new QueueServiceClient(connectionString, o));
        }

        var section = configuration.GetSection(Setting);
        var account = section["accountName"];
        var tableUri = section["tableServiceUri"] is { Length: > 0 } t ? new Uri(t) : account is { Length: > 0 } ? new Uri($"https://{account}.table.core.windows.net") : null;
        var blobUri = section["blobServiceUri"] is { Length: > 0 } b ? new Uri(b) : account is { Length: > 0 } ? new Uri($"https://{account}.blob.core.windows.net") : null;
        var queueUri = section["queueServiceUri"] is { Length: > 0 } q ? new Uri(q) : account is { Length: > 0 } ? new Uri($"https://{account}.queue.core.windows.net") : null;
        if (tableUri is null || blobUri is null)
            throw new InvalidOperationException(
                $"Setting {Setting} is missing: give a connection string (UseDevelopmentStorage=true for Azurite), " +
                $"or {Setting}__accountName (or {Setting}__tableServiceUri and {Setting}__blobServiceUri) for identity-based access.");

        credential ??= section["credential"] == "managedidentity"
            ? new ManagedIdentityCredential(section["clientId"] is { Length: > 0 } clientId
                ? ManagedIdentityId.FromUserAssignedClientId(clientId)
                : ManagedIdentityId.SystemAssigned)
            : new DefaultAzureCredential();
        return new StorageAccount(prefix, tableUri, blobUri,
            o => new TableServiceClient(tableUri, credential, o), o => new BlobServiceClient(blobUri, credential, o),
            o => new QueueServiceClient(queueUri ?? throw new InvalidOperationException(
                $"A fanned-out run needs the queue service: set {Setting}__accountName or {Setting}__queueServiceUri."), credential, o));
    }

    [GeneratedRegex(@"^[a-z][a-z0-9]{0,15}\z")]
    private static partial Regex PrefixPattern();
}
