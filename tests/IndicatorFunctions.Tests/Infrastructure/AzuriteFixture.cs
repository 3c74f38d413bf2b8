using Azure.Data.Tables;
using Azure.Storage.Blobs;
using IndicatorFunctions.Data;

namespace IndicatorFunctions.Tests.Infrastructure;

/// <summary>
/// The real Azurite the test command started (scripts/test.sh exports its connection string). Every test
/// makes its own tables and containers, so tests never see each other's data.
/// </summary>
public sealed class AzuriteFixture
{
    public const string ConnectionStringVariable = "AZURITE_CONNECTION_STRING";

    /// <summary>Azurite's well-known development account key.</summary>
    public const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public AzuriteFixture()
    {
        ConnectionString = Environment.GetEnvironmentVariable(ConnectionStringVariable)
            ?? throw new InvalidOperationException(
                $"Integration tests need a running Azurite: run `bash scripts/test.sh`, or start Azurite and set {ConnectionStringVariable}.");
        Tables = new TableServiceClient(ConnectionString);
        Blobs = new BlobServiceClient(ConnectionString, new BlobClientOptions(StorageAccount.BlobServiceVersion));
    }

    public string ConnectionString { get; }

    public TableServiceClient Tables { get; }

    public BlobServiceClient Blobs { get; }

    /// <summary>A well-formed connection string to a port nothing listens on: storage that is down.</summary>
    public static string UnreachableConnectionString(out int port)
    {
        port = RepositoryPaths.FreePort();
        return $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevelopmentAccountKey};" +
               $"TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1;BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";
    }

    public static string UniqueContainerName(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..16];

    public async Task<BlobContainerClient> NewContainerAsync(string prefix = "c")
    {
        var container = Blobs.GetBlobContainerClient(UniqueContainerName(prefix));
        await container.CreateIfNotExistsAsync();
        return container;
    }
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "azurite";
}
