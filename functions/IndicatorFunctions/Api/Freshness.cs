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
        // One refresh at a time: the readers arriving as the entry expires share it rather than each reading the
        // state row. It runs on its own (bounded by the storage client's deadlines); each caller waits with its own
        // cancellation, and a failed refresh is not kept.
        while (true)
        {
            var current = Volatile.Read(ref _refresh);
            if (current is { IsCompleted: false })
                return await current.WaitAsync(cancellationToken);
            var mine = new TaskCompletionSource<Snapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (Interlocked.CompareExchange(ref _refresh, mine.Task, current) == current)
            {
                _ = RefreshAsync(cached, mine);
                return await mine.Task.WaitAsync(cancellationToken);
            }
        }
    }

    private Task<Snapshot>? _refresh;

    private async Task RefreshAsync(Entry? cached, TaskCompletionSource<Snapshot> result)
    {
        try
        {
            var state = await changes.ReadStateAsync(CancellationToken.None);
            var view = cached?.Snapshot.View is { } known && known.Committed == state.RunId && known.Base == (state.Base ?? "")
                ? known
                : await generations.ReadViewAsync(state, CancellationToken.None);
            var snapshot = new Snapshot(state, view);
            // Not kept if invalidated meanwhile: this refresh may have read the state before the change.
            if (Volatile.Read(ref _refresh) == result.Task)
                _cached = new Entry(snapshot, clock.GetUtcNow());
            result.SetResult(snapshot);
        }
        catch (Exception ex)
        {
            result.SetException(ex);
        }
    }

    /// <summary>After a write or a run in this process, the next read must not show the old freshness.</summary>
    public void Invalidate()
    {
        _cached = null;
        _refresh = null; // a refresh already under way may have read the state before the change
    }
}
