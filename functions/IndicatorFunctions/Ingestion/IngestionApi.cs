using IndicatorFunctions.Domain;
using IndicatorFunctions.Api;
using IndicatorFunctions.Data;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace IndicatorFunctions.Ingestion;

/// <summary><c>POST /api/observations</c>: JSON or CSV; valid rows are stored even when others fail.</summary>
public sealed class IngestionApi(ObservationStore store, IndicatorTables tables, Freshness freshness, IOptions<AppOptions> options)
{
    [Function("PostObservations")]
    public async Task<IResult> PostObservationsAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "observations")] HttpRequest request, CancellationToken cancellationToken)
    {
        if (PayloadFormats.OfMediaType(request.ContentType) is not { } format)
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported content type.",
                detail: $"Send application/json ({{\"observations\":[...]}}) or text/csv with a header row, not '{request.ContentType ?? "(none)"}'.");

        var limit = options.Value.MaxIngestBytes;
        if (request.ContentLength > limit)
            return Problems.TooLarge(limit, nameof(AppOptions.MaxIngestBytes));
        var body = await BodyReader.ReadUpToAsync(request.Body, limit, cancellationToken);
        if (body is null)
            return Problems.TooLarge(limit, nameof(AppOptions.MaxIngestBytes));

        // Archived before parsing: whatever happens next, what was sent is kept.
        var batchId = ObservationStore.BatchIdOf(body.ToMemory().Span);
        await store.ArchiveAsync("observations", batchId, body, PayloadFormats.MediaTypeOf(request.ContentType)!, format, cancellationToken);
        IReadOnlyList<ObservationInput> rows;
        try
        {
            rows = format == "json" ? ObservationParser.ParseJson(body.ToMemory()) : ObservationParser.ParseCsv(body.ToMemory());
        }
        catch (FormatException ex)
        {
            return Problems.Validation([new FieldError("body", ex.Message, 0)], new Dictionary<string, object?> { ["batchId"] = batchId });
        }
        if (rows.Count == 0)
            return Problems.Validation([new FieldError("observations", "no rows were sent", 0)], new Dictionary<string, object?> { ["batchId"] = batchId });

        var result = await store.ApplyAsync(batchId, rows, cancellationToken);
        freshness.Invalidate();
        // Bounded whatever the body held: the first errors and counts here, every error in a blob beside the body.
        var report = await ErrorReport.WriteAsync(tables.Raw, "observations", batchId, result.Errors, cancellationToken);
        if (result.Accepted == 0)
            return Problems.Validation(report.Errors, new Dictionary<string, object?>(report.Extensions())
            {
                ["batchId"] = result.BatchId, ["accepted"] = 0, ["rejected"] = result.Rejected,
            }, total: report.ErrorCount);
        if (result.NotStored.Count > 0)
            return NotAllStored(result, report);
        return TypedResults.Ok(new
        {
            result.BatchId, result.Accepted, result.Rejected, result.Inserted, result.Revised, result.Unchanged, notStored = 0,
            errors = report.Errors.Select(e => new { e.Row, e.Field, e.Rule, e.Message }),
            report.ErrorCount, report.ErrorCounts, report.ErrorsBlob,
        });
    }

    /// <summary>
    /// Other requests kept writing some series at the same time: the rows not stored are named, with the same counts
    /// as a 200, and the client sends the body again (what was stored then comes back unchanged).
    /// </summary>
    private static IResult NotAllStored(IngestResult result, ErrorReport report) =>
        Problems.Unavailable($"{result.NotStored.Count} of {result.Accepted} valid row(s) were not stored: other requests wrote the same series at the same time. " +
            "Send the same body again; rows already stored come back unchanged.", retryAfterSeconds: 1, new Dictionary<string, object?>
        {
            ["batchId"] = result.BatchId, ["accepted"] = result.Accepted, ["rejected"] = result.Rejected,
            ["inserted"] = result.Inserted, ["revised"] = result.Revised, ["unchanged"] = result.Unchanged, ["notStored"] = result.NotStored.Count,
            ["notStoredRows"] = result.NotStored.Select(n => new { n.Row, n.Reason }),
            ["errors"] = report.Errors.Select(e => new { e.Row, e.Field, e.Rule, e.Message }),
            ["errorCount"] = report.ErrorCount, ["errorCounts"] = report.ErrorCounts, ["errorsBlob"] = report.ErrorsBlob,
        });
}
