using IndicatorFunctions.Aggregation;
using IndicatorFunctions.Api;
using IndicatorFunctions.Collection;
using IndicatorFunctions.Domain;
using IndicatorFunctions.Hosting;
using Microsoft.Azure.Functions.Worker;

namespace IndicatorFunctions.Runs;

/// <summary><c>collect</c>: fetch from enabled, due sources first; <c>sources</c>: exactly these (implies collect, ignores enabled and schedule).</summary>
public sealed record RunRequest(bool? Full, bool? Collect, List<string>? Sources);

/// <summary>
/// What anyone may read of a run: status, times and counts. Error texts and per-source outcomes name internal hosts
/// and quote rejected values, so only callers with the admin key get the whole <see cref="RunRecord"/>.
/// </summary>
public sealed record RunSummary(
    string Id, RunTrigger Trigger, RunStatus Status, bool Full, bool Collect, bool IsPastDue,
    DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, long? DurationMs, long? CollectMs, long? AggregateMs,
    long ObservationsRead, long GrowthWritten, long RollupsWritten, CollectionSummary? Collection, int ErrorCount)
{
    public static RunSummary Of(RunRecord run) => new(
        run.Id, run.Trigger, run.Status, run.Full, run.Collect, run.IsPastDue,
        run.StartedAt, run.FinishedAt, run.DurationMs, run.CollectMs, run.AggregateMs,
        run.ObservationsRead, run.GrowthWritten, run.RollupsWritten, run.Collection, run.Errors.Count);
}

/// <summary>
/// Trigger an aggregation run now, and read the run ledger. The ledger's routes are anonymous; a request that
/// carries the admin key (<see cref="AdminKey"/>) gets each run's errors and per-source outcomes too.
/// </summary>
public sealed class RunsApi(AggregationRunner runner, RunLedger ledger, SourceStore sources, Freshness freshness, IHostApplicationLifetime lifetime)
{
    /// <summary>202 + Location at once; <c>?wait=true</c> answers 200 with the finished run. 409 names the run in progress.</summary>
    [Function("PostRuns")]
    public async Task<IResult> PostRunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "runs")] HttpRequest request, CancellationToken cancellationToken)
    {
        var wait = Query.Bool(request, "wait", out var waitProblem);
        if (waitProblem is not null)
            return waitProblem;
        var (body, problem) = await RequestBody<RunRequest>.ReadAsync(request, """{"full": true, "collect": true}""", cancellationToken);
        if (problem is not null)
            return problem;
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

    [Function("GetRuns")]
    public async Task<IResult> GetRunsAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "runs")] HttpRequest request, CancellationToken cancellationToken)
    {
        var top = Query.Int(request, "top", out var problem);
        if (problem is not null)
            return problem;
        if (top is < 1 or > 100)
            return Problems.Validation("top", "top must be between 1 and 100");
        var runs = await ledger.LatestAsync(top ?? 20, cancellationToken);
        return AdminKey.IsPresented(request) ? TypedResults.Ok(new { runs }) : TypedResults.Ok(new { runs = runs.Select(RunSummary.Of) });
    }

    [Function("GetRun")]
    public async Task<IResult> GetRunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "runs/{id}")] HttpRequest request, string id, CancellationToken cancellationToken)
    {
        if (!RunLedger.IsValidId(id))
            return Problems.Validation("id", $"'{id}' is not a run id");
        if (await ledger.GetAsync(id, cancellationToken) is not { } run)
            return Problems.NotFound("run", id);
        return AdminKey.IsPresented(request) ? TypedResults.Ok(run) : TypedResults.Ok(RunSummary.Of(run));
    }
}
