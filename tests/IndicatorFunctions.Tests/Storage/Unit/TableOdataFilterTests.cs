using System.Globalization;
using IndicatorFunctions.Storage.Tables;

namespace IndicatorFunctions.Tests.Storage.Unit;

public sealed class TableOdataFilterTests
{
    [Theory]
    [InlineData("plain", "'plain'")]
    [InlineData("O'Brien", "'O''Brien'")]
    [InlineData("'", "''''")]
    [InlineData("it's 'quoted'", "'it''s ''quoted'''")]
    [InlineData("x' or PartitionKey ne '", "'x'' or PartitionKey ne '''")]
    [InlineData("", "''")]
    [InlineData("徐汇区", "'徐汇区'")]
    [InlineData("emoji 😀 ü", "'emoji 😀 ü'")]
    [InlineData("{0} and {1}", "'{0} and {1}'")]
    public void String_literal_is_quoted_with_embedded_quotes_doubled(string value, string expected) =>
        Assert.Equal(expected, TableOdataFilter.Literal(value));

    [Theory]
    [InlineData('a', "'a'")]
    [InlineData('\'', "''''")]
    public void Char_literal_is_a_quoted_string(char value, string expected) =>
        Assert.Equal(expected, TableOdataFilter.Literal(value));

    public static TheoryData<object?, string> TypedLiterals => new()
    {
        { null, "null" },
        { true, "true" },
        { false, "false" },
        { 0, "0" },
        { 42, "42" },
        { -7, "-7" },
        { 42L, "42L" },
        { long.MaxValue, "9223372036854775807L" },
        { 1.5, "1.5" },
        { -0.25, "-0.25" },
        { 2.0, "2" },
        { 1e21, "1E+21" },
        { 1.9e11, "190000000000" },
        { new Guid("0f8fad5b-d9cb-469f-a165-70867728950e"), "guid'0f8fad5b-d9cb-469f-a165-70867728950e'" },
        { new byte[] { 0x00, 0x01, 0xAB, 0xFF }, "X'0001abff'" },
        { Array.Empty<byte>(), "X''" },
    };

    [Theory]
    [MemberData(nameof(TypedLiterals))]
    public void Typed_value_becomes_its_OData_literal(object? value, string expected) =>
        Assert.Equal(expected, TableOdataFilter.Literal(value));

    public static TheoryData<string, DateTime, string> DateTimes => new()
    {
        { "UTC with ticks", new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(1_234_567), "datetime'2024-01-02T03:04:05.1234567Z'" },
        { "unspecified is taken as UTC", new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Unspecified), "datetime'2024-01-02T03:04:05.0000000Z'" },
        { "first representable Table date", new DateTime(1601, 1, 1, 0, 0, 0, DateTimeKind.Utc), "datetime'1601-01-01T00:00:00.0000000Z'" },
    };

    [Theory]
    [MemberData(nameof(DateTimes))]
    public void DateTime_literal_is_UTC_with_seven_fraction_digits(string because, DateTime value, string expected) =>
        Assert.True(expected == TableOdataFilter.Literal(value), $"{because}: {TableOdataFilter.Literal(value)}");

    [Fact]
    public void Local_DateTime_is_converted_from_the_local_zone()
    {
        // Whatever zone the machine is in, a Local DateTime names the same instant as its UTC counterpart.
        var instant = new DateTimeOffset(2024, 6, 15, 12, 0, 0, TimeSpan.Zero);
        var local = instant.LocalDateTime;
        Assert.Equal(DateTimeKind.Local, local.Kind);

        Assert.Equal("datetime'2024-06-15T12:00:00.0000000Z'", TableOdataFilter.Literal(local));
    }

    public static TheoryData<DateTimeOffset, string> DateTimeOffsets => new()
    {
        { new DateTimeOffset(2024, 1, 2, 11, 4, 5, TimeSpan.FromHours(8)), "datetime'2024-01-02T03:04:05.0000000Z'" },
        { new DateTimeOffset(2023, 12, 31, 22, 30, 0, TimeSpan.FromHours(-5)), "datetime'2024-01-01T03:30:00.0000000Z'" },
        { new DateTimeOffset(2024, 3, 1, 0, 15, 0, new TimeSpan(5, 45, 0)).AddTicks(1), "datetime'2024-02-29T18:30:00.0000001Z'" },
    };

    [Theory]
    [MemberData(nameof(DateTimeOffsets))]
    public void DateTimeOffset_literal_is_converted_to_UTC(DateTimeOffset value, string expected) =>
        Assert.Equal(expected, TableOdataFilter.Literal(value));

    public static TheoryData<object, string> Unsupported => new()
    {
        { 1.5m, "Decimal" },
        { new object(), "Object" },
        { double.NaN, "Double" },
        { double.PositiveInfinity, "Double" },
    };

    [Theory]
    [MemberData(nameof(Unsupported))]
    public void Value_without_a_literal_throws_ArgumentException_naming_the_type(object value, string typeName)
    {
        var ex = Assert.Throws<ArgumentException>(() => TableOdataFilter.Literal(value, 3));

        Assert.Contains("argument 3", ex.Message, StringComparison.Ordinal);
        Assert.Contains(typeName, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_names_the_position_of_the_unsupported_argument()
    {
        var ex = Assert.Throws<ArgumentException>(() => TableOdataFilter.Create($"A eq {1} and B eq {"x"} and C eq {2.5m}"));

        Assert.Contains("argument 2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Decimal", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Filter_keeps_an_injection_attempt_inside_one_literal()
    {
        var value = "x' or PartitionKey ne '";

        Assert.Equal("PartitionKey eq 'x'' or PartitionKey ne '''", TableOdataFilter.Create($"PartitionKey eq {value}"));
    }

    [Fact]
    public void Filter_escapes_embedded_quotes()
    {
        var name = "O'Brien";

        Assert.Equal("Name eq 'O''Brien'", TableClient.CreateQueryFilter($"Name eq {name}"));
    }

    [Fact]
    public void Multi_argument_filter_composes_every_literal_in_place()
    {
        var partition = "p'1";
        var row = "r";
        var at = new DateTimeOffset(2024, 1, 2, 11, 4, 5, TimeSpan.FromHours(8));
        var id = new Guid("0f8fad5b-d9cb-469f-a165-70867728950e");

        var filter = TableOdataFilter.Create(
            $"PartitionKey eq {partition} and RowKey ge {row} and Value gt {1.5} and Count lt {10L} and Small eq {3} and Final eq {true} and At lt {at} and Id eq {id} and Raw eq {new byte[] { 1, 255 }} and Gone eq {null}");

        Assert.Equal(
            "PartitionKey eq 'p''1' and RowKey ge 'r' and Value gt 1.5 and Count lt 10L and Small eq 3 and Final eq true"
            + " and At lt datetime'2024-01-02T03:04:05.0000000Z' and Id eq guid'0f8fad5b-d9cb-469f-a165-70867728950e'"
            + " and Raw eq X'01ff' and Gone eq null",
            filter);
    }

    [Fact]
    public void Filter_without_arguments_is_returned_unchanged_and_escaped_braces_are_unescaped()
    {
        Assert.Equal("PartitionKey eq 'p'", TableOdataFilter.Create($"PartitionKey eq 'p'"));
        Assert.Equal("Name eq '{x}' and V eq 1", TableOdataFilter.Create($"Name eq '{{x}}' and V eq {1}"));
    }

    [Fact]
    public void Format_specifiers_cannot_reformat_an_escaped_value()
    {
        var value = 1.5;
        var text = "a'b";

        Assert.Equal("V eq 1.5 and S eq 'a''b'", TableOdataFilter.Create($"V eq {value:F3} and S eq {text:X}"));
    }

    [Fact]
    public void Create_rejects_null()
    {
        Assert.Throws<ArgumentNullException>(() => TableOdataFilter.Create(null!));
    }

    [Fact]
    public void Filter_is_culture_independent()
    {
        // The repo runs with InvariantGlobalization, so "de-DE" cannot be created; a clone of the invariant culture
        // with de-DE's number symbols (decimal comma, dot grouping) plus a U+2212 minus sign stands in for it.
        var germanLike = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        germanLike.NumberFormat.NumberDecimalSeparator = ",";
        germanLike.NumberFormat.NumberGroupSeparator = ".";
        germanLike.NumberFormat.NegativeSign = "\u2212";
        germanLike.DateTimeFormat.TimeSeparator = "."; // as in some cultures: ':' in a format string means this
        var at = new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(5);
        var saved = CultureInfo.CurrentCulture;
        string filter, literal;
        try
        {
            CultureInfo.CurrentCulture = germanLike;
            Assert.Equal("1,5", 1.5.ToString(CultureInfo.CurrentCulture)); // the stand-in really changes formatting

            filter = TableOdataFilter.Create($"A eq {1.5} and B eq {-0.25} and C eq {-1234567L} and D eq {-42} and E lt {at} and F eq {1e21}");
            literal = TableOdataFilter.Literal(-2.5);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }

        Assert.Equal("A eq 1.5 and B eq -0.25 and C eq -1234567L and D eq -42 and E lt datetime'2024-01-02T03:04:05.0000005Z' and F eq 1E+21", filter);
        Assert.Equal("-2.5", literal);
    }
}
