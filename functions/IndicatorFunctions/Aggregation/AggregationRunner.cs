using System.Diagnostics;
using System.Text.Json;
using IndicatorFunctions.Catalog;
using IndicatorFunctions.Collection;
using IndicatorFunctions.Data;
using IndicatorFunctions.Domain;
using IndicatorFunctions.Ingestion;
using IndicatorFunctions.Runs;
using Azure.Data.Tables;

namespace IndicatorFunctions.Aggregation;

public sealed record RunCounts(long ObservationsRead, long GrowthWritten, long RollupsWritten);

public sealed record RunTimings(TimeSpan Total, TimeSpan? Collect, TimeSpan? Aggregate);

/// <summary>What a run does: <see cref="Collect"/> from sources first (only <see cref="Sources"/>, when named), then aggregate.</summary>
public sealed record RunOptions(bool Full = false, bool Collect = false, IReadOnlyList<string>? Sources = null);

/// <summary>
/// Drives a run: collects from sources, then has the pure <see cref="Aggregator"/> compute YoY and rollups over
/// <see cref="TableAggregateStore"/> into the run's own generation of the aggregated tables, commits it (readers
/// switch to it at once, and only if the run still holds the lock: see <see cref="Generations"/>), and records the
/// run. Incremental by default (only what the change markers name); full recomputes everything. Markers are cleared
/// only after the commit, so the work of a run that fails or loses the lock is redone by the next one. A full run
/// fans out over a queue when <c>AggregationFanOut</c> is on (<see cref="FanOut"/>): the commit waits for its last item.
/// </summary>
public sealed class AggregationRunner(
    IndicatorTables tables,
    Generations generations,
    CatalogStore catalogStore,
    ChangeTracker changes,
    RunLedger ledger,
    Collector collector,
    FanOut fanOut,
    TimeProvider clock,
    ILogger<AggregationRunner> logger)
{
    /// <summary>
    /// Takes the lock and records the run as running, then returns it and the task that does the work — so a
    /// caller can answer 202 at once, and a second trigger meanwhile gets <see cref="RunInProgressException"/>.
    /// </summary>
    public async Task<(RunRecord Run, Task<RunRecord> Completion)> StartAsync(RunTrigger trigger, RunOptions options, bool isPastDue, CancellationToken cancellationToken)
    {
        var runId = RunLedger.NewId(clock.GetUtcNow());
        var runLock = await RunLock.AcquireAsync(tables, runId, cancellationToken);
        try
        {
            await ledger.FailAbandonedAsync(runId, cancellationToken);
            var run = await ledger.StartAsync(runId, trigger, options.Full, options.Collect, isPastDue, cancellationToken);
            return (run, ExecuteAsync(run, options.Sources, runLock, cancellationToken));
        }
        catch
        {
            await runLock.DisposeAsync();
            throw;
        }
    }

    private async Task<RunRecord> ExecuteAsync(RunRecord run, IReadOnlyList<string>? onlySources, RunLock runLock, CancellationToken stopping)
    {
        await using var _ = runLock;
        await Task.Yield(); // the caller gets the running run before any work starts
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, runLock.Lost);
        var cancellationToken = linked.Token;
        var watch = Stopwatch.StartNew();
        TableAggregateStore? store = null;
        RunCounts? fannedOut = null;
        RunGeneration? generation = null;
        IReadOnlyList<SourceOutcome>? sources = null;
        TimeSpan? collectTime = null;
        try
        {
            // Collected first, so what arrives is aggregated in this same run.
            if (run.Collect)
            {
                sources = await collector.CollectAsync(run.Id, onlySources, cancellationToken);
                collectTime = watch.Elapsed;
            }
            var snapshotAt = clock.GetUtcNow();
            // What changes from now on is marked again, so the next run sees it.
            var (catalogRead, stateRead) = (catalogStore.GetAsync(cancellationToken, fresh: true), changes.ReadStateAsync(cancellationToken));
            var (catalog, state) = (await catalogRead, await stateRead);
            // Figures from before generations (no base), or in an older layout, are replaced whole.
            var full = run.Full || state.FullPending || state.Base is null || state.Layout != Generations.Layout;
            // A full run only clears the markers: their keys, not what each names.
            var markers = await changes.ReadAllAsync(cancellationToken, keysOnly: full);
            generation = await generations.BeginAsync(run.Id, full, cancellationToken);
            if (full && fanOut.Enabled)
            {
                (fannedOut, var summary) = await fanOut.RunAsync(run.Id, catalog, cancellationToken);
                run = run with { FanOut = summary };
            }
            else if (full)
            {
                store = new TableAggregateStore(tables, generations, run.Id, committed: null);
                await new Aggregator(store, store).FullAsync(catalog, cancellationToken);
            }
            else
            {
                store = new TableAggregateStore(tables, generations, run.Id, await generations.ReadViewAsync(state, cancellationToken));
                await new Aggregator(store, store).IncrementalAsync(catalog,
                    markers.Where(m => !m.IsCatalog).Select(m => m.ToChange()).ToList(),
                    markers.Where(m => m.IsCatalog).Select(m => m.ToCatalogChange()).ToList(), cancellationToken);
            }
            await generations.CommitAsync(generation, snapshotAt, cancellationToken);
            await changes.ClearAsync(markers, CancellationToken.None);
            var counts = fannedOut ?? Counts(store!);
            logger.LogInformation("Run {RunId} ({Mode}) read {Read} observations, wrote {Growth} series and cross-section and {Rollups} rollup entities in {Elapsed}",
                run.Id, full ? (fannedOut is null ? "full" : "full, fanned out") : "incremental", counts.ObservationsRead, counts.GrowthWritten, counts.RollupsWritten, watch.Elapsed);
            await CleanUpAsync(run.Id);
            var failedSources = sources?.Where(s => s.Status == SourceStatus.Failed).Select(s => $"source {s.Source}: {s.Reason}").ToList() ?? [];
            return await ledger.FinishAsync(run with { Full = full }, failedSources.Count > 0 ? RunStatus.Partial : RunStatus.Succeeded, counts,
                Timings(watch, collectTime), sources, failedSources);
        }
        catch (Exception ex)
        {
            var reason = runLock.Lost.IsCancellationRequested && !stopping.IsCancellationRequested && runLock.LostReason is { } lost
                ? lost
                : ex is RunLockLostException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}";
            logger.LogError(ex, "Run {RunId} failed: {Reason}", run.Id, reason);
            if (generation is not null)
                await generations.AbandonAsync(generation);
            return await ledger.FinishAsync(run, RunStatus.Failed, fannedOut ?? (store is null ? new RunCounts(0, 0, 0) : Counts(store)), Timings(watch, collectTime), sources, [reason]);
        }
    }

    /// <summary>Drops uncommitted and superseded generations; never fails the run that just committed.</summary>
    private async Task CleanUpAsync(string runId)
    {
        try
        {
            var dropped = await generations.CleanUpAsync(runId, CancellationToken.None);
            if (dropped > 0)
                logger.LogInformation("Run {RunId} dropped {Count} old or failed generations", runId, dropped);
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException || Hosting.StorageFailures.IsStorageFailure(ex))
        {
            logger.LogWarning(ex, "Run {RunId} could not drop old generations; a later run will", runId);
        }
    }

    private static RunCounts Counts(TableAggregateStore store) => new(store.ObservationsRead, store.GrowthWritten, store.RollupsWritten);

    private static RunTimings Timings(Stopwatch watch, TimeSpan? collect) =>
        new(watch.Elapsed, collect, collect is null ? watch.Elapsed : watch.Elapsed - collect);

}
