using IndicatorFunctions.Ingestion;

namespace IndicatorFunctions.Tests.Pipeline;

public sealed class PayloadFormatsTests
{
    [Theory]
    [InlineData("csv", "text/csv", true)]
    [InlineData("csv", "TEXT/CSV", true)] // media types are case-insensitive
    [InlineData("csv", "application/csv", true)]
    [InlineData("csv", "text/comma-separated-values", true)]
    [InlineData("csv", "application/vnd.ms-excel", true)] // what some servers send for .csv
    [InlineData("csv", "text/plain", true)]
    [InlineData("csv", "application/octet-stream", true)]
    [InlineData("csv", null, true)] // no content type: let parsing decide
    [InlineData("csv", "", true)]
    [InlineData("csv", "text/html", false)] // a login or error page, not data
    [InlineData("csv", "application/json", false)]
    [InlineData("csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", false)]
    [InlineData("json", "application/json", true)]
    [InlineData("json", "Application/JSON", true)]
    [InlineData("json", "text/json", true)]
    [InlineData("json", "application/vnd.api+json", true)] // any +json suffix
    [InlineData("json", "application/geo+JSON", true)]
    [InlineData("json", "text/plain", true)]
    [InlineData("json", "application/octet-stream", true)]
    [InlineData("json", null, true)]
    [InlineData("json", "text/csv", false)]
    [InlineData("json", "text/html", false)]
    [InlineData("json", "application/xml", false)]
    [InlineData("json", "application/jsonp", false)]
    public void Fits_accepts_the_media_types_a_format_may_arrive_as(string format, string? mediaType, bool fits)
    {
        Assert.Equal(fits, PayloadFormats.Fits(format, mediaType));
    }

    [Theory]
    [InlineData("csv", "text/csv")]
    [InlineData("json", "application/json")]
    public void Expected_lists_what_fits(string format, string listed)
    {
        // The failure reason quotes this, so it must name types Fits really accepts.
        var expected = PayloadFormats.Expected(format);

        Assert.StartsWith("expected ", expected);
        Assert.Contains(listed, expected);
        Assert.True(PayloadFormats.Fits(format, listed));
    }

    [Theory]
    [InlineData("gdp.csv", null, "csv")]
    [InlineData("GDP.CSV", null, "csv")] // extensions are case-insensitive
    [InlineData("2025/q3/gdp.csv", "application/octet-stream", "csv")]
    [InlineData("gdp.json", null, "json")]
    [InlineData("gdp.Json", "text/plain", "json")]
    [InlineData("gdp.json", "text/csv", "json")] // the extension wins over the content type
    [InlineData("gdp.csv", "application/json", "csv")]
    [InlineData("gdp.txt", "text/csv", "csv")] // no telling extension: the content type decides
    [InlineData("gdp.txt", "text/csv; charset=utf-8", "csv")] // parameters ignored
    [InlineData("gdp.txt", " Application/CSV ", "csv")]
    [InlineData("gdp", "application/json", "json")]
    [InlineData("gdp.dat", "text/json;charset=utf-8", "json")]
    [InlineData("gdp.xlsx", null, null)]
    [InlineData("gdp.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", null)]
    [InlineData("gdp.txt", "text/plain", null)] // text/plain says nothing about the format
    [InlineData("gdp.txt", "application/octet-stream", null)]
    [InlineData("gdp.csv.gz", "application/gzip", null)]
    [InlineData("gdp", null, null)]
    [InlineData("gdp.csv/readme", null, null)] // only the last segment's extension counts
    public void Of_file_goes_by_extension_then_content_type(string name, string? contentType, string? format)
    {
        Assert.Equal(format, PayloadFormats.OfFile(name, contentType));
    }

    // The push endpoint's table: only a declared CSV or JSON type is accepted (415 otherwise).
    [Theory]
    [InlineData("text/csv", "csv")]
    [InlineData("Text/CSV; charset=utf-8", "csv")]
    [InlineData("application/csv", "csv")]
    [InlineData("application/json", "json")]
    [InlineData("application/json; charset=utf-8", "json")]
    [InlineData("text/json", "json")]
    [InlineData("text/plain", null)]
    [InlineData("application/octet-stream", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void Of_media_type_reads_only_a_declared_csv_or_json_type(string? contentType, string? format) =>
        Assert.Equal(format, PayloadFormats.OfMediaType(contentType));
}
