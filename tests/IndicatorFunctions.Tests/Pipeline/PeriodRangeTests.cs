using IndicatorFunctions.Api;
using IndicatorFunctions.Domain;

namespace IndicatorFunctions.Tests.Pipeline;

public sealed class PeriodRangeTests
{
    private static (PeriodRange Range, List<FieldError> Errors) Parse(string? from, string? to)
    {
        var errors = new List<FieldError>();
        var range = PeriodRange.Parse(from, to, errors);
        return (range, errors);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("2021", "2021")]
    [InlineData("2021-Q1", "2021-Q1")]
    [InlineData("2020-Q3", "2021-Q1")]
    [InlineData("2019", "2021-Q1")] // a year bound goes with any kind
    [InlineData("2021-Q3", "2021")] // from Q3 to the end of 2021
    [InlineData(null, "2021-07")]
    public void Valid_range_parses_without_errors(string? from, string? to)
    {
        var (range, errors) = Parse(from, to);

        Assert.Empty(errors);
        Assert.Equal(from is null ? null : Period.Parse(from), range.From);
        Assert.Equal(to is null ? null : Period.Parse(to), range.To);
    }

    [Theory]
    [InlineData("x", null, "from")]
    [InlineData(null, "2021-13", "to")]
    [InlineData("2021", " 2022", "to")]
    public void Invalid_text_is_an_error_naming_the_field(string? from, string? to, string field)
    {
        var error = Assert.Single(Parse(from, to).Errors);

        Assert.Equal(field, error.Field);
        Assert.Contains($"'{(field == "from" ? from : to)}'", error.Message);
    }

    [Fact]
    public void Both_invalid_gives_an_error_for_each()
    {
        Assert.Equal(["from", "to"], Parse("2021-H3", "2021-q1").Errors.Select(e => e.Field));
    }

    [Theory]
    [InlineData("2022", "2021")]
    [InlineData("2022-Q1", "2021-Q4")]
    [InlineData("2022-Q1", "2021")]
    [InlineData("2022", "2021-Q4")]
    public void From_after_to_in_a_later_year_is_an_error_on_from(string from, string to)
    {
        var error = Assert.Single(Parse(from, to).Errors);

        Assert.Equal("from", error.Field);
    }

    [Theory]
    [InlineData("2021-Q1", "2021-H1")]
    [InlineData("2021-01", "2022-YTD01")]
    public void Bounds_of_different_period_kinds_are_an_error(string from, string to)
    {
        var error = Assert.Single(Parse(from, to).Errors);

        Assert.Contains("different kinds", error.Message);
    }

    [Theory]
    // Years: every period of those years.
    [InlineData("2019", "2021", "2019", true)]
    [InlineData("2019", "2021", "2019-Q1", true)]
    [InlineData("2019", "2021", "2021-12", true)]
    [InlineData("2019", "2021", "2018-Q4", false)]
    [InlineData("2019", "2021", "2022", false)]
    // Quarters: only quarters, inclusive.
    [InlineData("2019-Q2", "2021-Q1", "2019-Q2", true)]
    [InlineData("2019-Q2", "2021-Q1", "2021-Q1", true)]
    [InlineData("2019-Q2", "2021-Q1", "2019-Q1", false)]
    [InlineData("2019-Q2", "2021-Q1", "2021-Q2", false)]
    [InlineData("2019-Q2", "2021-Q1", "2020", false)]
    [InlineData("2019-Q2", "2021-Q1", "2020-YTD06", false)]
    // A year from with a quarter to: quarters from 2019 to 2021-Q1.
    [InlineData("2019", "2021-Q1", "2021-Q1", true)]
    [InlineData("2019", "2021-Q1", "2021-Q2", false)]
    [InlineData("2019", "2021-Q1", "2020", false)]
    // Open ends.
    [InlineData(null, "2020-07", "2020-07", true)]
    [InlineData(null, "2020-07", "2020-08", false)]
    [InlineData(null, "2020-07", "2020-YTD07", false)]
    [InlineData("2021-YTD03", null, "2021-YTD03", true)]
    [InlineData("2021-YTD03", null, "2021-YTD02", false)]
    [InlineData("2021-YTD03", null, "2021-03", false)]
    [InlineData(null, null, "1900", true)]
    [InlineData("2021-H2", "2021-H2", "2021-H1", false)]
    public void Contains_follows_year_and_period_bounds(string? from, string? to, string period, bool expected)
    {
        var (range, errors) = Parse(from, to);

        Assert.Empty(errors);
        Assert.Equal(expected, range.Contains(Period.Parse(period)));
    }
}

public sealed class RoundTests
{
    [Theory]
    [InlineData(2.5, 0, 3.0)] // half away from zero (to-even would give 2)
    [InlineData(-2.5, 0, -3.0)]
    [InlineData(0.5, 0, 1.0)]
    [InlineData(1.25, 1, 1.3)] // 1.25 is exact in binary; to-even would give 1.2
    [InlineData(0.125, 2, 0.13)]
    [InlineData(3.14159, 2, 3.14)]
    [InlineData(81199.99999999999, 0, 81200.0)] // float noise of 8.12 × 1e4
    [InlineData(1.5, 20, 1.5)] // more than 15 decimals: capped, not an error
    public void Round_is_half_away_from_zero(double value, int decimals, double expected)
    {
        var rounded = ReadApi.Round(value, decimals);

        Assert.NotNull(rounded);
        Assert.Equal(expected, rounded.Value, 10);
    }

    [Fact]
    public void Round_passes_null_through()
    {
        Assert.Null(ReadApi.Round(null, 2));
    }
}
