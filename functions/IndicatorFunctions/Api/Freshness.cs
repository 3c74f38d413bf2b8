using IndicatorFunctions.Data;

namespace IndicatorFunctions.Api;

/// <summary>
/// The <c>runId</c>/<c>aggregatedAt</c>/<c>pendingChanges</c> every read carries, and the generation view the
/// figures are read through, cached for two seconds; the view is read again only when the committed run changes.
/// </summary>
public sealed class Freshness(ChangeTracker changes, Generations generations, TimeProvider clock)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(2);

    /// <summary>The state and the view of the same committed run, read together.</summary>
    public sealed record Snapshot(FreshnessState State, GenerationView View);

    // A reference swap is atomic: concurrent requests see one whole entry or another, never a mix.
    private sealed record Entry(Snapshot Snapshot, DateTimeOffset At);

    private volatile Entry? _cached;

    public async Task<FreshnessState> GetAsync(CancellationToken cancellationToken) => (await GetSnapshotAsync(cancellationToken)).State;

    public async Task<Snapshot> GetSnapshotAsync(CancellationToken cancellationToken)
    {
        var cached = _cached;
        if (cached is { } c && clock.GetUtcNow() - c.At < CacheFor)
            return c.Snapshot;
        var state = await changes.ReadStateAsync(cancellationToken);
        var view = cached?.Snapshot.View is { } known && known.Committed == state.RunId && known.Base == (state.Base ?? "")
            ? known
            : await generations.ReadViewAsync(state, cancellationToken);
        var snapshot = new Snapshot(state, view);
        _cached = new Entry(snapshot, clock.GetUtcNow());
        return snapshot;
    }

    /// <summary>After a write or a run in this process, the next read must not show the old freshness.</summary>
    public void Invalidate() => _cached = null;
}
