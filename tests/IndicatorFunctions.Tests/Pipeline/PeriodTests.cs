using IndicatorFunctions.Domain;

namespace IndicatorFunctions.Tests.Pipeline;

public sealed class PeriodTests
{
    [Theory]
    [InlineData("2021", 2021, PeriodKind.Year, 0)]
    [InlineData("1900", 1900, PeriodKind.Year, 0)] // lowest year allowed
    [InlineData("2199", 2199, PeriodKind.Year, 0)] // highest year allowed
    [InlineData("2021-H2", 2021, PeriodKind.Half, 2)]
    [InlineData("2021-Q4", 2021, PeriodKind.Quarter, 4)]
    [InlineData("2021-01", 2021, PeriodKind.Month, 1)]
    [InlineData("2021-12", 2021, PeriodKind.Month, 12)]
    [InlineData("2021-YTD01", 2021, PeriodKind.YearToDate, 1)]
    [InlineData("2021-YTD12", 2021, PeriodKind.YearToDate, 12)]
    public void Canonical_text_parses_to_year_kind_and_index(string text, int year, PeriodKind kind, int index)
    {
        Assert.True(Period.TryParse(text, out var period));
        Assert.Equal(new Period(year, kind, index), period);
        Assert.Equal(new Period(year, kind, index), Period.Parse(text));
    }

    [Theory]
    [InlineData("21")]
    [InlineData("2021-Q5")]
    [InlineData("2021-Q0")]
    [InlineData("2021-Q01")] // n is one digit
    [InlineData("2021-H3")]
    [InlineData("2021-13")]
    [InlineData("2021-00")]
    [InlineData("2021-1")] // months have two digits
    [InlineData("2021-YTD13")]
    [InlineData("2021-YTD9")] // YTD months have two digits
    [InlineData("2021-q1")] // lowercase kind letter
    [InlineData(" 2021")]
    [InlineData("2021-")]
    [InlineData("2021-M01")]
    [InlineData("1899")] // year out of 1900..2199
    [InlineData("2200")]
    [InlineData("\u0662\u0660\u0662\u0661")] // ٢٠٢١: Arabic-Indic digits
    [InlineData("2021\n")] // trailing newline
    [InlineData("2021-Q1\n")]
    [InlineData("")]
    public void Invalid_text_is_not_a_period(string text)
    {
        Assert.False(Period.TryParse(text, out _));
        var ex = Assert.Throws<FormatException>(() => Period.Parse(text));
        Assert.Contains(Period.Syntax, ex.Message);
    }

    [Fact]
    public void Null_is_not_a_period()
    {
        Assert.False(Period.TryParse(null, out _));
    }

    [Theory]
    [InlineData("2021")]
    [InlineData("2021-H1")]
    [InlineData("2021-Q3")]
    [InlineData("2021-01")]
    [InlineData("2021-YTD12")]
    public void ToString_round_trips_canonical_form(string text)
    {
        Assert.Equal(text, Period.Parse(text).ToString());
    }

    [Theory]
    [InlineData(2021, PeriodKind.Quarter, 3, "2021-Q3")]
    [InlineData(2021, PeriodKind.Month, 7, "2021-07")] // month zero-padded
    [InlineData(2021, PeriodKind.YearToDate, 9, "2021-YTD09")] // YTD month zero-padded
    public void ToString_writes_canonical_form(int year, PeriodKind kind, int index, string expected)
    {
        Assert.Equal(expected, new Period(year, kind, index).ToString());
    }

    [Theory]
    [InlineData("2021", "2020")]
    [InlineData("2021-H2", "2020-H2")]
    [InlineData("2021-Q3", "2020-Q3")]
    [InlineData("2021-07", "2020-07")]
    [InlineData("2021-01", "2020-01")] // not 2020-12: a year earlier, not a month earlier
    [InlineData("2021-YTD09", "2020-YTD09")]
    public void Prior_is_the_same_period_a_year_earlier(string text, string prior)
    {
        Assert.Equal(Period.Parse(prior), Period.Parse(text).Prior);
    }

    [Theory]
    [InlineData("2020", "2021")]
    [InlineData("2020-Q4", "2021-Q4")] // not 2021-Q1
    [InlineData("2020-YTD03", "2021-YTD03")]
    public void Next_is_the_same_period_a_year_later(string text, string next)
    {
        Assert.Equal(Period.Parse(next), Period.Parse(text).Next);
    }

    [Theory]
    [InlineData("2021", "2021-H1")]
    [InlineData("2021-Q1", "2021-01")]
    [InlineData("2021-01", "2021-YTD01")]
    public void Periods_of_different_kinds_are_never_equal(string a, string b)
    {
        Assert.NotEqual(Period.Parse(a), Period.Parse(b));
    }

    [Theory]
    [InlineData("2020-Q4", "2021-Q1")]
    [InlineData("2021-YTD02", "2021-YTD11")]
    [InlineData("2020", "2021")]
    [InlineData("2020-12", "2021-01")]
    public void Periods_of_one_kind_compare_chronologically(string earlier, string later)
    {
        Assert.True(Period.Parse(earlier).CompareTo(Period.Parse(later)) < 0);
        Assert.True(Period.Parse(later).CompareTo(Period.Parse(earlier)) > 0);
        Assert.Equal(0, Period.Parse(earlier).CompareTo(Period.Parse(earlier)));
    }
}
