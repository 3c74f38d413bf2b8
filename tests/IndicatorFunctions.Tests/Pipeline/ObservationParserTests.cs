using System.Text;
using IndicatorFunctions.Ingestion;

namespace IndicatorFunctions.Tests.Pipeline;

public sealed class ObservationParserJsonTests
{
    private static IReadOnlyList<ObservationInput> Parse(string json) => ObservationParser.ParseJson(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Rows_are_numbered_from_one_in_array_order_with_every_field()
    {
        var rows = Parse("""
            {"observations": [
              {"district": "xuhui", "indicator": "gdp", "period": "2021-Q3", "value": 1.5, "sector": "it", "unit": "CNY",
               "scale": 1e8, "status": "provisional", "source": "bureau"},
              {"district": "徐汇区", "indicator": "rate", "period": "2021", "value": -2}
            ]}
            """);

        Assert.Equal(2, rows.Count);
        var first = rows[0];
        Assert.Equal(1, first.Row);
        Assert.Equal("xuhui", first.District);
        Assert.Equal("gdp", first.Indicator);
        Assert.Equal("2021-Q3", first.Period);
        Assert.Equal(1.5, first.Value);
        Assert.Equal("it", first.Sector);
        Assert.Equal("CNY", first.Unit);
        Assert.Equal(1e8, first.Scale);
        Assert.Equal("provisional", first.Status);
        Assert.Equal("bureau", first.Source);
        var second = rows[1];
        Assert.Equal(2, second.Row);
        Assert.Equal("徐汇区", second.District);
        Assert.Equal(-2.0, second.Value);
        Assert.Null(second.Sector);
        Assert.Null(second.Unit);
        Assert.Null(second.Scale);
        Assert.Null(second.ScaleText);
        Assert.Null(second.Status);
        Assert.Null(second.Source);
    }

    [Fact]
    public void Element_that_is_not_an_object_still_takes_its_row_number()
    {
        var rows = Parse("""{"observations": [{"district": "a"}, 5, {"district": "c"}]}""");

        Assert.Equal([1, 2, 3], rows.Select(r => r.Row));
        Assert.Equal("c", rows[2].District);
        Assert.Null(rows[1].District);
        Assert.Null(rows[1].Value);
    }

    [Fact]
    public void Empty_array_gives_no_rows()
    {
        Assert.Empty(Parse("""{"observations": []}"""));
    }

    [Theory]
    [InlineData("\"12\"", "\"12\"")] // a number in a string is not a number
    [InlineData("\"1.5\"", "\"1.5\"")]
    [InlineData("{}", "{}")]
    public void Value_that_is_not_a_json_number_is_kept_as_text(string json, string valueText)
    {
        var row = Assert.Single(Parse($$"""{"observations": [{"value": {{json}}}]}"""));

        Assert.Null(row.Value);
        Assert.Equal(valueText, row.ValueText);
    }

    [Theory]
    [InlineData("""{"value": null}""")]
    [InlineData("""{}""")]
    public void Null_or_absent_value_is_missing(string item)
    {
        var row = Assert.Single(Parse($$"""{"observations": [{{item}}]}"""));

        Assert.Null(row.Value);
        Assert.Null(row.ValueText);
    }

    [Theory]
    [InlineData("12", 12.0)]
    [InlineData("1.5e3", 1500.0)]
    [InlineData("-0.25", -0.25)]
    public void Json_number_value_is_read(string json, double expected)
    {
        var row = Assert.Single(Parse($$"""{"observations": [{"value": {{json}}}]}"""));

        Assert.Equal(expected, row.Value);
    }

    [Fact]
    public void Scale_given_as_string_is_kept_as_text()
    {
        var row = Assert.Single(Parse("""{"observations": [{"value": 1, "scale": "1e8"}]}"""));

        Assert.Null(row.Scale);
        Assert.Equal("\"1e8\"", row.ScaleText);
    }

    [Fact]
    public void Null_text_fields_are_missing()
    {
        var row = Assert.Single(Parse("""{"observations": [{"district": null, "sector": null, "unit": null, "scale": null, "status": null, "source": null}]}"""));

        Assert.Null(row.District);
        Assert.Null(row.Sector);
        Assert.Null(row.Unit);
        Assert.Null(row.Scale);
        Assert.Null(row.ScaleText);
        Assert.Null(row.Status);
        Assert.Null(row.Source);
    }

    [Theory]
    [InlineData("", "not valid JSON")]
    [InlineData("{", "not valid JSON")]
    [InlineData("[]", "\"observations\" array")] // not an object
    [InlineData("null", "\"observations\" array")]
    [InlineData("{}", "\"observations\" array")] // no array
    [InlineData("""{"observation": []}""", "\"observations\" array")]
    [InlineData("""{"observations": {}}""", "\"observations\" array")]
    [InlineData("""{"observations": null}""", "\"observations\" array")]
    public void Unreadable_body_is_a_format_error_saying_what_is_wrong(string body, string message)
    {
        var ex = Assert.Throws<FormatException>(() => Parse(body));

        Assert.Contains(message, ex.Message);
    }
}

public sealed class ObservationParserCsvTests
{
    [Fact]
    public void Rows_are_numbered_by_line_with_the_header_as_line_one()
    {
        var rows = ObservationParser.ParseCsv(
            "district,indicator,period,value,sector,unit,scale,status,source\n" +
            "xuhui,gdp,2021-Q3,1.5,it,CNY,1e8,provisional,bureau\n" +
            "pudong,gdp,2021,2,,,,,\n");

        Assert.Equal([2, 3], rows.Select(r => r.Row));
        var first = rows[0];
        Assert.Equal("xuhui", first.District);
        Assert.Equal("gdp", first.Indicator);
        Assert.Equal("2021-Q3", first.Period);
        Assert.Equal(1.5, first.Value);
        Assert.Equal("1.5", first.ValueText);
        Assert.Equal("it", first.Sector);
        Assert.Equal("CNY", first.Unit);
        Assert.Equal(1e8, first.Scale);
        Assert.Equal("provisional", first.Status);
        Assert.Equal("bureau", first.Source);
    }

    [Fact]
    public void Empty_optional_fields_are_null()
    {
        var row = Assert.Single(ObservationParser.ParseCsv("district,indicator,period,value,sector,unit,scale,status,source\npudong,gdp,2021,2, ,,  ,,\n"));

        Assert.Equal(2.0, row.Value);
        Assert.Null(row.Sector);
        Assert.Null(row.Unit);
        Assert.Null(row.Scale);
        Assert.Null(row.ScaleText);
        Assert.Null(row.Status);
        Assert.Null(row.Source);
    }

    [Fact]
    public void Short_row_leaves_absent_fields_null()
    {
        var row = Assert.Single(ObservationParser.ParseCsv("district,indicator,period,value,source\nxuhui,gdp\n"));

        Assert.Equal("gdp", row.Indicator);
        Assert.Null(row.Period);
        Assert.Null(row.Value);
        Assert.Null(row.ValueText);
        Assert.Null(row.Source);
    }

    [Fact]
    public void Header_names_are_case_insensitive_and_trimmed_in_any_order_and_unknown_columns_are_ignored()
    {
        var row = Assert.Single(ObservationParser.ParseCsv(" VALUE ,Notes, Period,District,INDICATOR , Sector\n 7 ,ignored,2021-07, xuhui ,gdp,it\n"));

        Assert.Equal("xuhui", row.District); // values are trimmed too
        Assert.Equal("gdp", row.Indicator);
        Assert.Equal("2021-07", row.Period);
        Assert.Equal(7.0, row.Value);
        Assert.Equal("it", row.Sector);
        Assert.Null(row.Source);
    }

    [Theory]
    [InlineData("1.5", 1.5)]
    [InlineData("-2.5e3", -2500.0)]
    [InlineData("0", 0.0)]
    [InlineData("1E8", 1e8)]
    public void Values_are_read_with_the_invariant_culture(string text, double expected)
    {
        var row = Assert.Single(ObservationParser.ParseCsv($"district,indicator,period,value\nxuhui,gdp,2021,\"{text}\"\n"));

        Assert.Equal(expected, row.Value);
        Assert.Equal(text, row.ValueText);
    }

    [Theory]
    [InlineData("1,5")] // a decimal comma is not a number
    [InlineData("1,000")]
    [InlineData("abc")]
    [InlineData("¥12")]
    public void Value_that_is_not_a_number_is_kept_as_text(string text)
    {
        var row = Assert.Single(ObservationParser.ParseCsv($"district,indicator,period,value\nxuhui,gdp,2021,\"{text}\"\n"));

        Assert.Null(row.Value);
        Assert.Equal(text, row.ValueText);
    }

    [Fact]
    public void Scale_that_is_not_a_number_is_kept_as_text()
    {
        var row = Assert.Single(ObservationParser.ParseCsv("district,indicator,period,value,scale\nxuhui,gdp,2021,1,\"1,0\"\n"));

        Assert.Null(row.Scale);
        Assert.Equal("1,0", row.ScaleText);
    }

    [Fact]
    public void Empty_value_is_missing()
    {
        var row = Assert.Single(ObservationParser.ParseCsv("district,indicator,period,value\nxuhui,gdp,2021,\n"));

        Assert.Null(row.Value);
        Assert.Null(row.ValueText);
    }

    [Theory]
    [InlineData("indicator,period,value", "district")]
    [InlineData("district,indicator,period", "value")]
    [InlineData("district,value", "indicator, period")]
    [InlineData("sector,unit", "district, indicator, period, value")]
    [InlineData("   ", "district, indicator, period, value")]
    public void Header_without_a_required_column_is_a_format_error_naming_it(string header, string named)
    {
        var ex = Assert.Throws<FormatException>(() => ObservationParser.ParseCsv(header + "\nxuhui,gdp,2021,1\n"));

        Assert.Contains(named, ex.Message);
    }

    [Fact]
    public void Empty_body_is_a_format_error()
    {
        var ex = Assert.Throws<FormatException>(() => ObservationParser.ParseCsv(""));

        Assert.Contains("header", ex.Message);
    }

    [Fact]
    public void Header_alone_gives_no_rows()
    {
        Assert.Empty(ObservationParser.ParseCsv("district,indicator,period,value\n"));
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public void Rows_are_numbered_by_line_with_either_line_ending(string newline)
    {
        var body = string.Join(newline, "district,indicator,period,value", "a,gdp,2021,1", "b,gdp,2021,2", "c,gdp,2021,3");

        Assert.Equal([2, 3, 4], ObservationParser.ParseCsv(body).Select(r => r.Row));
    }

    [Fact]
    public void Blank_lines_are_skipped_but_still_counted()
    {
        // line 1 header, 2 blank, 3 a, 4-5 blank, 6 b
        var rows = ObservationParser.ParseCsv("district,indicator,period,value\n\na,gdp,2021,1\n\n\nb,gdp,2021,2");

        Assert.Equal(["a", "b"], rows.Select(r => r.District));
        Assert.Equal([3, 6], rows.Select(r => r.Row));
    }

    // A quoted field holding a newline spans lines; the rows after it keep their real line numbers.
    // What the parser gives for the spanning record itself: ObservationParser numbers a row with CsvHelper's
    // Parser.RawRow read after the record, which is the line the record ENDS on (here record a spans lines 2-4
    // and is numbered 4). For one-line records start and end coincide. See the report: the start line may be
    // what users expect.
    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public void Quoted_newline_shifts_later_rows_and_the_spanning_row_takes_its_last_line(string newline)
    {
        var body = string.Join(newline,
            "district,indicator,period,value,source", // line 1
            "a,gdp,2021,1,\"first", //                   line 2
            "second", //                                 line 3
            "third\"", //                                line 4
            "b,gdp,2021,2,s", //                         line 5
            "c,gdp,2021,3,\"x", //                       line 6
            "y\"", //                                    line 7
            "d,gdp,2021,4,s"); //                        line 8

        var rows = ObservationParser.ParseCsv(body);

        Assert.Equal(["a", "b", "c", "d"], rows.Select(r => r.District));
        Assert.Equal([4, 5, 7, 8], rows.Select(r => r.Row));
        Assert.Equal(string.Join(newline, "first", "second", "third"), rows[0].Source);
    }
}
