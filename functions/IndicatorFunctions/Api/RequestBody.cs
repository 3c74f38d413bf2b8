using System.Text.Json;

namespace IndicatorFunctions.Api;

/// <summary>
/// A JSON request body read as <typeparamref name="T"/> with <see cref="Json.Options"/> (numbers as JSON numbers, each
/// property once): the value (null when the body is empty), or a 400 problem naming the field at fault (its JSON path,
/// <c>members[0].from</c>; <c>body</c> when the JSON itself is broken) and saying why.
/// </summary>
public readonly record struct RequestBody<T>(T? Value, IResult? Problem)
{
    public static async Task<RequestBody<T>> ReadAsync(HttpRequest request, string example, CancellationToken cancellationToken)
    {
        if (request.ContentLength == 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count == 0))
            return new(default, null);
        try
        {
            return new(await JsonSerializer.DeserializeAsync<T>(request.Body, Json.Options, cancellationToken), null);
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
