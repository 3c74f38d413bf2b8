using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace IndicatorFunctions.Storage.Tables;

public sealed class TableClientOptions : ClientOptions
{
    public enum ServiceVersion
    {
        // Azurite and Azure both serve it; newer table versions add nothing this client uses.
        V2019_02_02 = 1,
    }

    public TableClientOptions(ServiceVersion version = ServiceVersion.V2019_02_02) => Version = version;

    public ServiceVersion Version { get; }

    internal string VersionString => Version switch
    {
        ServiceVersion.V2019_02_02 => "2019-02-02",
        _ => throw new ArgumentOutOfRangeException(nameof(Version)),
    };
}

/// <summary>A table service endpoint: creates, lists and deletes tables, and hands out <see cref="TableClient"/>s sharing its pipeline.</summary>
public sealed class TableServiceClient
{
    internal const string JsonAccept = "application/json;odata=minimalmetadata";

    private readonly HttpPipeline _pipeline;
    private readonly string _version;

    public TableServiceClient(string connectionString, TableClientOptions? options = null)
        : this(StorageConnectionString.Parse(connectionString), options) { }

    public TableServiceClient(StorageConnectionString connection, TableClientOptions? options = null)
        : this(connection.TableEndpoint, new TableSharedKeyLitePolicy(connection.Credential), options) { }

    public TableServiceClient(Uri endpoint, StorageSharedKeyCredential credential, TableClientOptions? options = null)
        : this(endpoint, new TableSharedKeyLitePolicy(credential), options) { }

    /// <summary>Entra ID (Azure.Identity) authentication, e.g. with a managed identity in Azure.</summary>
    public TableServiceClient(Uri endpoint, TokenCredential credential, TableClientOptions? options = null)
        : this(endpoint, StoragePipeline.BearerToken(credential), options) { }

    private TableServiceClient(Uri endpoint, HttpPipelinePolicy authentication, TableClientOptions? options)
    {
        options ??= new TableClientOptions();
        Uri = new Uri(endpoint.AbsoluteUri.TrimEnd('/'));
        _version = options.VersionString;
        _pipeline = StoragePipeline.Build(options, authentication);
    }

    public Uri Uri { get; }

    public TableClient GetTableClient(string tableName) => new(this, tableName);

    internal HttpPipeline Pipeline => _pipeline;

    public async Task<Response> CreateTableIfNotExistsAsync(string tableName, CancellationToken cancellationToken = default)
    {
        TableValidation.ValidateTableName(tableName);
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["TableName"] = tableName });
        using var message = CreateMessage(RequestMethod.Post, "/Tables", RequestContent.Create(body));
        message.Request.Headers.SetValue("Prefer", "return-no-content");
        var response = await SendAsync(message, cancellationToken).ConfigureAwait(false);
        return response.Status is 201 or 204 or 409 ? response : throw StoragePipeline.Failure(response);
    }

    public async Task<Response> DeleteTableAsync(string tableName, CancellationToken cancellationToken = default)
    {
        TableValidation.ValidateTableName(tableName);
        using var message = CreateMessage(RequestMethod.Delete, $"/Tables('{tableName}')");
        var response = await SendAsync(message, cancellationToken).ConfigureAwait(false);
        // Deleting what is already gone is success, as in the SDK.
        return response.Status is 204 or 404 ? response : throw StoragePipeline.Failure(response);
    }

    /// <summary>Lists tables (names), optionally filtered; continuation is followed transparently.</summary>
    public AsyncPageable<string> QueryAsync(string? filter = null, int? maxPerPage = null, CancellationToken cancellationToken = default) =>
        new FuncAsyncPageable<string>(async (continuation, pageSize, ct) =>
        {
            using var message = CreateMessage(RequestMethod.Get, "/Tables");
            var uri = message.Request.Uri;
            if (filter is not null) uri.AppendQuery("$filter", filter);
            if ((pageSize ?? maxPerPage) is { } top) uri.AppendQuery("$top", top.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (continuation is not null) uri.AppendQuery("NextTableName", continuation);
            var response = await SendAsync(message, ct).ConfigureAwait(false);
            if (response.Status != 200)
                throw StoragePipeline.Failure(response);
            using var json = JsonDocument.Parse(response.Content.ToMemory());
            var names = json.RootElement.GetProperty("value").EnumerateArray()
                .Select(t => t.GetProperty("TableName").GetString()!).ToList();
            response.Headers.TryGetValue("x-ms-continuation-NextTableName", out var next);
            return Page<string>.FromValues(names, string.IsNullOrEmpty(next) ? null : next, response);
        }, cancellationToken);

    internal HttpMessage CreateMessage(RequestMethod method, string path, RequestContent? content = null)
    {
        var message = _pipeline.CreateMessage();
        var request = message.Request;
        request.Method = method;
        request.Uri.Reset(Uri);
        request.Uri.AppendPath(path, escape: false);
        request.Headers.SetValue("x-ms-version", _version);
        request.Headers.SetValue("DataServiceVersion", "3.0");
        request.Headers.SetValue("Accept", JsonAccept);
        if (content is not null)
        {
            request.Content = content;
            request.Headers.SetValue("Content-Type", "application/json");
        }
        return message;
    }

    internal async Task<Response> SendAsync(HttpMessage message, CancellationToken cancellationToken)
    {
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        return message.Response;
    }
}
