using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Core;

namespace IndicatorFunctions.Storage.Tables;

public enum TableUpdateMode
{
    Merge,
    Replace,
}

/// <summary>One table: entity reads, writes, queries and transactions. Obtain from <see cref="TableServiceClient.GetTableClient"/>.</summary>
public sealed class TableClient
{
    private static readonly RequestMethod Merge = new("MERGE");
    private readonly TableServiceClient _service;

    internal TableClient(TableServiceClient service, string name)
    {
        TableValidation.ValidateTableName(name);
        _service = service;
        Name = name;
    }

    public string Name { get; }

    public Uri Uri => new($"{_service.Uri}/{Name}");

    /// <summary>Builds a <c>$filter</c> with every interpolated value escaped; see <see cref="TableOdataFilter"/>.</summary>
    public static string CreateQueryFilter(FormattableString filter) => TableOdataFilter.Create(filter);

    public Task<Response> CreateIfNotExistsAsync(CancellationToken cancellationToken = default) =>
        _service.CreateTableIfNotExistsAsync(Name, cancellationToken);

    public Task<Response> DeleteAsync(CancellationToken cancellationToken = default) =>
        _service.DeleteTableAsync(Name, cancellationToken);

    public async Task<Response<TableEntity>> GetEntityAsync(string partitionKey, string rowKey, IEnumerable<string>? select = null, CancellationToken cancellationToken = default)
    {
        var (entity, response) = await ReadEntityAsync(partitionKey, rowKey, select, cancellationToken).ConfigureAwait(false);
        return entity is null ? throw StoragePipeline.Failure(response) : Response.FromValue(entity, response);
    }

    /// <summary>Point read; <c>null</c> when the entity does not exist.</summary>
    public async Task<TableEntity?> GetEntityIfExistsAsync(string partitionKey, string rowKey, IEnumerable<string>? select = null, CancellationToken cancellationToken = default) =>
        (await ReadEntityAsync(partitionKey, rowKey, select, cancellationToken).ConfigureAwait(false)).Entity;

    private async Task<(TableEntity? Entity, Response Response)> ReadEntityAsync(string partitionKey, string rowKey, IEnumerable<string>? select, CancellationToken cancellationToken)
    {
        using var message = EntityMessage(RequestMethod.Get, partitionKey, rowKey);
        if (select is not null)
            message.Request.Uri.AppendQuery("$select", string.Join(',', select));
        var response = await _service.SendAsync(message, cancellationToken).ConfigureAwait(false);
        return response.Status switch
        {
            200 => (ParseEntity(response), response),
            404 => (null, response),
            _ => throw StoragePipeline.Failure(response),
        };
    }

    /// <summary>Inserts a new entity; 409 <c>EntityAlreadyExists</c> when it exists.</summary>
    public async Task<Response> AddEntityAsync(TableEntity entity, CancellationToken cancellationToken = default)
    {
        ValidateKeys(entity);
        using var message = _service.CreateMessage(RequestMethod.Post, "/" + Name, Body(entity));
        message.Request.Headers.SetValue("Prefer", "return-no-content");
        var response = await _service.SendAsync(message, cancellationToken).ConfigureAwait(false);
        return response.Status is 201 or 204 ? response : throw StoragePipeline.Failure(response);
    }

    /// <summary>Inserts or updates, merging properties (<see cref="TableUpdateMode.Merge"/>) or replacing the entity.</summary>
    public Task<Response> UpsertEntityAsync(TableEntity entity, TableUpdateMode mode = TableUpdateMode.Merge, CancellationToken cancellationToken = default) =>
        WriteEntityAsync(entity, mode, ifMatch: null, cancellationToken);

    /// <summary>Updates an existing entity only if its ETag still matches (<see cref="ETag.All"/> for any); 412 otherwise.</summary>
    public Task<Response> UpdateEntityAsync(TableEntity entity, ETag ifMatch, TableUpdateMode mode = TableUpdateMode.Merge, CancellationToken cancellationToken = default) =>
        WriteEntityAsync(entity, mode, ifMatch == default ? ETag.All : ifMatch, cancellationToken);

    private async Task<Response> WriteEntityAsync(TableEntity entity, TableUpdateMode mode, ETag? ifMatch, CancellationToken cancellationToken)
    {
        ValidateKeys(entity);
        using var message = EntityMessage(mode == TableUpdateMode.Merge ? Merge : RequestMethod.Put, entity.PartitionKey, entity.RowKey, Body(entity));
        if (ifMatch is { } etag)
            message.Request.Headers.SetValue("If-Match", etag.ToString());
        var response = await _service.SendAsync(message, cancellationToken).ConfigureAwait(false);
        return response.Status == 204 ? response : throw StoragePipeline.Failure(response);
    }

    /// <summary>Deletes an entity if its ETag matches (default: any version). A missing entity is success.</summary>
    public async Task<Response> DeleteEntityAsync(string partitionKey, string rowKey, ETag ifMatch = default, CancellationToken cancellationToken = default)
    {
        using var message = EntityMessage(RequestMethod.Delete, partitionKey, rowKey);
        message.Request.Headers.SetValue("If-Match", (ifMatch == default ? ETag.All : ifMatch).ToString());
        var response = await _service.SendAsync(message, cancellationToken).ConfigureAwait(false);
        return response.Status is 204 || (response.Status == 404 && ifMatch == default) ? response : throw StoragePipeline.Failure(response);
    }

    /// <summary>
    /// Queries entities. <paramref name="maxPerPage"/> limits each page (the service returns at most 1,000);
    /// continuation tokens are followed transparently when enumerating.
    /// </summary>
    public AsyncPageable<TableEntity> QueryAsync(string? filter = null, int? maxPerPage = null, IEnumerable<string>? select = null, CancellationToken cancellationToken = default)
    {
        var selectList = select is null ? null : string.Join(',', select);
        return new FuncAsyncPageable<TableEntity>(async (continuation, pageSize, ct) =>
        {
            using var message = _service.CreateMessage(RequestMethod.Get, $"/{Name}()");
            var uri = message.Request.Uri;
            if (filter is not null) uri.AppendQuery("$filter", filter);
            if (selectList is not null) uri.AppendQuery("$select", selectList);
            if ((pageSize ?? maxPerPage) is { } top) uri.AppendQuery("$top", top.ToString(CultureInfo.InvariantCulture));
            if (ContinuationToken.Parse(continuation) is var (nextPartition, nextRow) && nextPartition is not null)
            {
                uri.AppendQuery("NextPartitionKey", nextPartition);
                if (nextRow is not null) uri.AppendQuery("NextRowKey", nextRow);
            }
            var response = await _service.SendAsync(message, ct).ConfigureAwait(false);
            if (response.Status != 200)
                throw StoragePipeline.Failure(response);
            using var json = JsonDocument.Parse(response.Content.ToMemory());
            var entities = json.RootElement.GetProperty("value").EnumerateArray().Select(TableEntityJson.Read).ToList();
            response.Headers.TryGetValue("x-ms-continuation-NextPartitionKey", out var np);
            response.Headers.TryGetValue("x-ms-continuation-NextRowKey", out var nr);
            return Page<TableEntity>.FromValues(entities, ContinuationToken.Format(np, nr), response);
        }, cancellationToken);
    }

    /// <summary>
    /// Submits an entity group transaction: atomic, one partition, at most 100 actions and 4 MiB, each entity once.
    /// The rules are checked before any request (<see cref="ArgumentException"/>); a rolled-back transaction throws
    /// <see cref="TableTransactionFailedException"/> with the index of the failing action. Returns each action's status.
    /// </summary>
    public async Task<Response<IReadOnlyList<TableBatch.OperationResult>>> SubmitTransactionAsync(IEnumerable<TableTransactionAction> actions, CancellationToken cancellationToken = default)
    {
        var list = actions as IReadOnlyList<TableTransactionAction> ?? actions.ToList();
        TableBatch.Validate(list);
        var batchBoundary = "batch_" + Guid.NewGuid().ToString("N");
        var body = TableBatch.BuildBody(Uri.AbsoluteUri, list, batchBoundary, "changeset_" + Guid.NewGuid().ToString("N"));

        using var message = _service.CreateMessage(RequestMethod.Post, "/$batch");
        message.Request.Content = RequestContent.Create(body);
        message.Request.Headers.SetValue("Content-Type", "multipart/mixed; boundary=" + batchBoundary);
        var response = await _service.SendAsync(message, cancellationToken).ConfigureAwait(false);
        if (response.Status != 202)
            throw StoragePipeline.Failure(response);

        var results = TableBatch.ParseResponse(response.Content.ToString());
        if (results.FirstOrDefault(r => r.Status >= 400) is { } failure)
        {
            var index = TableBatch.FailedIndex(failure);
            var at = index is null ? "" : $" at actions[{index}] ({list[index.Value].ActionType} RowKey '{list[index.Value].Entity.RowKey}')";
            throw new TableTransactionFailedException(failure.Status, failure.ErrorCode,
                $"Transaction on partition '{list[0].Entity.PartitionKey}' was rolled back{at}: {failure.Status} {failure.ErrorCode} {failure.ErrorMessage}", index);
        }
        if (results.Count != list.Count)
            throw new RequestFailedException(response.Status, $"Transaction response holds {results.Count} results for {list.Count} actions.");
        return Response.FromValue(results, response);
    }

    private HttpMessage EntityMessage(RequestMethod method, string partitionKey, string rowKey, RequestContent? content = null)
    {
        TableValidation.ValidateKey(partitionKey, nameof(partitionKey));
        TableValidation.ValidateKey(rowKey, nameof(rowKey));
        return _service.CreateMessage(method, "/" + TableBatch.EntityUrl(Name, partitionKey, rowKey), content);
    }

    private static void ValidateKeys(TableEntity entity)
    {
        TableValidation.ValidateKey(entity.PartitionKey, "PartitionKey");
        TableValidation.ValidateKey(entity.RowKey, "RowKey");
    }

    private static RequestContent Body(TableEntity entity) => RequestContent.Create(TableEntityJson.Serialize(entity));

    private static TableEntity ParseEntity(Response response)
    {
        using var json = JsonDocument.Parse(response.Content.ToMemory());
        var entity = TableEntityJson.Read(json.RootElement);
        if (response.Headers.ETag is { } etag)
            entity.ETag = etag;
        return entity;
    }
}

/// <summary>The opaque continuation token handed to callers: the service's next partition and row keys.</summary>
internal static class ContinuationToken
{
    // The service's tokens are base64-like and never contain a space.
    public static string? Format(string? nextPartitionKey, string? nextRowKey) =>
        string.IsNullOrEmpty(nextPartitionKey) ? null
        : string.IsNullOrEmpty(nextRowKey) ? nextPartitionKey
        : nextPartitionKey + " " + nextRowKey;

    public static (string? NextPartitionKey, string? NextRowKey) Parse(string? token)
    {
        if (string.IsNullOrEmpty(token))
            return (null, null);
        var space = token.IndexOf(' ');
        return space < 0 ? (token, null) : (token[..space], token[(space + 1)..]);
    }
}
