using IndicatorFunctions.Storage;
using IndicatorFunctions.Storage.Blobs;
using IndicatorFunctions.Storage.Tables;

namespace IndicatorFunctions.Tests.Infrastructure;

/// <summary>
/// The real Azurite the test command started (scripts/test.sh exports its connection string). Every test
/// makes its own tables and containers, so tests never see each other's data.
/// </summary>
public sealed class AzuriteFixture
{
    public const string ConnectionStringVariable = "AZURITE_CONNECTION_STRING";

    public AzuriteFixture()
    {
        ConnectionString = Environment.GetEnvironmentVariable(ConnectionStringVariable)
            ?? throw new InvalidOperationException(
                $"Integration tests need a running Azurite: run `bash scripts/test.sh`, or start Azurite and set {ConnectionStringVariable}.");
        Connection = StorageConnectionString.Parse(ConnectionString);
        Tables = new TableServiceClient(Connection);
        Blobs = new BlobServiceClient(Connection);
    }

    public string ConnectionString { get; }

    public StorageConnectionString Connection { get; }

    public TableServiceClient Tables { get; }

    public BlobServiceClient Blobs { get; }

    /// <summary>A well-formed connection string to a port nothing listens on: storage that is down.</summary>
    public static string UnreachableConnectionString(out int port)
    {
        port = RepositoryPaths.FreePort();
        return $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={StorageConnectionString.DevelopmentAccountKey};" +
               $"TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1;BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";
    }

    public static string UniqueTableName(string prefix) => prefix + Guid.NewGuid().ToString("N")[..16];

    public static string UniqueContainerName(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..16];

    public async Task<TableClient> NewTableAsync(string prefix = "t")
    {
        var table = Tables.GetTableClient(UniqueTableName(prefix));
        await table.CreateIfNotExistsAsync();
        return table;
    }

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
