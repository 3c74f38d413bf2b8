using System.Runtime.CompilerServices;
using Azure.Data.Tables;
using IndicatorFunctions.Aggregation;
using IndicatorFunctions.Domain;
using IndicatorFunctions.Ingestion;

namespace IndicatorFunctions.Data;

/// <summary>
/// The pipeline's storage, one per run: observations read from <c>observations</c>, the figures written as wide
/// records (see <see cref="AggregateRecords"/>) into the run's own table <c>agg{run}</c>. A full run
/// (<paramref name="committed"/> null) writes every record; an incremental run reads the committed records through
/// that view (the partitions of adjacent indicators by one query when many of their records are wanted, else point
/// reads, many at a time), and writes the records it changes, each indicator's with an index of them that also holds
/// its series patches. Writes go through one
/// <see cref="BatchWriter"/>: every record of an indicator is in one partition, so transactions are full. Counts what
/// it reads and writes for the ledger.
/// </summary>
public sealed class TableAggregateStore(IndicatorTables tables, Generations generations, string generation, GenerationView? committed,
    int partitionReadThreshold = TableAggregateStore.PartitionReadThreshold) : IObservationReader, IAggregateWriter
{
    /// <summary>Point reads in flight at once (the scale benchmark times raw observation reads at the same concurrency).</summary>
    public const int ReadConcurrency = 32;

    /// <summary>
    /// Past this many wanted records in one request (of every kind, of the adjacent indicators asked for together), one
    /// query of their partitions per generation beats a point read each: measured on Azurite, a query costs about what
    /// 3–6 point reads do in a table of 7,300 records and 16 in one of 73,000 (it scans the whole table); on Azure it
    /// is one request per page.
    /// </summary>
    public const int PartitionReadThreshold = 16;

    private readonly BatchWriter _writer = new();
    private readonly TableClient _table = tables.Aggregates(generation);

    /// <summary>An incremental run's written record names per indicator since its index was last written: its index.</summary>
    private readonly Dictionary<string, HashSet<string>> _written = [];

    /// <summary>An incremental run's series patches per indicator since its index was last written, by <c>{district}|{sector}</c>: they go in its index.</summary>
    private readonly Dictionary<string, Dictionary<string, IReadOnlyDictionary<Period, SeriesPoint?>>> _patches = [];

    /// <summary>Indicators whose index has been written (and what it holds let go).</summary>
    private readonly HashSet<string> _indexed = new(StringComparer.Ordinal);

    /// <summary>Indicators written to since their index was last written.</summary>
    private readonly HashSet<string> _unindexed = new(StringComparer.Ordinal);

    private long _observationsRead;

    /// <summary>Observations read from storage (not those a change marker held); reads of several indicators may add at once.</summary>
    public long ObservationsRead => Interlocked.Read(ref _observationsRead);

    /// <summary>Series and cross-section entities written, and an incremental run's index entities (they hold its series patches).</summary>
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
            Interlocked.Increment(ref _observationsRead);
        }
        if (partition is not null)
            yield return (SeriesKey.FromPartitionKey(partition), points);
    }

    /// <summary>
    /// Per change: when the marker names its periods, those whose value it held (<see cref="SeriesChange.Known"/>) as
    /// they are and the others one by one (point reads); else one query for the series' rows from its first changed
    /// year to its last (periods start with their year), or the whole series.
    /// </summary>
    public async Task<Dictionary<SeriesKey, Dictionary<Period, Observation>>> ReadChangedAsync(IReadOnlyCollection<SeriesChange> changes, CancellationToken cancellationToken)
    {
        var result = new Dictionary<SeriesKey, Dictionary<Period, Observation>>();
        foreach (var change in changes)
            result[change.Series] = change.ByPeriod && change.Known is { } known ? new Dictionary<Period, Observation>(known) : [];
        var reads = changes.SelectMany(c => c.ByPeriod
            ? c.Periods!.Where(p => c.Known?.ContainsKey(p) != true).Select(p => (Change: c, Period: (Period?)p))
            : [(c, null)]);
        await Parallel.ForEachAsync(reads, new ParallelOptions { MaxDegreeOfParallelism = ReadConcurrency, CancellationToken = cancellationToken }, async (read, ct) =>
        {
            var (change, period) = read;
            var partition = ObservationEntity.Partition(change.Series);
            List<ObservationEntity> entities;
            if (period is { } p)
                entities = await IndicatorTables.GetOrNullAsync<ObservationEntity>(tables.Observations, partition, p.ToString(), ct) is { } one ? [one] : [];
            else
            {
                var (from, to) = change.All || change.Years.Count == 0 ? ((string?)null, (string?)null) : (Year(change.Years.Min()), Year(change.Years.Max() + 1));
                entities = await IndicatorTables.ReadPartitionAsync<ObservationEntity>(tables.Observations, partition, ct, from, to);
            }
            lock (result)
            {
                foreach (var observation in entities.Select(e => e.ToObservation()).Where(o => change.Covers(o.Period)))
                    result[change.Series][observation.Period] = observation;
                Interlocked.Add(ref _observationsRead, entities.Count);
            }
        });
        return result;
    }

    public async Task<CommittedRecords> ReadCommittedAsync(RecordRequest request, CancellationToken cancellationToken)
    {
        var keys = request.Series.Select(RecordKey.Of).Concat(request.Sections.Select(RecordKey.Of)).Concat(request.Rollups.Select(RecordKey.Of));
        var result = new CommittedRecords();
        foreach (var (key, json) in await ReadRecordsAsync(keys, cancellationToken))
        {
            switch (key.Kind)
            {
                case AggregateKind.Series:
                    result.Series[key.Series] = AggregateRecords.SeriesFrom(json);
                    break;
                case AggregateKind.CrossSection:
                    result.Sections[key.CrossSection] = AggregateRecords.CrossSectionFrom(key.CrossSection.Period, json);
                    break;
                case AggregateKind.Rollups:
                    result.Rollups[key.Rollup] = AggregateRecords.RollupsFrom(json);
                    break;
            }
        }
        return result;
    }

    /// <summary>
    /// The committed records with these keys ("" where there is none; a full run has none): more than
    /// <c>partitionReadThreshold</c> (<see cref="PartitionReadThreshold"/>) of them by one query of their indicators'
    /// partitions together (a key range from the first to the last: ask for adjacent indicators together), else by a
    /// point read each, many at a time.
    /// </summary>
    private async Task<Dictionary<RecordKey, string>> ReadRecordsAsync(IEnumerable<RecordKey> keys, CancellationToken cancellationToken)
    {
        var found = new Dictionary<RecordKey, string>();
        if (committed is not { Committed: not null } view)
            return found;
        var wanted = keys.Distinct().ToList();
        if (wanted.Count > partitionReadThreshold)
        {
            var records = await generations.ReadManyAsync(view, wanted.GroupBy(k => k.Indicator)
                .ToDictionary(g => g.Key, g => (IReadOnlySet<string>)g.Select(k => k.Name).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal), cancellationToken);
            foreach (var key in wanted)
                found[key] = records.GetValueOrDefault((key.Indicator, key.Name), "");
            return found;
        }
        await Parallel.ForEachAsync(wanted, new ParallelOptions { MaxDegreeOfParallelism = ReadConcurrency, CancellationToken = cancellationToken }, async (key, ct) =>
        {
            var json = await generations.ReadAsync(view, key, ct);
            lock (found)
                found[key] = json;
        });
        return found;
    }

    public Task WriteSeriesAsync(SeriesKey series, IReadOnlyList<SeriesPoint> points, CancellationToken cancellationToken) =>
        WriteAsync(RecordKey.Of(series), points.Count == 0, () => AggregateRecords.Serialize(points), cancellationToken);

    /// <summary>Kept for the indicator's index (an incremental run's only), which is written with its records.</summary>
    public Task WriteSeriesPatchAsync(SeriesKey series, IReadOnlyDictionary<Period, SeriesPoint?> patch, CancellationToken cancellationToken)
    {
        if (committed is null)
            throw new InvalidOperationException("a full run writes every series whole; only an incremental run patches one");
        if (!_patches.TryGetValue(series.Indicator, out var patches))
            _patches[series.Indicator] = patches = new Dictionary<string, IReadOnlyDictionary<Period, SeriesPoint?>>(StringComparer.Ordinal);
        patches[RecordKey.Of(series).Key] = patch;
        _unindexed.Add(series.Indicator);
        return Task.CompletedTask;
    }

    public Task WriteCrossSectionAsync(CrossSectionKey key, IReadOnlyList<CrossSectionRow> rows, CancellationToken cancellationToken) =>
        WriteAsync(RecordKey.Of(key), rows.Count == 0, () => AggregateRecords.Serialize(rows), cancellationToken);

    public Task WriteRollupsAsync(RollupKey rollup, IReadOnlyList<RollupPoint> points, CancellationToken cancellationToken) =>
        WriteAsync(RecordKey.Of(rollup), points.Count == 0, () => AggregateRecords.Serialize(points), cancellationToken);

    /// <summary>An empty record is not written by a full run (its table starts empty); an incremental run writes one that hides the committed record.</summary>
    private async Task WriteAsync(RecordKey key, bool empty, Func<string> json, CancellationToken cancellationToken)
    {
        if (committed is not null)
        {
            if (!_written.TryGetValue(key.Indicator, out var names))
                _written[key.Indicator] = names = new HashSet<string>(StringComparer.Ordinal);
            names.Add(key.Name);
            _unindexed.Add(key.Indicator);
        }
        foreach (var row in AggregateRecords.Rows(key, empty ? "" : json(), tombstone: committed is not null))
        {
            await _writer.UpsertAsync(_table, row, AggregateRecords.Size(row), cancellationToken);
            if (key.Kind == AggregateKind.Rollups)
                RollupsWritten++;
            else
                GrowthWritten++;
        }
    }

    /// <summary>
    /// The indicator's partition is complete: send it rather than hold it — an incremental run's index of the
    /// indicator with it, in the same transaction.
    /// </summary>
    public async Task IndicatorCompleteAsync(CancellationToken cancellationToken)
    {
        await WriteIndexesAsync(cancellationToken);
        await _writer.SendAllAsync(cancellationToken);
    }

    /// <summary>Sends everything, with the index of every indicator an incremental run wrote to, so a reader finds what it changed.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await WriteIndexesAsync(cancellationToken);
        await _writer.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// The index of each indicator written to since the last one: every name the run wrote in it so far, and every
    /// series patch; then the writer lets them go, so memory holds the indicators not yet complete, not the run's change.
    /// </summary>
    private async Task WriteIndexesAsync(CancellationToken cancellationToken)
    {
        foreach (var indicator in _unindexed)
        {
            _written.Remove(indicator, out var names);
            _patches.Remove(indicator, out var patches);
            var index = new IncrementIndex(names ?? [], patches ?? []);
            if (!_indexed.Add(indicator))
            {
                // Written to again after its index went out (nothing does that today): the index sent holds what came
                // before, read back rather than kept, once everything sent has landed.
                await _writer.FlushAsync(cancellationToken);
                index = (await generations.ReadIndexAsync(generation, indicator, cancellationToken)).With(index);
            }
            var json = AggregateRecords.Serialize(index.Names.Order(StringComparer.Ordinal).ToList(), index.Patches);
            foreach (var row in AggregateRecords.Rows(RecordKey.IndexOf(indicator), json, tombstone: false))
            {
                await _writer.UpsertAsync(_table, row, AggregateRecords.Size(row), cancellationToken);
                GrowthWritten++;
            }
        }
        _unindexed.Clear();
    }

    private static string Year(int year) => year.ToString("D4", System.Globalization.CultureInfo.InvariantCulture);
}
