using IndicatorFunctions.Api;
using IndicatorFunctions.Domain;
using Microsoft.Extensions.Primitives;

namespace IndicatorFunctions.Tests.Formats;

public sealed class ReadFormatTests
{
    [Theory]
    [InlineData(null, null, ReadFormat.Json)]
    [InlineData("json", null, ReadFormat.Json)]
    [InlineData("csv", null, ReadFormat.Csv)]
    [InlineData("jsonstat", null, ReadFormat.JsonStat)]
    [InlineData(null, "text/csv", ReadFormat.Csv)]
    [InlineData(null, "TEXT/CSV; charset=utf-8", ReadFormat.Csv)]
    [InlineData(null, "text/csv, */*;q=0.1", ReadFormat.Csv)]
    [InlineData(null, "text/csv, */*", ReadFormat.Csv)]                          // wildcards never outrank a named type
    [InlineData(null, "application/json;q=0.5, text/csv", ReadFormat.Csv)]
    [InlineData(null, "text/csv;q=0.5, application/json", ReadFormat.Json)]
    [InlineData(null, "application/json, text/csv", ReadFormat.Json)]            // a tie keeps the default
    [InlineData(null, "text/csv;q=0", ReadFormat.Json)]                          // q=0 is "not acceptable"
    [InlineData(null, "*/*", ReadFormat.Json)]
    [InlineData(null, "text/*", ReadFormat.Json)]
    [InlineData(null, "application/json", ReadFormat.Json)]
    [InlineData(null, "text/html,application/xhtml+xml,*/*;q=0.8", ReadFormat.Json)] // a browser
    [InlineData(null, "not a media type", ReadFormat.Json)]
    [InlineData("json", "text/csv", ReadFormat.Json)]                            // format wins over Accept
    [InlineData("jsonstat", "text/csv", ReadFormat.JsonStat)]
    public void The_format_parameter_else_the_Accept_header_chooses_the_representation(string? format, string? accept, ReadFormat expected)
    {
        var errors = new List<FieldError>();

        var chosen = ReadFormats.Select(format, accept is null ? StringValues.Empty : new StringValues(accept), errors);

        Assert.Empty(errors);
        Assert.Equal(expected, chosen);
    }

    [Fact]
    public void Accept_given_on_several_header_lines_is_read_as_one_list()
    {
        var chosen = ReadFormats.Select(null, new StringValues(["application/json;q=0.2", "text/csv"]), []);

        Assert.Equal(ReadFormat.Csv, chosen);
    }

    [Theory]
    [InlineData("xml")]
    [InlineData("")]
    [InlineData("CSV")]
    [InlineData("json-stat")]
    [InlineData("csv,json")] // ?format=csv&format=json
    [InlineData(" csv")]
    public void Any_other_format_is_an_error_naming_the_field_and_the_allowed_values(string format)
    {
        var errors = new List<FieldError>();

        ReadFormats.Select(format, new StringValues("text/csv"), errors);

        var error = Assert.Single(errors);
        Assert.Equal("format", error.Field);
        Assert.Equal($"format '{format}' must be one of json, csv, jsonstat", error.Message);
    }
}
