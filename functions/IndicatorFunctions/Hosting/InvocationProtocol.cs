using System.Text.Json;
using System.Text.Json.Serialization;

namespace IndicatorFunctions.Hosting;

/// <summary>What the Functions host POSTs to <c>/{FunctionName}</c> for a non-HTTP trigger.</summary>
public sealed record InvocationRequest(
    [property: JsonPropertyName("Data")] Dictionary<string, JsonElement>? Data,
    [property: JsonPropertyName("Metadata")] Dictionary<string, JsonElement>? Metadata);

/// <summary>The custom handler's reply; a non-2xx status fails the invocation.</summary>
public sealed record InvocationResponse(
    [property: JsonPropertyName("Outputs")] Dictionary<string, object?> Outputs,
    [property: JsonPropertyName("Logs")] IReadOnlyList<string> Logs,
    [property: JsonPropertyName("ReturnValue")] object? ReturnValue);

public sealed record TimerScheduleStatus(DateTimeOffset? Last, DateTimeOffset? Next, DateTimeOffset? LastUpdated);

/// <summary>The timer binding's value: whether this firing is late, and the schedule's bookkeeping.</summary>
public sealed record TimerInfo(bool IsPastDue, TimerScheduleStatus? ScheduleStatus)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Reads the timer binding from an invocation. The host's documentation shows an object; some host versions
    /// send the same object serialized as a JSON string, so both are accepted.
    /// </summary>
    public static TimerInfo FromInvocation(InvocationRequest request, string bindingName)
    {
        if (request.Data is null || !request.Data.TryGetValue(bindingName, out var value))
            throw new InvocationException($"Invocation Data has no '{bindingName}' binding.");
        if (value.ValueKind == JsonValueKind.String)
            value = JsonDocument.Parse(value.GetString()!).RootElement;
        if (value.ValueKind != JsonValueKind.Object)
            throw new InvocationException($"Invocation Data.{bindingName} must be a timer object, not {value.ValueKind}.");
        return value.Deserialize<TimerInfo>(Json) ?? throw new InvocationException($"Invocation Data.{bindingName} is null.");
    }
}

/// <summary>An invocation the handler cannot make sense of: answered 400, so the host records a failure.</summary>
public sealed class InvocationException(string message) : Exception(message);

/// <summary>Collects log lines for the invocation reply (the host writes them to its own logs).</summary>
public sealed class InvocationLog(ILogger logger)
{
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines => _lines;

    public void Info(string message)
    {
        logger.LogInformation("{Message}", message);
        _lines.Add(message);
    }
}
