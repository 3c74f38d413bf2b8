using System.Security.Cryptography;
using Azure;
using IndicatorFunctions.Catalog;
using IndicatorFunctions.Data;
using IndicatorFunctions.Domain;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Data.Tables;

namespace IndicatorFunctions.Ingestion;

public sealed record IngestResult(string BatchId, int Accepted, int Rejected, int Inserted, int Revised, int Unchanged, IReadOnlyList<RowError> Errors);

/// <summary>
/// Ingestion: archive the raw body (content-addressed, before parsing, so nothing sent is lost), validate every
/// row, and apply the valid ones per series: a new point is inserted, a changed one becomes a revision (the old
/// value goes to <c>revisions</c>), an identical one is left alone — so re-sending a body changes nothing.
/// </summary>
public sealed class ObservationStore(IndicatorTables tables, CatalogStore catalog, ChangeTracker changes, TimeProvider clock)
{
    private const int MaxAttempts = 3;

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
        if (valid.Count > 0)
        {
            await tables.EnsureCreatedAsync(cancellationToken);
            // Freshness is touched once, and only when something really changes: a re-sent body leaves it alone.
            var touch = new Lazy<Task>(() => changes.TouchAsync(cancellationToken));
            await Parallel.ForEachAsync(valid.GroupBy(v => v.Series), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken },
                async (series, ct) =>
                {
                    var (i, r, u) = await ApplySeriesAsync(batchId, series.Key, series.ToList(), touch, ct);
                    Interlocked.Add(ref inserted, i);
                    Interlocked.Add(ref revised, r);
                    Interlocked.Add(ref unchanged, u);
                });
        }
        errors.Sort((a, b) => a.Row.CompareTo(b.Row));
        return new IngestResult(batchId, valid.Count, rows.Count - valid.Count, inserted, revised, unchanged, errors);
    }

    /// <summary>One series, optimistically: the batch is conditional on what was read, and re-read if someone else wrote first.</summary>
    private async Task<(int Inserted, int Revised, int Unchanged)> ApplySeriesAsync(string batchId, SeriesKey series, List<ValidObservation> points, Lazy<Task> touch, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var current = (await IndicatorTables.ReadPartitionAsync<ObservationEntity>(tables.Observations, ObservationEntity.Partition(series), cancellationToken))
                .ToDictionary(e => e.RowKey, StringComparer.Ordinal);
            var writes = new List<TableTransactionAction>();
            var history = new List<TableTransactionAction>();
            int inserted = 0, revised = 0, unchanged = 0;
            foreach (var point in points)
            {
                var rowKey = point.Period.ToString();
                if (!current.TryGetValue(rowKey, out var existing))
                {
                    writes.Add(new TableTransactionAction(TableTransactionActionType.Add, ObservationEntity.From(point, batchId, revision: 0, clock.GetUtcNow())));
                    inserted++;
                }
                else if (existing.Holds(point))
                {
                    unchanged++;
                }
                else
                {
                    history.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, RevisionEntity.Of(existing, batchId, clock.GetUtcNow())));
                    writes.Add(new TableTransactionAction(TableTransactionActionType.UpdateReplace, ObservationEntity.From(point, batchId, existing.Revision + 1, clock.GetUtcNow()), existing.ETag));
                    revised++;
                }
            }
            if (writes.Count == 0)
                return (0, 0, unchanged);
            // Marked before the write: a marker without a change costs a recomputation; a change without a marker would be missed.
            await touch.Value;
            await changes.MarkSeriesAsync(series, writes.Select(w => Period.Parse(w.Entity.RowKey)), cancellationToken);
            try
            {
                // History first: if the update then fails, the old value is still current and its copy is harmless.
                foreach (var chunk in history.Chunk(IndicatorTables.MaxBatch))
                    await tables.Revisions.SubmitTransactionAsync(chunk, cancellationToken);
                foreach (var chunk in writes.Chunk(IndicatorTables.MaxBatch))
                    await tables.Observations.SubmitTransactionAsync(chunk, cancellationToken);
                return (inserted, revised, unchanged);
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412 && attempt < MaxAttempts)
            {
                // Another request wrote this series between our read and our write: read again and redo.
            }
        }
    }
}
