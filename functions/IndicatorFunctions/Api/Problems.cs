using IndicatorFunctions.Domain;

namespace IndicatorFunctions.Api;

/// <summary>RFC 9457 problem responses, with the per-field <c>errors</c> list where input was invalid.</summary>
public static class Problems
{
    /// <param name="total">How many problems there are when <paramref name="errors"/> lists only the first ones.</param>
    public static IResult Validation(IReadOnlyList<FieldError> errors, IDictionary<string, object?>? extra = null, int? total = null)
    {
        var extensions = new Dictionary<string, object?>(extra ?? new Dictionary<string, object?>()) { ["errors"] = errors };
        var count = total ?? errors.Count;
        return TypedResults.Problem(
            statusCode: StatusCodes.Status400BadRequest,
            title: "The request is invalid.",
            detail: count == 1 ? errors[0].Message : $"{count} problems; see errors. First: {errors[0].Message}",
            extensions: extensions);
    }

    public static IResult Validation(string field, string message) => Validation([new FieldError(field, message)]);

    public static IResult NotFound(string what, string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"No such {what}.", detail: $"{what} '{id}' does not exist.");

    /// <summary>413, naming the limit (and the setting that sets it, when one does).</summary>
    public static IResult TooLarge(long limit, string? setting = null) =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Body too large.",
            detail: $"The body exceeds {limit} bytes{(setting is null ? "" : $" (setting {setting})")}; send less, or split it into several requests.",
            extensions: new Dictionary<string, object?> { ["maxBytes"] = limit });

    /// <summary>415, saying what to send instead.</summary>
    public static IResult UnsupportedMediaType(string? contentType, string expected) =>
        TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported content type.",
            detail: $"Send {expected}, not '{contentType ?? "(none)"}'.");

    public static IResult Conflict(string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict.", detail: detail, extensions: extensions);

    /// <summary>A passing condition: 503 with <c>Retry-After</c>, so the client knows to send the same request again.</summary>
    public static IResult Unavailable(string detail, int retryAfterSeconds, IDictionary<string, object?>? extensions = null, string title = "Try again shortly.") =>
        new RetryLater(retryAfterSeconds, TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: title, detail: detail, extensions: extensions));

    private sealed class RetryLater(int seconds, IResult problem) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return problem.ExecuteAsync(httpContext);
        }
    }

}
