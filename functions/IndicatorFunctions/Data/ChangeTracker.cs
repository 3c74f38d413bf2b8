using System.Globalization;
using System.Security.Cryptography;
using Azure;
using IndicatorFunctions.Domain;
using IndicatorFunctions.Storage.Tables;

namespace IndicatorFunctions.Data;

/// <summary>A change the next run must aggregate: a series point, or a catalog entry (cluster or indicator).</summary>
public sealed record ChangeMarker(string PartitionKey, string RowKey, ETag ETag)
{
    public const string CatalogPartition = "catalog";

    public bool IsCatalog => PartitionKey == CatalogPartition;

    /// <summary>For a point marker: the series and period (RowKey <c>indicator|district|sector|period</c>).</summary>
    public (SeriesKey Series, Period Period) Point
    {
        get
        {
            var cut = RowKey.LastIndexOf('|');
            return (SeriesKey.FromPartitionKey(RowKey[..cut]), Period.Parse(RowKey[(cut + 1)..]));
        }
    }
}

/// <summary>
/// Records what changed since the last run (the <c>changes</c> table) and the freshness state (the <c>state</c>
/// table). Point markers are spread over 16 partitions by series, so a large ingest is not one hot partition.
/// </summary>
public sealed class ChangeTracker(IndicatorTables tables, TimeProvider clock)
{
    public const int Shards = 16;
    private const string StatePartition = "state";

    public static string ShardOf(SeriesKey series) =>
        "s" + (StableHash(series.PartitionKey) % Shards).ToString("D2", CultureInfo.InvariantCulture);

    /// <summary>Marks points of one series (one shard, so one transaction per 100 points).</summary>
    public async Task MarkPointsAsync(SeriesKey series, IEnumerable<Period> periods, CancellationToken cancellationToken)
    {
        var writer = new BatchWriter();
        foreach (var period in periods)
            await writer.UpsertAsync(tables.Changes, new TableEntity(ShardOf(series), $"{series.PartitionKey}|{period}"), cancellationToken);
        await writer.FlushAsync(cancellationToken);
    }

    public async Task MarkCatalogAsync(string kind, string id, CancellationToken cancellationToken)
    {
        await tables.Changes.UpsertEntityAsync(new TableEntity(ChangeMarker.CatalogPartition, $"{kind}|{id}"), TableUpdateMode.Replace, cancellationToken);
        await TouchAsync(cancellationToken);
    }

    public async Task<List<ChangeMarker>> ReadAllAsync(CancellationToken cancellationToken)
    {
        var partitions = Enumerable.Range(0, Shards).Select(i => "s" + i.ToString("D2", CultureInfo.InvariantCulture)).Append(ChangeMarker.CatalogPartition);
        var reads = await Task.WhenAll(partitions.Select(p => IndicatorTables.ReadPartitionAsync(tables.Changes, p, cancellationToken)));
        return reads.SelectMany(r => r).Select(e => new ChangeMarker(e.PartitionKey, e.RowKey, e.ETag)).ToList();
    }

    /// <summary>
    /// Removes the markers a run has processed. Each delete is conditional on the ETag read at the start, so a
    /// point changed again during the run keeps its marker for the next run.
    /// </summary>
    public async Task ClearAsync(IEnumerable<ChangeMarker> markers, CancellationToken cancellationToken)
    {
        await Parallel.ForEachAsync(markers, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (marker, ct) =>
        {
            try
            {
                await tables.Changes.DeleteEntityAsync(marker.PartitionKey, marker.RowKey, marker.ETag, ct);
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 412)
            {
            }
        });
    }

    public async Task<FreshnessState> ReadStateAsync(CancellationToken cancellationToken)
    {
        var entities = await IndicatorTables.ReadPartitionAsync(tables.State, StatePartition, cancellationToken);
        var ingest = entities.FirstOrDefault(e => e.RowKey == "ingest");
        var run = entities.FirstOrDefault(e => e.RowKey == "aggregation");
        return new FreshnessState(
            run?.GetString("RunId"),
            run?.GetDateTimeOffset("AggregatedAt"),
            run?.GetDateTimeOffset("SnapshotAt"),
            ingest?.GetDateTimeOffset("LastChangeAt"),
            run?.GetBoolean("FullPending") ?? false);
    }

    public Task SetFullPendingAsync(CancellationToken cancellationToken) =>
        tables.State.UpsertEntityAsync(new TableEntity(StatePartition, "aggregation") { ["FullPending"] = true }, TableUpdateMode.Merge, cancellationToken);

    public Task RecordRunAsync(string runId, DateTimeOffset snapshotAt, CancellationToken cancellationToken) =>
        tables.State.UpsertEntityAsync(new TableEntity(StatePartition, "aggregation")
        {
            ["RunId"] = runId,
            ["AggregatedAt"] = clock.GetUtcNow(),
            ["SnapshotAt"] = snapshotAt,
            ["FullPending"] = false,
        }, TableUpdateMode.Merge, cancellationToken);

    /// <summary>Records that inputs changed now (what <see cref="FreshnessState.PendingChanges"/> compares against).</summary>
    public Task TouchAsync(CancellationToken cancellationToken) =>
        tables.State.UpsertEntityAsync(new TableEntity(StatePartition, "ingest") { ["LastChangeAt"] = clock.GetUtcNow() }, TableUpdateMode.Merge, cancellationToken);

    // Stable across processes (string.GetHashCode is randomised per process).
    private static uint StableHash(string s) => BitConverter.ToUInt32(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(s)));
}

/// <summary>When the figures were last aggregated, and whether inputs changed since.</summary>
public sealed record FreshnessState(string? RunId, DateTimeOffset? AggregatedAt, DateTimeOffset? SnapshotAt, DateTimeOffset? LastChangeAt, bool FullPending)
{
    /// <summary>Observations arrived after the last run took its snapshot (or no run has happened yet).</summary>
    public bool PendingChanges => LastChangeAt is { } changed && (SnapshotAt is not { } snapshot || changed > snapshot);
}
