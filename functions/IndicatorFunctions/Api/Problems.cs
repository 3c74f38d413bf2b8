using IndicatorFunctions.Domain;

namespace IndicatorFunctions.Api;

/// <summary>RFC 9457 problem responses, with the per-field <c>errors</c> list where input was invalid.</summary>
public static class Problems
{
    public static IResult Validation(IReadOnlyList<FieldError> errors, IDictionary<string, object?>? extra = null)
    {
        var extensions = new Dictionary<string, object?>(extra ?? new Dictionary<string, object?>()) { ["errors"] = errors };
        return TypedResults.Problem(
            statusCode: StatusCodes.Status400BadRequest,
            title: "The request is invalid.",
            detail: errors.Count == 1 ? errors[0].Message : $"{errors.Count} problems; see errors. First: {errors[0].Message}",
            extensions: extensions);
    }

    public static IResult Validation(string field, string message) => Validation([new FieldError(field, message)]);

    public static IResult NotFound(string what, string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"No such {what}.", detail: $"{what} '{id}' does not exist.");

    public static IResult Conflict(string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict.", detail: detail, extensions: extensions);

    /// <summary>A passing condition: 503 with <c>Retry-After</c>, so the client knows to send the same request again.</summary>
    public static IResult Unavailable(string detail, int retryAfterSeconds, IDictionary<string, object?>? extensions = null) =>
        new RetryLater(retryAfterSeconds, TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Try again shortly.", detail: detail, extensions: extensions));

    private sealed class RetryLater(int seconds, IResult problem) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return problem.ExecuteAsync(httpContext);
        }
    }

}
