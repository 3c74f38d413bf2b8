using IndicatorFunctions.Data;

namespace IndicatorFunctions.Api;

/// <summary>The <c>runId</c>/<c>aggregatedAt</c>/<c>pendingChanges</c> every read carries, cached for two seconds.</summary>
public sealed class Freshness(ChangeTracker changes, TimeProvider clock)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(2);
    // A reference swap is atomic: concurrent requests see one whole entry or another, never a mix.
    private sealed record Entry(FreshnessState State, DateTimeOffset At);

    private volatile Entry? _cached;

    public async Task<FreshnessState> GetAsync(CancellationToken cancellationToken)
    {
        if (_cached is { } c && clock.GetUtcNow() - c.At < CacheFor)
            return c.State;
        var state = await changes.ReadStateAsync(cancellationToken);
        _cached = new Entry(state, clock.GetUtcNow());
        return state;
    }

    /// <summary>After a write or a run in this process, the next read must not show the old freshness.</summary>
    public void Invalidate() => _cached = null;
}
