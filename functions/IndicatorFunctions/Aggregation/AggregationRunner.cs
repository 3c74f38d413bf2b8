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
/// Drives a run: reads observations, computes YoY and rollups with the pure code in this folder, writes them in
/// batches, and records the run. Incremental by default (only what the change markers name, see
/// <see cref="AffectedWork"/>); full recomputes everything. Markers are cleared only after the work is written,
/// and a failed full run leaves <c>FullPending</c> set, so a run that dies midway is finished by the next one.
/// </summary>
public sealed class AggregationRunner(
    IndicatorTables tables,
    CatalogStore catalogStore,
    ChangeTracker changes,
    RunLedger ledger,
    Collector collector,
    ILogger<AggregationRunner> logger)
{
    /// <summary>
    /// Takes the lock and records the run as running, then returns it and the task that does the work — so a
    /// caller can answer 202 at once, and a second trigger meanwhile gets <see cref="RunInProgressException"/>.
    /// </summary>
    public async Task<(RunRecord Run, Task<RunRecord> Completion)> StartAsync(RunTrigger trigger, RunOptions options, bool isPastDue, CancellationToken cancellationToken)
    {
        var runId = RunLedger.NewId();
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
        var counts = new Counter();
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
            var snapshotAt = DateTimeOffset.UtcNow;
            var catalog = await catalogStore.GetAsync(cancellationToken, fresh: true);
            var state = await changes.ReadStateAsync(cancellationToken);
            var markers = await changes.ReadAllAsync(cancellationToken);
            await changes.SetRunningAsync(run.Id, cancellationToken);
            var full = run.Full || state.FullPending;
            if (full)
            {
                await changes.SetFullPendingAsync(cancellationToken);
                await FullAsync(catalog, counts, cancellationToken);
            }
            else
            {
                await IncrementalAsync(catalog, markers, counts, cancellationToken);
            }
            await changes.ClearAsync(markers, cancellationToken);
            await changes.RecordRunAsync(run.Id, snapshotAt, cancellationToken);
            logger.LogInformation("Run {RunId} ({Mode}) read {Read} observations, wrote {Growth} growth and {Rollups} rollup entities in {Elapsed}",
                run.Id, full ? "full" : "incremental", counts.Read, counts.Growth, counts.Rollups, watch.Elapsed);
            var failedSources = sources?.Where(s => s.Status == SourceStatus.Failed).Select(s => $"source {s.Source}: {s.Reason}").ToList() ?? [];
            return await ledger.FinishAsync(run with { Full = full }, failedSources.Count > 0 ? RunStatus.Partial : RunStatus.Succeeded, counts.ToCounts(),
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
                return await ledger.FinishAsync(run, RunStatus.Failed, counts.ToCounts(), Timings(watch, collectTime), sources, errors, CancellationToken.None);
            }
            catch (Exception) when (sources is not null)
            {
                // The source outcomes themselves may be what could not be written: finish the run without them.
                return await ledger.FinishAsync(run with { Collect = false }, RunStatus.Failed, counts.ToCounts(), Timings(watch, collectTime), null,
                    [.. errors, "the per-source outcomes could not be recorded"], CancellationToken.None);
            }
        }
    }

    private static RunTimings Timings(Stopwatch watch, TimeSpan? collect) =>
        new(watch.Elapsed, collect, collect is null ? watch.Elapsed : watch.Elapsed - collect);

    /// <summary>
    /// Every indicator's series as one key range, series by series: each series is written as soon as it has been
    /// read, and each indicator's rollups right after it, so memory holds one indicator's cluster members, not
    /// the whole data set.
    /// </summary>
    private async Task FullAsync(CatalogSnapshot catalog, Counter counts, CancellationToken cancellationToken)
    {
        var writer = new BatchWriter();
        var members = catalog.Clusters.Values.SelectMany(c => c.Members).Select(m => (m.District, m.SeriesSector)).ToHashSet();
        foreach (var indicator in catalog.Indicators.Values)
        {
            var memberSeries = new Dictionary<SeriesKey, Dictionary<Period, Observation>>();
            await foreach (var (series, points) in ReadIndicatorAsync(indicator.Id, counts, cancellationToken))
            {
                await WriteSeriesAsync(series, points, null, writer, counts, cancellationToken);
                await writer.SendAsync(tables.Series, series.PartitionKey, cancellationToken);
                if (members.Contains((series.District, series.Sector)))
                    memberSeries[series] = points;
            }
            if (indicator.Aggregation != AggregationMethod.None)
            {
                foreach (var cluster in catalog.Clusters.Values)
                    await WriteRollupsAsync(cluster, indicator, null, memberSeries, writer, counts, cancellationToken);
            }
            // The indicator's cross-section and rollup partitions are complete: send them rather than hold them.
            await writer.SendAllAsync(cancellationToken);
        }
        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>One indicator's series, in key order, from a single key-range query.</summary>
    private async IAsyncEnumerable<(SeriesKey Series, Dictionary<Period, Observation> Points)> ReadIndicatorAsync(string indicator, Counter counts,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {indicator + "|"} and PartitionKey lt {indicator + "}"}");
        string? partition = null;
        var points = new Dictionary<Period, Observation>();
        await foreach (var entity in tables.Observations.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            if (entity.PartitionKey != partition && partition is not null)
            {
                yield return (SeriesKey.FromPartitionKey(partition), points);
                points = [];
            }
            partition = entity.PartitionKey;
            var observation = ObservationStore.ToObservation(entity);
            points[observation.Period] = observation;
            counts.Read++;
        }
        if (partition is not null)
            yield return (SeriesKey.FromPartitionKey(partition), points);
    }

    private async Task IncrementalAsync(CatalogSnapshot catalog, List<ChangeMarker> markers, Counter counts, CancellationToken cancellationToken)
    {
        var seriesMarkers = markers.Where(m => !m.IsCatalog).ToList();
        var rolledUp = catalog.Indicators.Values.Where(i => i.Aggregation != AggregationMethod.None).ToList();
        var wholeRollups = new HashSet<RollupKey>();
        foreach (var marker in markers.Where(m => m.IsCatalog))
        {
            var (kind, id) = (marker.RowKey[..marker.RowKey.IndexOf('|')], marker.RowKey[(marker.RowKey.IndexOf('|') + 1)..]);
            if (kind == "cluster" && catalog.Clusters.ContainsKey(id))
                wholeRollups.UnionWith(rolledUp.Select(i => new RollupKey(id, i.Id)));
            else if (kind == "indicator" && catalog.Indicators.TryGetValue(id, out var changed) && changed.Aggregation != AggregationMethod.None)
                wholeRollups.UnionWith(catalog.Clusters.Keys.Select(c => new RollupKey(c, changed.Id)));
        }

        // Everything the run will need, read once: the changed series, and every member series of each rollup
        // that may contain one of them (a superset: which periods change is decided below, per period).
        var candidateRollups = seriesMarkers
            .Where(m => catalog.Indicators.TryGetValue(m.Series.Indicator, out var i) && i.Aggregation != AggregationMethod.None)
            .SelectMany(m => catalog.ClustersContaining(m.Series.District, m.Series.Sector).Select(c => new RollupKey(c.Id, m.Series.Indicator)))
            .Union(wholeRollups)
            .ToHashSet();
        var cache = new Dictionary<SeriesKey, Dictionary<Period, Observation>>();
        await LoadSeriesAsync(seriesMarkers.Select(m => m.Series)
            .Concat(candidateRollups.SelectMany(k => catalog.Clusters[k.Cluster].Members.Select(m => new SeriesKey(k.Indicator, m.District, m.SeriesSector)))),
            cache, counts, cancellationToken);

        // A marker names years; the loaded series says which periods those are.
        var work = new AffectedWork();
        foreach (var marker in seriesMarkers)
        {
            var series = marker.Series;
            foreach (var period in marker.PeriodsIn(cache[series].Keys))
                work.AddChange(series, period, catalog.ClustersContaining(series.District, series.Sector), catalog.Indicators.GetValueOrDefault(series.Indicator));
        }

        var writer = new BatchWriter();
        foreach (var (series, periods) in work.Series)
            await WriteSeriesAsync(series, cache[series], periods, writer, counts, cancellationToken);
        foreach (var key in work.Rollups.Keys.Union(wholeRollups))
        {
            var periods = wholeRollups.Contains(key) ? null : work.Rollups[key];
            await WriteRollupsAsync(catalog.Clusters[key.Cluster], catalog.Indicators[key.Indicator], periods, cache, writer, counts, cancellationToken);
        }
        await writer.FlushAsync(cancellationToken);
    }

    // Past this many series of one indicator, one key-range scan beats a query per series.
    private const int RangeScanThreshold = 16;

    /// <summary>Loads the series not yet in <paramref name="cache"/>: a key-range scan per indicator when many are needed, else a query each.</summary>
    private async Task LoadSeriesAsync(IEnumerable<SeriesKey> needed, Dictionary<SeriesKey, Dictionary<Period, Observation>> cache, Counter counts, CancellationToken cancellationToken)
    {
        foreach (var group in needed.Where(k => !cache.ContainsKey(k)).Distinct().GroupBy(k => k.Indicator))
        {
            var keys = group.ToHashSet();
            if (keys.Count > RangeScanThreshold)
            {
                await foreach (var (series, points) in ReadIndicatorAsync(group.Key, counts, cancellationToken))
                {
                    if (keys.Contains(series))
                        cache[series] = points;
                }
            }
            else
            {
                foreach (var key in keys)
                {
                    var entities = await IndicatorTables.ReadPartitionAsync(tables.Observations, key.PartitionKey, cancellationToken);
                    counts.Read += entities.Count;
                    cache[key] = entities.Select(ObservationStore.ToObservation).ToDictionary(o => o.Period);
                }
            }
            foreach (var key in keys)
                cache.TryAdd(key, []);
        }
    }

    /// <summary>Writes each point (all, or <paramref name="only"/>) twice: the series view and the cross-section view.</summary>
    private async Task WriteSeriesAsync(SeriesKey series, Dictionary<Period, Observation> points, IEnumerable<Period>? only, BatchWriter writer, Counter counts, CancellationToken cancellationToken)
    {
        foreach (var point in SeriesGrowth.Compute(points, only))
        {
            await writer.UpsertAsync(tables.Series, AggregateEntities.SeriesPoint(series.PartitionKey, point.Observation.Period.ToString(), point), cancellationToken);
            await writer.UpsertAsync(tables.CrossSection, AggregateEntities.SeriesPoint(AggregateEntities.CrossSectionKey(series.Indicator, series.Sector, point.Observation.Period), series.District, point), cancellationToken);
            counts.Growth += 2;
        }
    }

    /// <summary>
    /// Writes the rollups of one cluster × indicator: the given periods, or (null) every period any member
    /// reports — then deletes rows for periods that no longer have a rollup (e.g. after a membership change).
    /// </summary>
    private async Task WriteRollupsAsync(Cluster cluster, Indicator indicator, IEnumerable<Period>? only, Dictionary<SeriesKey, Dictionary<Period, Observation>> series, BatchWriter writer, Counter counts, CancellationToken cancellationToken)
    {
        Observation? ValueOf(ClusterMember member, Period period) =>
            series.TryGetValue(new SeriesKey(indicator.Id, member.District, member.SeriesSector), out var points) ? points.GetValueOrDefault(period) : null;

        var partition = $"{cluster.Id}|{indicator.Id}";
        // A rollup exists for a period some member reports: P + 1 after a change at P only if it has data.
        var periods = cluster.Members
            .SelectMany(m => series.TryGetValue(new SeriesKey(indicator.Id, m.District, m.SeriesSector), out var points) ? points.Keys : Enumerable.Empty<Period>())
            .ToHashSet();
        if (only is not null)
            periods.IntersectWith(only);
        var written = new HashSet<string>(StringComparer.Ordinal);
        foreach (var period in periods.Order())
        {
            if (Rollups.Compute(cluster, indicator, period, ValueOf) is not { } rollup)
                continue;
            await writer.UpsertAsync(tables.Rollups, AggregateEntities.Rollup(partition, rollup), cancellationToken);
            written.Add(period.ToString());
            counts.Rollups++;
        }
        if (only is null)
        {
            foreach (var stale in await IndicatorTables.ReadPartitionAsync(tables.Rollups, partition, cancellationToken))
            {
                if (!written.Contains(stale.RowKey))
                    await writer.DeleteAsync(tables.Rollups, partition, stale.RowKey, cancellationToken);
            }
        }
    }

    private sealed class Counter
    {
        public long Read;
        public long Growth;
        public long Rollups;

        public RunCounts ToCounts() => new(Read, Growth, Rollups);
    }
}

/// <summary>The aggregated entities dashboards read, and their keys.</summary>
public static class AggregateEntities
{
    public static string CrossSectionKey(string indicator, string sector, Period period) => $"{indicator}|{sector}|{period}";

    public static TableEntity SeriesPoint(string partitionKey, string rowKey, SeriesPoint point) => new(partitionKey, rowKey)
    {
        ["Value"] = point.Observation.Value,
        ["Status"] = point.Observation.Status.ToName(),
        ["Source"] = point.Observation.Source,
        ["Prior"] = point.Yoy.Prior,
        ["Change"] = point.Yoy.Change,
        ["Pct"] = point.Yoy.Pct,
        ["Reason"] = point.Yoy.Reason,
        ["YoyStatus"] = point.Yoy.Status.ToName(),
    };

    public static TableEntity Rollup(string partitionKey, RollupPoint r) => new(partitionKey, r.Period.ToString())
    {
        ["Value"] = r.Value,
        ["ValueReason"] = r.ValueReason,
        ["Status"] = r.Status.ToName(),
        ["Members"] = r.Members,
        ["Reporting"] = r.Reporting,
        ["Coverage"] = r.Coverage,
        ["Missing"] = JsonSerializer.Serialize(r.Missing),
        ["YoyCurrent"] = r.Yoy.Current,
        ["YoyPrior"] = r.Yoy.Prior,
        ["YoyChange"] = r.Yoy.Change,
        ["YoyPct"] = r.Yoy.Pct,
        ["ComparableMembers"] = r.Yoy.ComparableMembers,
        ["YoyReason"] = r.Yoy.Reason,
        ["YoyStatus"] = r.Yoy.Status.ToName(),
    };
}
