using System.Text.Json;

namespace IndicatorFunctions.Hosting;

public delegate Task<object?> TimerFunctionHandler(TimerInfo timer, InvocationLog log, IServiceProvider services, CancellationToken cancellationToken);

/// <summary>
/// Timer functions by name. The host's <c>POST /{FunctionName}</c> and the standalone scheduler both end in
/// <see cref="InvokeAsync"/>, so a local firing runs exactly the code a firing in Azure runs.
/// </summary>
public sealed class TimerFunctions(IServiceProvider services, ILoggerFactory loggers)
{
    private readonly Dictionary<string, (string BindingName, TimerFunctionHandler Handler)> _functions = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyCollection<string> Names => _functions.Keys;

    public void Add(string name, string bindingName, TimerFunctionHandler handler) => _functions.Add(name, (bindingName, handler));

    public async Task<(int Status, InvocationResponse Response)> InvokeAsync(string name, InvocationRequest request, CancellationToken cancellationToken)
    {
        var log = new InvocationLog(loggers.CreateLogger("Function." + name));
        if (!_functions.TryGetValue(name, out var function))
            return (404, Reply(log, $"No timer function named '{name}'."));
        try
        {
            var timer = TimerInfo.FromInvocation(request, function.BindingName);
            if (timer.IsPastDue)
                log.Info($"{name}: this invocation is past due (missed its scheduled time).");
            await using var scope = services.CreateAsyncScope();
            var result = await function.Handler(timer, log, scope.ServiceProvider, cancellationToken);
            return (200, new InvocationResponse([], log.Lines, result));
        }
        catch (Exception ex) when (ex is InvocationException or JsonException)
        {
            return (400, Reply(log, $"{name}: bad invocation: {ex.Message}"));
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            loggers.CreateLogger("Function." + name).LogError(ex, "{Function} failed", name);
            return (500, Reply(log, $"{name} failed: {ex.GetType().Name}: {ex.Message}"));
        }
    }

    private static InvocationResponse Reply(InvocationLog log, string line)
    {
        log.Info(line);
        return new InvocationResponse([], log.Lines, null);
    }
}

public static class TimerFunctionEndpoints
{
    /// <summary>Maps <c>POST /{name}</c>, the route the Functions host invokes a timer function on.</summary>
    public static void MapTimerFunction(this WebApplication app, string name, string bindingName, TimerFunctionHandler handler)
    {
        app.Services.GetRequiredService<TimerFunctions>().Add(name, bindingName, handler);
        app.MapPost("/" + name, InvokeAsync).WithName(name).ExcludeFromDescription();
    }

    private static async Task<IResult> InvokeAsync(HttpContext context, TimerFunctions functions, CancellationToken cancellationToken)
    {
        var name = context.Request.Path.Value!.TrimStart('/');
        InvocationRequest? request;
        try
        {
            request = await context.Request.ReadFromJsonAsync<InvocationRequest>(cancellationToken);
        }
        catch (JsonException ex)
        {
            return TypedResults.Json(new InvocationResponse([], [$"{name}: invocation body is not JSON: {ex.Message}"], null), statusCode: 400);
        }
        var (status, response) = await functions.InvokeAsync(name, request ?? new InvocationRequest(null, null), cancellationToken);
        return TypedResults.Json(response, statusCode: status);
    }
}
