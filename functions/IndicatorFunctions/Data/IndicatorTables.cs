using System.Collections.Concurrent;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Data.Tables;

namespace IndicatorFunctions.Data;

/// <summary>
/// Every table and container the app uses, named once. Each table is laid out for the reads it serves:
/// <list type="bullet">
/// <item><c>catalog</c>: PK kind (indicator | district | cluster), RK id; in <c>district</c> also one row per reserved name, RK <c>name|{NAME}</c>.</item>
/// <item><c>observations</c>: current inputs; PK <c>indicator|district|sector</c>, RK period. <c>revisions</c>: replaced values, RK <c>period|revision</c>.</item>
/// <item><c>agg{run}</c>: the aggregated figures of a full run and the incremental runs built on it (see
/// <see cref="Generations"/> and <see cref="AggregateRecords"/>): PK indicator, RK <c>{s|x|r}|{key}|{run}|{part}</c>.</item>
/// <item><c>changes</c>: points and catalog entries changed since the last run, sharded so ingestion has no hot partition.</item>
/// <item><c>state</c>: the last ingest and the last finished run (freshness). <c>runs</c>: the run ledger, PK <c>run</c>;
/// each run's source outcomes under PK <c>run|{id}</c>.</item>
/// <item><c>sources</c>: definitions (PK <c>source</c>), what the last collection saw (PK <c>state</c>), and the content
/// hashes a blob-drop source has collected (PK <c>seen|{id}</c>).</item>
/// </list>
/// </summary>
public sealed class IndicatorTables(StorageAccount storage)
{
    /// <summary>Operations in one entity group transaction (the service's limit).</summary>
    public const int MaxBatch = 100;

    public TableClient Catalog { get; } = storage.GetTableClient("catalog");
    public TableClient Observations { get; } = storage.GetTableClient("observations");
    public TableClient Revisions { get; } = storage.GetTableClient("revisions");
    public TableClient Changes { get; } = storage.GetTableClient("changes");
    public TableClient State { get; } = storage.GetTableClient("state");
    public TableClient Runs { get; } = storage.GetTableClient("runs");
    public TableClient Sources { get; } = storage.GetTableClient("sources");

    /// <summary>Raw request bodies and fetched payloads, content-addressed.</summary>
    public BlobContainerClient Raw { get; } = storage.GetBlobContainerClient("raw");

    /// <summary>Lock blobs for singleton work (one aggregation run at a time).</summary>
    public BlobContainerClient Locks { get; } = storage.GetBlobContainerClient("locks");

    private readonly ConcurrentDictionary<string, TableClient> _aggregates = new();

    /// <summary>
    /// The aggregated table of a full run's generation: <c>agg</c> and the run id without its dash (a table name is
    /// letters and digits).
    /// </summary>
    public TableClient Aggregates(string generation) =>
        _aggregates.GetOrAdd(generation, id => storage.GetTableClient("agg" + id.Replace("-", "", StringComparison.Ordinal)));

    /// <summary>
    /// The tables of a generation in the layout before wide records (<c>series{run}</c>, <c>crosssection{run}</c>,
    /// <c>rollups{run}</c>; unsuffixed for "" before generations), and its <c>versions</c> table: dropped with it.
    /// </summary>
    public IEnumerable<TableClient> LegacyTables(string generation)
    {
        var suffix = generation.Replace("-", "", StringComparison.Ordinal);
        return new[] { "series", "crosssection", "rollups" }.Select(name => storage.GetTableClient(name + suffix))
            .Concat(generation.Length == 0 ? [storage.GetTableClient("versions")] : []);
    }

    private Task? _ensured;

    /// <summary>Storage lost a table or container: the next <see cref="EnsureCreatedAsync"/> creates them again.</summary>
    public void Forget() => _ensured = null;

    /// <summary>Creates what is missing, once per process; a failure (storage down) is retried on the next call.</summary>
    public Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        var task = _ensured;
        if (task is null || task.IsFaulted || task.IsCanceled)
            _ensured = task = CreateAllAsync(cancellationToken);
        return task;
    }

    private TableClient[] AllTables => [Catalog, Observations, Revisions, Changes, State, Runs, Sources];

    private async Task CreateAllAsync(CancellationToken cancellationToken) =>
        await Task.WhenAll(AllTables.Select(Task (t) => t.CreateIfNotExistsAsync(cancellationToken))
            .Append(Raw.CreateIfNotExistsAsync(cancellationToken: cancellationToken))
            .Append(Locks.CreateIfNotExistsAsync(cancellationToken: cancellationToken)));

    /// <summary>
    /// The app's tables and containers that storage does not have (never created yet, or lost: an emulator restarted
    /// under the app), created now; empty when all are there.
    /// </summary>
    public async Task<IReadOnlyList<string>> CreateMissingAsync(CancellationToken cancellationToken)
    {
        var existing = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var filter = TableClient.CreateQueryFilter($"TableName ge {storage.Prefix} and TableName lt {storage.Prefix + "~"}");
        await foreach (var table in storage.Tables.QueryAsync(filter, cancellationToken: cancellationToken))
            existing.Add(table.Name);
        var missing = AllTables.Where(t => !existing.Contains(t.Name)).Select(t => t.Name).ToList();
        foreach (var container in new[] { Raw, Locks })
        {
            if (!await container.ExistsAsync(cancellationToken))
                missing.Add(container.Name);
        }
        if (missing.Count > 0)
        {
            Forget();
            await EnsureCreatedAsync(cancellationToken);
        }
        return missing;
    }

    /// <summary>Reads a whole partition; a table that does not exist yet reads as empty.</summary>
    public static Task<List<TableEntity>> ReadPartitionAsync(TableClient table, string partitionKey, CancellationToken cancellationToken, string? rowFrom = null, string? rowTo = null) =>
        ReadPartitionAsync<TableEntity>(table, partitionKey, cancellationToken, rowFrom, rowTo);

    /// <summary>
    /// Reads a whole partition (or its rows from <paramref name="rowFrom"/> to before <paramref name="rowTo"/>) as typed
    /// entities, keeping only those <paramref name="keep"/> accepts as they arrive; a table that does not exist yet reads as empty.
    /// </summary>
    public static async Task<List<T>> ReadPartitionAsync<T>(TableClient table, string partitionKey, CancellationToken cancellationToken, string? rowFrom = null, string? rowTo = null,
        Func<T, bool>? keep = null)
        where T : class, ITableEntity, new()
    {
        var filter = (rowFrom, rowTo) switch
        {
            (null, null) => TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey}"),
            (_, null) => TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and RowKey ge {rowFrom}"),
            (null, _) => TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and RowKey lt {rowTo}"),
            _ => TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and RowKey ge {rowFrom} and RowKey lt {rowTo}"),
        };
        return await QueryAsync(table, filter, keep, cancellationToken);
    }

    /// <summary>
    /// Reads the partitions from <paramref name="firstPartition"/> to <paramref name="lastPartition"/> (one partition
    /// when they are the same) by one query — only their rows whose keys lie in one of <paramref name="rows"/> (from,
    /// to before) when given, so storage neither reads out nor sends the others (at most <see cref="MaxRowRanges"/>:
    /// Azure allows 15 comparisons in a filter) — keeping only the entities <paramref name="keep"/> accepts as they
    /// arrive; a table that does not exist yet reads as empty.
    /// </summary>
    public static Task<List<T>> ReadPartitionsAsync<T>(TableClient table, string firstPartition, string lastPartition, CancellationToken cancellationToken,
        Func<T, bool>? keep = null, IReadOnlyList<(string From, string To)>? rows = null)
        where T : class, ITableEntity, new()
    {
        if (rows?.Count > MaxRowRanges)
            throw new ArgumentOutOfRangeException(nameof(rows), rows.Count, $"a filter holds at most {MaxRowRanges} row ranges (15 comparisons)");
        var filter = firstPartition == lastPartition
            ? TableClient.CreateQueryFilter($"PartitionKey eq {firstPartition}")
            : TableClient.CreateQueryFilter($"PartitionKey ge {firstPartition} and PartitionKey le {lastPartition}");
        if (rows is { Count: > 0 })
            filter += " and (" + string.Join(" or ", rows.Select(r => TableClient.CreateQueryFilter($"(RowKey ge {r.From} and RowKey lt {r.To})"))) + ")";
        return QueryAsync(table, filter, keep, cancellationToken);
    }

    /// <summary>Row ranges one filter can hold beside a partition range: 2 + 2 × 6 = 14 comparisons, within Azure's 15.</summary>
    public const int MaxRowRanges = 6;

    private static async Task<List<T>> QueryAsync<T>(TableClient table, string filter, Func<T, bool>? keep, CancellationToken cancellationToken)
        where T : class, ITableEntity, new()
    {
        var entities = new List<T>();
        try
        {
            await foreach (var entity in table.QueryAsync<T>(filter, cancellationToken: cancellationToken))
            {
                if (keep is null || keep(entity))
                    entities.Add(entity);
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }
        return entities;
    }

    /// <summary>One entity, or null when it (or its table) does not exist.</summary>
    public static Task<TableEntity?> GetOrNullAsync(TableClient table, string partitionKey, string rowKey, CancellationToken cancellationToken, IEnumerable<string>? select = null) =>
        GetOrNullAsync<TableEntity>(table, partitionKey, rowKey, cancellationToken, select);

    public static async Task<T?> GetOrNullAsync<T>(TableClient table, string partitionKey, string rowKey, CancellationToken cancellationToken, IEnumerable<string>? select = null)
        where T : class, ITableEntity
    {
        var response = await table.GetEntityIfExistsAsync<T>(partitionKey, rowKey, select, cancellationToken);
        return response.HasValue ? response.Value : null;
    }
}
