using System.Globalization;
using System.Text;
using CsvHelper;
using IndicatorFunctions.Formats;

namespace IndicatorFunctions.Tests.Formats;

public sealed class CsvTableTests
{
    private static string Written(params string?[] fields) => Encoding.UTF8.GetString(CsvTable.Write(["a", "b"], [[fields[0], fields[1]]]));

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("", "")]
    [InlineData(null, "")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("\"", "\"\"\"\"")]
    [InlineData("line\r\nbreak", "\"line\r\nbreak\"")]
    [InlineData("lone\nLF", "\"lone\nLF\"")]
    [InlineData("lone\rCR", "\"lone\rCR\"")]
    [InlineData(" padded ", " padded ")] // RFC 4180: spaces are part of the field, no quotes needed
    [InlineData("semi;colon", "semi;colon")]
    [InlineData("徐汇区", "徐汇区")]
    [InlineData("-20", "-20")] // no formula escaping: it would corrupt negative figures
    public void A_field_is_quoted_exactly_when_it_holds_a_comma_a_quote_a_CR_or_an_LF(string? field, string expected)
    {
        Assert.Equal($"a,b\r\n{expected},x\r\n", Written(field, "x"));
    }

    [Theory]
    [InlineData("a,b", "say \"hi\"")]
    [InlineData("line\r\nbreak", "lone\nLF")]
    [InlineData("", ",")]
    public void What_is_written_reads_back_as_the_same_fields(string first, string second)
    {
        using var reader = new CsvReader(new StringReader(Written(first, second)), CultureInfo.InvariantCulture);

        Assert.True(reader.Read());
        reader.ReadHeader();
        Assert.True(reader.Read());
        Assert.Equal((first, second), (reader.GetField(0), reader.GetField(1)));
        Assert.False(reader.Read());
    }

    [Fact]
    public void Records_end_with_CRLF_and_the_body_has_no_byte_order_mark()
    {
        var body = CsvTable.Write(["x"], [["1"], ["2"]]);

        Assert.Equal("x\r\n1\r\n2\r\n", Encoding.UTF8.GetString(body));
        Assert.NotEqual(0xEF, body[0]);
    }

    [Fact]
    public void A_header_alone_is_written_when_there_are_no_rows() =>
        Assert.Equal("x,y\r\n", Encoding.UTF8.GetString(CsvTable.Write(["x", "y"], [])));

    [Fact]
    public void A_row_with_another_number_of_fields_than_the_header_is_refused() =>
        Assert.Throws<ArgumentException>(() => CsvTable.Write(["x", "y"], [["1"]]));

    [Theory]
    [InlineData(81200.0, "81200")]
    [InlineData(-20.0, "-20")]
    [InlineData(0.1, "0.1")]
    [InlineData(12.35, "12.35")]
    [InlineData(1e15, "1000000000000000")]
    [InlineData(1.5e300, "1.5E+300")]
    [InlineData(1.5e-9, "1.5E-09")]
    [InlineData(0.0, "0")]
    [InlineData(null, "")]
    public void Numbers_are_written_in_the_shortest_invariant_form_that_reads_back_exactly(double? value, string expected)
    {
        var text = CsvTable.Number(value);

        Assert.Equal(expected, text);
        if (value is { } v)
            Assert.Equal(v, double.Parse(text, CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(true, "true")]
    [InlineData(false, "false")]
    public void Booleans_are_spelled_as_in_JSON(bool value, string expected) => Assert.Equal(expected, CsvTable.Bool(value));

    [Theory]
    [InlineData("2026-12-01T02:28:38.1234567+00:00", "2026-12-01T02:28:38.1234567+00:00")]
    [InlineData("2026-12-01T10:28:38+08:00", "2026-12-01T10:28:38.0000000+08:00")]
    [InlineData(null, "")]
    public void Times_are_ISO_8601_with_their_offset(string? value, string expected) =>
        Assert.Equal(expected, CsvTable.Time(value is null ? null : DateTimeOffset.Parse(value, CultureInfo.InvariantCulture)));

    [Theory]
    [InlineData(new string[0], "")]
    [InlineData(new[] { "xuhui" }, "xuhui")]
    [InlineData(new[] { "xuhui/ai", "wuhou" }, "xuhui/ai;wuhou")]
    public void Lists_are_joined_with_semicolons(string[] values, string expected) => Assert.Equal(expected, CsvTable.List(values));
}
