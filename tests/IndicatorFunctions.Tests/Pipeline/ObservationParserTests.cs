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
    [InlineData("""{"observations": [{"value": 1, "value": 2}]}""")]
    [InlineData("""{"observations": [], "observations": [{"value": 1}]}""")]
    [InlineData("""{"observations": [{"district": "xuhui", "district": "pudong"}]}""")]
    public void Duplicate_property_is_a_format_error_rather_than_the_last_one_winning(string body)
    {
        var ex = Assert.Throws<FormatException>(() => Parse(body));

        Assert.Contains("Duplicate property", ex.Message);
    }

    [Theory]
    [InlineData(new byte[] { 0xC3 })]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { 0xD0, 0xEC })]
    public void Json_that_is_not_valid_utf8_is_a_format_error_naming_the_line(byte[] bad)
    {
        byte[] body = [.. "{\"observations\": [\n  {\"value\": 1, \"source\": \"a"u8, .. bad, .. "\"}\n]}"u8];

        var ex = Assert.Throws<FormatException>(() => ObservationParser.ParseJson(body));

        Assert.Contains("line 2", ex.Message);
        Assert.Contains("UTF-8", ex.Message);
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

    // A record is one line. A quote left open used to swallow the lines after it into one record (its source
    // held the next row, the request got 200 with nothing rejected); now the broken line is a row error on its
    // own line, and every other line is read as itself.
    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public void Quote_not_closed_on_its_line_is_a_row_error_on_that_line_and_swallows_nothing(string newline)
    {
        var body = string.Join(newline,
            "district,indicator,period,value,source", // line 1
            "a,gdp,2021,1,\"bureau", //                  line 2: quote never closed on the line
            "b,gdp,2021,2,bureau\"", //                  line 3: stray quote in an unquoted field
            "c,gdp,2021,3,s", //                         line 4
            "d,gdp,2021,4,\"x", //                       line 5
            "y\"", //                                    line 6
            "e,gdp,2021,5,s"); //                        line 7

        var rows = ObservationParser.ParseCsv(body);

        Assert.Equal([2, 3, 4, 5, 6, 7], rows.Select(r => r.Row));
        Assert.Equal([(2, "source"), (3, "source"), (5, "source"), (6, "district")],
            rows.Where(r => r.Unreadable is not null).Select(r => (r.Unreadable!.Row, r.Unreadable.Field)));
        Assert.All(rows.Where(r => r.Unreadable is not null), r => Assert.StartsWith($"line {r.Row}: ", r.Unreadable!.Message));
        Assert.Equal(["c", "e"], rows.Where(r => r.Unreadable is null).Select(r => r.District));
        Assert.Equal("s", rows.Single(r => r.District == "c").Source);
    }

    [Theory]
    [InlineData("a,gdp,2021,1,bur\"eau", "source")]
    [InlineData("a,gdp,\"2021\"x,1,s", "period")]
    [InlineData("a,gdp,2021,1,s,\"note", "notes")] // a column no field reads is named by its header
    public void Broken_quoting_names_the_line_and_the_field(string line, string field)
    {
        var row = Assert.Single(ObservationParser.ParseCsv("district,indicator,period,value,source,notes\n" + line + "\n"));

        Assert.NotNull(row.Unreadable);
        Assert.Equal((2, field), (row.Unreadable.Row, row.Unreadable.Field));
        Assert.StartsWith("line 2: ", row.Unreadable.Message);
    }

    [Fact]
    public void Broken_quoting_in_the_header_is_a_format_error()
    {
        var ex = Assert.Throws<FormatException>(() => ObservationParser.ParseCsv("district,indicator,period,value,\"source\nxuhui,gdp,2021,1,s\n"));

        Assert.Contains("line 1", ex.Message);
    }

    [Fact]
    public void Quoted_fields_on_one_line_are_read_with_doubled_quotes_and_commas()
    {
        var row = Assert.Single(ObservationParser.ParseCsv("district,indicator,period,value,source\nxuhui,gdp,2021,\"1.5\",\"Bureau, \"\"final\"\"\"\n"));

        Assert.Null(row.Unreadable);
        Assert.Equal(1.5, row.Value);
        Assert.Equal("Bureau, \"final\"", row.Source);
    }

    [Fact]
    public void Bytes_are_read_as_utf8_with_or_without_a_byte_order_mark()
    {
        var csv = Encoding.UTF8.GetBytes("district,indicator,period,value\n徐汇区,gdp,2021,1\n");

        Assert.Equal("徐汇区", Assert.Single(ObservationParser.ParseCsv(csv)).District);
        Assert.Equal("徐汇区", Assert.Single(ObservationParser.ParseCsv((byte[])[0xEF, 0xBB, 0xBF, .. csv])).District);
    }

    [Theory]
    [InlineData(new byte[] { 0xC3 }, 3)] // a truncated sequence
    [InlineData(new byte[] { 0xD0, 0xEC }, 3)] // 徐 in GBK: the file is not UTF-8
    [InlineData(new byte[] { 0xFF }, 3)]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 }, 3)] // an encoded surrogate
    public void Csv_that_is_not_valid_utf8_is_a_format_error_naming_the_line(byte[] bad, int line)
    {
        byte[] csv = [.. Encoding.UTF8.GetBytes("district,indicator,period,value\r\nxuhui,gdp,2020,1\r\nxuhui,gdp,2021,"), .. bad, .. "\n"u8];

        var ex = Assert.Throws<FormatException>(() => ObservationParser.ParseCsv(csv));

        Assert.Contains($"line {line}", ex.Message);
        Assert.Contains("UTF-8", ex.Message);
    }

    [Fact]
    public void Nul_in_a_csv_field_is_kept_for_validation_to_reject()
    {
        var row = Assert.Single(ObservationParser.ParseCsv(Encoding.UTF8.GetBytes("district,indicator,period,value,source\nxuhui,gdp,2021,1,bu\0reau\n")));

        Assert.Equal(2, row.Row);
        Assert.Equal("bu\0reau", row.Source);
    }
}
