using System.Security.Cryptography;
using Azure;
using IndicatorFunctions.Catalog;
using IndicatorFunctions.Data;
using IndicatorFunctions.Domain;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace IndicatorFunctions.Ingestion;

/// <summary>
/// What an ingest did: <see cref="Accepted"/> rows passed validation, and each of them is either stored
/// (<see cref="Inserted"/>, <see cref="Revised"/> or <see cref="Unchanged"/>) or listed in <see cref="NotStored"/>.
/// </summary>
public sealed record IngestResult(string BatchId, int Accepted, int Rejected, int Inserted, int Revised, int Unchanged, IReadOnlyList<RowError> Errors, IReadOnlyList<UnstoredRow> NotStored);

/// <summary>A valid row that was not stored, and why. Sending the same body again stores it.</summary>
public sealed record UnstoredRow(int Row, string Reason);

/// <summary>
/// Ingestion: archive the raw body (content-addressed, before parsing, so nothing sent is lost), validate every
/// row, and apply the valid ones per series: a new point is inserted, a changed one becomes a revision (the old
/// value goes to <c>revisions</c>), an identical one is left alone — so re-sending a body changes nothing.
/// </summary>
public sealed class ObservationStore(IndicatorTables tables, CatalogStore catalog, ChangeTracker changes, TimeProvider clock, IOptions<AppOptions> options)
{
    private readonly int _attempts = options.Value.IngestAttempts;

    // Writers of one series in this process take turns (a series maps to one of these, a few series share one), so
    // write conflicts come only from other instances; a request holds one turn at a time.
    private readonly SemaphoreSlim[] _turns = [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1))];

    // Writers of one series that collide retry after a jittered, growing pause, so they spread out instead of colliding again.
    private readonly ResiliencePipeline<SeriesOutcome> _conflicts = options.Value.IngestAttempts < 2
        ? ResiliencePipeline<SeriesOutcome>.Empty
        : new ResiliencePipelineBuilder<SeriesOutcome> { TimeProvider = clock }.AddRetry(new RetryStrategyOptions<SeriesOutcome>
        {
            MaxRetryAttempts = options.Value.IngestAttempts - 1,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(20),
            MaxDelay = TimeSpan.FromSeconds(1),
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { NotStored.Count: > 0 }),
        }).Build();

    public static string BatchIdOf(ReadOnlySpan<byte> body) => Convert.ToHexStringLower(SHA256.HashData(body));

    /// <summary>
    /// Stores the body under <c>{kind}/{batchId}.{ext}</c> unless it is already there, and returns that name.
    /// <paramref name="batchId"/> is <see cref="BatchIdOf"/> the body, which callers have already computed.
    /// </summary>
    public async Task<string> ArchiveAsync(string kind, string batchId, BinaryData body, string contentType, string extension, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var name = $"{kind}/{batchId}.{extension}";
        try
        {
            await tables.Raw.GetBlobClient(name).UploadAsync(body,
                new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = contentType }, Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // The same bytes were archived before: content addressing makes that the same blob.
        }
        return name;
    }

    public async Task<IngestResult> ApplyAsync(string batchId, IReadOnlyList<ObservationInput> rows, CancellationToken cancellationToken)
    {
        var snapshot = await catalog.GetAsync(cancellationToken);
        var errors = new List<RowError>();
        var valid = new List<ValidObservation>(rows.Count);
        var seen = new Dictionary<(SeriesKey, Period), int>();
        foreach (var row in rows)
        {
            if (ObservationValidator.Validate(row, snapshot, errors) is not { } observation)
                continue;
            if (seen.TryGetValue((observation.Series, observation.Period), out var first))
            {
                errors.Add(new RowError(row.Row, "period", $"row {first} already gives {observation.Series.District}/{observation.Series.Sector}/{observation.Series.Indicator} for {observation.Period}", RowRules.Duplicate));
                continue;
            }
            seen[(observation.Series, observation.Period)] = row.Row;
            valid.Add(observation);
        }

        int inserted = 0, revised = 0, unchanged = 0;
        var notStored = new List<UnstoredRow>();
        if (valid.Count > 0)
        {
            await tables.EnsureCreatedAsync(cancellationToken);
            // Freshness is touched once, and only when something really changes: a re-sent body leaves it alone.
            var touch = new Lazy<Task>(() => changes.TouchAsync(cancellationToken));
            var series = valid.GroupBy(v => v.Series).Select(g => new SeriesWork(g.Key, g.ToList())).ToList();
            // A body whose first row is new is taken for new data (a load): every series is marked with the body's
            // years at once, a few transactions per body, then added without reading.
            var fresh = await IsNewAsync(valid[0], cancellationToken);
            if (fresh)
            {
                await touch.Value;
                await changes.MarkSeriesAsync(series.Select(s => (s.Key, s.Points.Select(p => (p.Period, Revision: 0)))), cancellationToken);
            }
            var written = new List<(SeriesKey, IEnumerable<(Observation, int)>)>();
            await Parallel.ForEachAsync(series, new ParallelOptions { MaxDegreeOfParallelism = SeriesInFlight, CancellationToken = cancellationToken },
                async (work, ct) =>
                {
                    var outcome = await ApplySeriesAsync(batchId, work, fresh, touch, ct);
                    Interlocked.Add(ref inserted, outcome.Inserted);
                    Interlocked.Add(ref revised, outcome.Revised);
                    Interlocked.Add(ref unchanged, outcome.Unchanged);
                    lock (notStored)
                    {
                        notStored.AddRange(outcome.NotStored);
                        if (outcome.Written.Count > 0)
                            written.Add((work.Key, outcome.Written));
                    }
                });
            await ConfirmAsync(written);
        }
        errors.Sort((a, b) => a.Row.CompareTo(b.Row));
        notStored.Sort((a, b) => a.Row.CompareTo(b.Row));
        return new IngestResult(batchId, valid.Count, rows.Count - valid.Count, inserted, revised, unchanged, errors, notStored);
    }

    /// <summary>
    /// The values just stored, into the series' markers, so the next run need not read them. Best effort and not
    /// cancelled with the request: everything is stored already, and a value a marker lacks costs the run one point read.
    /// </summary>
    private async Task ConfirmAsync(List<(SeriesKey, IEnumerable<(Observation, int)>)> written)
    {
        if (written.Count == 0)
            return;
        try
        {
            await changes.ConfirmAsync(written, CancellationToken.None);
        }
        catch (Exception ex) when (ex is RequestFailedException || Hosting.StorageFailures.IsStorageFailure(ex))
        {
        }
    }

    /// <summary>Series read or written at once by one request.</summary>
    private const int SeriesInFlight = 8;

    /// <summary>One request's points of one series.</summary>
    private sealed record SeriesWork(SeriesKey Key, List<ValidObservation> Points);

    /// <summary>Whether storage lacks the point: one point read, the cheapest read there is.</summary>
    private async Task<bool> IsNewAsync(ValidObservation point, CancellationToken cancellationToken) =>
        await IndicatorTables.GetOrNullAsync(tables.Observations, ObservationEntity.Partition(point.Series), point.Period.ToString(), cancellationToken, select: ["RowKey"]) is null;

    /// <summary>
    /// One series. In a new body (<paramref name="fresh"/>: already marked by <see cref="ApplyAsync"/>) every point is
    /// added in one transaction per 100, without reading: storage refuses the transaction if any of them is there
    /// already. Otherwise, or when refused, optimistically: each attempt reads the series (a lone point: that point)
    /// and writes conditionally on what it read; when another writer wrote first, the attempt is redone after a
    /// jittered, growing pause, up to <see cref="AppOptions.IngestAttempts"/> attempts. What the last attempt could
    /// not write is reported, not thrown.
    /// </summary>
    private async Task<SeriesOutcome> ApplySeriesAsync(string batchId, SeriesWork work, bool fresh, Lazy<Task> touch, CancellationToken cancellationToken)
    {
        // A series of more than 100 points is several transactions: what an earlier attempt wrote reads as unchanged later, but was this request's.
        var written = new Dictionary<string, Write>(StringComparer.Ordinal);
        // What every attempt stored, by row key: the value and the revision it has now (for the marker: see ConfirmAsync).
        var values = new Dictionary<string, (Observation, int)>(StringComparer.Ordinal);
        var turn = _turns[(uint)StringComparer.Ordinal.GetHashCode(work.Key.PartitionKey) % (uint)_turns.Length];
        await turn.WaitAsync(cancellationToken);
        try
        {
            var outcome = fresh && await TryAddAllAsync(batchId, work, written, values, cancellationToken) is { } added
                ? added
                : await _conflicts.ExecuteAsync(async ct => await TryApplySeriesAsync(batchId, work.Key, work.Points, await ReadAsync(work, ct), written, values, touch, ct), cancellationToken);
            return outcome with { Written = [.. values.Values] };
        }
        finally
        {
            turn.Release();
        }
    }

    /// <summary>What storage holds of the series: the whole partition, or a lone point's point read.</summary>
    private async Task<List<ObservationEntity>> ReadAsync(SeriesWork work, CancellationToken cancellationToken)
    {
        if (work.Points.Count > 1)
            return await IndicatorTables.ReadPartitionAsync<ObservationEntity>(tables.Observations, ObservationEntity.Partition(work.Key), cancellationToken);
        var point = await IndicatorTables.GetOrNullAsync<ObservationEntity>(tables.Observations, ObservationEntity.Partition(work.Key), work.Points[0].Period.ToString(), cancellationToken);
        return point is null ? [] : [point];
    }

    /// <summary>Adds every point; null when storage already holds one of them (the points not yet added are then compared and written as usual).</summary>
    private async Task<SeriesOutcome?> TryAddAllAsync(string batchId, SeriesWork work, Dictionary<string, Write> written, Dictionary<string, (Observation, int)> values, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        foreach (var chunk in work.Points.Chunk(IndicatorTables.MaxBatch))
        {
            try
            {
                var entities = chunk.Select(p => ObservationEntity.From(p, batchId, revision: 0, now)).ToList();
                await tables.Observations.SubmitTransactionAsync(entities.Select(e => new TableTransactionAction(TableTransactionActionType.Add, e)), cancellationToken);
                foreach (var entity in entities)
                    values[entity.RowKey] = (entity.ToObservation(), 0);
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 409)
            {
                return null;
            }
            foreach (var point in chunk)
                written[point.Period.ToString()] = Write.Inserted;
        }
        return new SeriesOutcome(work.Points.Count, 0, 0, []);
    }

    private async Task<SeriesOutcome> TryApplySeriesAsync(string batchId, SeriesKey series, List<ValidObservation> points, List<ObservationEntity> read, Dictionary<string, Write> written,
        Dictionary<string, (Observation, int)> values, Lazy<Task> touch, CancellationToken cancellationToken)
    {
        var current = read.ToDictionary(e => e.RowKey, StringComparer.Ordinal);
        var planned = new Dictionary<string, Write>(StringComparer.Ordinal);
        var writes = new List<TableTransactionAction>();
        var history = new List<TableTransactionAction>();
        foreach (var point in points)
        {
            var rowKey = point.Period.ToString();
            if (!current.TryGetValue(rowKey, out var existing))
            {
                writes.Add(new TableTransactionAction(TableTransactionActionType.Add, ObservationEntity.From(point, batchId, revision: 0, clock.GetUtcNow())));
                planned[rowKey] = Write.Inserted;
            }
            else if (!existing.Holds(point))
            {
                history.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, RevisionEntity.Of(existing, batchId, clock.GetUtcNow())));
                writes.Add(new TableTransactionAction(TableTransactionActionType.UpdateReplace, ObservationEntity.From(point, batchId, existing.Revision + 1, clock.GetUtcNow()), existing.ETag));
                planned[rowKey] = Write.Revised;
            }
        }
        if (writes.Count > 0)
        {
            // Marked before the write: a marker without a change costs a recomputation; a change without a marker would be missed.
            await touch.Value;
            await changes.MarkSeriesAsync(series, writes.Select(w => (Period.Parse(w.Entity.RowKey), ((ObservationEntity)w.Entity).Revision)), cancellationToken);
            // History first: if the update then fails, the old value is still current and its copy is harmless.
            foreach (var chunk in history.Chunk(IndicatorTables.MaxBatch))
                await tables.Revisions.SubmitTransactionAsync(chunk, cancellationToken);
            foreach (var chunk in writes.Chunk(IndicatorTables.MaxBatch))
            {
                try
                {
                    await tables.Observations.SubmitTransactionAsync(chunk, cancellationToken);
                }
                catch (TableTransactionFailedException ex) when (ex.Status is 404 or 409 or 412)
                {
                    // Another request wrote this series between our read and our write: this chunk and the rest are not stored.
                    var lost = writes.SkipWhile(w => !ReferenceEquals(w, chunk[0])).Select(w => w.Entity.RowKey).ToHashSet(StringComparer.Ordinal);
                    return SeriesOutcome.Of(points, p => lost.Contains(p) ? null : Stored(p, planned, written), Conflicted(series));
                }
                foreach (var action in chunk)
                {
                    written[action.Entity.RowKey] = planned[action.Entity.RowKey];
                    var entity = (ObservationEntity)action.Entity;
                    values[entity.RowKey] = (entity.ToObservation(), entity.Revision);
                }
            }
        }
        return SeriesOutcome.Of(points, p => Stored(p, planned, written), reason: "");
    }

    /// <summary>How a stored point came to be: written now, by an earlier attempt of this request, or already there.</summary>
    private static Write Stored(string rowKey, Dictionary<string, Write> planned, Dictionary<string, Write> written) =>
        planned.GetValueOrDefault(rowKey, written.GetValueOrDefault(rowKey, Write.Unchanged));

    private string Conflicted(SeriesKey series) =>
        $"other requests wrote series {series.Indicator}/{series.District}/{series.Sector} at the same time ({_attempts} attempt(s)); " +
        "send the body again: rows already stored come back unchanged";

    private enum Write { Unchanged, Inserted, Revised }

    /// <summary>What one series' points came to; the rows not stored, with the reason.</summary>
    private sealed record SeriesOutcome(int Inserted, int Revised, int Unchanged, IReadOnlyList<UnstoredRow> NotStored)
    {
        /// <summary>The values this request stored, with their revisions.</summary>
        public IReadOnlyList<(Observation Observation, int Revision)> Written { get; init; } = [];

        /// <param name="stored">How each point (by row key) was stored, or null when it was not.</param>
        public static SeriesOutcome Of(List<ValidObservation> points, Func<string, Write?> stored, string reason)
        {
            int inserted = 0, revised = 0, unchanged = 0;
            var notStored = new List<UnstoredRow>();
            foreach (var point in points)
            {
                switch (stored(point.Period.ToString()))
                {
                    case Write.Inserted: inserted++; break;
                    case Write.Revised: revised++; break;
                    case Write.Unchanged: unchanged++; break;
                    default: notStored.Add(new UnstoredRow(point.Row, reason)); break;
                }
            }
            return new SeriesOutcome(inserted, revised, unchanged, notStored);
        }
    }
}
