using IndicatorFunctions.Aggregation;
using System.Globalization;
using System.Security.Cryptography;
using Azure;
using IndicatorFunctions.Domain;
using Azure.Data.Tables;

namespace IndicatorFunctions.Data;

/// <summary>
/// A change the next run must aggregate: a series (with the periods that changed, or all of it), or a catalog entry
/// (cluster or indicator). One marker per series, however many points changed: a large ingest leaves as many
/// markers as series, not as points. <see cref="Known"/>: changed points whose current value the marker holds, so a
/// run need not read them (see <see cref="ChangeTracker.ConfirmAsync"/>).
/// </summary>
public sealed record ChangeMarker(string PartitionKey, string RowKey, ETag ETag, IReadOnlySet<int> Years, bool All, IReadOnlySet<Period>? Periods = null,
    IReadOnlyDictionary<Period, Observation>? Known = null)
{
    public const string CatalogPartition = "catalog";

    public bool IsCatalog => PartitionKey == CatalogPartition;

    public SeriesChange ToChange() => new(SeriesKey.FromPartitionKey(RowKey), Years, All, Periods, Known);

    /// <summary>
    /// The property announcing a write of a changed period, with the revision it gives the point: <c>p</c>, the period
    /// with <c>_</c> for <c>-</c>, <c>_r</c> and the revision (<c>p2021_Q3_r2</c>). Markers of earlier builds have
    /// <c>p2021_Q3</c>, without it.
    /// </summary>
    public static string PendingProperty(Period period, int revision) => $"p{Name(period)}_r{revision.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The property holding the value a write stored, with its revision (<c>v2021_Q3</c>).</summary>
    public static string ValueProperty(Period period) => "v" + Name(period);

    private static string Name(Period period) => period.ToString().Replace('-', '_');

    /// <summary>The periods and (markers of earlier builds, <c>y2021</c>) years a marker names.</summary>
    public static (HashSet<Period> Periods, HashSet<int> Years) Parse(IEnumerable<string> properties)
    {
        var (periods, years) = (new HashSet<Period>(), new HashSet<int>());
        foreach (var name in properties)
        {
            if (PeriodOf(name) is { } period)
                periods.Add(period.Period);
            else if (name.Length == 5 && name[0] == 'y' && int.TryParse(name[1..], NumberStyles.None, CultureInfo.InvariantCulture, out var year))
                years.Add(year);
        }
        return (periods, years);
    }

    /// <summary>
    /// The changed points whose current value a marker holds: a stored value (<c>v…</c>) counts only when no write of
    /// a later revision is announced (<c>p…_r…</c>, or a marker of an earlier build's <c>p…</c>, whose revision is
    /// unknown). Every write is announced before it is made, so a value the marker holds is the current one unless a
    /// write was announced after the marker was read — and then the marker has changed, the run's conditional delete
    /// keeps it, and the next run aggregates that write.
    /// </summary>
    public static Dictionary<Period, Observation> KnownValues(IEnumerable<KeyValuePair<string, object>> properties)
    {
        var announced = new Dictionary<Period, long>();
        var stored = new Dictionary<Period, (int Revision, Observation Observation)>();
        foreach (var (name, value) in properties)
        {
            if (PeriodOf(name) is not { } period)
                continue;
            if (period.Value)
            {
                if (value is string text && StoredValue.TryParse(text, period.Period) is { } parsed)
                    stored[period.Period] = parsed;
            }
            else
                announced[period.Period] = Math.Max(announced.GetValueOrDefault(period.Period, -1), period.Revision);
        }
        return stored.Where(s => s.Value.Revision >= announced.GetValueOrDefault(s.Key, -1)).ToDictionary(s => s.Key, s => s.Value.Observation);
    }

    /// <summary>
    /// The period a marker property names: <c>p{period}</c> (revision unknown: <see cref="long.MaxValue"/>),
    /// <c>p{period}_r{revision}</c>, or <c>v{period}</c> (<c>Value</c>); null for any other property.
    /// </summary>
    private static (Period Period, long Revision, bool Value)? PeriodOf(string name)
    {
        if (name.Length < 5 || name[0] is not ('p' or 'v'))
            return null;
        var text = name[1..];
        var revision = long.MaxValue;
        if (name[0] == 'p' && text.LastIndexOf("_r", StringComparison.Ordinal) is var at and > 0)
        {
            if (!int.TryParse(text[(at + 2)..], NumberStyles.None, CultureInfo.InvariantCulture, out var written))
                return null;
            (text, revision) = (text[..at], written);
        }
        return Period.TryParse(text.Replace('_', '-'), out var period) ? (period, revision, name[0] == 'v') : null;
    }

    public CatalogChange ToCatalogChange() => new(RowKey[..RowKey.IndexOf('|')], RowKey[(RowKey.IndexOf('|') + 1)..]);
}

/// <summary>
/// A point's value as a marker holds it (<see cref="ChangeMarker.ValueProperty"/>): <c>{revision}|{status}|{value}|{source}</c>,
/// the value in round-trip form, the source last (it may hold anything) and absent when there is none.
/// </summary>
public static class StoredValue
{
    public static string Format(int revision, Observation observation) =>
        string.Create(CultureInfo.InvariantCulture, $"{revision}|{observation.Status.ToName()}|{observation.Value:R}") +
        (observation.Source is { } source ? "|" + source : "");

    public static (int Revision, Observation Observation)? TryParse(string text, Period period)
    {
        var parts = text.Split('|', 4);
        return parts.Length >= 3
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var revision)
            && StatusNames.TryParse(parts[1], out var status)
            && double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? (revision, new Observation(period, value, status, parts.Length == 4 ? parts[3] : null))
            : null;
    }
}

/// <summary>
/// Records what changed since the last run (the <c>changes</c> table) and the freshness state (the <c>state</c>
/// table). Series markers are spread over 16 partitions, so a large ingest is not one hot partition.
/// </summary>
public sealed class ChangeTracker(IndicatorTables tables, TimeProvider clock)
{
    public const int Shards = 16;
    public const string StatePartition = "state";
    public const string RunRow = "aggregation";

    public static string ShardOf(SeriesKey series) =>
        "s" + (StableHash(series.PartitionKey) % Shards).ToString("D2", CultureInfo.InvariantCulture);

    // An entity holds at most 252 properties, and a marked period takes two (its announced write and its value): a
    // series changed in more periods than this in one ingest is marked whole.
    private const int MaxPeriodProperties = 100;

    /// <summary>
    /// Announces writes of one series (each changed period with the revision the write gives it), before they are
    /// made, so a run reads them. A merge upsert adds to whatever is marked already, so concurrent ingests into one
    /// series never lose each other's marks.
    /// </summary>
    public Task MarkSeriesAsync(SeriesKey series, IEnumerable<(Period Period, int Revision)> periods, CancellationToken cancellationToken) =>
        MergeAsync(Marker(series, periods), cancellationToken);

    /// <summary>
    /// Marks many series at once, as <see cref="MarkSeriesAsync(SeriesKey, IEnumerable{ValueTuple{Period, int}}, CancellationToken)"/>
    /// does one: the same merge upserts, up to 100 in one transaction per shard (a large ingest costs a few requests,
    /// not one per series), four transactions in flight.
    /// </summary>
    public Task MarkSeriesAsync(IEnumerable<(SeriesKey Series, IEnumerable<(Period Period, int Revision)> Periods)> changed, CancellationToken cancellationToken) =>
        MergeAllAsync(changed.Select(c => Marker(c.Series, c.Periods)), cancellationToken);

    /// <summary>
    /// After writes succeeded: the values they stored, with their revisions, merged into the series' markers the same
    /// way (see <see cref="ChangeMarker.KnownValues"/>), so a run takes them from the marker instead of reading each
    /// point. Best effort for the caller: a value missing from a marker only costs the run a point read.
    /// </summary>
    public Task ConfirmAsync(IEnumerable<(SeriesKey Series, IEnumerable<(Observation Observation, int Revision)> Points)> written, CancellationToken cancellationToken) =>
        MergeAllAsync(written.Select(w => Values(w.Series, w.Points)).OfType<TableEntity>(), cancellationToken);

    private async Task MergeAllAsync(IEnumerable<TableEntity> markers, CancellationToken cancellationToken)
    {
        await Parallel.ForEachAsync(Transactions(markers), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (chunk, ct) =>
        {
            try
            {
                await tables.Changes.SubmitTransactionAsync(chunk.Select(m => new TableTransactionAction(TableTransactionActionType.UpsertMerge, m)), ct);
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 400)
            {
                // One marker has collected too many periods: each on its own, where that one is marked whole.
                foreach (var marker in chunk)
                    await MergeAsync(marker, ct);
            }
        });
    }

    /// <summary>Markers in transactions: one shard each, at most 100 markers.</summary>
    public static IEnumerable<TableEntity[]> Transactions(IEnumerable<TableEntity> markers) =>
        markers.GroupBy(m => m.PartitionKey).SelectMany(g => g.Chunk(IndicatorTables.MaxBatch));

    /// <summary>
    /// One series' marker announcing writes: a <c>p{period}_r{revision}</c> property per changed period (see
    /// <see cref="ChangeMarker.PendingProperty"/>), or <c>All</c> past <see cref="MaxPeriodProperties"/> periods.
    /// </summary>
    public static TableEntity Marker(SeriesKey series, IEnumerable<(Period Period, int Revision)> periods)
    {
        var changed = periods.Distinct().ToList();
        var marker = new TableEntity(ShardOf(series), series.PartitionKey);
        if (changed.Select(c => c.Period).Distinct().Count() > MaxPeriodProperties)
            marker["All"] = true;
        else
            foreach (var (period, revision) in changed)
                marker[ChangeMarker.PendingProperty(period, revision)] = true;
        return marker;
    }

    /// <summary>
    /// One series' stored values to merge into its marker: a <c>v{period}</c> property per point (see
    /// <see cref="StoredValue"/>); null when there are none, or more than <see cref="MaxPeriodProperties"/> (the marker is whole then).
    /// </summary>
    public static TableEntity? Values(SeriesKey series, IEnumerable<(Observation Observation, int Revision)> points)
    {
        var written = points.ToList();
        if (written.Count is 0 or > MaxPeriodProperties)
            return null;
        var marker = new TableEntity(ShardOf(series), series.PartitionKey);
        foreach (var (observation, revision) in written)
            marker[ChangeMarker.ValueProperty(observation.Period)] = StoredValue.Format(revision, observation);
        return marker;
    }

    private async Task MergeAsync(TableEntity marker, CancellationToken cancellationToken)
    {
        try
        {
            await tables.Changes.UpsertEntityAsync(marker, TableUpdateMode.Merge, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 400)
        {
            // The marker has collected too many periods over several ingests: mark the whole series instead.
            await tables.Changes.UpsertEntityAsync(new TableEntity(marker.PartitionKey, marker.RowKey) { ["All"] = true }, TableUpdateMode.Replace, cancellationToken);
        }
    }

    public async Task MarkCatalogAsync(string kind, string id, CancellationToken cancellationToken)
    {
        await tables.Changes.UpsertEntityAsync(new TableEntity(ChangeMarker.CatalogPartition, $"{kind}|{id}"), TableUpdateMode.Replace, cancellationToken);
        await TouchAsync(cancellationToken);
    }

    /// <summary>
    /// Every marker. With <paramref name="keysOnly"/> (a full run, which recomputes everything and only needs to
    /// clear them) just each marker's key and ETag are fetched — a bulk load leaves a marker per series naming every
    /// period it sent, and a full run must not hold all of that. Each entity is turned into its marker as it
    /// arrives, so no more than a page per shard of raw entities is in memory at once.
    /// </summary>
    public async Task<List<ChangeMarker>> ReadAllAsync(CancellationToken cancellationToken, bool keysOnly = false)
    {
        var partitions = Enumerable.Range(0, Shards).Select(i => "s" + i.ToString("D2", CultureInfo.InvariantCulture)).Append(ChangeMarker.CatalogPartition);
        var reads = await Task.WhenAll(partitions.Select(async partition =>
        {
            var markers = new List<ChangeMarker>();
            try
            {
                var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition}");
                await foreach (var e in tables.Changes.QueryAsync<TableEntity>(filter, select: keysOnly ? KeyColumns : null, cancellationToken: cancellationToken))
                {
                    if (keysOnly)
                    {
                        markers.Add(new ChangeMarker(e.PartitionKey, e.RowKey, e.ETag, NoYears, All: false));
                        continue;
                    }
                    var (periods, years) = ChangeMarker.Parse(e.Keys);
                    markers.Add(new ChangeMarker(e.PartitionKey, e.RowKey, e.ETag, years, e.GetBoolean("All") ?? false, periods, ChangeMarker.KnownValues(e)));
                }
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // No table yet: nothing marked.
            }
            return markers;
        }));
        return [.. reads.SelectMany(r => r)];
    }

    private static readonly string[] KeyColumns = ["PartitionKey", "RowKey"];
    private static readonly IReadOnlySet<int> NoYears = new HashSet<int>();

    /// <summary>
    /// Removes the markers a run has processed, 100 per transaction. Each delete is conditional on the ETag read at
    /// the start, so a series changed again during the run keeps its marker; a transaction refused for that reason
    /// is retried one delete at a time, so the other markers still go.
    /// </summary>
    public async Task ClearAsync(IEnumerable<ChangeMarker> markers, CancellationToken cancellationToken)
    {
        var chunks = markers.GroupBy(m => m.PartitionKey).SelectMany(g => g.Chunk(IndicatorTables.MaxBatch));
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (chunk, ct) =>
        {
            try
            {
                await tables.Changes.SubmitTransactionAsync(chunk.Select(m =>
                    new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(m.PartitionKey, m.RowKey), m.ETag)), ct);
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 404 or 412)
            {
                foreach (var marker in chunk)
                {
                    try
                    {
                        await tables.Changes.DeleteEntityAsync(marker.PartitionKey, marker.RowKey, marker.ETag, ct);
                    }
                    catch (RequestFailedException inner) when (inner.Status is 404 or 412)
                    {
                    }
                }
            }
        });
    }

    public async Task<FreshnessState> ReadStateAsync(CancellationToken cancellationToken)
    {
        // Two point reads: the partition also holds a row per generation.
        var (ingestRead, runRead) = (IndicatorTables.GetOrNullAsync(tables.State, StatePartition, "ingest", cancellationToken),
            IndicatorTables.GetOrNullAsync(tables.State, StatePartition, RunRow, cancellationToken));
        var (ingest, run) = (await ingestRead, await runRead);
        return new FreshnessState(
            run?.GetString("RunId"),
            run?.GetDateTimeOffset("AggregatedAt"),
            run?.GetDateTimeOffset("SnapshotAt"),
            ingest?.GetDateTimeOffset("LastChangeAt"),
            run?.GetBoolean("FullPending") ?? false,
            run?.GetString("Base"),
            run?.GetInt32("Layout") ?? 1);
    }

    /// <summary>Records that inputs changed now (what <see cref="FreshnessState.PendingChanges"/> compares against).</summary>
    public Task TouchAsync(CancellationToken cancellationToken) =>
        tables.State.UpsertEntityAsync(new TableEntity(StatePartition, "ingest") { ["LastChangeAt"] = clock.GetUtcNow() }, TableUpdateMode.Merge, cancellationToken);

    // Stable across processes (string.GetHashCode is randomised per process).
    private static uint StableHash(string s) => BitConverter.ToUInt32(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(s)));
}

/// <summary>When the figures were last aggregated, and whether inputs changed since.</summary>
/// <see cref="Base"/> is the full run the figures build on (see <see cref="Generations"/>); null before the first
/// run, or when the figures come from a build before generations.
/// <see cref="Layout"/> is the layout of the figures the last run wrote (<see cref="Generations.Layout"/>; 1 before it was recorded).
public sealed record FreshnessState(string? RunId, DateTimeOffset? AggregatedAt, DateTimeOffset? SnapshotAt, DateTimeOffset? LastChangeAt, bool FullPending, string? Base = null, int Layout = Generations.Layout)
{
    /// <summary>Observations arrived after the last run took its snapshot (or no run has happened yet).</summary>
    public bool PendingChanges => LastChangeAt is { } changed && (SnapshotAt is not { } snapshot || changed > snapshot);
}
