using IndicatorFunctions.Data;
using Azure.Data.Tables;
using Microsoft.Extensions.Caching.Memory;

namespace IndicatorFunctions.Api;

/// <summary>
/// A committed run's figures never change, so a partition read through its view is cached by partition and run
/// (bounded to <see cref="MaxEntries"/> partitions) and callers filter it in memory: any <c>from</c>/<c>to</c> is
/// served from one entry, and while a run writes its own generation, reads are served from the last finished run's.
/// This spares storage a query per dashboard request.
/// </summary>
public sealed class ReadCache(Generations generations) : IDisposable
{
    public const int MaxEntries = 10_000;
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = MaxEntries });

    public async Task<List<T>> ReadPartitionAsync<T>(GenerationView view, AggregateTable kind, string partitionKey, CancellationToken cancellationToken)
        where T : class, ITableEntity, new()
    {
        if (view.Committed is null)
            return [];
        var key = (view.Committed, kind, partitionKey);
        if (_cache.TryGetValue(key, out List<T>? cached))
            return cached!;
        var entities = await generations.ReadAsync<T>(view, kind, partitionKey, cancellationToken);
        _cache.Set(key, entities, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromMinutes(30) });
        return entities;
    }

    public void Dispose() => _cache.Dispose();
}
