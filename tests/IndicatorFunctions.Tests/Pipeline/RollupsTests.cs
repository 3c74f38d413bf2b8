using IndicatorFunctions.Aggregation;
using IndicatorFunctions.Domain;

namespace IndicatorFunctions.Tests.Pipeline;

public sealed class RollupsTests
{
    private const ObservationStatus F = ObservationStatus.Final;
    private const ObservationStatus P = ObservationStatus.Provisional;
    private const ObservationStatus E = ObservationStatus.Estimated;

    /// <summary>Series points keyed by (district, series sector, period); "a" is district a's total, "a/it" its it sector.</summary>
    private sealed class Data
    {
        private readonly Dictionary<(string District, string Sector, Period Period), Observation> _points = [];

        public Data Add(string series, string period, double value, ObservationStatus status = F)
        {
            var parts = series.Split('/');
            var p = Period.Parse(period);
            _points[(parts[0], parts.Length > 1 ? parts[1] : "total", p)] = new Observation(p, value, status, null);
            return this;
        }

        public Data Remove(string series, string period)
        {
            var parts = series.Split('/');
            _points.Remove((parts[0], parts.Length > 1 ? parts[1] : "total", Period.Parse(period)));
            return this;
        }

        public Rollups.MemberValue ValueOf => (m, p) => _points.GetValueOrDefault((m.District, m.SeriesSector, p));
    }

    private static Indicator Ind(AggregationMethod aggregation) => new("gdp", "GDP", "CNY", aggregation, 2, null);

    private static ClusterMember M(string district, int? from = null, int? to = null) => new(district, null, from, to);

    private static ClusterMember MS(string district, string sector, int? from = null, int? to = null) => new(district, sector, from, to);

    private static Cluster C(double? minCoverage, params ClusterMember[] members) => new("c", "C", ClusterKind.Region, members, minCoverage);

    private static Cluster C(params ClusterMember[] members) => C(null, members);

    private static RollupPoint Compute(Cluster cluster, AggregationMethod aggregation, string period, Data data) =>
        Assert.IsType<RollupPoint>(Rollups.Compute(cluster, Ind(aggregation), Period.Parse(period), data.ValueOf));

    private static void Close(double expected, double? actual) => GrowthTests.Close(expected, actual);

    // Three district members:       2020   2021
    //   a                              8     10
    //   b                             25     20
    //   c                             24     30
    // sum 57 → 60, mean 19 → 20, min 8 → 10, max 25 → 30.
    private static Data Abc() => new Data()
        .Add("a", "2020", 8).Add("b", "2020", 25).Add("c", "2020", 24)
        .Add("a", "2021", 10).Add("b", "2021", 20).Add("c", "2021", 30);

    [Theory]
    [InlineData(AggregationMethod.Sum, 60.0, 57.0, 3.0, 5.2631578947)] // 3/57 × 100
    [InlineData(AggregationMethod.Mean, 20.0, 19.0, 1.0, 5.2631578947)] // (10+20+30)/3 = 20; (8+25+24)/3 = 19; 1/19 × 100
    [InlineData(AggregationMethod.Min, 10.0, 8.0, 2.0, 25.0)]
    [InlineData(AggregationMethod.Max, 30.0, 25.0, 5.0, 20.0)]
    public void All_members_reporting(AggregationMethod aggregation, double value, double prior, double change, double pct)
    {
        var r = Compute(C(M("a"), M("b"), M("c")), aggregation, "2021", Abc());

        Assert.Equal(Period.Parse("2021"), r.Period);
        Close(value, r.Value);
        Assert.Null(r.ValueReason);
        Assert.Equal(3, r.Members);
        Assert.Equal(3, r.Reporting);
        Assert.Equal(1.0, r.Coverage, 6);
        Assert.Empty(r.Missing);
        Assert.Equal(F, r.Status);
        Close(value, r.Yoy.Current);
        Close(prior, r.Yoy.Prior);
        Close(change, r.Yoy.Change);
        Close(pct, r.Yoy.Pct);
        Assert.Equal(3, r.Yoy.ComparableMembers);
        Assert.Null(r.Yoy.Reason);
        Assert.Equal(F, r.Yoy.Status);
    }

    // Two members at 1.5e308 each: their sum overflows, so the value is withheld (not_finite), never Infinity;
    // the like-for-like YoY over the same members overflows too. Min and max stay finite.
    [Theory]
    [InlineData(AggregationMethod.Sum, false)]
    [InlineData(AggregationMethod.Mean, false)]
    [InlineData(AggregationMethod.Min, true)]
    [InlineData(AggregationMethod.Max, true)]
    public void Aggregates_that_overflow_are_null_with_not_finite(AggregationMethod aggregation, bool finite)
    {
        var data = new Data().Add("a", "2020", 1.5e308).Add("b", "2020", 1.5e308).Add("a", "2021", 1.5e308).Add("b", "2021", 1.5e308);

        var r = Compute(C(M("a"), M("b")), aggregation, "2021", data);

        Assert.Equal(finite, r.Value is not null);
        Assert.Equal(finite ? null : Growth.NotFinite, r.ValueReason);
        Assert.Equal(finite ? null : Growth.NotFinite, r.Yoy.Reason);
        Assert.Equal(2, r.Yoy.ComparableMembers);
        Assert.All(new[] { r.Value, r.Yoy.Current, r.Yoy.Prior, r.Yoy.Change, r.Yoy.Pct }, v => Assert.True(v is null || double.IsFinite(v.Value)));
    }

    // b has no 2021 value. The value is over a and c only (missing is never zero: min stays 10, mean is 40/2);
    // like-for-like drops b from both years: 10+30 = 40 against 8+24 = 32 (with b's 25 it would be 57, −29.8%).
    [Theory]
    [InlineData(AggregationMethod.Sum, 40.0, 40.0, 32.0, 8.0, 25.0)]
    [InlineData(AggregationMethod.Mean, 20.0, 20.0, 16.0, 4.0, 25.0)] // 40/2 = 20 (not 40/3); 32/2 = 16
    [InlineData(AggregationMethod.Min, 10.0, 10.0, 8.0, 2.0, 25.0)] // not 0
    [InlineData(AggregationMethod.Max, 30.0, 30.0, 24.0, 6.0, 25.0)] // b's prior 25 is not used
    public void Missing_member_is_left_out_not_counted_as_zero(AggregationMethod aggregation, double value, double current, double prior, double change, double pct)
    {
        var r = Compute(C(M("a"), M("b"), M("c")), aggregation, "2021", Abc().Remove("b", "2021"));

        Close(value, r.Value);
        Assert.Null(r.ValueReason);
        Assert.Equal(3, r.Members);
        Assert.Equal(2, r.Reporting);
        Assert.Equal(2.0 / 3.0, r.Coverage, 6);
        Assert.Equal(["b"], r.Missing);
        Close(current, r.Yoy.Current);
        Close(prior, r.Yoy.Prior);
        Close(change, r.Yoy.Change);
        Close(pct, r.Yoy.Pct);
        Assert.Equal(2, r.Yoy.ComparableMembers);
    }

    [Fact]
    public void Member_missing_only_in_the_prior_year_counts_in_the_value_but_not_the_yoy()
    {
        var r = Compute(C(M("a"), M("b"), M("c")), AggregationMethod.Sum, "2021", Abc().Remove("b", "2020"));

        Close(60, r.Value); // 10 + 20 + 30
        Assert.Equal(3, r.Reporting);
        Assert.Empty(r.Missing); // missing lists only the period itself
        Close(40, r.Yoy.Current); // 10 + 30
        Close(32, r.Yoy.Prior); // 8 + 24
        Assert.Equal(2, r.Yoy.ComparableMembers);
    }

    // d joins in 2021 (from = 2021): it counts in the 2021 value but is not comparable, even though the data
    // happens to hold a 2020 value for it. a, b, c give the like-for-like 60 against 57.
    [Theory]
    [InlineData(AggregationMethod.Sum, 100.0, 60.0, 57.0, 5.2631578947)] // 10+20+30+40
    [InlineData(AggregationMethod.Mean, 25.0, 20.0, 19.0, 5.2631578947)] // 100/4
    [InlineData(AggregationMethod.Min, 10.0, 10.0, 8.0, 25.0)]
    [InlineData(AggregationMethod.Max, 40.0, 30.0, 25.0, 20.0)] // d's 40 in the value, not the YoY
    public void Joining_member_counts_in_the_value_but_is_not_comparable(AggregationMethod aggregation, double value, double current, double prior, double pct)
    {
        var data = Abc().Add("d", "2021", 40).Add("d", "2020", 35);

        var r = Compute(C(M("a"), M("b"), M("c"), M("d", from: 2021)), aggregation, "2021", data);

        Close(value, r.Value);
        Assert.Equal(4, r.Members);
        Assert.Equal(4, r.Reporting);
        Close(current, r.Yoy.Current);
        Close(prior, r.Yoy.Prior);
        Close(pct, r.Yoy.Pct);
        Assert.Equal(3, r.Yoy.ComparableMembers);
    }

    [Fact]
    public void Joining_member_is_not_effective_before_it_joins()
    {
        var data = Abc().Add("d", "2021", 40).Add("d", "2020", 35);

        var r = Compute(C(M("a"), M("b"), M("c"), M("d", from: 2021)), AggregationMethod.Sum, "2020", data);

        Close(57, r.Value); // 8 + 25 + 24, without d's 35
        Assert.Equal(3, r.Members);
    }

    // e left at the end of 2020 (to = 2020 = P.year − 1): not effective in 2021 despite a 2021 value, chosen to
    // change the result if it were counted (99 would raise the sum, mean and max; 1 would lower the min).
    [Theory]
    [InlineData(AggregationMethod.Sum, 99.0, 60.0)]
    [InlineData(AggregationMethod.Mean, 99.0, 20.0)]
    [InlineData(AggregationMethod.Min, 1.0, 10.0)]
    [InlineData(AggregationMethod.Max, 99.0, 30.0)]
    public void Leaving_member_is_not_effective_after_it_leaves(AggregationMethod aggregation, double leaverValue, double value)
    {
        var data = Abc().Add("e", "2021", leaverValue).Add("e", "2020", leaverValue);

        var r = Compute(C(M("a"), M("b"), M("c"), M("e", to: 2020)), aggregation, "2021", data);

        Close(value, r.Value);
        Assert.Equal(3, r.Members);
        Assert.Equal(3, r.Reporting);
        Assert.Empty(r.Missing);
        Assert.Equal(3, r.Yoy.ComparableMembers);
    }

    [Fact]
    public void Leaving_member_is_effective_in_its_last_year()
    {
        var data = Abc().Add("e", "2020", 1).Add("e", "2019", 2);

        var r = Compute(C(M("a"), M("b"), M("c"), M("e", to: 2020)), AggregationMethod.Sum, "2020", data);

        Close(58, r.Value); // 8 + 25 + 24 + 1
        Assert.Equal(4, r.Members);
        Assert.Equal(1, r.Yoy.ComparableMembers); // only e has a 2019 value
        Close(1, r.Yoy.Current);
        Close(2, r.Yoy.Prior);
        Close(-50, r.Yoy.Pct); // (1/2 − 1) × 100
    }

    // Four members a, b, c, f; b and f have no 2021 value: coverage 2/4 = 0.5.
    [Theory]
    [InlineData(null, 40.0)]
    [InlineData(0.49, 40.0)]
    [InlineData(0.5, 40.0)] // equal to the minimum is enough
    [InlineData(0.51, null)]
    [InlineData(0.6, null)]
    [InlineData(1.0, null)]
    public void Value_below_min_coverage_is_withheld_but_yoy_still_given(double? minCoverage, double? value)
    {
        var data = Abc().Remove("b", "2021");

        var r = Compute(C(minCoverage, M("a"), M("b"), M("c"), M("f")), AggregationMethod.Sum, "2021", data);

        Assert.Equal(0.5, r.Coverage, 6);
        Assert.Equal(4, r.Members);
        Assert.Equal(2, r.Reporting);
        Assert.Equal(["b", "f"], r.Missing);
        if (value is null)
        {
            Assert.Null(r.Value);
            Assert.Equal(RollupPoint.BelowMinCoverage, r.ValueReason);
        }
        else
        {
            Close(value.Value, r.Value);
            Assert.Null(r.ValueReason);
        }
        // like-for-like over a and c either way: 40 against 32
        Close(40, r.Yoy.Current);
        Close(32, r.Yoy.Prior);
        Close(25, r.Yoy.Pct);
        Assert.Equal(2, r.Yoy.ComparableMembers);
    }

    [Fact]
    public void Coverage_of_three_in_five_meets_a_minimum_of_six_tenths()
    {
        var data = new Data().Add("a", "2021", 1).Add("b", "2021", 2).Add("c", "2021", 3);

        var r = Compute(C(0.6, M("a"), M("b"), M("c"), M("d"), M("e")), AggregationMethod.Sum, "2021", data);

        Assert.Equal(0.6, r.Coverage, 6);
        Close(6, r.Value);
    }

    [Fact]
    public void No_reporting_member_gives_no_value()
    {
        var r = Compute(C(0.5, M("c"), M("a"), M("b")), AggregationMethod.Sum, "2022", Abc());

        Assert.Null(r.Value);
        Assert.Equal(RollupPoint.NoReportingMembers, r.ValueReason); // takes precedence over below_min_coverage
        Assert.Equal(3, r.Members);
        Assert.Equal(0, r.Reporting);
        Assert.Equal(0.0, r.Coverage, 6);
        Assert.Equal(["c", "a", "b"], r.Missing); // in member order
        Assert.Equal(Growth.NoComparableMembers, r.Yoy.Reason);
    }

    [Fact]
    public void Missing_ids_are_in_member_order()
    {
        var data = new Data().Add("b", "2021", 1);

        var r = Compute(C(M("d"), M("b"), M("a"), M("c")), AggregationMethod.Sum, "2021", data);

        Assert.Equal(["d", "a", "c"], r.Missing);
    }

    [Fact]
    public void No_effective_member_gives_no_rollup()
    {
        var cluster = C(M("a", from: 2022), M("b", to: 2020));

        Assert.Null(Rollups.Compute(cluster, Ind(AggregationMethod.Sum), Period.Parse("2021"), Abc().ValueOf));
    }

    [Fact]
    public void Cluster_without_members_gives_no_rollup()
    {
        Assert.Null(Rollups.Compute(C(), Ind(AggregationMethod.Sum), Period.Parse("2021"), Abc().ValueOf));
    }

    [Fact]
    public void Indicator_without_aggregation_is_not_rolled_up()
    {
        var rate = new Indicator("rate", "Rate", "percent", AggregationMethod.None, 1, null);

        Assert.Throws<ArgumentException>(() => Rollups.Compute(C(M("a")), rate, Period.Parse("2021"), Abc().ValueOf));
    }

    [Fact]
    public void Member_listed_twice_counts_once()
    {
        var r = Compute(C(M("a"), M("b"), M("a")), AggregationMethod.Sum, "2021", Abc());

        Close(30, r.Value); // 10 + 20, a once
        Assert.Equal(2, r.Members);
        Assert.Equal(2, r.Reporting);
        Close(33, r.Yoy.Prior); // 8 + 25
        Close(-9.0909090909, r.Yoy.Pct); // (30/33 − 1) × 100 = −3/33 × 100
        Assert.Equal(2, r.Yoy.ComparableMembers);
    }

    [Fact]
    public void Missing_member_listed_twice_is_missing_once()
    {
        var r = Compute(C(M("a"), M("b"), M("a")), AggregationMethod.Sum, "2021", Abc().Remove("a", "2021"));

        Assert.Equal(2, r.Members);
        Assert.Equal(["a"], r.Missing);
        Assert.Equal(0.5, r.Coverage, 6);
    }

    [Theory]
    [InlineData("2021", 2, 30.0)] // a via its second listing (2019-), b
    [InlineData("2017", 1, 20.0)] // a in neither listing: b only (values below)
    [InlineData("2014", 2, 21.0)] // a via its first listing (2010-2015)
    public void Member_listed_twice_with_two_ranges_is_effective_in_either(string period, int members, double value)
    {
        var data = Abc().Add("a", "2017", 5).Add("b", "2017", 20).Add("a", "2014", 1).Add("b", "2014", 20);

        var r = Compute(C(M("a", 2010, 2015), M("b"), M("a", from: 2019)), AggregationMethod.Sum, period, data);

        Assert.Equal(members, r.Members);
        Close(value, r.Value);
    }

    [Fact]
    public void Cluster_growth_is_of_the_aggregates_not_the_mean_of_member_growth()
    {
        // g1: 100 → 110 (+10%), g2: 10 → 20 (+100%); mean of member growth would be 55%.
        // Cluster: 110 → 130, (130/110 − 1) × 100 = 18.1818...%.
        var data = new Data().Add("g1", "2020", 100).Add("g1", "2021", 110).Add("g2", "2020", 10).Add("g2", "2021", 20);

        var sum = Compute(C(M("g1"), M("g2")), AggregationMethod.Sum, "2021", data);
        var mean = Compute(C(M("g1"), M("g2")), AggregationMethod.Mean, "2021", data);

        Close(18.1818181818, sum.Yoy.Pct);
        Close(18.1818181818, mean.Yoy.Pct); // 65 against 55: (65/55 − 1) × 100
        Close(20, sum.Yoy.Change);
        Close(10, mean.Yoy.Change);
    }

    [Fact]
    public void Zero_base_rollup_gives_change_but_no_pct()
    {
        var data = new Data().Add("a", "2020", 0).Add("b", "2020", 0).Add("a", "2021", 5).Add("b", "2021", 5);

        var r = Compute(C(M("a"), M("b")), AggregationMethod.Sum, "2021", data);

        Assert.Equal(Growth.ZeroBase, r.Yoy.Reason);
        Close(10, r.Yoy.Current);
        Close(0, r.Yoy.Prior);
        Close(10, r.Yoy.Change);
        Assert.Null(r.Yoy.Pct);
        Assert.Equal(2, r.Yoy.ComparableMembers);
    }

    [Theory]
    [InlineData(AggregationMethod.Sum, 7.0, -5.0, 12.0)] // 3 + 4 against −10 + 5
    [InlineData(AggregationMethod.Min, 3.0, -10.0, 13.0)]
    [InlineData(AggregationMethod.Mean, 3.5, -2.5, 6.0)] // 7/2 against −5/2
    public void Negative_base_rollup_gives_change_but_no_pct(AggregationMethod aggregation, double current, double prior, double change)
    {
        var data = new Data().Add("a", "2020", -10).Add("b", "2020", 5).Add("a", "2021", 3).Add("b", "2021", 4);

        var r = Compute(C(M("a"), M("b")), aggregation, "2021", data);

        Assert.Equal(Growth.NegativeBase, r.Yoy.Reason);
        Close(current, r.Yoy.Current);
        Close(prior, r.Yoy.Prior);
        Close(change, r.Yoy.Change);
        Assert.Null(r.Yoy.Pct);
    }

    [Fact]
    public void Positive_max_base_despite_a_negative_member_gives_pct()
    {
        var data = new Data().Add("a", "2020", -10).Add("b", "2020", 5).Add("a", "2021", 3).Add("b", "2021", 4);

        var r = Compute(C(M("a"), M("b")), AggregationMethod.Max, "2021", data);

        Assert.Null(r.Yoy.Reason);
        Close(-20, r.Yoy.Pct); // max 4 against 5: (4/5 − 1) × 100
    }

    [Fact]
    public void All_members_joining_leaves_no_comparable_members()
    {
        var r = Compute(C(M("a", from: 2021), M("b", from: 2021)), AggregationMethod.Sum, "2021", Abc());

        Close(30, r.Value);
        Assert.Equal(0, r.Yoy.ComparableMembers);
        Assert.Equal(Growth.NoComparableMembers, r.Yoy.Reason);
        Assert.Null(r.Yoy.Current);
        Assert.Null(r.Yoy.Prior);
        Assert.Null(r.Yoy.Change);
        Assert.Null(r.Yoy.Pct);
    }

    [Fact]
    public void No_prior_values_leaves_no_comparable_members()
    {
        var data = new Data().Add("a", "2021", 1).Add("b", "2021", 2).Add("a", "2020-Q1", 3); // a quarter is no year's prior

        var r = Compute(C(M("a"), M("b")), AggregationMethod.Sum, "2021", data);

        Close(3, r.Value);
        Assert.Equal(Growth.NoComparableMembers, r.Yoy.Reason);
        Assert.Equal(0, r.Yoy.ComparableMembers);
        Assert.Null(r.Yoy.Current);
        Assert.Null(r.Yoy.Pct);
    }

    [Fact]
    public void Status_is_the_weakest_reporting_input_and_yoy_status_the_weakest_comparable_input()
    {
        // 2021: a provisional, b and c final; 2020: c estimated.
        var data = Abc().Add("a", "2021", 10, P).Add("c", "2020", 24, E);

        var r = Compute(C(M("a"), M("b"), M("c")), AggregationMethod.Sum, "2021", data);

        Assert.Equal(P, r.Status);
        Assert.Equal(E, r.Yoy.Status);
    }

    [Fact]
    public void Non_comparable_joiner_weakens_the_value_but_not_the_yoy()
    {
        var data = Abc().Add("d", "2021", 40, E);

        var r = Compute(C(M("a"), M("b"), M("c"), M("d", from: 2021)), AggregationMethod.Sum, "2021", data);

        Assert.Equal(E, r.Status);
        Assert.Equal(F, r.Yoy.Status);
    }

    [Fact]
    public void Prior_of_a_member_missing_now_does_not_weaken_the_yoy()
    {
        var data = Abc().Remove("b", "2021").Add("b", "2020", 25, E);

        var r = Compute(C(M("a"), M("b"), M("c")), AggregationMethod.Sum, "2021", data);

        Assert.Equal(F, r.Status);
        Assert.Equal(F, r.Yoy.Status);
    }

    [Fact]
    public void Leaving_member_status_does_not_weaken_the_rollup()
    {
        var data = Abc().Add("e", "2021", 5, E).Add("e", "2020", 5, E);

        var r = Compute(C(M("a"), M("b"), M("c"), M("e", to: 2020)), AggregationMethod.Sum, "2021", data);

        Assert.Equal(F, r.Status);
        Assert.Equal(F, r.Yoy.Status);
    }

    [Theory]
    [InlineData(AggregationMethod.Min)]
    [InlineData(AggregationMethod.Max)]
    public void Min_and_max_status_is_the_weakest_of_all_reporting_not_only_the_extreme(AggregationMethod aggregation)
    {
        // b (20) is neither min nor max, yet estimated.
        var data = Abc().Add("b", "2021", 20, E).Add("b", "2020", 25, P);

        var r = Compute(C(M("a"), M("b"), M("c")), aggregation, "2021", data);

        Assert.Equal(E, r.Status);
        Assert.Equal(E, r.Yoy.Status);
    }

    [Fact]
    public void Value_below_min_coverage_still_carries_status()
    {
        var data = new Data().Add("a", "2021", 1, P);

        var r = Compute(C(0.9, M("a"), M("b")), AggregationMethod.Sum, "2021", data);

        Assert.Null(r.Value);
        Assert.Equal(P, r.Status);
    }

    [Fact]
    public void District_members_read_the_total_series_and_sector_members_their_sector()
    {
        // a/it: 4 → 5; b/it: 3 → (missing); a (total): 8 → 10. b's total 100 must not stand in for b/it.
        var data = new Data()
            .Add("a/it", "2020", 4).Add("a/it", "2021", 5)
            .Add("b/it", "2020", 3).Add("b", "2021", 100).Add("b", "2020", 90)
            .Add("a", "2020", 8).Add("a", "2021", 10);

        var r = Compute(C(MS("a", "it"), MS("b", "it"), M("a")), AggregationMethod.Sum, "2021", data);

        Close(15, r.Value); // 5 + 10
        Assert.Equal(3, r.Members);
        Assert.Equal(2, r.Reporting);
        Assert.Equal(["b/it"], r.Missing);
        Close(15, r.Yoy.Current);
        Close(12, r.Yoy.Prior); // 4 + 8
        Close(25, r.Yoy.Pct);
        Assert.Equal(2, r.Yoy.ComparableMembers);
    }

    [Fact]
    public void Sector_members_of_one_district_are_distinct_members()
    {
        var data = new Data().Add("a/it", "2021", 1).Add("a/retail", "2021", 2);

        var r = Compute(C(MS("a", "it"), MS("a", "retail"), MS("a", "bio")), AggregationMethod.Sum, "2021", data);

        Close(3, r.Value);
        Assert.Equal(3, r.Members);
        Assert.Equal(["a/bio"], r.Missing);
    }

    [Fact]
    public void Quarter_rollup_compares_with_the_same_quarter_and_excludes_a_joiner()
    {
        // a: 10 → 12; d joins in 2021: 6 → 8 (not comparable).
        var data = new Data().Add("a", "2020-Q2", 10).Add("a", "2021-Q2", 12).Add("d", "2020-Q2", 6).Add("d", "2021-Q2", 8)
            .Add("a", "2021-Q1", 1000).Add("a", "2020", 1000);

        var r = Compute(C(M("a"), M("d", from: 2021)), AggregationMethod.Sum, "2021-Q2", data);

        Assert.Equal(Period.Parse("2021-Q2"), r.Period);
        Close(20, r.Value);
        Close(12, r.Yoy.Current);
        Close(10, r.Yoy.Prior);
        Close(20, r.Yoy.Pct);
        Assert.Equal(1, r.Yoy.ComparableMembers);
    }

    [Fact]
    public void Month_rollup_excludes_a_member_that_left()
    {
        var data = new Data().Add("a", "2020-07", 2).Add("a", "2021-07", 3).Add("e", "2020-07", 50).Add("e", "2021-07", 100);

        var r = Compute(C(M("a"), M("e", to: 2020)), AggregationMethod.Sum, "2021-07", data);

        Close(3, r.Value);
        Assert.Equal(1, r.Members);
        Close(50, r.Yoy.Pct); // (3/2 − 1) × 100
    }

    [Fact]
    public void Ytd_rollup_compares_with_the_same_ytd()
    {
        var data = new Data().Add("a", "2020-YTD09", 60).Add("a", "2021-YTD09", 90).Add("b", "2020-YTD09", 20).Add("b", "2021-YTD09", 10)
            .Add("a", "2020-09", 1);

        var r = Compute(C(M("a"), M("b")), AggregationMethod.Mean, "2021-YTD09", data);

        Close(50, r.Value); // (90 + 10) / 2
        Close(40, r.Yoy.Prior); // (60 + 20) / 2
        Close(25, r.Yoy.Pct);
    }

    [Fact]
    public void Half_rollup_compares_with_the_same_half()
    {
        var data = new Data().Add("a", "2020-H2", 50).Add("a", "2021-H2", 45).Add("a", "2021-H1", 70);

        var r = Compute(C(M("a")), AggregationMethod.Max, "2021-H2", data);

        Close(45, r.Value);
        Close(-5, r.Yoy.Change);
        Close(-10, r.Yoy.Pct); // (45/50 − 1) × 100
    }

    [Theory]
    [InlineData(AggregationMethod.Sum, 6.0)]
    [InlineData(AggregationMethod.Mean, 2.0)]
    [InlineData(AggregationMethod.Min, 1.0)]
    [InlineData(AggregationMethod.Max, 3.0)]
    public void Aggregate_applies_the_method(AggregationMethod aggregation, double expected)
    {
        Assert.Equal(expected, Rollups.Aggregate(aggregation, [3.0, 1.0, 2.0]), 6);
    }
}
