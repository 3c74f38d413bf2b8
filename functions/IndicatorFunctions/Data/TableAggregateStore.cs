using System.Runtime.CompilerServices;
using Azure.Data.Tables;
using IndicatorFunctions.Aggregation;
using IndicatorFunctions.Domain;
using IndicatorFunctions.Ingestion;

namespace IndicatorFunctions.Data;

/// <summary>
/// The pipeline's storage, one per run: observations read from <c>observations</c>; each point written twice
/// (<c>series</c> and <c>crosssection</c> views) and rollups to <c>rollups</c> — the run's own generation of those
/// tables (see <see cref="Generations"/>). A full run writes straight through one <see cref="BatchWriter"/>
/// (100-operation transactions per partition, four in flight). An incremental run (<paramref name="copyFrom"/> is
/// the committed view) collects what it changes per partition and, at <see cref="FlushAsync"/>, copies each touched
/// partition from that view with the changes applied into its tables, then records the copies. Counts what it reads
/// and writes for the ledger.
/// </summary>
public sealed class TableAggregateStore(IndicatorTables tables, Generations generations, string generation, GenerationView? copyFrom) : IObservationReader, IAggregateWriter
{
    // Past this many series of one indicator, one key-range scan beats a query per series.
    private const int RangeScanThreshold = 16;
    private const int CopyConcurrency = 8;

    private readonly BatchWriter _writer = new();

    /// <summary>Incremental runs: per touched partition, the rows written (null: deleted) and, once read, the rows it had.</summary>
    private readonly Dictionary<(AggregateTable Kind, string Partition), PartitionCopy> _copies = [];

    private sealed class PartitionCopy
    {
        public Dictionary<string, ITableEntity?> Changed { get; } = new(StringComparer.Ordinal);
        public List<ITableEntity>? Before { get; set; }
    }

    public long ObservationsRead { get; private set; }

    public long GrowthWritten { get; private set; }

    public long RollupsWritten { get; private set; }

    /// <summary>Rows an incremental run copied unchanged into its generation with the ones it changed.</summary>
    public long RowsCopied { get; private set; }

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

    /// <summary>A key-range scan per indicator when many of its series are needed, else a partition query each.</summary>
    public async Task ReadSeriesAsync(IReadOnlyCollection<SeriesKey> series, Dictionary<SeriesKey, Dictionary<Period, Observation>> into, CancellationToken cancellationToken)
    {
        foreach (var group in series.Where(k => !into.ContainsKey(k)).Distinct().GroupBy(k => k.Indicator))
        {
            var keys = group.ToHashSet();
            if (keys.Count > RangeScanThreshold)
            {
                await foreach (var (key, points) in ReadIndicatorAsync(group.Key, cancellationToken))
                {
                    if (keys.Contains(key))
                        into[key] = points;
                }
            }
            else
            {
                foreach (var key in keys)
                {
                    var entities = await IndicatorTables.ReadPartitionAsync<ObservationEntity>(tables.Observations, ObservationEntity.Partition(key), cancellationToken);
                    ObservationsRead += entities.Count;
                    into[key] = entities.Select(e => e.ToObservation()).ToDictionary(o => o.Period);
                }
            }
            foreach (var key in keys)
                into.TryAdd(key, []);
        }
    }

    public async Task WriteAsync(SeriesKey series, SeriesPoint point, CancellationToken cancellationToken)
    {
        await PutAsync(AggregateTable.Series, SeriesPointEntity.ForSeries(series, point), cancellationToken);
        await PutAsync(AggregateTable.CrossSection, SeriesPointEntity.ForCrossSection(series, point), cancellationToken);
        GrowthWritten += 2;
    }

    public Task SeriesCompleteAsync(SeriesKey series, CancellationToken cancellationToken) => copyFrom is null
        ? _writer.SendAsync(Table(AggregateTable.Series), SeriesPointEntity.SeriesPartition(series), cancellationToken)
        : Task.CompletedTask;

    public async Task WriteAsync(RollupKey rollup, RollupPoint point, CancellationToken cancellationToken)
    {
        await PutAsync(AggregateTable.Rollups, RollupEntity.From(rollup, point), cancellationToken);
        RollupsWritten++;
    }

    /// <summary>A full run's tables start empty, so nothing is stored that it did not write; an incremental run sees the committed partition with its own changes.</summary>
    public async Task<IReadOnlyList<string>> StoredRollupPeriodsAsync(RollupKey rollup, CancellationToken cancellationToken)
    {
        if (copyFrom is null)
            return [];
        var copy = Copy(AggregateTable.Rollups, RollupEntity.Partition(rollup));
        await ReadBeforeAsync(AggregateTable.Rollups, RollupEntity.Partition(rollup), copy, cancellationToken);
        return copy.Before!.Select(e => e.RowKey).Where(k => !copy.Changed.ContainsKey(k))
            .Concat(copy.Changed.Where(c => c.Value is not null).Select(c => c.Key)).ToList();
    }

    public Task DeleteRollupAsync(RollupKey rollup, string period, CancellationToken cancellationToken)
    {
        if (copyFrom is null)
            return _writer.DeleteAsync(Table(AggregateTable.Rollups), RollupEntity.Partition(rollup), period, cancellationToken);
        Copy(AggregateTable.Rollups, RollupEntity.Partition(rollup)).Changed[period] = null;
        return Task.CompletedTask;
    }

    /// <summary>The indicator's cross-section and rollup partitions are complete: send them rather than hold them.</summary>
    public Task IndicatorCompleteAsync(CancellationToken cancellationToken) => copyFrom is null ? _writer.SendAllAsync(cancellationToken) : Task.CompletedTask;

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (copyFrom is not null)
            await CopyTouchedPartitionsAsync(cancellationToken);
        await _writer.FlushAsync(cancellationToken);
        if (copyFrom is not null)
        {
            // Recorded only once every copy is written: a reader sent to a copy finds all of it.
            await Parallel.ForEachAsync(_copies.Keys, new ParallelOptions { MaxDegreeOfParallelism = CopyConcurrency, CancellationToken = cancellationToken },
                async (key, ct) => await generations.RecordCopyAsync(key.Kind, key.Partition, generation, ct));
        }
    }

    private TableClient Table(AggregateTable kind) => tables.Aggregate(kind, generation);

    private Task PutAsync(AggregateTable kind, ITableEntity entity, CancellationToken cancellationToken)
    {
        if (copyFrom is null)
            return _writer.UpsertAsync(Table(kind), entity, cancellationToken);
        Copy(kind, entity.PartitionKey).Changed[entity.RowKey] = entity;
        return Task.CompletedTask;
    }

    private PartitionCopy Copy(AggregateTable kind, string partition)
    {
        if (!_copies.TryGetValue((kind, partition), out var copy))
            _copies[(kind, partition)] = copy = new PartitionCopy();
        return copy;
    }

    private async Task ReadBeforeAsync(AggregateTable kind, string partition, PartitionCopy copy, CancellationToken cancellationToken)
    {
        copy.Before ??= kind == AggregateTable.Rollups
            ? [.. await generations.ReadAsync<RollupEntity>(copyFrom!, kind, partition, cancellationToken)]
            : [.. await generations.ReadAsync<SeriesPointEntity>(copyFrom!, kind, partition, cancellationToken)];
    }

    /// <summary>Each touched partition as committed, with this run's changes applied, into this run's tables.</summary>
    private async Task CopyTouchedPartitionsAsync(CancellationToken cancellationToken)
    {
        await Parallel.ForEachAsync(_copies.Where(c => c.Value.Before is null).ToList(),
            new ParallelOptions { MaxDegreeOfParallelism = CopyConcurrency, CancellationToken = cancellationToken },
            async (entry, ct) => await ReadBeforeAsync(entry.Key.Kind, entry.Key.Partition, entry.Value, ct));
        foreach (var ((kind, _), copy) in _copies)
        {
            foreach (var row in copy.Before!.Where(r => !copy.Changed.ContainsKey(r.RowKey)))
            {
                row.ETag = default;
                row.Timestamp = null;
                await _writer.UpsertAsync(Table(kind), row, cancellationToken);
                RowsCopied++;
            }
            foreach (var row in copy.Changed.Values.OfType<ITableEntity>())
                await _writer.UpsertAsync(Table(kind), row, cancellationToken);
        }
    }
}
