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
        // The read itself is cached, so the readers arriving together after a commit share one storage query. It runs
        // on its own (bounded by the storage client's deadlines); each caller waits with its own cancellation.
        var read = _cache.GetOrCreate(key, entry =>
        {
            entry.Size = 1;
            entry.SlidingExpiration = TimeSpan.FromMinutes(30);
            return generations.ReadAsync<T>(view, kind, partitionKey, CancellationToken.None);
        })!;
        try
        {
            return await read.WaitAsync(cancellationToken);
        }
        catch when (read.IsFaulted || read.IsCanceled)
        {
            _cache.Remove(key); // a failed read is not kept: the next request tries storage again
            throw;
        }
    }

    public void Dispose() => _cache.Dispose();
}
