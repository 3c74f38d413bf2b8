using IndicatorFunctions.Api;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace IndicatorFunctions.Hosting;

/// <summary>
/// <c>--local</c>: the app's functions without the Functions host (Core Tools cannot be installed here). Every
/// <c>[HttpTrigger]</c> function is served at <c>/api/{Route}</c> with its methods, and <c>Function</c>-level ones
/// need the <c>AdminApiKey</c> as <c>x-functions-key</c> or <c>?code=</c>; timers fire on their schedules
/// (<see cref="LocalTimers"/>) and on <c>POST /admin/functions/{name}</c> with the key, as on the host; queue
/// triggers take their queue's messages (<see cref="LocalQueues"/>).
/// </summary>
public static class LocalMode
{
    public const string Flag = "--local";

    public static bool IsRequested(string[] args) => args.Contains(Flag);

    /// <param name="configure">Tests add settings and a test server here, before the app's services are added.</param>
    public static WebApplication CreateApp(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args.Where(a => a != Flag).ToArray());
        builder.AddLocalSettings();
        configure?.Invoke(builder);
        builder.WebHost.UseUrls(LocalSettings.ListenUrls(builder.Configuration));
        // Each endpoint enforces its own body limit with a 413 problem; Kestrel's cap (30 MB) must not undercut MaxIngestBytes.
        if (long.TryParse(builder.Configuration[nameof(AppOptions.MaxIngestBytes)], out var maxIngest))
            builder.WebHost.ConfigureKestrel(o => o.Limits.MaxRequestBodySize = Math.Max(o.Limits.MaxRequestBodySize ?? long.MaxValue, maxIngest));
        builder.AddIndicatorServices();
        var functions = FunctionIndex.Of(typeof(LocalMode).Assembly);
        foreach (var function in functions)
            FunctionInvoker.CheckBindable(function);
        builder.Services.AddSingleton(new LocalTimers.Functions(functions.Where(f => f.Timer is not null).ToList()));
        builder.Services.AddSingleton<LocalTimers>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LocalTimers>());
        builder.Services.AddSingleton(new LocalQueues.Functions(functions.Where(f => f.Queue is not null).ToList()));
        builder.Services.AddHostedService<LocalQueues>();

        var app = builder.Build();
        // Every 4xx/5xx gets a problem body: exceptions (the handler), bare statuses from routing (status code
        // pages, which write problem details since AddProblemDetails registered them), refused requests (their own status).
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use(BadRequests.LocalMiddleware);
        app.Use(StorageFailures.LocalMiddleware);
        app.UseCors();
        foreach (var function in functions.Where(f => f.Http is not null))
            MapHttpFunction(app, function);
        app.MapPost("/admin/functions/{name}", InvokeTimerAsync);
        return app;
    }

    private static void MapHttpFunction(WebApplication app, FunctionDescriptor function)
    {
        var pattern = $"/{FunctionIndex.RoutePrefix}/{function.Route}";
        var keyed = function.Http!.AuthLevel != AuthorizationLevel.Anonymous;
        RequestDelegate handler = async context =>
        {
            if (keyed && Unauthorized(context) is { } refusal)
            {
                await refusal.ExecuteAsync(context);
                return;
            }
            var result = await FunctionInvoker.InvokeAsync(function, context.RequestServices, context, null, context.RequestAborted);
            await ((IResult)result!).ExecuteAsync(context);
        };
        var endpoint = function.Methods is { } methods
            ? app.MapMethods(pattern, methods.Select(m => m.ToUpperInvariant()), handler)
            : app.Map(pattern, handler);
        endpoint.WithName(function.Name);
    }

    /// <summary>The host's admin endpoint's body, <c>{"input": "…"}</c>; timers take no input, so it is only checked.</summary>
    private sealed record AdminInvocation(string? Input);

    /// <summary>
    /// The host's admin endpoint for non-HTTP functions: 202, and the function runs in the background. A body, when
    /// sent, is JSON (415 otherwise) of at most <see cref="RequestBody.MaxBytes"/> (413).
    /// </summary>
    private static async Task<IResult> InvokeTimerAsync(HttpContext context, string name, LocalTimers timers)
    {
        if (Unauthorized(context) is { } refusal)
            return refusal;
        var (_, problem) = await RequestBody<AdminInvocation>.ReadAsync(context.Request, """{"input": ""}""", context.RequestAborted);
        if (problem is not null)
            return problem;
        return timers.TryStart(name) ? TypedResults.Accepted((string?)null) : Problems.NotFound("timer function", name);
    }

    /// <summary>Null when the request carries the admin key; else the 401 problem to answer. No setting turns this off.</summary>
    private static IResult? Unauthorized(HttpContext context)
    {
        var expected = context.RequestServices.GetRequiredService<IOptions<AppOptions>>().Value.AdminApiKey;
        if (AdminKey.Matches(context.Request, expected))
            return null;
        return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "A key is required.",
            detail: string.IsNullOrEmpty(expected)
                ? $"This function needs a key, and the {nameof(AppOptions.AdminApiKey)} setting is not set: set it, then send it in the x-functions-key header (or ?code=)."
                : "Send the admin key in the x-functions-key header (or ?code=).");
    }
}
