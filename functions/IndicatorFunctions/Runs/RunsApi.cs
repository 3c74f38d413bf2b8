using IndicatorFunctions.Aggregation;
using IndicatorFunctions.Api;
using IndicatorFunctions.Collection;
using IndicatorFunctions.Domain;

namespace IndicatorFunctions.Runs;

/// <summary><c>collect</c>: fetch from enabled, due sources first; <c>sources</c>: exactly these (implies collect, ignores enabled and schedule).</summary>
public sealed record RunRequest(bool? Full, bool? Collect, List<string>? Sources);

/// <summary>Trigger an aggregation run now, and read the run ledger.</summary>
public static class RunsApi
{
    public static void MapRunsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/runs", PostRunAsync).RequireAdminKey();
        app.MapGet("/api/runs", GetRunsAsync);
        app.MapGet("/api/runs/{id}", GetRunAsync);
    }

    /// <summary>202 + Location at once; <c>?wait=true</c> answers 200 with the finished run. 409 names the run in progress.</summary>
    public static async Task<IResult> PostRunAsync(HttpRequest request, AggregationRunner runner, SourceStore sources, Freshness freshness, IHostApplicationLifetime lifetime, bool? wait, CancellationToken cancellationToken)
    {
        RunRequest? body = null;
        if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            try
            {
                body = await request.ReadFromJsonAsync<RunRequest>(cancellationToken);
            }
            catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException)
            {
                return Problems.Validation("body", $"body must be JSON like {{\"full\": true, \"collect\": true}}: {ex.Message}");
            }
        }
        if (body?.Sources is { } named)
        {
            var errors = new List<FieldError>();
            var known = (await sources.ListAsync(cancellationToken)).Select(s => s.Source.Id).ToHashSet(StringComparer.Ordinal);
            if (named.Count == 0)
                errors.Add(new FieldError("sources", "sources, when given, must name at least one source"));
            if (body.Collect == false)
                errors.Add(new FieldError("collect", "naming sources means collecting them: leave collect out or set it true"));
            foreach (var (id, i) in named.Select((id, i) => (id, i)))
            {
                if (!Slug.IsValid(id))
                    errors.Add(new FieldError($"sources[{i}]", $"'{id}' must be {Slug.Rule}"));
                else if (!known.Contains(id))
                    errors.Add(new FieldError($"sources[{i}]", $"source '{id}' does not exist"));
            }
            if (errors.Count > 0)
                return Problems.Validation(errors);
        }
        var options = new RunOptions(body?.Full ?? false, body?.Collect ?? body?.Sources is not null, body?.Sources?.Distinct().ToList());
        try
        {
            // The run outlives this request: it stops only when the app does.
            var (run, completion) = await runner.StartAsync(RunTrigger.Http, options, isPastDue: false, lifetime.ApplicationStopping);
            _ = completion.ContinueWith(_ => freshness.Invalidate(), TaskScheduler.Default);
            if (wait == true)
            {
                var finished = await completion.WaitAsync(cancellationToken);
                freshness.Invalidate();
                return TypedResults.Ok(finished);
            }
            return TypedResults.Accepted($"/api/runs/{run.Id}", run);
        }
        catch (RunInProgressException ex)
        {
            return Problems.Conflict($"Run {ex.RunId} is in progress; one run at a time.", new Dictionary<string, object?> { ["runId"] = ex.RunId });
        }
    }

    public static async Task<IResult> GetRunsAsync(RunLedger ledger, int? top, CancellationToken cancellationToken)
    {
        if (top is < 1 or > 100)
            return Problems.Validation("top", "top must be between 1 and 100");
        return TypedResults.Ok(new { runs = await ledger.LatestAsync(top ?? 20, cancellationToken) });
    }

    public static async Task<IResult> GetRunAsync(string id, RunLedger ledger, CancellationToken cancellationToken)
    {
        if (!RunLedger.IsValidId(id))
            return Problems.Validation("id", $"'{id}' is not a run id");
        return await ledger.GetAsync(id, cancellationToken) is { } run ? TypedResults.Ok(run) : Problems.NotFound("run", id);
    }
}
