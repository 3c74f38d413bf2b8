using System.Text;
using IndicatorFunctions.Catalog;
using IndicatorFunctions.Domain;
using IndicatorFunctions.Ingestion;

namespace IndicatorFunctions.Tests.Pipeline;

public sealed class ObservationValidatorTests
{
    private static readonly CatalogSnapshot Catalog = new(
        [
            new Indicator("gdp", "GDP", "CNY", AggregationMethod.Sum, 2, null),
            new Indicator("rate", "Unemployment rate", "percent", AggregationMethod.None, 1, null),
        ],
        [
            new District("xuhui", "Xuhui", "central", ["徐汇区", "Xuhui District"]),
            new District("pudong", "Pudong New Area", "east", ["浦东新区"]),
        ],
        []);

    /// <summary>A valid row (row 7); tests break one thing at a time with <c>with</c>.</summary>
    private static readonly ObservationInput Ok = new(7, "xuhui", "gdp", "2021", 1.5, null, null, null, null, null);

    private static (ValidObservation? Valid, List<RowError> Errors) Validate(ObservationInput input)
    {
        var errors = new List<RowError>();
        var valid = ObservationValidator.Validate(input, Catalog, errors);
        return (valid, errors);
    }

    private static RowError SingleError(ObservationInput input, string field)
    {
        var (valid, errors) = Validate(input);
        Assert.Null(valid);
        var error = Assert.Single(errors);
        Assert.Equal(field, error.Field);
        Assert.Equal(input.Row, error.Row);
        return error;
    }

    [Fact]
    public void Valid_row_is_normalised_with_defaults()
    {
        var (valid, errors) = Validate(Ok);

        Assert.Empty(errors);
        Assert.NotNull(valid);
        Assert.Equal(7, valid.Row);
        Assert.Equal(new SeriesKey("gdp", "xuhui", "total"), valid.Series); // sector defaults to total
        Assert.Equal(Period.Parse("2021"), valid.Period);
        Assert.Equal(1.5, valid.Value, 6);
        Assert.Equal(1.5, valid.OriginalValue, 6);
        Assert.Equal(1.0, valid.Scale, 6); // scale defaults to 1
        Assert.Equal("CNY", valid.Unit); // the indicator's unit
        Assert.Equal(ObservationStatus.Final, valid.Status); // status defaults to final
        Assert.Null(valid.Source);
    }

    [Theory]
    [InlineData("xuhui")]
    [InlineData("徐汇区")]
    [InlineData("Xuhui District")]
    [InlineData("Xuhui")] // the name
    public void District_is_known_by_id_alias_or_name_and_normalised_to_its_id(string district)
    {
        var (valid, errors) = Validate(Ok with { District = district });

        Assert.Empty(errors);
        Assert.Equal("xuhui", valid?.Series.District);
    }

    [Theory]
    [InlineData("浦东新区")]
    [InlineData("pudong new area")]
    public void Other_district_alias_is_normalised_to_its_own_id(string district)
    {
        Assert.Equal("pudong", Validate(Ok with { District = district }).Valid?.Series.District);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void District_is_required(string? district)
    {
        Assert.Equal("district is required", SingleError(Ok with { District = district }, "district").Message);
    }

    [Theory]
    [InlineData("minhang")]
    [InlineData("徐汇")]
    public void Unknown_district_is_an_error(string district)
    {
        Assert.Equal($"unknown district '{district}'", SingleError(Ok with { District = district }, "district").Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    public void Indicator_is_required(string? indicator)
    {
        Assert.Equal("indicator is required", SingleError(Ok with { Indicator = indicator }, "indicator").Message);
    }

    [Theory]
    [InlineData("gnp")]
    [InlineData("GDP")]
    public void Unknown_indicator_is_an_error(string indicator)
    {
        Assert.Equal($"unknown indicator '{indicator}'", SingleError(Ok with { Indicator = indicator }, "indicator").Message);
    }

    [Theory]
    [InlineData("it")]
    [InlineData("manufacturing")]
    [InlineData("a")]
    [InlineData("a123456789012345678901234567890123456789012345678901234567890bc")] // 63 characters
    public void Slug_sector_is_accepted(string sector)
    {
        Assert.Equal(sector, Validate(Ok with { Sector = sector }).Valid?.Series.Sector);
    }

    [Theory]
    [InlineData("")]
    [InlineData("IT")]
    [InlineData("it_services")]
    [InlineData("a123456789012345678901234567890123456789012345678901234567890bcd")] // 64 characters
    public void Sector_that_is_not_a_slug_is_an_error(string sector)
    {
        Assert.Contains($"sector '{sector}' must be", SingleError(Ok with { Sector = sector }, "sector").Message);
    }

    [Theory]
    [InlineData("2021", PeriodKind.Year)]
    [InlineData("2021-H2", PeriodKind.Half)]
    [InlineData("2021-Q3", PeriodKind.Quarter)]
    [InlineData("2021-07", PeriodKind.Month)]
    [InlineData("2021-YTD09", PeriodKind.YearToDate)]
    public void Valid_period_is_parsed(string period, PeriodKind kind)
    {
        Assert.Equal(kind, Validate(Ok with { Period = period }).Valid?.Period.Kind);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Period_is_required(string? period)
    {
        Assert.Equal("period is required", SingleError(Ok with { Period = period }, "period").Message);
    }

    [Theory]
    [InlineData("2021-Q5")]
    [InlineData("2021-q1")]
    [InlineData("21")]
    [InlineData("2021-YTD9")]
    public void Invalid_period_is_an_error(string period)
    {
        Assert.StartsWith($"'{period}' is not a period", SingleError(Ok with { Period = period }, "period").Message);
    }

    [Fact]
    public void Value_is_required()
    {
        Assert.Equal("value is required", SingleError(Ok with { Value = null }, "value").Message);
    }

    [Theory]
    [InlineData("\"12\"")]
    [InlineData("1,5")]
    [InlineData("abc")]
    public void Value_that_was_not_a_number_says_so(string text)
    {
        var error = SingleError(Ok with { Value = null, ValueText = text }, "value");

        Assert.Equal($"value {text} is not a number", error.Message);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Value_must_be_finite(double value)
    {
        Assert.Contains("finite", SingleError(Ok with { Value = value }, "value").Message);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-3.25)]
    [InlineData(1e15)] // the bounds themselves are in range
    [InlineData(-1e15)]
    [InlineData(1e-9)]
    [InlineData(-1e-9)]
    [InlineData(1.4e14)] // a country's GDP in CNY
    public void Zero_negative_and_values_within_the_documented_range_are_accepted(double value)
    {
        Assert.Equal(value, Validate(Ok with { Value = value }).Valid?.Value);
    }

    // Finite inputs that make later arithmetic overflow: 1e300 against a prior of 1e-300 gives an infinite YoY,
    // two members at 1.5e308 sum to Infinity. Values are held to 0 or a magnitude in [1e-9, 1e15].
    [Theory]
    [InlineData(1e300)]
    [InlineData(-1e300)]
    [InlineData(1.5e308)]
    [InlineData(1.0000001e15)]
    [InlineData(1e16)]
    [InlineData(1e-300)]
    [InlineData(-1e-10)]
    [InlineData(double.Epsilon)]
    public void Value_outside_the_documented_range_is_a_value_error_naming_the_range(double value)
    {
        var error = SingleError(Ok with { Value = value }, "value");

        Assert.Contains("1e-9", error.Message);
        Assert.Contains("1e15", error.Message);
    }

    [Theory]
    [InlineData(1e8, 1e8)] // 1e16 after scale
    [InlineData(1e-6, 1e-4)] // 1e-10 after scale
    public void Range_applies_to_the_value_after_scale(double value, double scale)
    {
        Assert.Contains("after scale", SingleError(Ok with { Value = value, Scale = scale }, "value").Message);
    }

    [Fact]
    public void Small_value_brought_into_range_by_scale_is_accepted()
    {
        Assert.Equal(1e-8, Validate(Ok with { Value = 1e-12, Scale = 1e4 }).Valid!.Value, tolerance: 1e-20);
    }

    [Theory]
    [InlineData(2.5, 1e8, 2.5e8)] // 2.5 × 10^8 = 250,000,000
    [InlineData(1.5, 1.0, 1.5)]
    [InlineData(1.5, 0.001, 0.0015)]
    [InlineData(8.12, 1e4, 81200.0)] // 81199.99999999999 in binary: compared to 6 decimals
    public void Canonical_value_is_value_times_scale_keeping_original_value_and_scale(double value, double scale, double canonical)
    {
        var valid = Validate(Ok with { Value = value, Scale = scale }).Valid;

        Assert.NotNull(valid);
        Assert.Equal(canonical, valid.Value, 6);
        Assert.Equal(value, valid.OriginalValue);
        Assert.Equal(scale, valid.Scale);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Scale_must_be_finite_and_greater_than_zero(double scale)
    {
        Assert.Equal("scale must be a finite number greater than 0", SingleError(Ok with { Scale = scale }, "scale").Message);
    }

    [Fact]
    public void Scale_that_was_not_a_number_says_so()
    {
        Assert.Equal("scale \"1e8\" is not a number", SingleError(Ok with { Scale = null, ScaleText = "\"1e8\"" }, "scale").Message);
    }

    [Theory]
    [InlineData(1e300, 1e10)] // 1e310 overflows
    [InlineData(-1e300, 1e10)]
    [InlineData(double.MaxValue, 2.0)]
    public void Overflow_of_value_times_scale_is_a_scale_error(double value, double scale)
    {
        SingleError(Ok with { Value = value, Scale = scale }, "scale");
    }

    [Theory]
    [InlineData("gdp", "CNY")]
    [InlineData("gdp", "cny")]
    [InlineData("rate", "percent")]
    [InlineData("rate", "PERCENT")]
    public void Unit_matching_the_indicator_case_insensitively_is_accepted(string indicator, string unit)
    {
        var (valid, errors) = Validate(Ok with { Indicator = indicator, Unit = unit });

        Assert.Empty(errors);
        Assert.Equal(Catalog.Indicators[indicator].Unit, valid?.Unit);
    }

    [Theory]
    [InlineData("gdp", "percent", "indicator gdp is measured in CNY, not percent")]
    [InlineData("gdp", "USD", "indicator gdp is measured in CNY, not USD")]
    [InlineData("rate", "CNY", "indicator rate is measured in percent, not CNY")]
    public void Unit_other_than_the_indicators_is_an_error(string indicator, string unit, string message)
    {
        Assert.Equal(message, SingleError(Ok with { Indicator = indicator, Unit = unit }, "unit").Message);
    }

    [Fact]
    public void Unit_is_not_checked_against_an_unknown_indicator()
    {
        SingleError(Ok with { Indicator = "gnp", Unit = "percent" }, "indicator");
    }

    [Theory]
    [InlineData(null, ObservationStatus.Final)]
    [InlineData("final", ObservationStatus.Final)]
    [InlineData("provisional", ObservationStatus.Provisional)]
    [InlineData("estimated", ObservationStatus.Estimated)]
    public void Status_is_optional_and_one_of_three(string? status, ObservationStatus expected)
    {
        Assert.Equal(expected, Validate(Ok with { Status = status }).Valid?.Status);
    }

    [Theory]
    [InlineData("draft")]
    [InlineData("")]
    public void Unknown_status_is_an_error(string status)
    {
        Assert.Contains($"status '{status}'", SingleError(Ok with { Status = status }, "status").Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(256)]
    public void Source_up_to_256_characters_is_kept(int length)
    {
        var source = new string('s', length);

        Assert.Equal(source, Validate(Ok with { Source = source }).Valid?.Source);
    }

    [Theory]
    [InlineData(257)]
    [InlineData(1000)]
    public void Source_longer_than_256_characters_is_an_error(int length)
    {
        var error = SingleError(Ok with { Source = new string('s', length) }, "source");

        Assert.Contains(length.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message);
    }

    [Fact]
    public void Every_broken_rule_of_a_row_is_reported()
    {
        var input = new ObservationInput(12, null, "nope", "2021-Q5", null, "Bad Sector", "CNY", 0, "draft", new string('x', 300)) { ValueText = "\"12\"" };

        var (valid, errors) = Validate(input);

        Assert.Null(valid);
        Assert.Equal(["district", "indicator", "sector", "period", "value", "scale", "status", "source"], errors.Select(e => e.Field));
        Assert.All(errors, e => Assert.Equal(12, e.Row));
    }

    [Fact]
    public void Unit_error_is_reported_with_other_errors()
    {
        var (valid, errors) = Validate(Ok with { Row = 3, District = "minhang", Unit = "percent", Value = double.NaN });

        Assert.Null(valid);
        Assert.Equal(["district", "value", "unit"], errors.Select(e => e.Field));
        Assert.All(errors, e => Assert.Equal(3, e.Row));
    }

    [Fact]
    public void Errors_are_appended_to_the_list_given()
    {
        var errors = new List<RowError> { new(1, "district", "earlier") };

        Assert.Null(ObservationValidator.Validate(Ok with { Row = 2, Indicator = null }, Catalog, errors));
        Assert.Null(ObservationValidator.Validate(Ok with { Row = 3, Period = "x" }, Catalog, errors));
        Assert.NotNull(ObservationValidator.Validate(Ok with { Row = 4 }, Catalog, errors));

        Assert.Equal([(1, "district"), (2, "indicator"), (3, "period")], errors.Select(e => (e.Row, e.Field)));
    }

    [Fact]
    public void Json_string_value_fails_validation_as_not_a_number()
    {
        var row = Assert.Single(ObservationParser.ParseJson(Encoding.UTF8.GetBytes(
            """{"observations": [{"district": "xuhui", "indicator": "gdp", "period": "2021", "value": "12"}]}""")));

        var error = SingleError(row, "value");

        Assert.Equal(1, error.Row);
        Assert.Equal("value \"12\" is not a number", error.Message);
    }

    [Fact]
    public void Csv_rows_validate_end_to_end_with_line_numbers()
    {
        var rows = ObservationParser.ParseCsv(
            "district,indicator,period,value,scale,unit\n" +
            "Xuhui District,gdp,2021-Q1,2.5,1e8,cny\n" +
            "xuhui,gdp,2021-Q1,\"1,5\",,\n");
        var errors = new List<RowError>();

        var valid = rows.Select(r => ObservationValidator.Validate(r, Catalog, errors)).ToList();

        Assert.NotNull(valid[0]);
        Assert.Equal(2.5e8, valid[0]!.Value, 6);
        Assert.Equal("xuhui", valid[0]!.Series.District);
        Assert.Null(valid[1]);
        var error = Assert.Single(errors);
        Assert.Equal(new RowError(3, "value", "value 1,5 is not a number", RowRules.Number), error);
    }

    [Theory]
    [InlineData("district")]
    [InlineData("indicator")]
    [InlineData("period")]
    [InlineData("sector")]
    [InlineData("unit")]
    [InlineData("status")]
    [InlineData("source")]
    public void Control_character_in_a_text_field_is_an_error_naming_the_field(string field)
    {
        var input = field switch
        {
            "district" => Ok with { District = "xuhui\0" },
            "indicator" => Ok with { Indicator = "gdp\0" },
            "period" => Ok with { Period = "2021\0" },
            "sector" => Ok with { Sector = "it\n" }, // a trailing newline is refused before the slug rule sees it
            "unit" => Ok with { Unit = "CNY\0" },
            "status" => Ok with { Status = "final\0" },
            _ => Ok with { Source = "bureau\0x" },
        };

        Assert.Contains(field == "sector" ? "control character U+000A" : "control character U+0000", SingleError(input, field).Message);
    }

    [Theory]
    [InlineData("bureau\nsecond line", "U+000A")]
    [InlineData("tab\there", "U+0009")]
    [InlineData("del\u007f", "U+007F")]
    public void Source_is_one_line_of_printable_text(string source, string named)
    {
        Assert.Contains(named, SingleError(Ok with { Source = source }, "source").Message);
    }

    [Fact]
    public void Control_character_in_a_value_that_is_not_a_number_is_named_not_echoed()
    {
        var error = SingleError(Ok with { Value = null, ValueText = "1\0" }, "value");

        Assert.Contains("control character U+0000", error.Message);
        Assert.DoesNotContain("\0", error.Message);
    }

    [Fact]
    public void Row_the_parser_could_not_read_reports_that_problem_alone()
    {
        var unreadable = new RowError(7, "source", "line 7: broken quoting");

        Assert.Same(unreadable, SingleErrorObject(Ok with { Unreadable = unreadable }));

        static RowError SingleErrorObject(ObservationInput input)
        {
            var (valid, errors) = Validate(input);
            Assert.Null(valid);
            return Assert.Single(errors);
        }
    }
}
