using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace IndicatorFunctions.Hosting;

/// <summary>
/// A request the server refused while the app read it (<see cref="BadHttpRequestException"/>: a body past the
/// server's limit, a broken chunked body, a client that stopped sending) is the client's error, not a 500: it is
/// answered with its own status as a problem, under the Functions host and in local mode alike.
/// </summary>
public static class BadRequests
{
    /// <summary>The problem for <paramref name="exception"/>, or null when it is not a refused request.</summary>
    public static IResult? ToProblem(Exception exception) => exception is BadHttpRequestException bad
        ? TypedResults.Problem(statusCode: bad.StatusCode, title: ReasonPhrases.GetReasonPhrase(bad.StatusCode) + ".", detail: bad.Message)
        : null;

    /// <summary>Local mode, before storage failures and the exception handler.</summary>
    public static async Task LocalMiddleware(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (Exception ex) when (!context.Response.HasStarted && ToProblem(ex) is { } problem)
        {
            await problem.ExecuteAsync(context);
        }
    }

    /// <summary>Under the Functions host: the function's result becomes the problem, which the ASP.NET Core integration writes.</summary>
    public sealed class WorkerMiddleware : IFunctionsWorkerMiddleware
    {
        public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
        {
            try
            {
                await next(context);
            }
            catch (Exception ex) when (context.GetHttpContext() is not null && ToProblem(ex) is { } problem)
            {
                context.GetInvocationResult().Value = problem;
            }
        }
    }
}
