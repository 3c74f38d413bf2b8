using Azure.Core;
using Azure.Identity;
using IndicatorFunctions.Storage;
using IndicatorFunctions.Storage.Blobs;
using IndicatorFunctions.Storage.Tables;

namespace IndicatorFunctions.Hosting;

/// <summary>
/// The app's storage account from the <c>AzureWebJobsStorage</c> setting, as the Functions host reads it: a
/// connection string (<c>UseDevelopmentStorage=true</c> for Azurite), or identity-based access through
/// <c>AzureWebJobsStorage__tableServiceUri</c>/<c>__blobServiceUri</c> or <c>__accountName</c> with Entra ID.
/// </summary>
public sealed partial class StorageAccount
{
    public const string Setting = "AzureWebJobsStorage";
    public const string PrefixSetting = "StoragePrefix";

    private readonly Func<TableClientOptions, TableServiceClient> _tables;
    private readonly Func<BlobClientOptions, BlobServiceClient> _blobs;

    private StorageAccount(string prefix, Uri tableEndpoint, Uri blobEndpoint, Func<TableClientOptions, TableServiceClient> tables, Func<BlobClientOptions, BlobServiceClient> blobs)
    {
        Prefix = prefix;
        TableEndpoint = tableEndpoint;
        BlobEndpoint = blobEndpoint;
        _tables = tables;
        _blobs = blobs;
        Tables = tables(new TableClientOptions());
        Blobs = blobs(new BlobClientOptions());
    }

    /// <summary>Put before every table and container name, so several deployments or test runs can share one account.</summary>
    public string Prefix { get; }

    public Uri TableEndpoint { get; }

    public Uri BlobEndpoint { get; }

    public TableServiceClient Tables { get; }

    public BlobServiceClient Blobs { get; }

    public TableClient GetTableClient(string name) => Tables.GetTableClient(Prefix + name);

    public BlobContainerClient GetBlobContainerClient(string name) => Blobs.GetBlobContainerClient(Prefix + name);

    /// <summary>Clients that fail fast (no retries, short timeout): a health probe must answer, not wait.</summary>
    public (TableServiceClient Tables, BlobServiceClient Blobs) CreateProbeClients(TimeSpan timeout)
    {
        var tableOptions = new TableClientOptions();
        var blobOptions = new BlobClientOptions();
        foreach (var retry in new[] { tableOptions.Retry, blobOptions.Retry })
        {
            retry.MaxRetries = 0;
            retry.NetworkTimeout = timeout;
        }
        return (_tables(tableOptions), _blobs(blobOptions));
    }

    public static StorageAccount FromConfiguration(IConfiguration configuration, TokenCredential? credential = null)
    {
        var prefix = configuration[PrefixSetting] ?? "";
        if (prefix.Length > 0 && !PrefixPattern().IsMatch(prefix))
            throw new InvalidOperationException($"Setting {PrefixSetting} '{prefix}' is invalid: 1-16 lowercase letters and digits, starting with a letter (it begins table and container names).");
        if (configuration[Setting] is { Length: > 0 } connectionString)
        {
            StorageConnectionString parsed;
            try
            {
                parsed = StorageConnectionString.Parse(connectionString);
            }
            catch (FormatException ex)
            {
                throw new InvalidOperationException($"Setting {Setting}: {ex.Message}", ex);
            }
            return new StorageAccount(prefix, parsed.TableEndpoint, parsed.BlobEndpoint,
                o => new TableServiceClient(parsed, o), o => new BlobServiceClient(parsed, o));
        }

        var section = configuration.GetSection(Setting);
        var account = section["accountName"];
        var tableUri = section["tableServiceUri"] is { Length: > 0 } t ? new Uri(t) : account is { Length: > 0 } ? new Uri($"https://{account}.table.core.windows.net") : null;
        var blobUri = section["blobServiceUri"] is { Length: > 0 } b ? new Uri(b) : account is { Length: > 0 } ? new Uri($"https://{account}.blob.core.windows.net") : null;
        if (tableUri is null || blobUri is null)
            throw new InvalidOperationException(
                $"Setting {Setting} is missing: give a connection string (UseDevelopmentStorage=true for Azurite), " +
                $"or {Setting}__accountName (or {Setting}__tableServiceUri and {Setting}__blobServiceUri) for Entra ID access.");

        credential ??= section["credential"] == "managedidentity"
            ? new ManagedIdentityCredential(section["clientId"] is { Length: > 0 } clientId
                ? ManagedIdentityId.FromUserAssignedClientId(clientId)
                : ManagedIdentityId.SystemAssigned)
            : new DefaultAzureCredential();
        return new StorageAccount(prefix, tableUri, blobUri,
            o => new TableServiceClient(tableUri, credential, o), o => new BlobServiceClient(blobUri, credential, o));
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^[a-z][a-z0-9]{0,15}\z")]
    private static partial System.Text.RegularExpressions.Regex PrefixPattern();
}
