using IndicatorFunctions.Domain;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace IndicatorFunctions.Api;

/// <summary>The representations of a read.</summary>
public enum ReadFormat { Json, Csv, JsonStat }

/// <summary>
/// Which representation a read is answered in: the <c>format</c> query parameter (<c>json</c>, <c>csv</c> or
/// <c>jsonstat</c>; anything else is a 400 naming it) when given, else the <c>Accept</c> header — CSV when
/// <c>text/csv</c> is acceptable and preferred to <c>application/json</c> (a higher quality; a tie keeps JSON, the
/// default), JSON otherwise. Wildcards (<c>*/*</c>, what browsers and BI tools send) select the default. Responses
/// say <c>Vary: Accept</c>, since the same URL can be either.
/// </summary>
public static class ReadFormats
{
    public const string CsvContentType = "text/csv; charset=utf-8; header=present";

    public const string Vary = "Accept";

    private static readonly (string Name, ReadFormat Format)[] Names = [("json", ReadFormat.Json), ("csv", ReadFormat.Csv), ("jsonstat", ReadFormat.JsonStat)];

    public static ReadFormat Select(string? format, StringValues accept, List<FieldError> errors)
    {
        if (format is not null)
        {
            foreach (var (name, value) in Names)
            {
                if (format == name)
                    return value;
            }
            errors.Add(new FieldError("format", $"format '{format}' must be one of {string.Join(", ", Names.Select(n => n.Name))}"));
            return ReadFormat.Json;
        }
        return Quality(accept, "text/csv") > Quality(accept, "application/json") ? ReadFormat.Csv : ReadFormat.Json;
    }

    /// <summary>The quality the header gives this exact media type (0 when it is not named, or the header cannot be read).</summary>
    private static double Quality(StringValues accept, string mediaType) =>
        MediaTypeHeaderValue.TryParseList(accept, out var ranges)
            ? ranges.Where(r => r.MediaType.Equals(mediaType, StringComparison.OrdinalIgnoreCase)).Select(r => r.Quality ?? 1).DefaultIfEmpty(0).Max()
            : 0;
}
