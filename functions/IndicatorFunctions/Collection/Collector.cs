using System.Diagnostics;
using System.Text.Json;
using Azure;
using IndicatorFunctions.Data;
using IndicatorFunctions.Extraction;
using IndicatorFunctions.Hosting;
using IndicatorFunctions.Ingestion;
using IndicatorFunctions.Scheduling;
using NCrontab;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Options;

namespace IndicatorFunctions.Collection;

/// <summary>
/// The collecting half of a run: for each due source, fetch → archive exactly what arrived (content-addressed,
/// before parsing) → parse with the source's mapping → ingest through the same validation as
/// <c>POST /api/observations</c>. Sources run side by side and each ends in its own <see cref="SourceOutcome"/>:
/// one failing source never stops the others, and nothing here throws but cancellation by the caller.
/// </summary>
public sealed class Collector(
    SourceStore sources,
    SourceFetcher fetcher,
    ObservationStore observations,
    PressReleaseIngestion pressReleases,
    IndicatorTables tables,
    StorageAccount storage,
    Microsoft.Extensions.Options.IOptions<AppOptions> appOptions,
    IOptions<CollectionOptions> options,
    TimeProvider clock,
    ILogger<Collector> logger)
{
    /// <summary>Blob metadata a collected drop file gets (names must be C# identifiers).</summary>
    public const string CollectedRunMetadata = "collected_run", CollectedOutcomeMetadata = "collected_outcome", CollectedHashMetadata = "collected_sha256";

    private const int ErrorSamples = 5;
    private static JsonSerializerOptions Json => IndicatorFunctions.Json.Options;

    /// <summary>
    /// Enabled, due sources; or exactly <paramref name="only"/> (even when disabled or not due — an operator
    /// asked for them). Outcomes are in source id order.
    /// </summary>
    public async Task<IReadOnlyList<SourceOutcome>> CollectAsync(string runId, IReadOnlyCollection<string>? only, CancellationToken cancellationToken)
    {
        var all = await sources.ListAsync(cancellationToken);
        var chosen = all.Where(s => only?.Contains(s.Source.Id) ?? s.Source.Enabled).OrderBy(s => s.Source.Id, StringComparer.Ordinal).ToList();
        var outcomes = new SourceOutcome[chosen.Count];
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Value.RunDeadline);
        await Parallel.ForEachAsync(Enumerable.Range(0, chosen.Count), new ParallelOptions { MaxDegreeOfParallelism = options.Value.Concurrency, CancellationToken = cancellationToken },
            async (i, ct) => outcomes[i] = await CollectOneAsync(runId, chosen[i].Source, chosen[i].State, force: only is not null, deadline.Token, ct));
        return outcomes;
    }

    /// <summary>When a source with this schedule is next due, given its last success; null = due now (no schedule, or never collected).</summary>
    public static DateTimeOffset? NextDue(CrontabSchedule? schedule, DateTimeOffset? lastSuccess) =>
        schedule is null || lastSuccess is null ? null : schedule.Next(lastSuccess.Value) ?? DateTimeOffset.MaxValue;

    private async Task<SourceOutcome> CollectOneAsync(string runId, Source source, SourceState? stored, bool force, CancellationToken deadline, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        // State saved under another definition (edited since, or a deleted source of the same id) says nothing about this one.
        var fingerprint = SourceStore.Fingerprint(source);
        var state = stored?.Definition == fingerprint ? stored : null;
        if (!force && source.Schedule is not null && NextDue(Schedules.Parse(source.Schedule), state?.LastSuccessAt) is { } next && next > now)
            return new SourceOutcome(source.Id, source.KindName, SourceStatus.Skipped, $"not due: schedule '{source.Schedule}' next fires at {next:u}");

        SourceOutcome outcome;
        SourceState? updated = null;
        try
        {
            (outcome, updated) = source.IsHttp
                ? await CollectHttpAsync(runId, source, state, deadline)
                : (await CollectDropAsync(runId, source, deadline, cancellationToken), null);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            outcome = Failed(source, $"the run's collection deadline ({options.Value.RunDeadline}, setting {CollectionOptions.Section}__{nameof(CollectionOptions.RunDeadline)}) passed before this source finished");
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Storage failing under one source, or anything unforeseen: report it there and go on with the others.
            logger.LogError(ex, "Collecting source {Source} failed", source.Id);
            outcome = Failed(source, Short($"{ex.GetType().Name}: {ex.Message}"));
        }

        var succeeded = outcome.Status is SourceStatus.Fetched or SourceStatus.Unchanged;
        var saved = (updated ?? state ?? Empty) with
        {
            Definition = fingerprint,
            LastAttemptAt = now,
            LastSuccessAt = succeeded ? now : state?.LastSuccessAt,
            LastOutcome = outcome.Status.ToString().ToLowerInvariant(),
            LastRunId = runId,
        };
        try
        {
            await sources.SaveStateAsync(source.Id, saved, CancellationToken.None);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The outcome stands; without its state the next collection of this source simply fetches in full.
            logger.LogWarning(ex, "Could not save the state of source {Source}; its next collection fetches in full", source.Id);
        }
        logger.LogInformation("Source {Source}: {Status} {Reason}", source.Id, outcome.Status, outcome.Reason);
        return outcome;
    }

    private async Task<(SourceOutcome, SourceState?)> CollectHttpAsync(string runId, Source source, SourceState? state, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var fetched = await fetcher.FetchAsync(source, state, MaxBytes, cancellationToken);
        var fetchMs = watch.ElapsedMilliseconds;
        switch (fetched)
        {
            case FetchResult.NotModified:
                return (new SourceOutcome(source.Id, source.KindName, SourceStatus.Unchanged, "304 Not Modified", fetched.Attempts, 304, FetchMs: fetchMs, AttemptLog: fetched.Log), state);
            case FetchResult.Failed failed:
                return (Failed(source, failed.Reason) with { Attempts = failed.Attempts, HttpStatus = failed.Status, FetchMs = fetchMs, AttemptLog = failed.Log }, null);
        }
        var received = (FetchResult.Received)fetched;
        var hash = ObservationStore.BatchIdOf(received.Body.ToMemory().Span);
        fetchMs = watch.ElapsedMilliseconds;
        var validators = (state ?? Empty) with { ETag = received.ETag, LastModified = received.LastModified, LastHash = hash };
        var seen = new SourceOutcome(source.Id, source.KindName, SourceStatus.Unchanged, null, received.Attempts, 200, received.Body.ToMemory().Length, FetchMs: fetchMs, AttemptLog: received.Log);
        if (hash == state?.LastHash)
            return (seen with { Reason = $"same content as last collected (sha256 {hash[..12]}…)" }, validators);

        var format = source.Kind switch
        {
            SourceKind.HttpCsv => "csv",
            SourceKind.HttpJson => "json",
            _ => ArticleFormat(null, received.ContentType) ?? "txt",
        };
        watch.Restart();
        var payload = await observations.ArchiveAsync(ArchiveKind(source), hash, received.Body, received.ContentType ?? "application/octet-stream", format, cancellationToken);
        var archiveMs = watch.ElapsedMilliseconds;
        if (source.Kind == SourceKind.PressRelease && ArticleFormat(null, received.ContentType) is null)
            return (Failed(source, $"content type {received.ContentType} is not an article (text/html or text/plain); the payload is archived as {payload}") with
                { Attempts = received.Attempts, HttpStatus = 200, Bytes = seen.Bytes, Payload = payload, FetchMs = fetchMs, WriteMs = archiveMs, AttemptLog = received.Log }, null);
        if (source.Kind != SourceKind.PressRelease && !PayloadFormats.Fits(format, received.ContentType))
            return (Failed(source, $"content type {received.ContentType} is not {format.ToUpperInvariant()} ({PayloadFormats.Expected(format)}); the payload is archived as {payload}") with
                { Attempts = received.Attempts, HttpStatus = 200, Bytes = seen.Bytes, Payload = payload, FetchMs = fetchMs, WriteMs = archiveMs, AttemptLog = received.Log }, null);

        var ingested = await IngestAsync(runId, source, format, received.Body, hash, payload, source.Url!, cancellationToken);
        var outcome = ingested with { Attempts = received.Attempts, HttpStatus = 200, Bytes = seen.Bytes, FetchMs = fetchMs, WriteMs = ingested.WriteMs + archiveMs, AttemptLog = received.Log };
        // Validators are kept only once the content is in: a failed ingestion must fetch in full next time.
        return (outcome, outcome.Status == SourceStatus.Fetched ? validators : null);
    }

    /// <summary>
    /// Every file under the container/prefix not yet marked collected; each one marked (in its metadata) once
    /// handled. A file that fails for a passing reason (storage) is left unmarked for the next run; the deadline
    /// stops the loop but keeps what the files before it did.
    /// </summary>
    private async Task<SourceOutcome> CollectDropAsync(string runId, Source source, CancellationToken deadline, CancellationToken runCancellation)
    {
        var watch = Stopwatch.StartNew();
        var container = storage.Blobs.GetBlobContainerClient(source.Container!);
        var pending = new List<DropFile>();
        try
        {
            await foreach (var item in container.GetBlobsAsync(new GetBlobsOptions { Traits = BlobTraits.Metadata, Prefix = source.Prefix }, deadline))
            {
                if (!item.Metadata.ContainsKey(CollectedRunMetadata) && !item.Name.EndsWith('/'))
                    pending.Add(new DropFile(item.Name, item.Properties.ETag ?? default, item.Properties.ContentLength ?? 0, item.Properties.ContentType, item.Metadata));
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return Failed(source, $"container '{source.Container}' does not exist");
        }
        var files = new List<FileOutcome>();
        var total = new SourceOutcome(source.Id, source.KindName, SourceStatus.Unchanged, null, FetchMs: watch.ElapsedMilliseconds);
        var stoppedAt = -1;
        foreach (var (item, index) in pending.Select((item, index) => (item, index)))
        {
            FileOutcome file;
            SourceOutcome outcome;
            try
            {
                (file, outcome) = await CollectFileAsync(runId, source, container, item, deadline);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !runCancellation.IsCancellationRequested)
            {
                stoppedAt = index;
                break;
            }
            catch (Exception ex) when (!runCancellation.IsCancellationRequested)
            {
                logger.LogError(ex, "Collecting {File} for source {Source} failed", item.Name, source.Id);
                file = new FileOutcome(item.Name, "failed", Short($"{ex.GetType().Name}: {ex.Message}; left unmarked, so the next run tries it again"), null, 0, 0);
                outcome = new SourceOutcome(source.Id, source.KindName, SourceStatus.Failed, file.Reason);
            }
            files.Add(file);
            total = total with
            {
                Bytes = total.Bytes + outcome.Bytes,
                RowsAccepted = total.RowsAccepted + outcome.RowsAccepted,
                RowsRejected = total.RowsRejected + outcome.RowsRejected,
                Inserted = total.Inserted + outcome.Inserted,
                Revised = total.Revised + outcome.Revised,
                Unchanged = total.Unchanged + outcome.Unchanged,
                Errors = [.. total.Errors ?? [], .. (outcome.Errors ?? []).Take(ErrorSamples - (total.Errors?.Count ?? 0))],
                FetchMs = total.FetchMs + outcome.FetchMs,
                ParseMs = total.ParseMs + outcome.ParseMs,
                WriteMs = total.WriteMs + outcome.WriteMs,
                FactsExtracted = total.FactsExtracted + outcome.FactsExtracted,
                FactsUnresolved = total.FactsUnresolved + outcome.FactsUnresolved,
            };
        }
        var failed = files.Where(f => f.Status == "failed").ToList();
        var collected = files.Count(f => f.Status == "collected");
        // The reason names a few failed files; the outcome's files list has them all.
        var failures = string.Join("; ", failed.Take(5).Select(f => $"{f.Name}: {f.Reason}")) + (failed.Count > 5 ? $"; and {failed.Count - 5} more" : "");
        var (status, reason) = (failed.Count, collected) switch
        {
            _ when stoppedAt >= 0 => (SourceStatus.Failed, $"the run's collection deadline passed after {stoppedAt} of {pending.Count} new file(s); the rest are collected next run" + (failed.Count > 0 ? $". Failed: {failures}" : "")),
            ( > 0, _) => (SourceStatus.Failed, $"{failed.Count} of {files.Count} new file(s) failed: {failures}"),
            (_, > 0) => (SourceStatus.Fetched, $"{collected} file(s) collected" + (files.Count > collected ? $", {files.Count - collected} duplicate(s)" : "")),
            _ when files.Count > 0 => (SourceStatus.Unchanged, $"{files.Count} new file(s), all duplicates of content collected before"),
            _ => (SourceStatus.Unchanged, "no new files"),
        };
        return total with { Status = status, Reason = reason, Files = files };
    }

    private async Task<(FileOutcome File, SourceOutcome Outcome)> CollectFileAsync(string runId, Source source, BlobContainerClient container, DropFile item, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var blob = container.GetBlobClient(item.Name);
        var empty = new SourceOutcome(source.Id, source.KindName, SourceStatus.Failed, null);
        var article = source.Kind == SourceKind.PressRelease;
        if ((article ? ArticleFormat(item.Name, item.ContentType) : PayloadFormats.OfFile(item.Name, item.ContentType)) is not { } format)
            return (await MarkAsync(blob, item, runId, "failed", null, new FileOutcome(item.Name, "failed", article ? "not a .txt or .html file" : "not a .csv or .json file", null, 0, 0), cancellationToken), empty);
        if (item.ContentLength > MaxBytes)
            return (await MarkAsync(blob, item, runId, "failed", null, new FileOutcome(item.Name, "failed", $"larger than {MaxBytes} bytes (setting {nameof(AppOptions.MaxIngestBytes)})", null, 0, 0), cancellationToken), empty);

        BlobDownloadResult download;
        try
        {
            download = (await blob.DownloadContentAsync(cancellationToken)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return (new FileOutcome(item.Name, "duplicate", "removed before it could be read", null, 0, 0), empty with { Status = SourceStatus.Unchanged });
        }
        var current = item with { ETag = download.Details.ETag };
        var hash = ObservationStore.BatchIdOf(download.Content.ToMemory().Span);
        var fetchMs = watch.ElapsedMilliseconds;
        if (await sources.SeenAsync(source.Id, hash, cancellationToken) is { } first)
            return (await MarkAsync(blob, current, runId, "duplicate", hash, new FileOutcome(item.Name, "duplicate", $"same content as {first}", null, 0, 0), cancellationToken),
                empty with { Status = SourceStatus.Unchanged, FetchMs = fetchMs });

        watch.Restart();
        var payload = await observations.ArchiveAsync(ArchiveKind(source), hash, download.Content, download.Details.ContentType ?? "application/octet-stream", format, cancellationToken);
        var archiveMs = watch.ElapsedMilliseconds;
        var ingested = await IngestAsync(runId, source, format, download.Content, hash, payload, $"{source.Container}/{item.Name}", cancellationToken);
        var outcome = ingested with { Bytes = download.Content.ToMemory().Length, FetchMs = fetchMs, WriteMs = ingested.WriteMs + archiveMs };
        var ok = outcome.Status == SourceStatus.Fetched;
        if (ok)
            await sources.MarkSeenAsync(source.Id, hash, item.Name, runId, cancellationToken);
        var file = new FileOutcome(item.Name, ok ? "collected" : "failed", ok ? null : outcome.Reason, payload, outcome.RowsAccepted, outcome.RowsRejected, outcome.Rejects);
        return (await MarkAsync(blob, current, runId, file.Status, hash, file, cancellationToken), outcome);
    }

    /// <summary>
    /// Marks a drop file handled, keeping the analyst's own metadata. Conditional on the version read: a file
    /// replaced meanwhile keeps no mark, so its new content is collected next run.
    /// </summary>
    private static async Task<FileOutcome> MarkAsync(BlobClient blob, DropFile item, string runId, string outcome, string? hash, FileOutcome file, CancellationToken cancellationToken)
    {
        var metadata = new Dictionary<string, string>(item.Metadata) { [CollectedRunMetadata] = runId, [CollectedOutcomeMetadata] = outcome };
        if (hash is not null)
            metadata[CollectedHashMetadata] = hash;
        try
        {
            await blob.SetMetadataAsync(metadata, new BlobRequestConditions { IfMatch = item.ETag }, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
        }
        return file;
    }

    /// <summary>A source's payloads are archived under <c>raw/sources/{id}/</c>.</summary>
    private static string ArchiveKind(Source source) => $"sources/{source.Id}";

    /// <summary>
    /// An article's format: <c>html</c> or <c>txt</c>, by a drop file's extension, else by content type; null when it
    /// is neither.
    /// </summary>
    private static string? ArticleFormat(string? name, string? contentType)
    {
        var extension = Path.GetExtension(name ?? "").ToLowerInvariant();
        if (extension is ".html" or ".htm")
            return "html";
        if (extension == ".txt")
            return "txt";
        return contentType?.Split(';')[0].Trim().ToLowerInvariant() switch
        {
            "text/html" or "application/xhtml+xml" => "html",
            "text/plain" => "txt",
            _ => null,
        };
    }

    /// <summary>Parse and ingest one payload; rejected rows are written beside the archived payload, all of them.</summary>
    private async Task<SourceOutcome> IngestAsync(string runId, Source source, string format, BinaryData body, string hash, string payload, string location, CancellationToken cancellationToken)
    {
        if (source.Kind == SourceKind.PressRelease)
            return await IngestArticleAsync(runId, source, format, body, hash, payload, location, cancellationToken);
        var watch = Stopwatch.StartNew();
        IReadOnlyList<ObservationInput> rows;
        try
        {
            var mapping = source.ToRowMapping();
            rows = format == "csv" ? ObservationParser.ParseCsv(body.ToMemory(), mapping) : ObservationParser.ParseJson(body.ToMemory(), mapping);
        }
        catch (FormatException ex)
        {
            return Failed(source, Short($"payload could not be read: {ex.Message}")) with { Payload = payload, ParseMs = watch.ElapsedMilliseconds };
        }
        var parseMs = watch.ElapsedMilliseconds;
        if (rows.Count == 0)
            return Failed(source, "the payload has no rows") with { Payload = payload, ParseMs = parseMs };

        watch.Restart();
        var result = await observations.ApplyAsync(hash, rows, cancellationToken);
        string? rejects = null;
        if (result.Errors.Count > 0)
        {
            rejects = Path.ChangeExtension(payload, ".rejected.json");
            await tables.Raw.GetBlobClient(rejects).UploadAsync(BinaryData.FromObjectAsJson(new { source = source.Id, runId, payload, result.Rejected, errors = result.Errors }, Json),
                new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" } }, cancellationToken);
        }
        var outcome = new SourceOutcome(source.Id, source.KindName, SourceStatus.Fetched, null,
            Payload: payload, Rejects: rejects, RowsAccepted: result.Accepted, RowsRejected: result.Rejected,
            Inserted: result.Inserted, Revised: result.Revised, Unchanged: result.Unchanged,
            Errors: result.Errors.Take(ErrorSamples).Select(e => new RowErrorSample(e.Row, e.Field, Short(e.Message))).ToList(),
            ParseMs: parseMs, WriteMs: watch.ElapsedMilliseconds);
        if (result.Accepted == 0)
            return outcome with { Status = SourceStatus.Failed, Reason = Short($"all {result.Rejected} row(s) rejected; first: row {result.Errors[0].Row}, {result.Errors[0].Field}: {result.Errors[0].Message}") };
        // Failed, so the payload is not taken as collected: the next collection ingests it again, and what was stored comes back unchanged.
        if (result.NotStored.Count > 0)
            return outcome with { Status = SourceStatus.Failed, Reason = Short($"{result.NotStored.Count} of {result.Accepted} valid row(s) not stored; first: row {result.NotStored[0].Row}, {result.NotStored[0].Reason}") };
        return outcome with { Reason = $"{result.Accepted} row(s) accepted ({result.Inserted} new, {result.Revised} revised, {result.Unchanged} unchanged), {result.Rejected} rejected" };
    }

    /// <summary>
    /// Extract an article's facts and ingest those that resolve (<see cref="PressReleaseIngestion"/>); the facts that
    /// did not, each with its reason, are written beside the archived article. An article with no figures is collected
    /// all the same: there was nothing in it to store.
    /// </summary>
    private async Task<SourceOutcome> IngestArticleAsync(string runId, Source source, string format, BinaryData body, string hash, string payload, string location, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        string text;
        try
        {
            text = PressReleaseIngestion.Decode(body.ToMemory().Span);
        }
        catch (FormatException ex)
        {
            return Failed(source, Short($"article could not be read: {ex.Message}")) with { Payload = payload };
        }
        var input = new ArticleInput(text, format == "html", PeriodPhrases.PublishedFor(location, text), location, source.Defaults.GetValueOrDefault("district"));
        var reference = source.Defaults.GetValueOrDefault("source") is { } named ? $"{named}:{location}" : location;
        var read = await pressReleases.ReadAsync(input, ingest: true, hash, reference, cancellationToken);
        var result = read.Ingest;
        string? unresolved = null;
        if (read.Unresolved.Count > 0)
        {
            unresolved = Path.ChangeExtension(payload, ".unresolved.json");
            await tables.Raw.GetBlobClient(unresolved).UploadAsync(BinaryData.FromObjectAsJson(new
            {
                source = source.Id, runId, payload,
                unresolved = read.Unresolved.Select(u => new { index = u.Fact, u.Reason, fact = read.Article.Facts[u.Fact] }),
            }, Json), new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" } }, cancellationToken);
        }
        var outcome = new SourceOutcome(source.Id, source.KindName, SourceStatus.Fetched, null,
            Payload: payload, Rejects: unresolved, RowsAccepted: result?.Accepted ?? 0, RowsRejected: result?.Rejected ?? 0,
            Inserted: result?.Inserted ?? 0, Revised: result?.Revised ?? 0, Unchanged: result?.Unchanged ?? 0,
            Errors: (result?.Errors ?? []).Take(ErrorSamples).Select(e => new RowErrorSample(e.Row, e.Field, Short(e.Message))).ToList(),
            WriteMs: watch.ElapsedMilliseconds, FactsExtracted: read.Article.Facts.Count, FactsUnresolved: read.Unresolved.Count);
        if (result is { NotStored.Count: > 0 })
            return outcome with { Status = SourceStatus.Failed, Reason = Short($"{result.NotStored.Count} fact(s) not stored; first: {result.NotStored[0].Reason}") };
        return outcome with { Reason = $"{read.Article.Facts.Count} fact(s) extracted: {read.Ingested.Count} ingested ({outcome.Inserted} new, {outcome.Revised} revised, {outcome.Unchanged} unchanged), {read.Unresolved.Count} unresolved" };
    }

    private static readonly SourceState Empty = new(null, null, null, null, null, null, null, null);

    /// <summary>Reasons go into table properties and ledger lists: long ones (a huge header row, a stack of messages) are cut.</summary>
    internal static string Short(string text, int max = 300) => text.Length <= max ? text : text[..(max - 1)] + "…";

    private long MaxBytes => appOptions.Value.MaxIngestBytes;

    private static SourceOutcome Failed(Source source, string reason) => new(source.Id, source.KindName, SourceStatus.Failed, reason);
}

/// <summary>A dropped file as listed: the version (ETag) the collector read and will mark, and the analyst's own metadata.</summary>
internal sealed record DropFile(string Name, ETag ETag, long ContentLength, string? ContentType, IDictionary<string, string> Metadata);
