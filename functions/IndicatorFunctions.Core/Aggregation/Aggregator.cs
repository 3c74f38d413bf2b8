using IndicatorFunctions.Catalog;
using IndicatorFunctions.Domain;

namespace IndicatorFunctions.Aggregation;

/// <summary>
/// A series that changed since the last run: the periods that changed, whole years that did (markers of earlier
/// builds), or all of it; and the changed points whose current value is already known (<see cref="Known"/>: the
/// marker held it), which need not be read.
/// </summary>
public sealed record SeriesChange(SeriesKey Series, IReadOnlySet<int> Years, bool All, IReadOnlySet<Period>? Periods = null, IReadOnlyDictionary<Period, Observation>? Known = null)
{
    /// <summary>Whether a period of the series lies in what changed.</summary>
    public bool Covers(Period period) => All || Years.Contains(period.Year) || Periods?.Contains(period) == true;

    /// <summary>Only named periods changed: they can be read one by one, without a query.</summary>
    public bool ByPeriod => !All && Years.Count == 0;

    public SeriesChange Merge(SeriesChange other) =>
        new(Series, Years.Union(other.Years).ToHashSet(), All || other.All, (Periods ?? new HashSet<Period>()).Union(other.Periods ?? new HashSet<Period>()).ToHashSet(),
            // A value one change knows stays known only where the other does not cover the period (which is newer is unknown).
            (Known ?? new Dictionary<Period, Observation>()).Where(k => !other.Covers(k.Key))
                .Concat((other.Known ?? new Dictionary<Period, Observation>()).Where(k => !Covers(k.Key))).ToDictionary());
}

/// <summary>
/// A series' patch: the periods an incremental run changed in it, each with its new point (its YoY computed against
/// the series), or null where the point is gone. A store keeps it beside the series' record, and a reader applies the
/// patches of the runs since that record was written, oldest first (<see cref="Apply"/>).
/// </summary>
public static class SeriesPatches
{
    /// <summary>A series' points with a patch applied: each period it names replaced by its point, or removed; in period order.</summary>
    public static List<SeriesPoint> Apply(IEnumerable<SeriesPoint> points, IReadOnlyDictionary<Period, SeriesPoint?> patch)
    {
        var patched = points.Where(p => !patch.ContainsKey(p.Observation.Period)).ToList();
        patched.AddRange(patch.Values.OfType<SeriesPoint>());
        patched.Sort((a, b) => a.Observation.Period.CompareTo(b.Observation.Period));
        return patched;
    }
}

/// <summary>A catalog entry that changed since the last run: <c>cluster</c> or <c>indicator</c>, and its id.</summary>
public sealed record CatalogChange(string Kind, string Id);

/// <summary>A cluster's rollups of one indicator.</summary>
public readonly record struct RollupKey(string Cluster, string Indicator);

/// <summary>One indicator's points of one sector and period, across districts: the cross-section view.</summary>
public readonly record struct CrossSectionKey(string Indicator, string Sector, Period Period);

/// <summary>One district's point in a cross-section.</summary>
public sealed record CrossSectionRow(string District, SeriesPoint Point);

/// <summary>Committed records an incremental run reads together: series, cross-sections and rollups.</summary>
public sealed record RecordRequest(IReadOnlyCollection<SeriesKey> Series, IReadOnlyCollection<CrossSectionKey> Sections, IReadOnlyCollection<RollupKey> Rollups);

/// <summary>What <see cref="IObservationReader.ReadCommittedAsync"/> found, by key.</summary>
public sealed class CommittedRecords
{
    public Dictionary<SeriesKey, IReadOnlyList<SeriesPoint>> Series { get; } = [];
    public Dictionary<CrossSectionKey, IReadOnlyList<CrossSectionRow>> Sections { get; } = [];
    public Dictionary<RollupKey, IReadOnlyList<RollupPoint>> Rollups { get; } = [];

    /// <summary>Takes in the records of a later read.</summary>
    public void Add(CommittedRecords other)
    {
        foreach (var (key, value) in other.Series)
            Series[key] = value;
        foreach (var (key, value) in other.Sections)
            Sections[key] = value;
        foreach (var (key, value) in other.Rollups)
            Rollups[key] = value;
    }
}

/// <summary>
/// Where the pipeline reads from: current observations, and (for an incremental run) the figures the last committed
/// run left — whole records: a series with its YoY, a cross-section, a cluster's rollups. A record that does not
/// exist reads as empty. Each call takes many keys, of every kind, so a store can batch and overlap its reads (and fetch
/// an indicator's records together).
/// </summary>
public interface IObservationReader
{
    /// <summary>Every series of one indicator, series by series.</summary>
    IAsyncEnumerable<(SeriesKey Series, Dictionary<Period, Observation> Points)> ReadIndicatorAsync(string indicator, CancellationToken cancellationToken);

    /// <summary>The current observations of each changed series in what changed (<see cref="SeriesChange.Covers"/>).</summary>
    Task<Dictionary<SeriesKey, Dictionary<Period, Observation>>> ReadChangedAsync(IReadOnlyCollection<SeriesChange> changes, CancellationToken cancellationToken);

    /// <summary>The committed records with these keys, all kinds at once (a record that does not exist reads as empty, or is absent).</summary>
    Task<CommittedRecords> ReadCommittedAsync(RecordRequest request, CancellationToken cancellationToken);
}

/// <summary>
/// Where the pipeline writes: whole records (an empty record means none). <see cref="IndicatorCompleteAsync"/> tells
/// the writer nothing more comes for the indicator, so it can send what it buffers rather than hold it.
/// </summary>
public interface IAggregateWriter
{
    /// <summary>A series' points with their YoY, in period order.</summary>
    Task WriteSeriesAsync(SeriesKey series, IReadOnlyList<SeriesPoint> points, CancellationToken cancellationToken);

    /// <summary>
    /// A series' changed points (an incremental run's, see <see cref="SeriesPatches"/>): what readers of the series see
    /// from now on is its record with this patch applied.
    /// </summary>
    Task WriteSeriesPatchAsync(SeriesKey series, IReadOnlyDictionary<Period, SeriesPoint?> patch, CancellationToken cancellationToken);

    /// <summary>A cross-section's rows, in district order.</summary>
    Task WriteCrossSectionAsync(CrossSectionKey key, IReadOnlyList<CrossSectionRow> rows, CancellationToken cancellationToken);

    /// <summary>A cluster × indicator's rollups, in period order.</summary>
    Task WriteRollupsAsync(RollupKey rollup, IReadOnlyList<RollupPoint> points, CancellationToken cancellationToken);

    Task IndicatorCompleteAsync(CancellationToken cancellationToken);

    Task FlushAsync(CancellationToken cancellationToken);
}

/// <summary>
/// The aggregation pipeline, pure apart from its two storage interfaces. Its output is three views of the same
/// figures, each a record read whole: per series (every point with its YoY), per cross-section (an indicator's
/// sector in one period, across districts) and per cluster × indicator (the like-for-like rollups). A full run
/// (<see cref="FullAsync"/>) computes them from the observations; an incremental run (<see cref="IncrementalAsync"/>)
/// patches the committed records with what changed, reading only the changed observations and the records they
/// touch — its cost follows the change, not the data.
/// </summary>
public sealed class Aggregator(IObservationReader reader, IAggregateWriter writer)
{
    public async Task FullAsync(CatalogSnapshot catalog, CancellationToken cancellationToken)
    {
        foreach (var indicator in catalog.Indicators.Values)
            await FullIndicatorAsync(catalog, indicator, cancellationToken);
        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// One indicator of a full run, self-contained — the unit of work a fanned-out run sends to a queue: each series
    /// is written as soon as it has been read, its points gathered into the indicator's cross-sections, and its
    /// cluster members kept for the rollups, so memory holds one indicator, not the whole data set; then
    /// <see cref="IAggregateWriter.IndicatorCompleteAsync"/>. The caller flushes the writer.
    /// </summary>
    public async Task FullIndicatorAsync(CatalogSnapshot catalog, Indicator indicator, CancellationToken cancellationToken)
    {
        var members = catalog.Clusters.Values.SelectMany(c => c.Members).Select(m => (m.District, m.SeriesSector)).ToHashSet();
        var memberSeries = new Dictionary<SeriesKey, Dictionary<Period, Observation>>();
        var sections = new Dictionary<CrossSectionKey, List<CrossSectionRow>>();
        await foreach (var (series, points) in reader.ReadIndicatorAsync(indicator.Id, cancellationToken))
        {
            var growth = Growth(points);
            await writer.WriteSeriesAsync(series, growth, cancellationToken);
            foreach (var point in growth)
                Section(sections, new CrossSectionKey(indicator.Id, series.Sector, point.Observation.Period)).Add(new CrossSectionRow(series.District, point));
            if (members.Contains((series.District, series.Sector)))
                memberSeries[series] = points;
        }
        foreach (var (key, rows) in sections)
            await writer.WriteCrossSectionAsync(key, InDistrictOrder(rows), cancellationToken);
        if (indicator.Aggregation != AggregationMethod.None)
        {
            foreach (var cluster in catalog.Clusters.Values)
                await writer.WriteRollupsAsync(new RollupKey(cluster.Id, indicator.Id), [.. ClusterRollups.Over(cluster, indicator, memberSeries).Compute()], cancellationToken);
        }
        await writer.IndicatorCompleteAsync(cancellationToken);
    }

    /// <summary>
    /// What changed since the committed run, applied to its records:
    /// <list type="number">
    /// <item>each changed series: its committed points outside the changed years plus the current observations in
    /// them, YoY recomputed, written whole; or, where the markers name the changed periods (and no rollup is recomputed
    /// whole from it), only the changed points and those a year after them, as a patch (<see cref="SeriesPatches"/>):
    /// their YoY needs only the points a year either side, which the cross-sections hold, so the series' record is
    /// neither read nor rewritten;</item>
    /// <item>each cross-section holding a point of it that may have changed — a changed period P, and P + 1 year where
    /// the series has a point (its YoY uses P) — patched with the district's new point;</item>
    /// <item>the rollups at those periods of every cluster listing the series' member, recomputed from the
    /// cross-sections at those periods and a year before (all a like-for-like rollup reads), and patched in;</item>
    /// <item>a changed cluster, or indicator, has its rollups recomputed whole from its members' series.</item>
    /// </list>
    /// One indicator at a time, its reads asked for with those of the indicators next to it and started a few ahead.
    /// </summary>
    public async Task IncrementalAsync(CatalogSnapshot catalog, IReadOnlyList<SeriesChange> changes, IReadOnlyList<CatalogChange> catalogChanges, CancellationToken cancellationToken)
    {
        var changed = changes.GroupBy(c => c.Series).Select(g => g.Aggregate((a, b) => a.Merge(b))).ToLookup(c => c.Series.Indicator);
        var whole = WholeRollups(catalog, catalogChanges).ToLookup(k => k.Indicator);
        var indicators = changed.Select(g => g.Key).Union(whole.Select(g => g.Key)).Order(StringComparer.Ordinal).ToList();

        // Indicator by indicator — everything a change touches lies in its indicator — with the reads asked for a few
        // adjacent indicators at a time (a store reads their records with one query) and started ReadAhead groups
        // early, so storage answers them while this one is computed and written, and memory holds a few indicators'
        // change rather than all of it.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var groups = ReadGroups(catalog, indicators);
        var reads = new Queue<Task<List<IndicatorReads>>>();
        var next = 0;
        try
        {
            while (reads.Count > 0 || next < groups.Count)
            {
                for (; reads.Count < ReadAhead && next < groups.Count; next++)
                    reads.Enqueue(ReadAsync(catalog, [.. groups[next].Select(i => (changed[i].ToList(), whole[i].ToHashSet()))], stop.Token));
                foreach (var read in await reads.Dequeue())
                {
                    await ApplyAsync(catalog, read, cancellationToken);
                    await writer.IndicatorCompleteAsync(cancellationToken);
                }
            }
        }
        catch
        {
            await stop.CancelAsync();
            foreach (var pending in reads)
                await pending.ContinueWith(_ => { }, TaskScheduler.Default); // observed; the failure that stopped the run is the one thrown
            throw;
        }
        await writer.FlushAsync(cancellationToken);
    }

    /// <summary>Groups of reads in flight at once.</summary>
    private const int ReadAhead = 2;

    /// <summary>Indicators whose reads are asked for together.</summary>
    private const int ReadGroup = 4;

    /// <summary>
    /// The changed indicators (in order) in groups of at most <see cref="ReadGroup"/> that are next to each other in the
    /// catalog's order, so the records of a group lie in adjacent partitions and nothing else lies between them.
    /// </summary>
    private static List<List<string>> ReadGroups(CatalogSnapshot catalog, List<string> indicators)
    {
        var position = catalog.Indicators.Keys.Order(StringComparer.Ordinal).Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i, StringComparer.Ordinal);
        var groups = new List<List<string>>();
        for (var i = 0; i < indicators.Count; i++)
        {
            var adjacent = i > 0 && position.TryGetValue(indicators[i - 1], out var before) && position.TryGetValue(indicators[i], out var at) && at == before + 1;
            if (!adjacent || groups[^1].Count == ReadGroup)
                groups.Add([]);
            groups[^1].Add(indicators[i]);
        }
        return groups;
    }

    /// <summary>One indicator's change, the series it patches (<see cref="Patched"/>) and what was read for it.</summary>
    private sealed record IndicatorReads(IReadOnlyList<SeriesChange> Changed, HashSet<RollupKey> Whole, HashSet<SeriesKey> Patched,
        Dictionary<SeriesKey, Dictionary<Period, Observation>> Current, CommittedRecords Committed, HashSet<CrossSectionKey> ExpectedSections,
        Dictionary<RollupKey, SortedSet<Period>> ExpectedRollups);

    /// <summary>
    /// One round of reads for a group of indicators' change and, as far as the markers tell (the periods they name),
    /// every record it touches, so a store can fetch them together; <see cref="ApplyAsync"/> reads only what they could
    /// not tell. The indicators share what was read: every key names its indicator.
    /// </summary>
    private async Task<List<IndicatorReads>> ReadAsync(CatalogSnapshot catalog, List<(List<SeriesChange> Changed, HashSet<RollupKey> Whole)> group, CancellationToken cancellationToken)
    {
        var expected = group.Select(g =>
        {
            var members = WholeMembers(catalog, g.Whole);
            var patched = g.Changed.Where(c => c.ByPeriod && !members.Contains(c.Series)).Select(c => c.Series).ToHashSet();
            var touches = Expected(catalog, g.Changed, g.Whole);
            // A patched point's YoY needs the series' point a year before it, from its cross-section.
            touches.Sections.UnionWith(g.Changed.Where(c => patched.Contains(c.Series))
                .SelectMany(c => c.Periods!.Select(p => new CrossSectionKey(c.Series.Indicator, c.Series.Sector, p.Prior))));
            // The series records read: the changed series written whole, and the members of the rollups recomputed whole.
            var series = g.Changed.Select(c => c.Series).Where(s => !patched.Contains(s)).Union(members);
            return (g.Changed, g.Whole, Patched: patched, Touches: touches, Series: series);
        }).ToList();
        var wanted = new RecordRequest([.. expected.SelectMany(e => e.Series)],
            [.. expected.SelectMany(e => e.Touches.Sections)], [.. expected.SelectMany(e => e.Touches.RollupPeriods.Keys)]);
        var currentRead = reader.ReadChangedAsync([.. group.SelectMany(g => g.Changed)], cancellationToken);
        var committedRead = reader.ReadCommittedAsync(wanted, cancellationToken);
        var (current, committed) = (await currentRead, await committedRead);
        return [.. expected.Select(e => new IndicatorReads(e.Changed, e.Whole, e.Patched, current, committed, e.Touches.Sections, e.Touches.RollupPeriods))];
    }

    /// <summary>The members of the rollups recomputed whole: their series are read whole.</summary>
    private static HashSet<SeriesKey> WholeMembers(CatalogSnapshot catalog, HashSet<RollupKey> whole) =>
        whole.SelectMany(k => catalog.Clusters[k.Cluster].Members.Select(m => new SeriesKey(k.Indicator, m.District, m.SeriesSector))).ToHashSet();

    /// <summary>The records a change touches as far as its markers tell: at the periods they name and the year after.</summary>
    private static (HashSet<CrossSectionKey> Sections, Dictionary<RollupKey, SortedSet<Period>> RollupPeriods) Expected(CatalogSnapshot catalog,
        List<SeriesChange> changed, HashSet<RollupKey> whole) =>
        Touches(catalog, changed.Where(c => c.ByPeriod).Select(c => (c.Series, (IReadOnlyCollection<Period>)[.. c.Periods!, .. c.Periods!.Select(p => p.Next)])), whole);

    /// <summary>One indicator's change applied to its committed records (see <see cref="IncrementalAsync"/>).</summary>
    private async Task ApplyAsync(CatalogSnapshot catalog, IndicatorReads read, CancellationToken cancellationToken)
    {
        var (changed, whole, current, committed) = (read.Changed, read.Whole, read.Current, read.Committed);
        // 1. The changed series: what they are now, and which cross-sections and rollup periods that touches.
        var newSeries = new Dictionary<SeriesKey, IReadOnlyList<SeriesPoint>>();
        var patches = new Dictionary<SeriesKey, Dictionary<Period, SeriesPoint?>>();
        var touched = new Dictionary<CrossSectionKey, Dictionary<string, SeriesPoint?>>();
        var touchedPeriods = new List<(SeriesKey Series, IReadOnlyCollection<Period> Periods)>();
        foreach (var change in changed)
        {
            // A patched series' committed points at the changed periods and a year either side, from its cross-sections.
            var patch = read.Patched.Contains(change.Series);
            var before = patch ? FromSections(committed.Sections, change) : committed.Series.GetValueOrDefault(change.Series) ?? [];
            var points = new Dictionary<Period, Observation>();
            foreach (var point in before.Where(p => !change.Covers(p.Observation.Period)))
                points[point.Observation.Period] = point.Observation;
            foreach (var (period, observation) in current.GetValueOrDefault(change.Series) ?? [])
                points[period] = observation;
            var after = Growth(points);
            if (!patch)
                newSeries[change.Series] = after;

            // A changed period P, and P + 1 year where the series has a point (before or after): its YoY uses P.
            var byPeriod = after.ToDictionary(p => p.Observation.Period);
            var had = before.Select(p => p.Observation.Period).ToHashSet();
            var periods = had.Concat(byPeriod.Keys).Where(change.Covers).Distinct().ToList();
            var affected = periods.Concat(periods.Select(p => p.Next).Where(p => had.Contains(p) || byPeriod.ContainsKey(p))).Distinct().ToList();
            foreach (var period in affected)
            {
                var key = new CrossSectionKey(change.Series.Indicator, change.Series.Sector, period);
                if (!touched.TryGetValue(key, out var districts))
                    touched[key] = districts = new Dictionary<string, SeriesPoint?>(StringComparer.Ordinal);
                districts[change.Series.District] = byPeriod.GetValueOrDefault(period);
            }
            touchedPeriods.Add((change.Series, affected));
            if (patch)
                patches[change.Series] = affected.ToDictionary(p => p, p => byPeriod.GetValueOrDefault(p));
        }

        // 2. What the markers could not tell (a series changed whole or in whole years): read now.
        var (sectionKeys, rollupPeriods) = Touches(catalog, touchedPeriods, whole);
        var missing = new RecordRequest([], [.. sectionKeys.Where(k => !read.ExpectedSections.Contains(k))], [.. rollupPeriods.Keys.Where(k => !read.ExpectedRollups.ContainsKey(k))]);
        if (missing.Sections.Count > 0 || missing.Rollups.Count > 0)
            committed.Add(await reader.ReadCommittedAsync(missing, cancellationToken));
        var sections = committed.Sections;

        foreach (var (key, points) in newSeries)
            await writer.WriteSeriesAsync(key, points, cancellationToken);
        foreach (var (key, patch) in patches)
            await writer.WriteSeriesPatchAsync(key, patch, cancellationToken);
        foreach (var (key, districts) in touched)
        {
            var before = sections.GetValueOrDefault(key) ?? [];
            var rows = before.Where(r => !districts.ContainsKey(r.District)).ToList();
            rows.AddRange(districts.Where(d => d.Value is not null).Select(d => new CrossSectionRow(d.Key, d.Value!)));
            sections[key] = InDistrictOrder(rows);
            if (before.Count > 0 || rows.Count > 0)
                await writer.WriteCrossSectionAsync(key, sections[key], cancellationToken);
        }

        // 3. Rollups: the touched periods patched, whole for changed clusters and indicators.
        await PatchRollupsAsync(catalog, rollupPeriods, sections, committed.Rollups, cancellationToken);
        var members = committed.Series;
        foreach (var (key, points) in newSeries)
            members[key] = points;
        await RecomputeRollupsAsync(catalog, whole, members, cancellationToken);
    }

    /// <summary>A series' points in the cross-sections at its changed periods and a year either side (all a patch of them reads).</summary>
    private static List<SeriesPoint> FromSections(Dictionary<CrossSectionKey, IReadOnlyList<CrossSectionRow>> sections, SeriesChange change)
    {
        var points = new List<SeriesPoint>();
        foreach (var period in change.Periods!.SelectMany(p => new[] { p.Prior, p, p.Next }).Distinct())
        {
            if (sections.GetValueOrDefault(new CrossSectionKey(change.Series.Indicator, change.Series.Sector, period))?.FirstOrDefault(r => r.District == change.Series.District) is { } row)
                points.Add(row.Point);
        }
        return points;
    }

    /// <summary>
    /// The records a change at these periods of these series reads: the rollup periods of every cluster listing the
    /// series (the periods themselves; not of rollups recomputed whole), and the cross-sections at the periods and
    /// at each rollup period and the year before it, across the cluster's sectors (all a like-for-like rollup reads).
    /// </summary>
    private static (HashSet<CrossSectionKey> Sections, Dictionary<RollupKey, SortedSet<Period>> RollupPeriods) Touches(CatalogSnapshot catalog,
        IEnumerable<(SeriesKey Series, IReadOnlyCollection<Period> Periods)> changes, HashSet<RollupKey> whole)
    {
        var sections = new HashSet<CrossSectionKey>();
        var rollupPeriods = new Dictionary<RollupKey, SortedSet<Period>>();
        foreach (var (series, periods) in changes)
        {
            foreach (var period in periods)
                sections.Add(new CrossSectionKey(series.Indicator, series.Sector, period));
            if (!catalog.Indicators.TryGetValue(series.Indicator, out var indicator) || indicator.Aggregation == AggregationMethod.None)
                continue;
            foreach (var cluster in catalog.ClustersContaining(series.District, series.Sector))
            {
                var key = new RollupKey(cluster.Id, indicator.Id);
                if (whole.Contains(key))
                    continue;
                if (!rollupPeriods.TryGetValue(key, out var set))
                    rollupPeriods[key] = set = [];
                set.UnionWith(periods);
            }
        }
        foreach (var (key, periods) in rollupPeriods)
        {
            foreach (var sector in catalog.Clusters[key.Cluster].Members.Select(m => m.SeriesSector).Distinct())
            {
                foreach (var period in periods)
                {
                    sections.Add(new CrossSectionKey(key.Indicator, sector, period));
                    sections.Add(new CrossSectionKey(key.Indicator, sector, period.Prior));
                }
            }
        }
        return (sections, rollupPeriods);
    }

    /// <summary>
    /// The rollups at the given periods, computed from the cross-sections at each period and a year before,
    /// replacing those periods in the committed records: a period that no longer has a rollup is removed.
    /// </summary>
    private async Task PatchRollupsAsync(CatalogSnapshot catalog, Dictionary<RollupKey, SortedSet<Period>> rollupPeriods,
        Dictionary<CrossSectionKey, IReadOnlyList<CrossSectionRow>> sections, Dictionary<RollupKey, IReadOnlyList<RollupPoint>> stored, CancellationToken cancellationToken)
    {
        foreach (var (key, periods) in rollupPeriods)
        {
            var cluster = catalog.Clusters[key.Cluster];
            var indicator = catalog.Indicators[key.Indicator];
            // The members' values at just these periods and their priors, from the cross-sections.
            var series = new Dictionary<SeriesKey, Dictionary<Period, Observation>>();
            foreach (var sector in cluster.Members.Select(m => m.SeriesSector).Distinct())
            {
                foreach (var period in periods.Concat(periods.Select(p => p.Prior)).Distinct())
                {
                    foreach (var row in sections.GetValueOrDefault(new CrossSectionKey(key.Indicator, sector, period)) ?? [])
                    {
                        var member = new SeriesKey(key.Indicator, row.District, sector);
                        if (!series.TryGetValue(member, out var points))
                            series[member] = points = [];
                        points[period] = row.Point.Observation;
                    }
                }
            }
            var computed = ClusterRollups.Over(cluster, indicator, series).Compute(periods).ToList();
            var kept = (stored.GetValueOrDefault(key) ?? []).Where(r => !periods.Contains(r.Period));
            await writer.WriteRollupsAsync(key, [.. kept.Concat(computed).OrderBy(r => r.Period)], cancellationToken);
        }
    }

    /// <summary>Rollups recomputed whole from their members' series (this run's where it rewrote them, else the committed ones).</summary>
    private async Task RecomputeRollupsAsync(CatalogSnapshot catalog, IReadOnlyCollection<RollupKey> whole, Dictionary<SeriesKey, IReadOnlyList<SeriesPoint>> members, CancellationToken cancellationToken)
    {
        foreach (var key in whole)
        {
            var series = new Dictionary<SeriesKey, Dictionary<Period, Observation>>();
            foreach (var member in catalog.Clusters[key.Cluster].Members.Select(m => new SeriesKey(key.Indicator, m.District, m.SeriesSector)).Distinct())
            {
                if (members.GetValueOrDefault(member) is { Count: > 0 } points)
                    series[member] = points.ToDictionary(p => p.Observation.Period, p => p.Observation);
            }
            await writer.WriteRollupsAsync(key, [.. ClusterRollups.Over(catalog.Clusters[key.Cluster], catalog.Indicators[key.Indicator], series).Compute()], cancellationToken);
        }
    }

    /// <summary>A changed cluster's rollups of every rolled-up indicator, and a changed indicator's of every cluster.</summary>
    private static HashSet<RollupKey> WholeRollups(CatalogSnapshot catalog, IReadOnlyList<CatalogChange> catalogChanges)
    {
        var rolledUp = catalog.Indicators.Values.Where(i => i.Aggregation != AggregationMethod.None).ToList();
        var whole = new HashSet<RollupKey>();
        foreach (var change in catalogChanges)
        {
            if (change.Kind == "cluster" && catalog.Clusters.ContainsKey(change.Id))
                whole.UnionWith(rolledUp.Select(i => new RollupKey(change.Id, i.Id)));
            else if (change.Kind == "indicator" && catalog.Indicators.TryGetValue(change.Id, out var changed) && changed.Aggregation != AggregationMethod.None)
                whole.UnionWith(catalog.Clusters.Keys.Select(c => new RollupKey(c, changed.Id)));
        }
        return whole;
    }

    private static List<SeriesPoint> Growth(Dictionary<Period, Observation> points)
    {
        var growth = SeriesGrowth.Compute(points).ToList();
        growth.Sort((a, b) => a.Observation.Period.CompareTo(b.Observation.Period));
        return growth;
    }

    private static List<CrossSectionRow> Section(Dictionary<CrossSectionKey, List<CrossSectionRow>> sections, CrossSectionKey key)
    {
        if (!sections.TryGetValue(key, out var rows))
            sections[key] = rows = [];
        return rows;
    }

    private static List<CrossSectionRow> InDistrictOrder(List<CrossSectionRow> rows)
    {
        rows.Sort((a, b) => string.CompareOrdinal(a.District, b.District));
        return rows;
    }
}
