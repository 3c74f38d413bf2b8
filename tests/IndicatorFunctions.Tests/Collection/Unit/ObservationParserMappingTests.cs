using System.Text;
using IndicatorFunctions.Collection;
using IndicatorFunctions.Ingestion;

namespace IndicatorFunctions.Tests.Collection.Unit;

/// <summary>The parser driven by a collected source's <see cref="RowMapping"/>: its own column names, JSON paths and defaults.</summary>
public sealed class ObservationParserMappingTests
{
    private static IReadOnlyList<ObservationInput> Json(string json, RowMapping mapping) => ObservationParser.ParseJson(Encoding.UTF8.GetBytes(json), mapping);

    private static Dictionary<string, string> Map(params string[] pairs) =>
        pairs.Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);

    // ---- CSV: mapped columns --------------------------------------------------------------------------------------

    [Fact]
    public void Csv_mapped_columns_are_matched_case_insensitively_and_trimmed()
    {
        var mapping = new RowMapping { Fields = Map("district=Region", "indicator= Indicator Code ", "period=QUARTER", "value=amount") };

        var row = Assert.Single(ObservationParser.ParseCsv(" REGION ,indicator code,Quarter,Amount ,Value\nxuhui,gdp,2025-Q3,1.5,999\n", mapping));

        Assert.Equal(2, row.Row);
        Assert.Equal("xuhui", row.District);
        Assert.Equal("gdp", row.Indicator);
        Assert.Equal("2025-Q3", row.Period);
        Assert.Equal(1.5, row.Value); // from Amount: a column named like the field is not read once the field is mapped
        Assert.Equal("1.5", row.ValueText);
    }

    [Fact]
    public void Csv_unmapped_fields_still_use_their_own_names()
    {
        var mapping = new RowMapping { Fields = Map("value=Amount") };

        var row = Assert.Single(ObservationParser.ParseCsv("district,indicator,period,Amount,unit\nxuhui,gdp,2025,7,CNY\n", mapping));

        Assert.Equal("xuhui", row.District);
        Assert.Equal(7.0, row.Value);
        Assert.Equal("CNY", row.Unit);
    }

    [Theory]
    [InlineData("region,indicator,period,value", "Amount", "value")]
    [InlineData("district,indicator,period,amount", "Region", "district")]
    [InlineData("district,indicator,period,value", "Region", "district")] // the field's own column does not stand in for a mapped one
    public void Csv_mapped_column_missing_from_the_header_is_a_format_error_naming_column_and_field(string header, string column, string field)
    {
        var mapping = new RowMapping { Fields = Map($"{field}={column}") };

        var ex = Assert.Throws<FormatException>(() => ObservationParser.ParseCsv(header + "\na,b,c,1\n", mapping));

        // A publisher that renamed a column gets one clear error, not a rejection of every row.
        Assert.Contains($"column '{column}' (mapped to {field}) is not in the header", ex.Message);
    }

    [Fact]
    public void Csv_every_missing_mapped_column_is_named_at_once()
    {
        var mapping = new RowMapping { Fields = Map("district=Region", "value=Amount") };

        var ex = Assert.Throws<FormatException>(() => ObservationParser.ParseCsv("indicator,period\ngdp,2025\n", mapping));

        Assert.Contains("column 'Region' (mapped to district)", ex.Message);
        Assert.Contains("column 'Amount' (mapped to value)", ex.Message);
    }

    // ---- CSV: defaults --------------------------------------------------------------------------------------------

    [Fact]
    public void Csv_defaults_fill_absent_columns_and_empty_cells_but_never_override_present_values()
    {
        var mapping = new RowMapping
        {
            Defaults = Map("district=xuhui", "unit=CNY", "scale=1e4", "status=provisional", "source=bureau"),
        };

        var rows = ObservationParser.ParseCsv(
            "indicator,period,value,unit,scale,status\n" +
            "gdp,2025,1,,,\n" + //                       empty cells: defaults
            "gdp,2024,2,USD,1e8,final\n", //             present: kept
            mapping);

        Assert.Equal(2, rows.Count);
        var filled = rows[0];
        Assert.Equal("xuhui", filled.District); // no district column at all
        Assert.Equal("CNY", filled.Unit);
        Assert.Equal(1e4, filled.Scale);
        Assert.Equal("1e4", filled.ScaleText);
        Assert.Equal("provisional", filled.Status);
        Assert.Equal("bureau", filled.Source);
        var kept = rows[1];
        Assert.Equal("xuhui", kept.District);
        Assert.Equal("USD", kept.Unit);
        Assert.Equal(1e8, kept.Scale);
        Assert.Equal("final", kept.Status);
        Assert.Equal("bureau", kept.Source);
    }

    [Fact]
    public void Csv_whitespace_only_cell_counts_as_empty_and_takes_the_default()
    {
        // Cells are trimmed before they are read, so "   " is an empty cell.
        var mapping = new RowMapping { Defaults = Map("unit=CNY") };

        var row = Assert.Single(ObservationParser.ParseCsv("district,indicator,period,value,unit\nxuhui,gdp,2025,1,   \n", mapping));

        Assert.Equal("CNY", row.Unit);
    }

    [Fact]
    public void Csv_default_applies_to_a_mapped_column_left_empty()
    {
        var mapping = new RowMapping { Fields = Map("district=Region"), Defaults = Map("district=xuhui") };

        var rows = ObservationParser.ParseCsv("Region,indicator,period,value\n,gdp,2025,1\npudong,gdp,2025,2\n", mapping);

        Assert.Equal(["xuhui", "pudong"], rows.Select(r => r.District));
    }

    [Theory]
    [InlineData("indicator,period,value", "gdp,2025,1", "district", "xuhui")]
    [InlineData("district,period,value", "xuhui,2025,1", "indicator", "gdp")]
    [InlineData("district,indicator,value", "xuhui,gdp,1", "period", "2025")]
    [InlineData("district,indicator,period", "xuhui,gdp,2025", "value", "3")] // SourceRules refuses this default; the parser does not
    public void Csv_required_column_may_be_absent_when_a_default_supplies_it(string header, string cells, string field, string value)
    {
        var mapping = new RowMapping { Defaults = new Dictionary<string, string> { [field] = value } };

        var row = Assert.Single(ObservationParser.ParseCsv(header + "\n" + cells + "\n", mapping));

        var read = field switch { "district" => row.District, "indicator" => row.Indicator, "period" => row.Period, _ => row.ValueText };
        Assert.Equal(value, read);
    }

    [Fact]
    public void Csv_required_column_absent_without_a_default_is_still_a_format_error()
    {
        var mapping = new RowMapping { Defaults = Map("unit=CNY") };

        var ex = Assert.Throws<FormatException>(() => ObservationParser.ParseCsv("indicator,period,value\ngdp,2025,1\n", mapping));

        Assert.Contains("lacks required column(s): district", ex.Message);
    }

    [Fact]
    public void Csv_default_scale_text_is_parsed_into_scale()
    {
        var mapping = new RowMapping { Defaults = Map("scale=1e8") };

        var row = Assert.Single(ObservationParser.ParseCsv("district,indicator,period,value\nxuhui,gdp,2025,3\n", mapping));

        Assert.Equal(1e8, row.Scale);
        Assert.Equal("1e8", row.ScaleText);
    }

    [Fact]
    public void Csv_rows_keep_their_line_numbers_under_a_mapping()
    {
        var mapping = new RowMapping { Fields = Map("value=Amount"), Defaults = Map("district=xuhui") };

        var rows = ObservationParser.ParseCsv("indicator,period,Amount\ngdp,2023,1\n\ngdp,2024,2\n", mapping);

        Assert.Equal([2, 4], rows.Select(r => r.Row)); // header is line 1; the blank line 3 is counted
    }

    [Fact]
    public void Csv_broken_quoting_in_a_mapped_column_names_the_field_it_feeds()
    {
        var mapping = new RowMapping { Fields = Map("value=Amount"), Defaults = Map("district=xuhui") };

        var rows = ObservationParser.ParseCsv("indicator,period,Amount\ngdp,2023,\"1\ngdp,2024,2\n", mapping);

        Assert.Equal([2, 3], rows.Select(r => r.Row));
        Assert.Equal((2, "value"), (rows[0].Unreadable?.Row, rows[0].Unreadable?.Field));
        Assert.Null(rows[1].Unreadable);
        Assert.Equal(2.0, rows[1].Value);
    }

    // ---- JSON: records path ---------------------------------------------------------------------------------------

    [Fact]
    public void Json_records_path_leads_into_nested_objects()
    {
        var mapping = new RowMapping { Records = "data.items" };

        var rows = Json("""{"data": {"items": [{"district": "a", "value": 1}, {"district": "b", "value": 2}]}, "observations": []}""", mapping);

        Assert.Equal(["a", "b"], rows.Select(r => r.District));
        Assert.Equal([1, 2], rows.Select(r => r.Row));
    }

    [Fact]
    public void Json_empty_records_path_means_the_document_is_the_array()
    {
        var rows = Json("""[{"district": "a", "value": 1}, 5, {"district": "c", "value": 3}]""", new RowMapping { Records = "" });

        Assert.Equal([1, 2, 3], rows.Select(r => r.Row)); // numbered from 1 in array order, non-objects included
        Assert.Equal("c", rows[2].District);
        Assert.Equal("(not an object)", rows[1].ValueText);
    }

    [Fact]
    public void Json_records_path_may_index_an_array()
    {
        var rows = Json("""{"pages": [{"rows": [{"value": 1}]}, {"rows": [{"value": 2}, {"value": 3}]}]}""", new RowMapping { Records = "pages.1.rows" });

        Assert.Equal([2.0, 3.0], rows.Select(r => r.Value));
    }

    [Theory]
    [InlineData("""{"data": {"items": 5}}""", "data", "Object")]
    [InlineData("""{"data": {"items": 5}}""", "data.items", "Number")]
    [InlineData("""{"data": "x"}""", "data", "String")]
    [InlineData("""{"data": null}""", "data", "Null")]
    [InlineData("""{"data": {}}""", "data.items", "nothing")]
    [InlineData("""{"observations": []}""", "results", "nothing")]
    [InlineData("""{"data": [[1]]}""", "data.5", "nothing")] // index past the end
    [InlineData("""{"a": 1}""", "", "Object")] // "" needs the document itself to be an array
    public void Json_records_path_that_does_not_lead_to_an_array_is_a_format_error_naming_the_path(string json, string path, string found)
    {
        var ex = Assert.Throws<FormatException>(() => Json(json, new RowMapping { Records = path }));

        Assert.Contains($"records path '{path}' does not lead to an array", ex.Message);
        Assert.Contains($"found {found}", ex.Message);
    }

    [Fact]
    public void Json_records_null_keeps_the_push_shape()
    {
        var mapping = new RowMapping { Defaults = Map("unit=CNY") };

        var ex = Assert.Throws<FormatException>(() => Json("""[{"value": 1}]""", mapping));

        Assert.Contains("\"observations\" array", ex.Message);
        Assert.Equal("CNY", Assert.Single(Json("""{"observations": [{"value": 1}]}""", mapping)).Unit);
    }

    // ---- JSON: field paths ----------------------------------------------------------------------------------------

    [Fact]
    public void Json_field_paths_follow_objects_and_array_indexes()
    {
        var mapping = new RowMapping
        {
            Records = "",
            Fields = Map("district=attributes.region.code", "indicator=attributes.series", "period=time", "value=values.0", "scale=meta.scale"),
        };

        var row = Assert.Single(Json("""
            [{"attributes": {"region": {"code": "xuhui"}, "series": "gdp"}, "time": "2025-Q2",
              "values": [12.5, 99], "meta": {"scale": 1e8}}]
            """, mapping));

        Assert.Equal("xuhui", row.District);
        Assert.Equal("gdp", row.Indicator);
        Assert.Equal("2025-Q2", row.Period);
        Assert.Equal(12.5, row.Value);
        Assert.Equal(1e8, row.Scale);
    }

    [Theory]
    [InlineData("attributes.value", """{"attributes": {"value": 4}}""", 4.0)]
    [InlineData("values.1", """{"values": [1, 2]}""", 2.0)]
    [InlineData("values.2", """{"values": [1, 2]}""", null)] // past the end: absent
    [InlineData("values.-1", """{"values": [1, 2]}""", null)] // not an index
    [InlineData("values.x", """{"values": [1, 2]}""", null)]
    [InlineData("attributes.value", """{"attributes": 4}""", null)] // cannot step into a number
    [InlineData("attributes.value", """{"attributes.value": 4}""", null)] // dots always separate segments
    [InlineData("0", """{"0": 7}""", 7.0)] // a digit segment on an object is a property name
    public void Json_value_path_is_followed_and_one_that_leads_nowhere_leaves_the_value_missing(string path, string record, double? expected)
    {
        var row = Assert.Single(Json($"[{record}]", new RowMapping { Records = "", Fields = Map($"value={path}") }));

        Assert.Equal(expected, row.Value);
        if (expected is null)
            Assert.Null(row.ValueText); // missing, not "not a number"
    }

    [Fact]
    public void Json_non_string_text_field_is_read_as_its_raw_json()
    {
        // A numeric district code stays usable: the validator sees "310104", not nothing.
        var row = Assert.Single(Json("""[{"code": 310104, "value": 1}]""", new RowMapping { Records = "", Fields = Map("district=code") }));

        Assert.Equal("310104", row.District);
    }

    // ---- JSON: numbers in strings ---------------------------------------------------------------------------------

    [Theory]
    [InlineData("\"1234.5\"", 1234.5, "1234.5")]
    [InlineData("\"-2e3\"", -2000.0, "-2e3")]
    [InlineData("\"abc\"", null, "abc")] // kept as text so validation can say "abc is not a number"
    [InlineData("\"1,234\"", null, "1,234")]
    [InlineData("1234.5", 1234.5, "1234.5")] // real numbers still read
    [InlineData("true", null, "true")]
    public void Json_with_numbers_in_strings_reads_a_number_sent_as_text(string json, double? value, string text)
    {
        var mapping = new RowMapping { NumbersInStrings = true };

        var row = Assert.Single(Json($$"""{"observations": [{"value": {{json}}}]}""", mapping));

        Assert.Equal(value, row.Value);
        Assert.Equal(text, row.ValueText);
    }

    [Theory]
    [InlineData("\"1234.5\"")]
    [InlineData("\"abc\"")]
    public void Json_default_mapping_leaves_a_number_in_a_string_not_a_number(string json)
    {
        // Pushed bodies must send numbers as numbers; the raw JSON (quotes included) is what the error cites.
        var row = Assert.Single(Json($$"""{"observations": [{"value": {{json}}}]}""", RowMapping.Default));

        Assert.Null(row.Value);
        Assert.Equal(json, row.ValueText);
    }

    [Fact]
    public void Json_scale_in_a_string_is_read_with_numbers_in_strings()
    {
        var row = Assert.Single(Json("""{"observations": [{"value": "5", "scale": "1e8"}]}""", new RowMapping { NumbersInStrings = true }));

        Assert.Equal(5.0, row.Value);
        Assert.Equal(1e8, row.Scale);
        Assert.Equal("1e8", row.ScaleText);
    }

    // ---- JSON: defaults -------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("""{"value": 1}""")] // absent
    [InlineData("""{"value": 1, "district": null, "unit": null, "scale": null}""")] // null
    [InlineData("""{"value": 1, "district": "", "unit": ""}""")] // empty text
    public void Json_defaults_fill_fields_that_are_absent_null_or_empty(string record)
    {
        var mapping = new RowMapping { Records = "", Defaults = Map("district=xuhui", "unit=CNY", "scale=1e8") };

        var row = Assert.Single(Json($"[{record}]", mapping));

        Assert.Equal("xuhui", row.District);
        Assert.Equal("CNY", row.Unit);
        Assert.Equal(1e8, row.Scale);
        Assert.Equal("1e8", row.ScaleText);
    }

    [Fact]
    public void Json_defaults_never_override_present_values()
    {
        var mapping = new RowMapping { Records = "", NumbersInStrings = true, Defaults = Map("district=xuhui", "unit=CNY", "scale=1e8", "status=final") };

        var row = Assert.Single(Json("""[{"value": 1, "district": "pudong", "unit": "USD", "scale": "1e4", "status": "estimated"}]""", mapping));

        Assert.Equal("pudong", row.District);
        Assert.Equal("USD", row.Unit);
        Assert.Equal(1e4, row.Scale);
        Assert.Equal("estimated", row.Status);
    }

    [Fact]
    public void Json_default_scale_is_not_used_when_the_payload_scale_is_not_a_number()
    {
        // A scale that is present but wrong is an error to report, not a gap to fill.
        var mapping = new RowMapping { Records = "", NumbersInStrings = true, Defaults = Map("scale=1e8") };

        var row = Assert.Single(Json("""[{"value": 1, "scale": "lots"}]""", mapping));

        Assert.Null(row.Scale);
        Assert.Equal("lots", row.ScaleText);
    }

    // Regression: with NumbersInStrings (every collected source), a JSON scale of "" parses to "no value"
    // (Scale and ScaleText both null) but the source's default scale was not applied, unlike an empty CSV cell, an
    // absent or null JSON scale, or an empty JSON text field. The validator then used scale 1, so a source with
    // defaults.scale = 1e8 stored that row 1e8 times too small, with no error.
    [Fact]
    public void Json_empty_string_scale_takes_the_default_like_an_empty_csv_cell()
    {
        var mapping = new RowMapping { Records = "", NumbersInStrings = true, Defaults = Map("scale=1e8") };
        var csv = Assert.Single(ObservationParser.ParseCsv("district,indicator,period,value,scale\nxuhui,gdp,2025,1,\n", mapping));

        var json = Assert.Single(Json("""[{"district": "xuhui", "indicator": "gdp", "period": "2025", "value": 1, "scale": ""}]""", mapping));

        Assert.Equal(1e8, csv.Scale);
        Assert.Equal(csv.Scale, json.Scale);
    }

    // ---- a source's own mapping -----------------------------------------------------------------------------------

    [Fact]
    public void Source_mapping_reads_the_push_shape_numbers_in_strings_and_names_the_source()
    {
        var source = new Source("gdp-bureau", SourceKind.HttpJson, true, null, "https://api.example.org", [], null, null, null,
            Map("value=amount"), Map("unit=CNY"), null);

        var mapping = source.ToRowMapping();
        var row = Assert.Single(Json("""{"observations": [{"district": "xuhui", "amount": "12.5"}]}""", mapping));

        Assert.Equal("observations", mapping.Records);
        Assert.True(mapping.NumbersInStrings);
        Assert.Equal(12.5, row.Value);
        Assert.Equal("CNY", row.Unit);
        Assert.Equal("gdp-bureau", row.Source); // observations say where they came from
        Assert.False(source.Defaults.ContainsKey("source")); // the source's own defaults are not changed
    }

    [Fact]
    public void Source_mapping_keeps_its_own_source_default_and_records_path()
    {
        var source = new Source("gdp-bureau", SourceKind.HttpJson, true, null, "https://api.example.org", [], null, null, "data",
            new Dictionary<string, string>(), Map("source=Shanghai Statistics Bureau"), null);

        var row = Assert.Single(Json("""{"data": [{"value": 1}]}""", source.ToRowMapping()));

        Assert.Equal("Shanghai Statistics Bureau", row.Source);
    }
}
