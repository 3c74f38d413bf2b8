using System.Text.Json;
using IndicatorFunctions.Ingestion;

namespace IndicatorFunctions.Api;

/// <summary>
/// A JSON request body read as <typeparamref name="T"/> with <see cref="Json.Options"/> (numbers as JSON numbers, each
/// property once): the value (null when the body is empty), or the problem saying why not — 413 past
/// <see cref="RequestBody.MaxBytes"/>, 415 for a content type that is not JSON, 400 naming the field at fault (its
/// JSON path, <c>members[0].from</c>; <c>body</c> when the JSON itself is broken) and saying why.
/// </summary>
public readonly record struct RequestBody<T>(T? Value, IResult? Problem)
{
    public static async Task<RequestBody<T>> ReadAsync(HttpRequest request, string example, CancellationToken cancellationToken)
    {
        if (await RequestBody.ReadBoundedAsync(request, cancellationToken) is not { } body)
            return new(default, Problems.TooLarge(RequestBody.MaxBytes));
        if (body.IsEmpty)
            return new(default, null);
        if (!RequestBody.IsJson(request.ContentType))
            return new(default, Problems.UnsupportedMediaType(request.ContentType, $"application/json like {example}"));
        try
        {
            return new(JsonSerializer.Deserialize<T>(body.Span, Json.Options), null);
        }
        catch (JsonException ex)
        {
            var field = FieldOf(ex.Path);
            var rule = ex.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal)
                ? $"{field} has the wrong JSON type (a number is a JSON number, not a string; text is a JSON string)"
                : ex.Message;
            return new(default, Problems.Validation(field, $"body must be JSON like {example}: {rule}"));
        }
    }

    /// <summary><c>$.members[0].from</c> → <c>members[0].from</c>; the root, or no path at all, is the body.</summary>
    internal static string FieldOf(string? path) =>
        path is null || !path.StartsWith("$.", StringComparison.Ordinal) ? "body" : path[2..];
}

/// <summary>The limit and the checks every JSON body (runs, catalog, sources, the admin endpoint) goes through.</summary>
public static class RequestBody
{
    /// <summary>Largest JSON body of the endpoints that take one, except ingestion (<see cref="AppOptions.MaxIngestBytes"/>).</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>The body, or null once it passes <see cref="MaxBytes"/> (declared or, when chunked, as read).</summary>
    public static async Task<ReadOnlyMemory<byte>?> ReadBoundedAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBytes)
            return null;
        // Not "? body.ToMemory() : null": that null would become an empty ReadOnlyMemory (via byte[]), not "too large".
        if (await BodyReader.ReadUpToAsync(request.Body, MaxBytes, cancellationToken) is not { } body)
            return null;
        return body.ToMemory();
    }

    /// <summary>No content type is taken as JSON (parsing will tell); otherwise application/json, text/json or */*+json.</summary>
    public static bool IsJson(string? contentType) =>
        PayloadFormats.MediaTypeOf(contentType) is not { } type || type is "application/json" or "text/json" || type.EndsWith("+json", StringComparison.Ordinal);
}
