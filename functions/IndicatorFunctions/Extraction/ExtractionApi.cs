using IndicatorFunctions.Api;
using IndicatorFunctions.Domain;
using IndicatorFunctions.Extraction;
using IndicatorFunctions.Ingestion;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace IndicatorFunctions.Extraction;

/// <summary>
/// <c>POST /api/extractions</c>: a press release (<c>text/plain</c> or <c>text/html</c>) in, its facts out; nothing is
/// stored unless <c>ingest=true</c>, which archives the article and ingests the facts that resolve.
/// </summary>
public sealed class ExtractionApi(PressReleaseIngestion reader, ObservationStore store, Freshness freshness, IOptions<AppOptions> options)
{
    [Function("PostExtractions")]
    public async Task<IResult> PostExtractionsAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "extractions")] HttpRequest request, CancellationToken cancellationToken)
    {
        // A body past the limit is a 413 whatever its type, as on every route.
        var limit = options.Value.MaxIngestBytes;
        if (request.ContentLength > limit)
            return Problems.TooLarge(limit, nameof(AppOptions.MaxIngestBytes));
        var mediaType = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (mediaType is not ("text/plain" or "text/html"))
            return Problems.UnsupportedMediaType(request.ContentType, "text/plain or text/html (an article, UTF-8)");

        var errors = new List<FieldError>();
        PublishedDate? published = null;
        if (request.Query["published"].ToString() is { Length: > 0 } p)
        {
            if (PublishedDate.TryParse(p, out var date))
                published = date;
            else
                errors.Add(new FieldError("published", $"published '{p}' must be a date: {PublishedDate.Syntax}"));
        }
        var url = request.Query["url"].ToString() is { Length: > 0 } u ? u : null;
        if (url is not null && (url.Length > 2048 || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            errors.Add(new FieldError("url", "url must be an absolute http or https URL of at most 2048 characters"));
        var district = request.Query["district"].ToString() is { Length: > 0 } d ? d : null;
        if (district is { Length: > 200 } || district?.Any(char.IsControl) == true)
            errors.Add(new FieldError("district", "district must be a district id, name or alias of at most 200 characters"));
        var ingestText = request.Query["ingest"].ToString();
        if (ingestText is not ("" or "true" or "false"))
            errors.Add(new FieldError("ingest", "ingest must be true or false"));
        if (errors.Count > 0)
            return Problems.Validation(errors);

        var body = await BodyReader.ReadUpToAsync(request.Body, limit, cancellationToken);
        if (body is null)
            return Problems.TooLarge(limit, nameof(AppOptions.MaxIngestBytes));
        string text;
        try
        {
            text = PressReleaseIngestion.Decode(body.ToMemory().Span);
        }
        catch (FormatException ex)
        {
            return Problems.Validation("body", ex.Message);
        }

        var ingest = ingestText == "true";
        var batchId = ObservationStore.BatchIdOf(body.ToMemory().Span);
        var extension = mediaType == "text/html" ? "html" : "txt";
        if (ingest)
            await store.ArchiveAsync("extractions", batchId, body, mediaType, extension, cancellationToken);
        var input = new ArticleInput(text, mediaType == "text/html", published, url, district);
        var outcome = await reader.ReadAsync(input, ingest, batchId, url ?? $"raw/extractions/{batchId}.{extension}", cancellationToken);
        if (outcome.Ingest is not null)
            freshness.Invalidate();
        var facts = outcome.Article.Facts;
        if (!ingest)
            return TypedResults.Ok(new { published = outcome.Article.Published?.ToString(), facts });
        return TypedResults.Ok(new
        {
            published = outcome.Article.Published?.ToString(),
            facts,
            batchId,
            ingested = outcome.Ingested,
            unresolved = outcome.Unresolved,
            inserted = outcome.Ingest?.Inserted ?? 0,
            revised = outcome.Ingest?.Revised ?? 0,
            unchanged = outcome.Ingest?.Unchanged ?? 0,
        });
    }
}
