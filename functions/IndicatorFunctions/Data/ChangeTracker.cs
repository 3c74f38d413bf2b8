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
/// markers as series, not as points.
/// </summary>
public sealed record ChangeMarker(string PartitionKey, string RowKey, ETag ETag, IReadOnlySet<int> Years, bool All, IReadOnlySet<Period>? Periods = null)
{
    public const string CatalogPartition = "catalog";

    public bool IsCatalog => PartitionKey == CatalogPartition;

    public SeriesChange ToChange() => new(SeriesKey.FromPartitionKey(RowKey), Years, All, Periods);

    /// <summary>The property naming a changed period: <c>p</c> and the period with <c>_</c> for <c>-</c> (<c>p2021_Q3</c>).</summary>
    public static string PropertyOf(Period period) => "p" + period.ToString().Replace('-', '_');

    /// <summary>The periods and (markers of earlier builds, <c>y2021</c>) years a marker names.</summary>
    public static (HashSet<Period> Periods, HashSet<int> Years) Parse(IEnumerable<string> properties)
    {
        var (periods, years) = (new HashSet<Period>(), new HashSet<int>());
        foreach (var name in properties)
        {
            if (name.Length > 1 && name[0] == 'p' && Period.TryParse(name[1..].Replace('_', '-'), out var period))
                periods.Add(period);
            else if (name.Length == 5 && name[0] == 'y' && int.TryParse(name[1..], NumberStyles.None, CultureInfo.InvariantCulture, out var year))
                years.Add(year);
        }
        return (periods, years);
    }

    public CatalogChange ToCatalogChange() => new(RowKey[..RowKey.IndexOf('|')], RowKey[(RowKey.IndexOf('|') + 1)..]);
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

    // An entity holds at most 252 properties; a series changed in more periods than this is marked whole.
    private const int MaxPeriodProperties = 200;

    /// <summary>
    /// Marks the periods of one series that changed (so a run can read them one by one). A merge upsert adds periods
    /// to whatever is marked already, so concurrent ingests into one series never lose each other's marks.
    /// </summary>
    public Task MarkSeriesAsync(SeriesKey series, IEnumerable<Period> periods, CancellationToken cancellationToken) =>
        MergeAsync(Marker(series, periods), cancellationToken);

    /// <summary>
    /// Marks many series at once, as <see cref="MarkSeriesAsync(SeriesKey, IEnumerable{Period}, CancellationToken)"/>
    /// does one: the same merge upserts, up to 100 in one transaction per shard (a large ingest costs a few requests,
    /// not one per series), four transactions in flight.
    /// </summary>
    public async Task MarkSeriesAsync(IEnumerable<(SeriesKey Series, IEnumerable<Period> Periods)> changed, CancellationToken cancellationToken)
    {
        await Parallel.ForEachAsync(Transactions(changed), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (chunk, ct) =>
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

    /// <summary>The markers of <see cref="MarkSeriesAsync(IEnumerable{ValueTuple{SeriesKey, IEnumerable{Period}}}, CancellationToken)"/>, in transactions: one shard each, at most 100 markers.</summary>
    public static IEnumerable<TableEntity[]> Transactions(IEnumerable<(SeriesKey Series, IEnumerable<Period> Periods)> changed) =>
        changed.Select(c => Marker(c.Series, c.Periods)).GroupBy(m => m.PartitionKey).SelectMany(g => g.Chunk(IndicatorTables.MaxBatch));

    /// <summary>One series' marker: a <c>p{period}</c> property per changed period (see <see cref="ChangeMarker.PropertyOf"/>), or <c>All</c> past 200 of them.</summary>
    public static TableEntity Marker(SeriesKey series, IEnumerable<Period> periods)
    {
        var changed = periods.ToHashSet();
        var marker = new TableEntity(ShardOf(series), series.PartitionKey);
        if (changed.Count > MaxPeriodProperties)
            marker["All"] = true;
        else
            foreach (var period in changed)
                marker[ChangeMarker.PropertyOf(period)] = true;
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
            // The marker has collected too many years over several ingests: mark the whole series instead.
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
                    markers.Add(new ChangeMarker(e.PartitionKey, e.RowKey, e.ETag, years, e.GetBoolean("All") ?? false, periods));
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
