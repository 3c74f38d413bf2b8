using Microsoft.Extensions.Caching.Memory;

namespace IndicatorFunctions.Data;

/// <summary>
/// Reads of things that never change once written (a committed run's records, an increment's index), cached as the
/// read itself: callers arriving together share one storage read. The read runs on its own (bounded by the storage
/// client's deadlines); each caller waits with its own cancellation, and a read that fails is not kept.
/// </summary>
public sealed class SharedReads(int maxEntries, TimeSpan slidingExpiration) : IDisposable
{
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = maxEntries });

    public async Task<T> GetAsync<T>(object key, Func<Task<T>> read, CancellationToken cancellationToken)
    {
        var task = _cache.GetOrCreate(key, entry =>
        {
            entry.Size = 1;
            entry.SlidingExpiration = slidingExpiration;
            return read();
        })!;
        try
        {
            return await task.WaitAsync(cancellationToken);
        }
        catch when (task.IsFaulted || task.IsCanceled)
        {
            _cache.Remove(key); // the next caller tries storage again
            throw;
        }
    }

    public void Dispose() => _cache.Dispose();
}
