using IndicatorFunctions.Api;
using IndicatorFunctions.Domain;
using IndicatorFunctions.Scheduling;
using Microsoft.Azure.Functions.Worker;

namespace IndicatorFunctions.Collection;

/// <summary>
/// Source configuration, admin only (definitions name internal URLs and setting names). Responses show each
/// source as it was PUT plus what its last collection did; secret header values are never stored, so never shown.
/// </summary>
public sealed class SourcesApi(SourceStore store, SourceDestinationGuard destinations)
{
    [Function("GetSources")]
    public async Task<IResult> GetSourcesAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "sources")] HttpRequest request, CancellationToken cancellationToken)
    {
        var all = await store.ListAsync(cancellationToken);
        return TypedResults.Ok(new { sources = all.OrderBy(s => s.Source.Id, StringComparer.Ordinal).Select(s => View(s.Source, s.State)) });
    }

    [Function("GetSource")]
    public async Task<IResult> GetSourceAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "sources/{id}")] HttpRequest request, string id, CancellationToken cancellationToken)
    {
        if (!Slug.IsValid(id))
            return Problems.Validation("id", $"id '{id}' must be {Slug.Rule}");
        return await store.GetAsync(id, cancellationToken) is { } found ? TypedResults.Ok(View(found.Source, found.State)) : Problems.NotFound("source", id);
    }

    /// <summary>201 for a new source, 200 for a replaced one. A changed definition is fetched in full next time.</summary>
    [Function("PutSource")]
    public async Task<IResult> PutSourceAsync(
        [HttpTrigger(AuthorizationLevel.Function, "put", Route = "sources/{id}")] HttpRequest request, string id, CancellationToken cancellationToken)
    {
        var (body, problem) = await RequestBody<SourceBody>.ReadAsync(request, """{"kind": "http-csv", "url": "https://…"}""", cancellationToken);
        if (problem is not null)
            return problem;
        var errors = new List<FieldError>();
        if (SourceRules.Validate(id, body, errors) is not { } source)
            return Problems.Validation(errors);
        // An address written in the URL is refused now; a host name is checked each time it is connected to.
        if (source.IsHttp && Uri.TryCreate(SourceRules.SettingReference().Replace(source.Url!, "x"), UriKind.Absolute, out var url) && destinations.RefusalOf(url) is { } refusal)
            return Problems.Validation("url", $"url: {refusal}");
        var created = await store.PutAsync(source, cancellationToken);
        var view = View(source, await store.GetStateAsync(id, cancellationToken));
        return created ? TypedResults.Created($"/api/sources/{id}", view) : TypedResults.Ok(view);
    }

    [Function("DeleteSource")]
    public async Task<IResult> DeleteSourceAsync(
        [HttpTrigger(AuthorizationLevel.Function, "delete", Route = "sources/{id}")] HttpRequest request, string id, CancellationToken cancellationToken)
    {
        if (!Slug.IsValid(id))
            return Problems.Validation("id", $"id '{id}' must be {Slug.Rule}");
        return await store.DeleteAsync(id, cancellationToken) ? TypedResults.NoContent() : Problems.NotFound("source", id);
    }

    private static object View(Source source, SourceState? state) => new
    {
        source.Id,
        kind = source.KindName,
        source.Enabled,
        source.Description,
        source.Url,
        headers = source.Headers.Count == 0 ? null : source.HeaderMap,
        source.Container,
        source.Prefix,
        source.Records,
        source.Mapping,
        source.Defaults,
        source.Schedule,
        lastCollection = state is null ? null : new
        {
            attemptAt = state.LastAttemptAt,
            successAt = state.LastSuccessAt,
            outcome = state.LastOutcome,
            runId = state.LastRunId,
            etag = state.ETag,
            lastModified = state.LastModified,
        },
        nextDue = source.Schedule is null ? null : Collector.NextDue(Schedules.Parse(source.Schedule), state?.LastSuccessAt),
    };
}
