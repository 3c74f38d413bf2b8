using System.Text.Json;

namespace IndicatorFunctions.Api;

/// <summary>A JSON request body read as <typeparamref name="T"/>: the value (null when the body is empty), or a 400 problem saying why not.</summary>
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
            return new(default, Problems.Validation("body", $"body must be JSON like {example}: {ex.Message}"));
        }
    }
}
