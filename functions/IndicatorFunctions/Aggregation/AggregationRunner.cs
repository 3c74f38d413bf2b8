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
/// <see cref="TableAggregateStore"/>, and records the run. Incremental by default (only what the change markers
/// name); full recomputes everything. Markers are cleared only after the work is written,
/// and a failed full run leaves <c>FullPending</c> set, so a run that dies midway is finished by the next one.
/// </summary>
public sealed class AggregationRunner(
    IndicatorTables tables,
    CatalogStore catalogStore,
    ChangeTracker changes,
    RunLedger ledger,
    Collector collector,
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

    private async Task<RunRecord> ExecuteAsync(RunRecord run, IReadOnlyList<string>? onlySources, RunLock runLock, CancellationToken cancellationToken)
    {
        await using var _ = runLock;
        await Task.Yield(); // the caller gets the running run before any work starts
        var watch = Stopwatch.StartNew();
        var store = new TableAggregateStore(tables);
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
            var catalog = await catalogStore.GetAsync(cancellationToken, fresh: true);
            var state = await changes.ReadStateAsync(cancellationToken);
            var markers = await changes.ReadAllAsync(cancellationToken);
            await changes.SetRunningAsync(run.Id, cancellationToken);
            var full = run.Full || state.FullPending;
            if (full)
            {
                await changes.SetFullPendingAsync(cancellationToken);
                await new Aggregator(store, store).FullAsync(catalog, cancellationToken);
            }
            else
            {
                await new Aggregator(store, store).IncrementalAsync(catalog,
                    markers.Where(m => !m.IsCatalog).Select(m => m.ToChange()).ToList(),
                    markers.Where(m => m.IsCatalog).Select(m => m.ToCatalogChange()).ToList(), cancellationToken);
            }
            await changes.ClearAsync(markers, cancellationToken);
            await changes.RecordRunAsync(run.Id, snapshotAt, cancellationToken);
            logger.LogInformation("Run {RunId} ({Mode}) read {Read} observations, wrote {Growth} growth and {Rollups} rollup entities in {Elapsed}",
                run.Id, full ? "full" : "incremental", store.ObservationsRead, store.GrowthWritten, store.RollupsWritten, watch.Elapsed);
            var failedSources = sources?.Where(s => s.Status == SourceStatus.Failed).Select(s => $"source {s.Source}: {s.Reason}").ToList() ?? [];
            return await ledger.FinishAsync(run with { Full = full }, failedSources.Count > 0 ? RunStatus.Partial : RunStatus.Succeeded, Counts(store),
                Timings(watch, collectTime), sources, failedSources, CancellationToken.None);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Run {RunId} failed", run.Id);
            try
            {
                await changes.SetRunningAsync(null, CancellationToken.None);
            }
            catch (Exception clear) when (clear is Azure.RequestFailedException or HttpRequestException)
            {
                // Storage is what failed; the flag only pauses read caching until the next run finishes.
            }
            var errors = new List<string> { $"{ex.GetType().Name}: {ex.Message}" };
            try
            {
                return await ledger.FinishAsync(run, RunStatus.Failed, Counts(store), Timings(watch, collectTime), sources, errors, CancellationToken.None);
            }
            catch (Exception) when (sources is not null)
            {
                // The source outcomes themselves may be what could not be written: finish the run without them.
                return await ledger.FinishAsync(run with { Collect = false }, RunStatus.Failed, Counts(store), Timings(watch, collectTime), null,
                    [.. errors, "the per-source outcomes could not be recorded"], CancellationToken.None);
            }
        }
    }

    private static RunCounts Counts(TableAggregateStore store) => new(store.ObservationsRead, store.GrowthWritten, store.RollupsWritten);

    private static RunTimings Timings(Stopwatch watch, TimeSpan? collect) =>
        new(watch.Elapsed, collect, collect is null ? watch.Elapsed : watch.Elapsed - collect);

}
