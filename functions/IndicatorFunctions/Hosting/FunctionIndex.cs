using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace IndicatorFunctions.Hosting;

/// <summary>A <c>[Function]</c> method and its trigger, read from the same attributes the Functions SDK turns into <c>functions.metadata</c>.</summary>
public sealed record FunctionDescriptor(string Name, Type Type, MethodInfo Method, HttpTriggerAttribute? Http, TimerTriggerAttribute? Timer, QueueTriggerAttribute? Queue = null)
{
    /// <summary>Read once, not per invocation.</summary>
    public ParameterInfo[] Parameters { get; } = Method.GetParameters();

    /// <summary>Creates the function's class from DI, as the worker does per invocation (compiled once).</summary>
    public ObjectFactory Factory { get; } = ActivatorUtilities.CreateFactory(Type, Type.EmptyTypes);

    /// <summary>The route under <c>/api</c>: the trigger's, else the function's name (the host's default).</summary>
    public string Route => Http?.Route ?? Name;

    /// <summary>Lower-case methods, as in <c>functions.metadata</c>; null means every method.</summary>
    public IReadOnlyList<string>? Methods => Http?.Methods?.Select(m => m.ToLowerInvariant()).ToList();
}

/// <summary>Every function of the app, found by reflection over <c>[Function]</c> methods.</summary>
public static class FunctionIndex
{
    /// <summary>host.json <c>extensions.http.routePrefix</c>.</summary>
    public const string RoutePrefix = "api";

    public static IReadOnlyList<FunctionDescriptor> Of(Assembly assembly) =>
        assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static))
            .Select(m => (Method: m, Function: m.GetCustomAttribute<FunctionAttribute>()))
            .Where(x => x.Function is not null)
            .Select(x =>
            {
                var parameters = x.Method.GetParameters();
                return new FunctionDescriptor(x.Function!.Name, x.Method.DeclaringType!, x.Method,
                    parameters.Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).SingleOrDefault(a => a is not null),
                    parameters.Select(p => p.GetCustomAttribute<TimerTriggerAttribute>()).SingleOrDefault(a => a is not null),
                    parameters.Select(p => p.GetCustomAttribute<QueueTriggerAttribute>()).SingleOrDefault(a => a is not null));
            })
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .ToList();
}
