using IndicatorFunctions.Catalog;
using IndicatorFunctions.Domain;

namespace IndicatorFunctions.Aggregation;

/// <summary>A series that changed since the last run: the years that changed, or all of it.</summary>
public sealed record SeriesChange(SeriesKey Series, IReadOnlySet<int> Years, bool All)
{
    /// <summary>The periods of a loaded series this change covers.</summary>
    public IEnumerable<Period> PeriodsIn(IEnumerable<Period> seriesPeriods) =>
        All ? seriesPeriods : seriesPeriods.Where(p => Years.Contains(p.Year));
}

/// <summary>A catalog entry that changed since the last run: <c>cluster</c> or <c>indicator</c>, and its id.</summary>
public sealed record CatalogChange(string Kind, string Id);

/// <summary>Where the pipeline reads current observations from.</summary>
public interface IObservationReader
{
    /// <summary>Every series of one indicator, series by series.</summary>
    IAsyncEnumerable<(SeriesKey Series, Dictionary<Period, Observation> Points)> ReadIndicatorAsync(string indicator, CancellationToken cancellationToken);

    /// <summary>The series not yet in <paramref name="into"/> (a series without observations reads as empty).</summary>
    Task ReadSeriesAsync(IReadOnlyCollection<SeriesKey> series, Dictionary<SeriesKey, Dictionary<Period, Observation>> into, CancellationToken cancellationToken);
}

/// <summary>
/// Where the pipeline writes growth and rollups. The <c>…Complete</c> calls tell the writer that nothing more comes
/// for a series or an indicator, so it can send what it buffers rather than hold it.
/// </summary>
public interface IAggregateWriter
{
    Task WriteAsync(SeriesKey series, SeriesPoint point, CancellationToken cancellationToken);

    Task SeriesCompleteAsync(SeriesKey series, CancellationToken cancellationToken);

    Task WriteAsync(RollupKey rollup, RollupPoint point, CancellationToken cancellationToken);

    /// <summary>The periods a rollup has stored now (to delete those no longer computed).</summary>
    Task<IReadOnlyList<string>> StoredRollupPeriodsAsync(RollupKey rollup, CancellationToken cancellationToken);

    Task DeleteRollupAsync(RollupKey rollup, string period, CancellationToken cancellationToken);

    Task IndicatorCompleteAsync(CancellationToken cancellationToken);

    Task FlushAsync(CancellationToken cancellationToken);
}

/// <summary>
/// The aggregation pipeline, pure apart from its two small storage interfaces: YoY per series and like-for-like
/// rollups per cluster, for everything (<see cref="FullAsync"/>) or for what changed (<see cref="IncrementalAsync"/>:
/// each changed point P and P + 1 year, whose YoY uses P, and every rollup containing the point's member at P and
/// at P + 1; see <see cref="AffectedWork"/>).
/// </summary>
public sealed class Aggregator(IObservationReader reader, IAggregateWriter writer)
{
    /// <summary>
    /// Every indicator, series by series: each series is written as soon as it has been read, and each indicator's
    /// rollups right after it, so memory holds one indicator's cluster members, not the whole data set.
    /// </summary>
    public async Task FullAsync(CatalogSnapshot catalog, CancellationToken cancellationToken)
    {
        foreach (var indicator in catalog.Indicators.Values)
            await FullIndicatorAsync(catalog, indicator, cancellationToken);
        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// One indicator of a full run, self-contained (its series, then its rollups, then
    /// <see cref="IAggregateWriter.IndicatorCompleteAsync"/>): the unit of work a fanned-out run sends to a queue.
    /// The caller flushes the writer.
    /// </summary>
    public async Task FullIndicatorAsync(CatalogSnapshot catalog, Indicator indicator, CancellationToken cancellationToken)
    {
        var members = catalog.Clusters.Values.SelectMany(c => c.Members).Select(m => (m.District, m.SeriesSector)).ToHashSet();
        var memberSeries = new Dictionary<SeriesKey, Dictionary<Period, Observation>>();
        await foreach (var (series, points) in reader.ReadIndicatorAsync(indicator.Id, cancellationToken))
        {
            await WriteSeriesAsync(series, points, null, cancellationToken);
            await writer.SeriesCompleteAsync(series, cancellationToken);
            if (members.Contains((series.District, series.Sector)))
                memberSeries[series] = points;
        }
        if (indicator.Aggregation != AggregationMethod.None)
        {
            foreach (var cluster in catalog.Clusters.Values)
                await WriteRollupsAsync(cluster, indicator, null, memberSeries, cancellationToken);
        }
        await writer.IndicatorCompleteAsync(cancellationToken);
    }

    public async Task IncrementalAsync(CatalogSnapshot catalog, IReadOnlyList<SeriesChange> changes, IReadOnlyList<CatalogChange> catalogChanges, CancellationToken cancellationToken)
    {
        var rolledUp = catalog.Indicators.Values.Where(i => i.Aggregation != AggregationMethod.None).ToList();
        var wholeRollups = new HashSet<RollupKey>();
        foreach (var change in catalogChanges)
        {
            if (change.Kind == "cluster" && catalog.Clusters.ContainsKey(change.Id))
                wholeRollups.UnionWith(rolledUp.Select(i => new RollupKey(change.Id, i.Id)));
            else if (change.Kind == "indicator" && catalog.Indicators.TryGetValue(change.Id, out var changed) && changed.Aggregation != AggregationMethod.None)
                wholeRollups.UnionWith(catalog.Clusters.Keys.Select(c => new RollupKey(c, changed.Id)));
        }

        // Everything the run will need, read once: the changed series, and every member series of each rollup
        // that may contain one of them (a superset: which periods change is decided below, per period).
        var candidateRollups = changes
            .Where(c => catalog.Indicators.TryGetValue(c.Series.Indicator, out var i) && i.Aggregation != AggregationMethod.None)
            .SelectMany(c => catalog.ClustersContaining(c.Series.District, c.Series.Sector).Select(cluster => new RollupKey(cluster.Id, c.Series.Indicator)))
            .Union(wholeRollups)
            .ToHashSet();
        var series = new Dictionary<SeriesKey, Dictionary<Period, Observation>>();
        var needed = changes.Select(c => c.Series)
            .Concat(candidateRollups.SelectMany(k => catalog.Clusters[k.Cluster].Members.Select(m => new SeriesKey(k.Indicator, m.District, m.SeriesSector))))
            .ToHashSet();
        await reader.ReadSeriesAsync(needed, series, cancellationToken);

        // A change names years; the loaded series says which periods those are.
        var work = new AffectedWork();
        foreach (var change in changes)
        {
            foreach (var period in change.PeriodsIn(series[change.Series].Keys))
                work.AddChange(change.Series, period, catalog.ClustersContaining(change.Series.District, change.Series.Sector), catalog.Indicators.GetValueOrDefault(change.Series.Indicator));
        }

        foreach (var (key, periods) in work.Series)
            await WriteSeriesAsync(key, series[key], periods, cancellationToken);
        foreach (var key in work.Rollups.Keys.Union(wholeRollups))
        {
            var periods = wholeRollups.Contains(key) ? null : work.Rollups[key];
            await WriteRollupsAsync(catalog.Clusters[key.Cluster], catalog.Indicators[key.Indicator], periods, series, cancellationToken);
        }
        await writer.FlushAsync(cancellationToken);
    }

    private async Task WriteSeriesAsync(SeriesKey series, Dictionary<Period, Observation> points, IEnumerable<Period>? only, CancellationToken cancellationToken)
    {
        foreach (var point in SeriesGrowth.Compute(points, only))
            await writer.WriteAsync(series, point, cancellationToken);
    }

    /// <summary>
    /// The rollups of one cluster × indicator: the given periods, or (null) every period any member reports — and
    /// then the stored periods that no longer have a rollup (e.g. after a membership change) are deleted.
    /// </summary>
    private async Task WriteRollupsAsync(Cluster cluster, Indicator indicator, IEnumerable<Period>? only, Dictionary<SeriesKey, Dictionary<Period, Observation>> series, CancellationToken cancellationToken)
    {
        var key = new RollupKey(cluster.Id, indicator.Id);
        // A rollup exists for a period some member reports: P + 1 after a change at P only if it has data.
        var written = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rollup in ClusterRollups.Over(cluster, indicator, series).Compute(only))
        {
            await writer.WriteAsync(key, rollup, cancellationToken);
            written.Add(rollup.Period.ToString());
        }
        if (only is null)
        {
            foreach (var stored in await writer.StoredRollupPeriodsAsync(key, cancellationToken))
            {
                if (!written.Contains(stored))
                    await writer.DeleteRollupAsync(key, stored, cancellationToken);
            }
        }
    }
}
