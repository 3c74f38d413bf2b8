using System.Runtime.CompilerServices;
using System.Text.Json;
using IndicatorFunctions.Aggregation;
using IndicatorFunctions.Domain;

namespace IndicatorFunctions.Tests.Pipeline;

/// <summary>Observations in, records out, all in memory; <see cref="ObservationsRead"/> counts what a run read.</summary>
internal sealed class MemoryStore : IObservationReader, IAggregateWriter
{
    public Dictionary<SeriesKey, Dictionary<Period, Observation>> Observations { get; } = [];
    public Dictionary<SeriesKey, IReadOnlyList<SeriesPoint>> SeriesRecords { get; } = [];
    public Dictionary<CrossSectionKey, IReadOnlyList<CrossSectionRow>> SectionRecords { get; } = [];
    public Dictionary<RollupKey, IReadOnlyList<RollupPoint>> RollupRecords { get; } = [];
    public int ObservationsRead { get; set; }

    /// <summary>Every series point, as <c>series/period</c> → its JSON.</summary>
    public SortedDictionary<string, string> Growth => Flat(SeriesRecords.SelectMany(r => r.Value.Select(p => ($"{r.Key.PartitionKey}/{p.Observation.Period}", (object)p))));

    /// <summary>Every cross-section row, as <c>indicator|sector|period/district</c> → its JSON.</summary>
    public SortedDictionary<string, string> Sections => Flat(SectionRecords.SelectMany(r => r.Value.Select(row => ($"{r.Key.Indicator}|{r.Key.Sector}|{r.Key.Period}/{row.District}", (object)row.Point))));

    /// <summary>Every rollup, as <c>cluster|indicator/period</c> → its JSON.</summary>
    public SortedDictionary<string, string> Rollups => Flat(RollupRecords.SelectMany(r => r.Value.Select(p => ($"{r.Key.Cluster}|{r.Key.Indicator}/{p.Period}", (object)p))));

    private static SortedDictionary<string, string> Flat(IEnumerable<(string Key, object Value)> entries) =>
        new(entries.ToDictionary(e => e.Key, e => JsonSerializer.Serialize(e.Value, e.Value.GetType(), MemoryJson.Json)), StringComparer.Ordinal);

    public async IAsyncEnumerable<(SeriesKey Series, Dictionary<Period, Observation> Points)> ReadIndicatorAsync(string indicator, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        foreach (var (key, points) in Observations.Where(o => o.Key.Indicator == indicator).OrderBy(o => o.Key.PartitionKey, StringComparer.Ordinal))
        {
            ObservationsRead += points.Count;
            yield return (key, new Dictionary<Period, Observation>(points));
        }
    }

    public Task<Dictionary<SeriesKey, Dictionary<Period, Observation>>> ReadChangedAsync(IReadOnlyCollection<SeriesChange> changes, CancellationToken cancellationToken)
    {
        var read = changes.ToDictionary(c => c.Series, c => (Observations.GetValueOrDefault(c.Series) ?? []).Where(p => c.Covers(p.Key)).ToDictionary());
        ObservationsRead += read.Values.Sum(p => p.Count);
        return Task.FromResult(read);
    }

    public Task<CommittedRecords> ReadCommittedAsync(RecordRequest request, CancellationToken cancellationToken)
    {
        var found = new CommittedRecords();
        SeriesRecordsRead += request.Series.Count;
        foreach (var key in request.Series.Where(SeriesRecords.ContainsKey))
            found.Series[key] = SeriesRecords[key];
        foreach (var key in request.Sections.Where(SectionRecords.ContainsKey))
            found.Sections[key] = SectionRecords[key];
        foreach (var key in request.Rollups.Where(RollupRecords.ContainsKey))
            found.Rollups[key] = RollupRecords[key];
        return Task.FromResult(found);
    }

    public Task WriteSeriesAsync(SeriesKey series, IReadOnlyList<SeriesPoint> points, CancellationToken cancellationToken)
    {
        SeriesWritten++;
        return Put(SeriesRecords, series, points);
    }

    /// <summary>Series records asked for by a run, and written whole.</summary>
    public int SeriesRecordsRead { get; set; }

    public int SeriesWritten { get; set; }

    public Task WriteSeriesPatchAsync(SeriesKey series, IReadOnlyDictionary<Period, SeriesPoint?> patch, CancellationToken cancellationToken)
    {
        SeriesPatchesWritten++;
        return Put(SeriesRecords, series, SeriesPatches.Apply(SeriesRecords.GetValueOrDefault(series) ?? [], patch));
    }

    /// <summary>Series written as a patch rather than whole.</summary>
    public int SeriesPatchesWritten { get; private set; }

    public Task WriteCrossSectionAsync(CrossSectionKey key, IReadOnlyList<CrossSectionRow> rows, CancellationToken cancellationToken) => Put(SectionRecords, key, rows);

    public Task WriteRollupsAsync(RollupKey rollup, IReadOnlyList<RollupPoint> points, CancellationToken cancellationToken) => Put(RollupRecords, rollup, points);

    private static Task Put<TKey, T>(Dictionary<TKey, IReadOnlyList<T>> records, TKey key, IReadOnlyList<T> record) where TKey : notnull
    {
        if (record.Count == 0)
            records.Remove(key);
        else
            records[key] = [.. record];
        return Task.CompletedTask;
    }

    public Task IndicatorCompleteAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

internal sealed class PeriodAsText : System.Text.Json.Serialization.JsonConverter<Period>
{
    public override Period Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Period.Parse(reader.GetString()!);

    public override void Write(Utf8JsonWriter writer, Period value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
}

internal static class MemoryJson
{
    public static readonly JsonSerializerOptions Json = new() { Converters = { new PeriodAsText() } };
}
