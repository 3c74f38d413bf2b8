using System.Buffers;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure.Data.Tables;
using IndicatorFunctions.Aggregation;
using IndicatorFunctions.Domain;

namespace IndicatorFunctions.Data;

/// <summary>The three views of the aggregated figures, each a record read whole by one endpoint; and an incremental run's index of what it wrote.</summary>
public enum AggregateKind { Series, CrossSection, Rollups, Index }

/// <summary>One record: its kind, the indicator (the partition), and its key within the indicator.</summary>
public readonly record struct RecordKey(AggregateKind Kind, string Indicator, string Key)
{
    public static RecordKey Of(SeriesKey series) => new(AggregateKind.Series, series.Indicator, $"{series.District}|{series.Sector}");

    public static RecordKey Of(CrossSectionKey section) => new(AggregateKind.CrossSection, section.Indicator, $"{section.Sector}|{section.Period}");

    public static RecordKey Of(RollupKey rollup) => new(AggregateKind.Rollups, rollup.Indicator, rollup.Cluster);

    /// <summary>The keys an incremental run wrote in one indicator.</summary>
    public static RecordKey IndexOf(string indicator) => new(AggregateKind.Index, indicator, "keys");

    /// <summary>The row key before the part number: <c>{s|x|r|i}|{key}</c>; unique within the indicator.</summary>
    public string Name => Kind switch { AggregateKind.Series => "s", AggregateKind.CrossSection => "x", AggregateKind.Rollups => "r", _ => "i" } + "|" + Key;

    public SeriesKey Series => Key.Split('|') is [var district, var sector] ? new SeriesKey(Indicator, district, sector) : throw new FormatException(Key);

    public CrossSectionKey CrossSection => Key.Split('|') is [var sector, var period] ? new CrossSectionKey(Indicator, sector, Period.Parse(period)) : throw new FormatException(Key);

    public RollupKey Rollup => new(Key, Indicator);
}

/// <summary>
/// How the aggregated figures are stored: wide entities, one record per series, per cross-section and per cluster ×
/// indicator, so a full run writes a few entities per hundred observations and every read is one point read.
/// <para>Each generation (run) has its own table (<c>agg{run}</c>, see <see cref="Generations"/>): PK = indicator,
/// RK <c>{name}|{part}</c> with name <c>s|{district}|{sector}</c>, <c>x|{sector}|{period}</c> or <c>r|{cluster}</c>.
/// The record is compact JSON, Brotli-compressed (<see cref="Quality"/>), split over binary properties <c>D0</c>… of
/// at most <see cref="ChunkBytes"/> bytes (a property holds 64 KiB), and over several rows (<c>Parts</c>) past
/// <see cref="ChunksPerRow"/> of them (an entity holds 1 MiB); <c>Bytes</c> is the JSON's length in UTF-8. Compressed,
/// a record is 0.30 of its JSON's bytes and 0.40 of its characters on the wire (base64), with no quotes a response
/// must escape, so storage spends less on every write and query. Records of builds before compression, JSON in string
/// properties, read as they are.
/// A full run's table holds every record; an incremental run's holds the records it changed, an empty one as a row
/// with <c>Parts</c> = 0 that hides the older record, and per indicator an index of their names and of the series it
/// patched rather than rewrote, with the patches (<c>i|keys</c>, see <see cref="IncrementIndex"/>), so a reader
/// knows without a query which generation of its view holds a record, and which patches apply to a series.</para>
/// </summary>
public static class AggregateRecords
{
    public const int ChunkBytes = 60_000;
    public const int ChunksPerRow = 14;

    /// <summary>
    /// Brotli's quality. Measured on the benchmark's series and cross-section records (2.4 KB of JSON on average),
    /// quality 1 packs a record into 0.30 of its bytes and quality 4 into 0.27, at a fifth of the time (about 13 against
    /// 60 µs a record): a full run compresses every record it writes, so the faster one.
    /// </summary>
    public const int Quality = 1;

    private const int Window = 22;

    public static string RowKey(RecordKey key, int part) => $"{key.Name}|{part:D2}";

    /// <summary>The rows of one record; none for an empty record unless it must hide an older one (<paramref name="tombstone"/>).</summary>
    public static IEnumerable<TableEntity> Rows(RecordKey key, string json, bool tombstone)
    {
        if (json.Length == 0)
        {
            if (tombstone)
                yield return new TableEntity(key.Indicator, RowKey(key, 0)) { ["Parts"] = 0 };
            yield break;
        }
        var (packed, bytes) = Compress(json);
        var chunks = (packed.Length + ChunkBytes - 1) / ChunkBytes;
        var parts = (chunks + ChunksPerRow - 1) / ChunksPerRow;
        for (var part = 0; part < parts; part++)
        {
            var row = new TableEntity(key.Indicator, RowKey(key, part)) { ["Parts"] = parts, ["Bytes"] = bytes };
            for (var i = 0; i < ChunksPerRow; i++)
            {
                var start = (part * ChunksPerRow + i) * ChunkBytes;
                if (start >= packed.Length)
                    break;
                // A record of one chunk (nearly all of them) is written as compressed, without a copy.
                row["D" + i] = packed.Length <= ChunkBytes ? packed : packed[start..Math.Min(start + ChunkBytes, packed.Length)];
            }
            yield return row;
        }
    }

    /// <summary>Characters a row carries on the wire, binary as base64 (what a transaction's 4 MiB payload limit is counted in).</summary>
    public static int Size(TableEntity row) => row.Sum(p => p.Value switch
    {
        string s => s.Length,
        byte[] b => (b.Length + 2) / 3 * 4,
        _ => 8,
    });

    /// <summary>How many rows a record has, from its first row.</summary>
    public static int PartsOf(TableEntity first) => first.GetInt32("Parts") ?? 0;

    /// <summary>A record's JSON from all its rows in part order ("" for an empty record).</summary>
    public static string Join(IReadOnlyList<TableEntity> rows)
    {
        if (rows.Count == 0 || PartsOf(rows[0]) == 0)
            return "";
        if (rows.Count != PartsOf(rows[0]))
            throw new InvalidDataException($"aggregate record {rows[0].RowKey} has {rows.Count} of its {PartsOf(rows[0])} rows");
        var chunks = rows.SelectMany(row => Enumerable.Range(0, ChunksPerRow).Select(i => row.TryGetValue("D" + i, out var chunk) ? chunk : null)
            .TakeWhile(chunk => chunk is not null)).Select(chunk => chunk!).ToList();
        if (chunks.All(chunk => chunk is string))
            return string.Concat(chunks.Cast<string>()); // written before records were compressed
        if (!chunks.All(chunk => chunk is byte[]) || rows[0].GetInt32("Bytes") is not { } bytes)
            throw new InvalidDataException($"aggregate record {rows[0].RowKey} mixes text and binary chunks, or lacks its length");
        return Decompress(chunks.Count == 1 ? (byte[])chunks[0] : Concat(chunks.Cast<byte[]>().ToList()), bytes, rows[0].RowKey);
    }

    private static byte[] Concat(List<byte[]> chunks)
    {
        var all = new byte[chunks.Sum(chunk => chunk.Length)];
        var offset = 0;
        foreach (var chunk in chunks)
        {
            chunk.CopyTo(all, offset);
            offset += chunk.Length;
        }
        return all;
    }

    private static (byte[] Packed, int Bytes) Compress(string json)
    {
        var utf8 = Encoding.UTF8.GetBytes(json);
        var buffer = ArrayPool<byte>.Shared.Rent(BrotliEncoder.GetMaxCompressedLength(utf8.Length));
        try
        {
            if (!BrotliEncoder.TryCompress(utf8, buffer, out var written, Quality, Window))
                throw new InvalidOperationException("Brotli could not compress a record into its maximum compressed length");
            return (buffer.AsSpan(0, written).ToArray(), utf8.Length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static string Decompress(byte[] packed, int bytes, string rowKey)
    {
        var utf8 = ArrayPool<byte>.Shared.Rent(Math.Max(bytes, 1));
        try
        {
            if (!BrotliDecoder.TryDecompress(packed, utf8.AsSpan(0, bytes), out var written) || written != bytes)
                throw new InvalidDataException($"aggregate record {rowKey} does not decompress to its {bytes} bytes");
            return Encoding.UTF8.GetString(utf8, 0, bytes);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(utf8);
        }
    }

    /// <summary>An increment's index of one indicator: the names of the records it wrote, and its series patches (by <c>{district}|{sector}</c>).</summary>
    public static string Serialize(IReadOnlyCollection<string> names, IReadOnlyDictionary<string, IReadOnlyDictionary<Period, SeriesPoint?>> patches) =>
        JsonSerializer.Serialize(new IndexDto
        {
            Names = [.. names],
            Patches = patches.Count == 0 ? null : patches.ToDictionary(p => p.Key,
                p => p.Value.OrderBy(e => e.Key).Select(e => e.Value is { } point ? PointDto.From(e.Key.ToString(), point) : new PointDto { Key = e.Key.ToString(), Removed = true }).ToList()),
        }, AggregateJson.Default.IndexDto);

    /// <summary>An increment's index as written; an index of builds before series patches is a JSON array of names.</summary>
    public static IncrementIndex IndexFrom(string json)
    {
        if (json.Length == 0)
            return IncrementIndex.Empty;
        if (json[0] == '[')
            return new IncrementIndex(JsonSerializer.Deserialize(json, AggregateJson.Default.HashSetString)!, []);
        var dto = JsonSerializer.Deserialize(json, AggregateJson.Default.IndexDto)!;
        return new IncrementIndex([.. dto.Names], (dto.Patches ?? []).ToDictionary(p => p.Key,
            p => (IReadOnlyDictionary<Period, SeriesPoint?>)p.Value.ToDictionary(d => Period.Parse(d.Key), d => d.Removed ? null : d.ToPoint(Period.Parse(d.Key)))));
    }

    /// <summary>A series record (its JSON, "" for none) with patches applied, oldest first.</summary>
    public static string Patched(string json, IEnumerable<IReadOnlyDictionary<Period, SeriesPoint?>> oldestFirst) =>
        Serialize(oldestFirst.Aggregate(SeriesFrom(json), (points, patch) => SeriesPatches.Apply(points, patch)));

    public static string Serialize(IReadOnlyList<SeriesPoint> points) =>
        JsonSerializer.Serialize(points.Select(p => PointDto.From(p.Observation.Period.ToString(), p)).ToList(), AggregateJson.Default.ListPointDto);

    public static string Serialize(IReadOnlyList<CrossSectionRow> rows) =>
        JsonSerializer.Serialize(rows.Select(r => PointDto.From(r.District, r.Point)).ToList(), AggregateJson.Default.ListPointDto);

    public static string Serialize(IReadOnlyList<RollupPoint> points) =>
        JsonSerializer.Serialize(points.Select(RollupDto.From).ToList(), AggregateJson.Default.ListRollupDto);

    public static List<SeriesPoint> SeriesFrom(string json) =>
        json.Length == 0 ? [] : [.. JsonSerializer.Deserialize(json, AggregateJson.Default.ListPointDto)!.Select(d => d.ToPoint(Period.Parse(d.Key)))];

    public static List<CrossSectionRow> CrossSectionFrom(Period period, string json) =>
        json.Length == 0 ? [] : [.. JsonSerializer.Deserialize(json, AggregateJson.Default.ListPointDto)!.Select(d => new CrossSectionRow(d.Key, d.ToPoint(period)))];

    public static List<RollupPoint> RollupsFrom(string json) =>
        json.Length == 0 ? [] : [.. JsonSerializer.Deserialize(json, AggregateJson.Default.ListRollupDto)!.Select(d => d.ToPoint())];
}

/// <summary>
/// An incremental run's index of one indicator (<c>i|keys</c>): the names of the records it wrote there, and the series
/// it patched rather than rewrote (<see cref="SeriesPatches"/>), by <c>{district}|{sector}</c>.
/// </summary>
public sealed record IncrementIndex(HashSet<string> Names, Dictionary<string, IReadOnlyDictionary<Period, SeriesPoint?>> Patches)
{
    public static IncrementIndex Empty { get; } = new([], []);

    /// <summary>This index and a later one of the same run: every name of both, and each series' patches merged, the later's points winning.</summary>
    public IncrementIndex With(IncrementIndex later) => new(
        [.. Names, .. later.Names],
        Patches.Keys.Union(later.Patches.Keys).ToDictionary(series => series, series =>
            (IReadOnlyDictionary<Period, SeriesPoint?>)(Patches.GetValueOrDefault(series) ?? new Dictionary<Period, SeriesPoint?>())
                .Where(p => later.Patches.GetValueOrDefault(series)?.ContainsKey(p.Key) != true)
                .Concat(later.Patches.GetValueOrDefault(series) ?? new Dictionary<Period, SeriesPoint?>()).ToDictionary()));
}

/// <summary>An index as stored: <c>n</c> the names, <c>p</c> each patched series' points (a removed one with <c>x</c>).</summary>
public sealed class IndexDto
{
    [JsonPropertyName("n")] public List<string> Names { get; set; } = [];
    [JsonPropertyName("p")] public Dictionary<string, List<PointDto>>? Patches { get; set; }
}

/// <summary>A point with its YoY, as stored: <c>k</c> is the period (series) or the district (cross-section). Defaults are left out.</summary>
public sealed class PointDto
{
    [JsonPropertyName("k")] public string Key { get; set; } = "";
    [JsonPropertyName("v"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] public double Value { get; set; }
    [JsonPropertyName("s")] public ObservationStatus Status { get; set; }
    [JsonPropertyName("src")] public string? Source { get; set; }
    [JsonPropertyName("p")] public double? Prior { get; set; }
    [JsonPropertyName("c")] public double? Change { get; set; }
    [JsonPropertyName("pct")] public double? Pct { get; set; }
    [JsonPropertyName("r")] public string? Reason { get; set; }
    [JsonPropertyName("ys")] public ObservationStatus YoyStatus { get; set; }

    /// <summary>In a series patch: the point is gone.</summary>
    [JsonPropertyName("x")] public bool Removed { get; set; }

    public static PointDto From(string key, SeriesPoint point) => new()
    {
        Key = key,
        Value = point.Observation.Value,
        Status = point.Observation.Status,
        Source = point.Observation.Source,
        Prior = point.Yoy.Prior,
        Change = point.Yoy.Change,
        Pct = point.Yoy.Pct,
        Reason = point.Yoy.Reason,
        YoyStatus = point.Yoy.Status,
    };

    public SeriesPoint ToPoint(Period period) =>
        new(new Observation(period, Value, Status, Source), new Growth(Prior, Change, Pct, Reason, YoyStatus));
}

/// <summary>A rollup as stored, keyed by period. Defaults are left out.</summary>
public sealed class RollupDto
{
    [JsonPropertyName("k")] public string Period { get; set; } = "";
    [JsonPropertyName("v")] public double? Value { get; set; }
    [JsonPropertyName("vr")] public string? ValueReason { get; set; }
    [JsonPropertyName("s")] public ObservationStatus Status { get; set; }
    [JsonPropertyName("m")] public int Members { get; set; }
    [JsonPropertyName("n")] public int Reporting { get; set; }
    [JsonPropertyName("cov"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] public double Coverage { get; set; }
    [JsonPropertyName("miss")] public string[]? Missing { get; set; }
    [JsonPropertyName("yc")] public double? YoyCurrent { get; set; }
    [JsonPropertyName("yp")] public double? YoyPrior { get; set; }
    [JsonPropertyName("ych")] public double? YoyChange { get; set; }
    [JsonPropertyName("ypct")] public double? YoyPct { get; set; }
    [JsonPropertyName("cm")] public int ComparableMembers { get; set; }
    [JsonPropertyName("yr")] public string? YoyReason { get; set; }
    [JsonPropertyName("ys")] public ObservationStatus YoyStatus { get; set; }

    public static RollupDto From(RollupPoint r) => new()
    {
        Period = r.Period.ToString(),
        Value = r.Value,
        ValueReason = r.ValueReason,
        Status = r.Status,
        Members = r.Members,
        Reporting = r.Reporting,
        Coverage = r.Coverage,
        Missing = r.Missing.Count == 0 ? null : [.. r.Missing],
        YoyCurrent = r.Yoy.Current,
        YoyPrior = r.Yoy.Prior,
        YoyChange = r.Yoy.Change,
        YoyPct = r.Yoy.Pct,
        ComparableMembers = r.Yoy.ComparableMembers,
        YoyReason = r.Yoy.Reason,
        YoyStatus = r.Yoy.Status,
    };

    public RollupPoint ToPoint() => new(Domain.Period.Parse(Period), Value, ValueReason, Status, Members, Reporting, Coverage, Missing ?? [],
        new RollupGrowth(YoyCurrent, YoyPrior, YoyChange, YoyPct, ComparableMembers, YoyReason, YoyStatus));
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault)]
[JsonSerializable(typeof(List<PointDto>))]
[JsonSerializable(typeof(List<RollupDto>))]
[JsonSerializable(typeof(IndexDto))]
[JsonSerializable(typeof(HashSet<string>))]
internal sealed partial class AggregateJson : JsonSerializerContext;
