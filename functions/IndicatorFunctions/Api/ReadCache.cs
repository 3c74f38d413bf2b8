using IndicatorFunctions.Data;
using Azure.Data.Tables;
using Microsoft.Extensions.Caching.Memory;

namespace IndicatorFunctions.Api;

/// <summary>
/// The aggregated tables change only while a run writes them, so a partition read is valid until the next run
/// finishes: reads are cached per run id (bounded to <see cref="MaxEntries"/> partitions), and not at all while a
/// run is in progress. This spares storage a query per dashboard request.
/// </summary>
public sealed class ReadCache : IDisposable
{
    public const int MaxEntries = 10_000;
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = MaxEntries });

    public async Task<List<T>> ReadPartitionAsync<T>(FreshnessState state, TableClient table, string partitionKey, string? rowFrom, string? rowTo, CancellationToken cancellationToken)
        where T : class, ITableEntity, new()
    {
        if (state.RunId is null || state.RunInProgress)
            return await IndicatorTables.ReadPartitionAsync<T>(table, partitionKey, cancellationToken, rowFrom, rowTo);
        var key = (state.RunId, table.Name, partitionKey, rowFrom, rowTo);
        if (_cache.TryGetValue(key, out List<T>? cached))
            return cached!;
        var entities = await IndicatorTables.ReadPartitionAsync<T>(table, partitionKey, cancellationToken, rowFrom, rowTo);
        _cache.Set(key, entities, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromMinutes(30) });
        return entities;
    }

    public void Dispose() => _cache.Dispose();
}
