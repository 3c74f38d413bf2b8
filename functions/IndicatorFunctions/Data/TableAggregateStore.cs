using System.Runtime.CompilerServices;
using Azure.Data.Tables;
using IndicatorFunctions.Aggregation;
using IndicatorFunctions.Domain;
using IndicatorFunctions.Ingestion;

namespace IndicatorFunctions.Data;

/// <summary>
/// The pipeline's storage, one per run: observations read from <c>observations</c>, the figures written as wide
/// records (see <see cref="AggregateRecords"/>) under the run's id as generation. A full run (<paramref name="committed"/>
/// null) fills its own table <c>agg{run}</c>; an incremental run reads the committed records through that view and
/// writes the records it changes into the view's base table, beside them. Writes go through one
/// <see cref="BatchWriter"/>: every record of an indicator is in one partition, so transactions are full. Counts
/// what it reads and writes for the ledger.
/// </summary>
public sealed class TableAggregateStore(IndicatorTables tables, Generations generations, string generation, GenerationView? committed) : IObservationReader, IAggregateWriter
{
    // Past this many records of one kind in one indicator, one key-range scan beats a query per record.
    private const int RangeScanThreshold = 16;
    private const int ReadConcurrency = 16;

    private readonly BatchWriter _writer = new();
    private readonly TableClient _table = tables.Aggregates(committed?.Base ?? generation);

    public long ObservationsRead { get; private set; }

    /// <summary>Series and cross-section entities written.</summary>
    public long GrowthWritten { get; private set; }

    /// <summary>Rollup entities written.</summary>
    public long RollupsWritten { get; private set; }

    /// <summary>One indicator's series, in key order, from a single key-range query.</summary>
    public async IAsyncEnumerable<(SeriesKey Series, Dictionary<Period, Observation> Points)> ReadIndicatorAsync(string indicator,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {indicator + "|"} and PartitionKey lt {indicator + "}"}");
        string? partition = null;
        var points = new Dictionary<Period, Observation>();
        await foreach (var entity in tables.Observations.QueryAsync<ObservationEntity>(filter, cancellationToken: cancellationToken))
        {
            if (entity.PartitionKey != partition && partition is not null)
            {
                yield return (SeriesKey.FromPartitionKey(partition), points);
                points = [];
            }
            partition = entity.PartitionKey;
            var observation = entity.ToObservation();
            points[observation.Period] = observation;
            ObservationsRead++;
        }
        if (partition is not null)
            yield return (SeriesKey.FromPartitionKey(partition), points);
    }

    /// <summary>Per change, one query: the series' rows from its first changed year to its last (periods start with their year).</summary>
    public async Task<Dictionary<SeriesKey, Dictionary<Period, Observation>>> ReadChangedAsync(IReadOnlyCollection<SeriesChange> changes, CancellationToken cancellationToken)
    {
        var result = new Dictionary<SeriesKey, Dictionary<Period, Observation>>();
        await Parallel.ForEachAsync(changes, new ParallelOptions { MaxDegreeOfParallelism = ReadConcurrency, CancellationToken = cancellationToken }, async (change, ct) =>
        {
            var (from, to) = change.All || change.Years.Count == 0
                ? ((string?)null, (string?)null)
                : (Year(change.Years.Min()), Year(change.Years.Max() + 1));
            var entities = await IndicatorTables.ReadPartitionAsync<ObservationEntity>(tables.Observations, ObservationEntity.Partition(change.Series), ct, from, to);
            var points = entities.Select(e => e.ToObservation()).Where(o => change.Covers(o.Period)).ToDictionary(o => o.Period);
            lock (result)
            {
                result[change.Series] = points;
                ObservationsRead += entities.Count;
            }
        });
        return result;
    }

    public async Task<Dictionary<SeriesKey, IReadOnlyList<SeriesPoint>>> ReadSeriesAsync(IReadOnlyCollection<SeriesKey> keys, CancellationToken cancellationToken) =>
        (await ReadRecordsAsync(AggregateKind.Series, keys.Select(RecordKey.Of), cancellationToken))
            .ToDictionary(r => r.Key.Series, r => (IReadOnlyList<SeriesPoint>)AggregateRecords.SeriesFrom(r.Value));

    public async Task<Dictionary<CrossSectionKey, IReadOnlyList<CrossSectionRow>>> ReadCrossSectionsAsync(IReadOnlyCollection<CrossSectionKey> keys, CancellationToken cancellationToken) =>
        (await ReadRecordsAsync(AggregateKind.CrossSection, keys.Select(RecordKey.Of), cancellationToken))
            .ToDictionary(r => r.Key.CrossSection, r => (IReadOnlyList<CrossSectionRow>)AggregateRecords.CrossSectionFrom(r.Key.CrossSection.Period, r.Value));

    public async Task<Dictionary<RollupKey, IReadOnlyList<RollupPoint>>> ReadRollupsAsync(IReadOnlyCollection<RollupKey> keys, CancellationToken cancellationToken) =>
        (await ReadRecordsAsync(AggregateKind.Rollups, keys.Select(RecordKey.Of), cancellationToken))
            .ToDictionary(r => r.Key.Rollup, r => (IReadOnlyList<RollupPoint>)AggregateRecords.RollupsFrom(r.Value));

    /// <summary>
    /// The committed records with these keys (a full run has none): per indicator, one key-range scan of the kind
    /// when many are wanted, else a query per record, several at a time.
    /// </summary>
    private async Task<Dictionary<RecordKey, string>> ReadRecordsAsync(AggregateKind kind, IEnumerable<RecordKey> keys, CancellationToken cancellationToken)
    {
        var found = new Dictionary<RecordKey, string>();
        if (committed is not { Committed: not null } view)
            return found;
        var wanted = keys.ToHashSet();
        var scans = wanted.GroupBy(k => k.Indicator).Where(g => g.Count() > RangeScanThreshold).Select(g => g.Key).ToList();
        var singles = wanted.Where(k => !scans.Contains(k.Indicator)).ToList();
        await Parallel.ForEachAsync(scans, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (indicator, ct) =>
        {
            var records = await generations.ReadAllAsync(view, kind, indicator, ct);
            lock (found)
            {
                foreach (var (key, json) in records.Where(r => wanted.Contains(r.Key)))
                    found[key] = json;
            }
        });
        await Parallel.ForEachAsync(singles, new ParallelOptions { MaxDegreeOfParallelism = ReadConcurrency, CancellationToken = cancellationToken }, async (key, ct) =>
        {
            var json = await generations.ReadAsync(view, key, ct);
            lock (found)
                found[key] = json;
        });
        return found;
    }

    public Task WriteSeriesAsync(SeriesKey series, IReadOnlyList<SeriesPoint> points, CancellationToken cancellationToken) =>
        WriteAsync(RecordKey.Of(series), points.Count == 0, () => AggregateRecords.Serialize(points), cancellationToken);

    public Task WriteCrossSectionAsync(CrossSectionKey key, IReadOnlyList<CrossSectionRow> rows, CancellationToken cancellationToken) =>
        WriteAsync(RecordKey.Of(key), rows.Count == 0, () => AggregateRecords.Serialize(rows), cancellationToken);

    public Task WriteRollupsAsync(RollupKey rollup, IReadOnlyList<RollupPoint> points, CancellationToken cancellationToken) =>
        WriteAsync(RecordKey.Of(rollup), points.Count == 0, () => AggregateRecords.Serialize(points), cancellationToken);

    /// <summary>An empty record is not written by a full run (its table starts empty); an incremental run writes one that hides the committed record.</summary>
    private async Task WriteAsync(RecordKey key, bool empty, Func<string> json, CancellationToken cancellationToken)
    {
        foreach (var row in AggregateRecords.Rows(key, generation, empty ? "" : json(), empty, tombstone: committed is not null))
        {
            await _writer.UpsertAsync(_table, row, AggregateRecords.Size(row), cancellationToken);
            if (key.Kind == AggregateKind.Rollups)
                RollupsWritten++;
            else
                GrowthWritten++;
        }
    }

    /// <summary>The indicator's partition is complete: send it rather than hold it.</summary>
    public Task IndicatorCompleteAsync(CancellationToken cancellationToken) => _writer.SendAllAsync(cancellationToken);

    public Task FlushAsync(CancellationToken cancellationToken) => _writer.FlushAsync(cancellationToken);

    private static string Year(int year) => year.ToString("D4", System.Globalization.CultureInfo.InvariantCulture);
}
