namespace IndicatorFunctions.Ingestion;

/// <summary>
/// The two payload formats, <c>csv</c> and <c>json</c>: what <c>POST /api/observations</c> accepts by content type,
/// what a collected source's payload may be labelled, and how a dropped file is recognised.
/// </summary>
public static class PayloadFormats
{
    private static readonly HashSet<string> Csv = new(StringComparer.OrdinalIgnoreCase)
        { "text/csv", "application/csv", "text/comma-separated-values", "application/vnd.ms-excel", "text/plain", "application/octet-stream" };

    private static readonly HashSet<string> JsonTypes = new(StringComparer.OrdinalIgnoreCase)
        { "application/json", "text/json", "text/plain", "application/octet-stream" };

    /// <summary>A missing content type is given the benefit of the doubt; parsing will tell.</summary>
    public static bool Fits(string format, string? mediaType) =>
        string.IsNullOrEmpty(mediaType) || (format == "csv" ? Csv.Contains(mediaType) : JsonTypes.Contains(mediaType) || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    public static string Expected(string format) => format == "csv" ? "expected " + string.Join(", ", Csv.Order()) : "expected " + string.Join(", ", JsonTypes.Order()) + " or */*+json";

    /// <summary><c>text/csv; charset=utf-8</c> → <c>text/csv</c>.</summary>
    public static string? MediaTypeOf(string? contentType) => contentType?.Split(';')[0].Trim().ToLowerInvariant() is { Length: > 0 } type ? type : null;

    /// <summary>The format a content type declares outright; null for anything else (text/plain says nothing).</summary>
    public static string? OfMediaType(string? contentType) => MediaTypeOf(contentType) switch
    {
        "text/csv" or "application/csv" => "csv",
        "application/json" or "text/json" => "json",
        _ => null,
    };

    /// <summary>A drop file's format: by extension, else by content type; null when neither says CSV or JSON.</summary>
    public static string? OfFile(string name, string? contentType) => Path.GetExtension(name).ToLowerInvariant() switch
    {
        ".csv" => "csv",
        ".json" => "json",
        _ => OfMediaType(contentType),
    };
}
