using IndicatorFunctions.Aggregation;
using IndicatorFunctions.Domain;

namespace IndicatorFunctions.Tests.Pipeline;

public sealed class GrowthTests
{
    private const ObservationStatus F = ObservationStatus.Final;
    private const ObservationStatus P = ObservationStatus.Provisional;
    private const ObservationStatus E = ObservationStatus.Estimated;

    private static Observation Obs(string period, double value, ObservationStatus status = F) => new(Period.Parse(period), value, status, null);

    internal static void Close(double expected, double? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected, actual.Value, 6);
    }

    [Theory]
    [InlineData(110.0, 100.0, 10.0, 10.0)]
    [InlineData(90.0, 100.0, -10.0, -10.0)]
    [InlineData(0.0, 50.0, -50.0, -100.0)]
    [InlineData(123.4, 100.0, 23.4, 23.4)] // (123.4/100 − 1) × 100 = 23.4
    [InlineData(-5.0, 10.0, -15.0, -150.0)] // (−5/10 − 1) × 100 = −150
    [InlineData(7.0, 3.0, 4.0, 133.333333333)] // (7/3 − 1) × 100 = 400/3
    public void Positive_base_gives_change_and_pct(double current, double prior, double change, double pct)
    {
        var g = Growth.Compute(current, prior, F);

        Close(prior, g.Prior);
        Close(change, g.Change);
        Close(pct, g.Pct);
        Assert.Null(g.Reason);
    }

    // Finite inputs whose growth overflows a double: nothing non-finite is returned (JSON cannot carry it).
    [Theory]
    [InlineData(1e300, 1e-300, true)]      // change finite, pct = 1e602 %: overflows
    [InlineData(double.MaxValue, -double.MaxValue, false)] // change overflows (and the base is negative)
    [InlineData(-double.MaxValue, double.MaxValue, false)] // change overflows
    [InlineData(double.MaxValue, 0.5, true)] // pct overflows
    public void Growth_that_overflows_is_null_with_not_finite(double current, double prior, bool changeFinite)
    {
        var g = Growth.Compute(current, prior, F);

        Assert.Equal(Growth.NotFinite, g.Reason);
        Assert.Null(g.Pct);
        Assert.Equal(changeFinite, g.Change is not null);
        Assert.True(g.Change is null || double.IsFinite(g.Change.Value));
        Close(prior, g.Prior);
    }

    [Theory]
    [InlineData(5.0, 0.0, 5.0)]
    [InlineData(0.0, 0.0, 0.0)]
    [InlineData(-3.0, 0.0, -3.0)]
    public void Zero_base_gives_change_but_no_pct(double current, double prior, double change)
    {
        var g = Growth.Compute(current, prior, F);

        Assert.Equal(Growth.ZeroBase, g.Reason);
        Close(change, g.Change);
        Close(0, g.Prior);
        Assert.Null(g.Pct);
    }

    [Fact]
    public void Negative_zero_base_is_a_zero_base()
    {
        var g = Growth.Compute(5, -0.0, F);

        Assert.Equal(Growth.ZeroBase, g.Reason);
        Close(5, g.Change);
        Assert.Null(g.Pct);
    }

    [Theory]
    [InlineData(5.0, -10.0, 15.0)]
    [InlineData(-20.0, -10.0, -10.0)]
    [InlineData(0.0, -0.5, 0.5)]
    public void Negative_base_gives_change_but_no_pct(double current, double prior, double change)
    {
        var g = Growth.Compute(current, prior, F);

        Assert.Equal(Growth.NegativeBase, g.Reason);
        Close(prior, g.Prior);
        Close(change, g.Change);
        Assert.Null(g.Pct);
    }

    [Theory]
    [InlineData(F)]
    [InlineData(P)]
    [InlineData(E)]
    public void No_prior_gives_nothing_but_the_reason_and_current_status(ObservationStatus status)
    {
        var g = Growth.Compute(Obs("2021", 10, status), null);

        Assert.Equal(new Growth(null, null, null, Growth.NoPrior, status), g);
    }

    [Theory]
    [InlineData(F, E, E)]
    [InlineData(P, F, P)]
    [InlineData(E, P, E)]
    [InlineData(E, E, E)]
    public void Growth_status_is_the_weakest_of_current_and_prior(ObservationStatus current, ObservationStatus prior, ObservationStatus expected)
    {
        Assert.Equal(expected, Growth.Compute(Obs("2021", 11, current), Obs("2020", 10, prior)).Status);
    }

    [Fact]
    public void Zero_and_negative_base_keep_the_weakest_status()
    {
        Assert.Equal(E, Growth.Compute(Obs("2021", 1, F), Obs("2020", 0, E)).Status);
        Assert.Equal(P, Growth.Compute(Obs("2021", 1, P), Obs("2020", -1, F)).Status);
    }

    private static Dictionary<Period, Observation> Series(params Observation[] points) => points.ToDictionary(o => o.Period);

    // One series holding every kind of period, two years of each.
    private static readonly Dictionary<Period, Observation> Mixed = Series(
        Obs("2020", 200), Obs("2021", 250), // 250/200 → +25%
        Obs("2020-H1", 80), Obs("2021-H1", 100), // +25%
        Obs("2020-H2", 120), Obs("2021-H2", 90), // 90/120 → −25%
        Obs("2020-Q3", 40), Obs("2021-Q3", 50), // +25%
        Obs("2021-Q4", 60), // no 2020-Q4
        Obs("2020-07", 16), Obs("2021-07", 20), // +25%
        Obs("2021-08", 5), // 2020-08 absent
        Obs("2020-YTD09", 150), Obs("2021-YTD09", 165), // 165/150 → +10%
        Obs("2020-YTD03", 0), Obs("2021-YTD03", 30)); // zero base

    [Theory]
    [InlineData("2021", 200.0, 50.0, 25.0)]
    [InlineData("2021-H1", 80.0, 20.0, 25.0)]
    [InlineData("2021-H2", 120.0, -30.0, -25.0)]
    [InlineData("2021-Q3", 40.0, 10.0, 25.0)]
    [InlineData("2021-07", 16.0, 4.0, 25.0)]
    [InlineData("2021-YTD09", 150.0, 15.0, 10.0)]
    public void Series_growth_uses_the_same_period_a_year_earlier(string period, double prior, double change, double pct)
    {
        var point = Assert.Single(SeriesGrowth.Compute(Mixed, [Period.Parse(period)]));

        Assert.Equal(Period.Parse(period), point.Observation.Period);
        Close(prior, point.Yoy.Prior);
        Close(change, point.Yoy.Change);
        Close(pct, point.Yoy.Pct);
        Assert.Null(point.Yoy.Reason);
    }

    [Theory]
    [InlineData("2020")]
    [InlineData("2020-H1")]
    [InlineData("2021-Q4")]
    [InlineData("2021-08")]
    [InlineData("2020-YTD09")]
    public void Series_point_without_its_prior_has_no_prior(string period)
    {
        var point = Assert.Single(SeriesGrowth.Compute(Mixed, [Period.Parse(period)]));

        Assert.Equal(new Growth(null, null, null, Growth.NoPrior, F), point.Yoy);
    }

    [Fact]
    public void Series_zero_base_is_reported()
    {
        var point = Assert.Single(SeriesGrowth.Compute(Mixed, [Period.Parse("2021-YTD03")]));

        Assert.Equal(Growth.ZeroBase, point.Yoy.Reason);
        Close(30, point.Yoy.Change);
        Assert.Null(point.Yoy.Pct);
    }

    [Theory]
    [InlineData("2021", "2020-Q1")] // a quarter is not a year's prior
    [InlineData("2021-Q1", "2020")]
    [InlineData("2021-Q1", "2020-H1")]
    [InlineData("2021-03", "2020-YTD03")] // a YTD is not a month's prior
    [InlineData("2021-YTD03", "2020-03")]
    public void Period_of_another_kind_is_never_the_prior(string current, string otherKind)
    {
        var series = Series(Obs(current, 10), Obs(otherKind, 5));

        var point = Assert.Single(SeriesGrowth.Compute(series, [Period.Parse(current)]));

        Assert.Equal(Growth.NoPrior, point.Yoy.Reason);
        Assert.Null(point.Yoy.Prior);
    }

    [Fact]
    public void Period_two_years_earlier_is_not_the_prior()
    {
        var point = Assert.Single(SeriesGrowth.Compute(Series(Obs("2021", 10), Obs("2019", 5)), [Period.Parse("2021")]));

        Assert.Equal(Growth.NoPrior, point.Yoy.Reason);
    }

    [Fact]
    public void Whole_series_gives_every_point_once()
    {
        var points = SeriesGrowth.Compute(Mixed).ToList();

        Assert.Equal(Mixed.Keys.Order(), points.Select(p => p.Observation.Period).Order());
    }

    [Fact]
    public void Only_restricts_to_given_periods_and_skips_absent_ones()
    {
        var points = SeriesGrowth.Compute(Mixed, [Period.Parse("2021-Q3"), Period.Parse("2021-Q2"), Period.Parse("2022"), Period.Parse("2021")]).ToList();

        Assert.Equal([Period.Parse("2021-Q3"), Period.Parse("2021")], points.Select(p => p.Observation.Period));
        Close(10, points[0].Yoy.Change); // 50 − 40
        Close(50, points[1].Yoy.Change); // 250 − 200
    }

    [Fact]
    public void Only_still_finds_a_prior_outside_the_restriction()
    {
        // 2020 is not asked for but is the prior of 2021.
        var point = Assert.Single(SeriesGrowth.Compute(Mixed, [Period.Parse("2021")]));

        Close(200, point.Yoy.Prior);
    }

    [Fact]
    public void Empty_only_gives_no_points()
    {
        Assert.Empty(SeriesGrowth.Compute(Mixed, []));
    }

    [Fact]
    public void Series_growth_carries_observation_and_weakest_status()
    {
        var series = Series(Obs("2021-Q2", 11, P), Obs("2020-Q2", 10, E));

        var point = Assert.Single(SeriesGrowth.Compute(series, [Period.Parse("2021-Q2")]));

        Assert.Same(series[Period.Parse("2021-Q2")], point.Observation);
        Assert.Equal(E, point.Yoy.Status);
        Close(10, point.Yoy.Pct); // (11/10 − 1) × 100
    }
}
