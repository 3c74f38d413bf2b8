using System.Reflection;
using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;

namespace IndicatorFunctions.Hosting;

/// <summary>
/// Calls a function method as the worker would: a new instance of its class from DI per invocation, its
/// parameters bound from the trigger, its task awaited. Local mode binds what the app's functions use (the
/// request, route values, the timer, the cancellation token); anything else is refused when the app starts.
/// </summary>
public static class FunctionInvoker
{
    public static void CheckBindable(FunctionDescriptor function)
    {
        var routeValues = function.Http is null ? [] : RouteParameterNames(function.Route);
        foreach (var p in function.Parameters)
        {
            var bindable = p.ParameterType == typeof(HttpRequest) || p.ParameterType == typeof(CancellationToken) || p.ParameterType == typeof(TimerInfo) ||
                           (p.ParameterType == typeof(QueueMessage) && function.Queue is not null) ||
                           (p.ParameterType == typeof(string) && routeValues.Contains(p.Name!));
            if (!bindable)
                throw new InvalidOperationException($"Local mode cannot bind parameter '{p.Name}' ({p.ParameterType.Name}) of function {function.Name}.");
        }
        if (function.Method.ReturnType != typeof(Task) && function.Method.ReturnType != typeof(Task<IResult>))
            throw new InvalidOperationException($"Function {function.Name} must return Task or Task<IResult> to be served in local mode.");
    }

    public static async Task<object?> InvokeAsync(FunctionDescriptor function, IServiceProvider services, HttpContext? http, TimerInfo? timer, CancellationToken cancellationToken, QueueMessage? message = null)
    {
        var instance = function.Method.IsStatic ? null : function.Factory(services, null);
        var args = function.Parameters.Select(object? (p) =>
            p.ParameterType == typeof(HttpRequest) ? http!.Request :
            p.ParameterType == typeof(CancellationToken) ? cancellationToken :
            p.ParameterType == typeof(TimerInfo) ? timer :
            p.ParameterType == typeof(QueueMessage) ? message :
            http!.GetRouteValue(p.Name!)?.ToString()).ToArray();
        var task = (Task)function.Method.Invoke(instance, BindingFlags.DoNotWrapExceptions, null, args, null)!;
        await task;
        return function.Method.ReturnType.IsGenericType ? function.Method.ReturnType.GetProperty(nameof(Task<object>.Result))!.GetValue(task) : null;
    }

    private static HashSet<string> RouteParameterNames(string route) =>
        Microsoft.AspNetCore.Routing.Patterns.RoutePatternFactory.Parse(route).Parameters.Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
}
