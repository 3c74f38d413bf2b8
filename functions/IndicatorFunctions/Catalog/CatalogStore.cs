using System.Text.Json;
using System.Text.Json.Serialization;
using IndicatorFunctions.Data;
using IndicatorFunctions.Domain;
using Azure.Data.Tables;

namespace IndicatorFunctions.Catalog;

/// <summary>
/// Indicators, districts and clusters in the <c>catalog</c> table (PK kind, RK id, the entry as JSON). Reads come
/// from a snapshot cached for a few seconds — the catalog is small and changes rarely; writes refresh it here.
/// </summary>
public sealed class CatalogStore(IndicatorTables tables, ChangeTracker changes, TimeProvider clock)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(10);

    private static JsonSerializerOptions Json => IndicatorFunctions.Json.Options;

    // A reference swap is atomic: concurrent requests see one whole entry or another, never a mix.
    private sealed record Entry(CatalogSnapshot Snapshot, DateTimeOffset At);

    private volatile Entry? _cached;

    public async Task<CatalogSnapshot> GetAsync(CancellationToken cancellationToken, bool fresh = false)
    {
        if (!fresh && _cached is { } c && clock.GetUtcNow() - c.At < CacheFor)
            return c.Snapshot;
        var reads = await Task.WhenAll(
            IndicatorTables.ReadPartitionAsync<CatalogEntity>(tables.Catalog, "indicator", cancellationToken),
            IndicatorTables.ReadPartitionAsync<CatalogEntity>(tables.Catalog, "district", cancellationToken),
            IndicatorTables.ReadPartitionAsync<CatalogEntity>(tables.Catalog, "cluster", cancellationToken));
        var snapshot = new CatalogSnapshot(reads[0].Select(Read<Indicator>), reads[1].Select(Read<District>), reads[2].Select(Read<Cluster>));
        _cached = new Entry(snapshot, clock.GetUtcNow());
        return snapshot;
    }

    public Task<bool> PutIndicatorAsync(Indicator indicator, bool aggregationChanged, CancellationToken cancellationToken) =>
        PutAsync("indicator", indicator.Id, indicator, aggregationChanged, cancellationToken);

    public Task<bool> PutDistrictAsync(District district, CancellationToken cancellationToken) =>
        PutAsync("district", district.Id, district, rollupsChange: false, cancellationToken);

    public Task<bool> PutClusterAsync(Cluster cluster, CancellationToken cancellationToken) =>
        PutAsync("cluster", cluster.Id, cluster, rollupsChange: true, cancellationToken);

    /// <summary>Stores an entry; true when it is new. A change that alters rollups is marked for the next run.</summary>
    private async Task<bool> PutAsync<T>(string kind, string id, T entry, bool rollupsChange, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var existed = await IndicatorTables.GetOrNullAsync(tables.Catalog, kind, id, cancellationToken, ["RowKey"]) is not null;
        if (rollupsChange)
            await changes.MarkCatalogAsync(kind, id, cancellationToken);
        await tables.Catalog.UpsertEntityAsync(new CatalogEntity { PartitionKey = kind, RowKey = id, Json = JsonSerializer.Serialize(entry, Json) },
            TableUpdateMode.Replace, cancellationToken);
        _cached = null;
        return !existed;
    }

    private static T Read<T>(CatalogEntity entity) =>
        JsonSerializer.Deserialize<T>(entity.Json, Json)!;
}

/// <summary>A catalog entry: <c>catalog</c>, PK the kind (<c>indicator</c>, <c>district</c>, <c>cluster</c>), RK its id; the entry as JSON.</summary>
public sealed class CatalogEntity : TableRow
{
    public string Json { get; set; } = "";
}
