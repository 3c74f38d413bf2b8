using System.Runtime.CompilerServices;
using Azure.Data.Tables;
using IndicatorFunctions.Aggregation;
using IndicatorFunctions.Domain;
using IndicatorFunctions.Ingestion;

namespace IndicatorFunctions.Data;

/// <summary>
/// The pipeline's storage, one per run: observations read from <c>observations</c>, each point written twice
/// (<c>series</c> and <c>crosssection</c> views) and rollups to <c>rollups</c>, through one <see cref="BatchWriter"/>
/// (100-operation transactions per partition, four in flight). Counts what it reads and writes for the ledger.
/// </summary>
public sealed class TableAggregateStore(IndicatorTables tables) : IObservationReader, IAggregateWriter
{
    // Past this many series of one indicator, one key-range scan beats a query per series.
    private const int RangeScanThreshold = 16;

    private readonly BatchWriter _writer = new();

    public long ObservationsRead { get; private set; }

    public long GrowthWritten { get; private set; }

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
        await _writer.UpsertAsync(tables.Series, SeriesPointEntity.ForSeries(series, point), cancellationToken);
        await _writer.UpsertAsync(tables.CrossSection, SeriesPointEntity.ForCrossSection(series, point), cancellationToken);
        GrowthWritten += 2;
    }

    public Task SeriesCompleteAsync(SeriesKey series, CancellationToken cancellationToken) =>
        _writer.SendAsync(tables.Series, SeriesPointEntity.SeriesPartition(series), cancellationToken);

    public async Task WriteAsync(RollupKey rollup, RollupPoint point, CancellationToken cancellationToken)
    {
        await _writer.UpsertAsync(tables.Rollups, RollupEntity.From(rollup, point), cancellationToken);
        RollupsWritten++;
    }

    public async Task<IReadOnlyList<string>> StoredRollupPeriodsAsync(RollupKey rollup, CancellationToken cancellationToken) =>
        (await IndicatorTables.ReadPartitionAsync(tables.Rollups, RollupEntity.Partition(rollup), cancellationToken)).Select(e => e.RowKey).ToList();

    public Task DeleteRollupAsync(RollupKey rollup, string period, CancellationToken cancellationToken) =>
        _writer.DeleteAsync(tables.Rollups, RollupEntity.Partition(rollup), period, cancellationToken);

    /// <summary>The indicator's cross-section and rollup partitions are complete: send them rather than hold them.</summary>
    public Task IndicatorCompleteAsync(CancellationToken cancellationToken) => _writer.SendAllAsync(cancellationToken);

    public Task FlushAsync(CancellationToken cancellationToken) => _writer.FlushAsync(cancellationToken);
}
