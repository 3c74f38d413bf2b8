using System.Globalization;
using System.Text;
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
    public const string DistrictPartition = "district";

    // Each failed attempt means another request to the same district (or to one of its names) succeeded meanwhile.
    private const int MaxDistrictAttempts = 5;

    private static JsonSerializerOptions Json => IndicatorFunctions.Json.Options;

    // A reference swap is atomic: concurrent requests see one whole entry or another, never a mix.
    private sealed record Entry(CatalogSnapshot Snapshot, DateTimeOffset At);

    private volatile Entry? _cached;

    // Bumped by every write: a read that began before a write does not cache what it read (it may predate the write).
    private long _writes;

    public async Task<CatalogSnapshot> GetAsync(CancellationToken cancellationToken, bool fresh = false)
    {
        if (!fresh && _cached is { } c && clock.GetUtcNow() - c.At < CacheFor)
            return c.Snapshot;
        var writesBefore = Interlocked.Read(ref _writes);
        var reads = await Task.WhenAll(
            IndicatorTables.ReadPartitionAsync<CatalogEntity>(tables.Catalog, "indicator", cancellationToken),
            IndicatorTables.ReadPartitionAsync<CatalogEntity>(tables.Catalog, DistrictPartition, cancellationToken),
            IndicatorTables.ReadPartitionAsync<CatalogEntity>(tables.Catalog, "cluster", cancellationToken));
        var districts = reads[1].Where(e => !DistrictNameEntity.IsName(e.RowKey)).Select(Read<District>);
        var snapshot = new CatalogSnapshot(reads[0].Select(Read<Indicator>), districts, reads[2].Select(Read<Cluster>));
        if (Interlocked.Read(ref _writes) == writesBefore)
            _cached = new Entry(snapshot, clock.GetUtcNow());
        return snapshot;
    }

    public Task<bool> PutIndicatorAsync(Indicator indicator, bool aggregationChanged, CancellationToken cancellationToken) =>
        PutAsync("indicator", indicator.Id, indicator, aggregationChanged, cancellationToken);

    /// <summary>
    /// Stores a district with its names (name and aliases) reserved, in one transaction: the district row (added, or
    /// replaced if unchanged since read), a <see cref="DistrictNameEntity"/> added for each name it did not hold, and
    /// deleted for each it gave up. Two requests cannot both reserve a name: the second's add fails, and it re-reads
    /// and finds the name taken. 
    /// </summary>
    public async Task<DistrictPut> PutDistrictAsync(District district, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var wanted = district.Aliases.Append(district.Name).GroupBy(DistrictNameEntity.Key).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        for (var attempt = 1; attempt <= MaxDistrictAttempts; attempt++)
        {
            var existing = await IndicatorTables.GetOrNullAsync<CatalogEntity>(tables.Catalog, DistrictPartition, district.Id, cancellationToken, ["RowKey"]);
            var names = (await IndicatorTables.ReadPartitionAsync<DistrictNameEntity>(tables.Catalog, DistrictPartition, cancellationToken, DistrictNameEntity.From, DistrictNameEntity.To))
                .ToDictionary(n => n.RowKey, StringComparer.Ordinal);
            foreach (var (key, name) in wanted)
            {
                if (names.TryGetValue(key, out var held) && held.District != district.Id)
                    return new DistrictPut(DistrictWrite.NameTaken, new NameTaken(name, held.District));
            }

            var row = new CatalogEntity { PartitionKey = DistrictPartition, RowKey = district.Id, Json = JsonSerializer.Serialize(district, Json) };
            List<TableTransactionAction> actions =
            [
                existing is null ? new(TableTransactionActionType.Add, row) : new(TableTransactionActionType.UpdateReplace, row, existing.ETag),
                .. names.Values.Where(n => n.District == district.Id && !wanted.ContainsKey(n.RowKey)).Select(n => new TableTransactionAction(TableTransactionActionType.Delete, n, n.ETag)),
                .. wanted.Where(w => !names.ContainsKey(w.Key)).Select(w => new TableTransactionAction(TableTransactionActionType.Add, DistrictNameEntity.For(w.Value, district.Id))),
            ];
            try
            {
                await tables.Catalog.SubmitTransactionAsync(actions, cancellationToken);
                Forget();
                return new DistrictPut(existing is null ? DistrictWrite.Created : DistrictWrite.Replaced);
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 404 or 409 or 412)
            {
                // Another request wrote this district or reserved one of its names since we read: read again and decide anew.
            }
        }
        return new DistrictPut(DistrictWrite.Busy);
    }

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
        Forget();
        return !existed;
    }

    /// <summary>After a write: the cached snapshot goes, and so does any read under way (it may have read before the write).</summary>
    private void Forget()
    {
        Interlocked.Increment(ref _writes);
        _cached = null;
    }

    private static T Read<T>(CatalogEntity entity) =>
        JsonSerializer.Deserialize<T>(entity.Json, Json)!;
}

/// <summary>A catalog entry: <c>catalog</c>, PK the kind (<c>indicator</c>, <c>district</c>, <c>cluster</c>), RK its id; the entry as JSON.</summary>
public sealed class CatalogEntity : TableRow
{
    public string Json { get; set; } = "";
}

/// <summary>
/// A district's name or alias, reserved for it: <c>catalog</c>, PK <c>district</c>, RK <c>name|{normalised}</c>
/// (trimmed, upper-cased as <see cref="StringComparer.OrdinalIgnoreCase"/> compares, characters a key may not hold
/// escaped as <c>%XXXX</c>). Names and aliases share one key space: a name or alias identifies one district.
/// </summary>
public sealed class DistrictNameEntity : TableRow
{
    private const string Prefix = "name|";

    /// <summary>The key range of the name rows: district ids are slugs, which never contain '|'.</summary>
    public const string From = Prefix, To = "name}";

    /// <summary>The id of the district holding the name.</summary>
    public string District { get; set; } = "";

    /// <summary>The name as that district spells it.</summary>
    public string Name { get; set; } = "";

    public static bool IsName(string rowKey) => rowKey.StartsWith(Prefix, StringComparison.Ordinal);

    public static DistrictNameEntity For(string name, string district) => new() { PartitionKey = CatalogStore.DistrictPartition, RowKey = Key(name), District = district, Name = name };

    public static string Key(string name)
    {
        var key = new StringBuilder(Prefix);
        foreach (var c in name.Trim().ToUpperInvariant())
        {
            // Table keys may not hold / \ # ? or control characters; '%' is escaped so the escape stays unambiguous.
            if (c is '/' or '\\' or '#' or '?' or '%' || char.IsControl(c) || char.IsSurrogate(c))
                key.Append('%').Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            else
                key.Append(c);
        }
        return key.ToString();
    }
}

/// <summary>How a district PUT went.</summary>
public enum DistrictWrite
{
    Created,
    Replaced,

    /// <summary>Another district holds one of its names: <see cref="DistrictPut.Taken"/> says which.</summary>
    NameTaken,

    /// <summary>Other requests kept writing the same district meanwhile: nothing was stored; try again.</summary>
    Busy,
}

public sealed record DistrictPut(DistrictWrite Outcome, NameTaken? Taken = null);

/// <summary>A name or alias, and the district that holds it.</summary>
public sealed record NameTaken(string Name, string District);
