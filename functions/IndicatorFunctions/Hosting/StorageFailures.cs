using Azure;
using IndicatorFunctions.Data;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace IndicatorFunctions.Hosting;

/// <summary>
/// Storage trouble is the server's, not the client's, and passing: every function answers it with a 503 problem and
/// <c>Retry-After</c>, never a 500. A table or container that vanished (an emulator restarted under the app) is
/// recreated by the next request that needs it.
/// </summary>
public static class StorageFailures
{
    private const int RetryAfterSeconds = 5;

    /// <summary>The 503 for a storage failure, or null when <paramref name="exception"/> is not one.</summary>
    /// <param name="aborted">The caller's cancellation: a request the client gave up on is no storage failure.</param>
    public static IResult? ToProblem(Exception exception, IServiceProvider services, CancellationToken aborted)
    {
        if (aborted.IsCancellationRequested || Classify(exception) is not { } reason)
            return null;
        if (reason.Missing)
            services.GetRequiredService<IndicatorTables>().Forget();
        services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(StorageFailures)).LogWarning(exception, "Storage failure answered with 503: {Reason}", reason.Text);
        return Api.Problems.Unavailable(reason.Text, reason.Missing ? 1 : RetryAfterSeconds, title: "Storage is unavailable; try again shortly.");
    }

    /// <summary>Storage failed or is out of reach (what a retry later may cure), not a bug or bad input.</summary>
    public static bool IsStorageFailure(Exception exception) => Classify(exception) is not null;

    private static (string Text, bool Missing)? Classify(Exception exception) => exception switch
    {
        RequestFailedException { ErrorCode: "TableNotFound" or "ContainerNotFound" } e => ($"storage lost a table or container ({e.ErrorCode}); it is recreated now", true),
        RequestFailedException { Status: 0 or 403 or 408 or >= 500 } e => ($"storage answered {(e.Status == 0 ? "nothing" : e.Status.ToString())}{(e.ErrorCode is null ? "" : " " + e.ErrorCode)}", false),
        HttpRequestException => ("storage is unreachable", false),
        // The SDK's network timeout (per try, after its retries): a hung account.
        TimeoutException or OperationCanceledException => ("storage did not answer in time", false),
        AggregateException a when a.InnerExceptions.Count > 0 && a.InnerExceptions.All(i => Classify(i) is not null) => Classify(a.InnerExceptions[^1]),
        _ => null,
    };

    /// <summary>Local mode: the same answer as <see cref="WorkerMiddleware"/> gives under the host.</summary>
    public static async Task LocalMiddleware(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (Exception ex) when (!context.Response.HasStarted && ToProblem(ex, context.RequestServices, context.RequestAborted) is { } problem)
        {
            await problem.ExecuteAsync(context);
        }
    }

    /// <summary>Under the Functions host: the function's result becomes the 503, which the ASP.NET Core integration writes.</summary>
    public sealed class WorkerMiddleware : IFunctionsWorkerMiddleware
    {
        public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
        {
            try
            {
                await next(context);
            }
            catch (Exception ex) when (context.GetHttpContext() is { } http && ToProblem(ex, context.InstanceServices, http.RequestAborted) is { } problem)
            {
                context.GetInvocationResult().Value = problem;
            }
        }
    }
}
