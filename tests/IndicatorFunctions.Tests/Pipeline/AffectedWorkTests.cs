using IndicatorFunctions.Aggregation;
using IndicatorFunctions.Domain;

namespace IndicatorFunctions.Tests.Pipeline;

public sealed class AffectedWorkTests
{
    private static readonly Indicator Gdp = new("gdp", "GDP", "CNY", AggregationMethod.Sum, 2, null);
    private static readonly Indicator Rate = new("rate", "Rate", "percent", AggregationMethod.None, 1, null);
    private static readonly SeriesKey XuhuiTotal = new("gdp", "xuhui", "total");
    private static readonly SeriesKey XuhuiIt = new("gdp", "xuhui", "it");

    private static Cluster C(string id, params ClusterMember[] members) => new(id, id, ClusterKind.Region, members, null);

    private static string[] Periods(SortedSet<Period> set) => set.Select(p => p.ToString()).ToArray();

    private static string[]? Rollup(AffectedWork work, string cluster, string indicator = "gdp") =>
        work.Rollups.TryGetValue(new RollupKey(cluster, indicator), out var set) ? Periods(set) : null;

    [Theory]
    [InlineData("2021", new[] { "2021", "2022" })]
    [InlineData("2021-Q3", new[] { "2021-Q3", "2022-Q3" })]
    [InlineData("2021-07", new[] { "2021-07", "2022-07" })]
    [InlineData("2021-YTD09", new[] { "2021-YTD09", "2022-YTD09" })]
    [InlineData("2021-H2", new[] { "2021-H2", "2022-H2" })]
    public void Changed_point_recomputes_its_series_at_the_period_and_a_year_later(string period, string[] expected)
    {
        var work = new AffectedWork();

        work.AddChange(XuhuiTotal, Period.Parse(period), [], Gdp);

        var (key, set) = Assert.Single(work.Series);
        Assert.Equal(XuhuiTotal, key);
        Assert.Equal(expected, Periods(set));
        Assert.Empty(work.Rollups);
    }

    // Member ranges against a change at 2021 (P.year = 2021, P.Next.year = 2022).
    [Theory]
    [InlineData(null, null, new[] { "2021", "2022" })] // open: effective in both years
    [InlineData(2021, null, new[] { "2021", "2022" })] // joins in P's year
    [InlineData(2015, 2022, new[] { "2021", "2022" })]
    [InlineData(null, 2021, new[] { "2021" })] // leaves after P's year: P only
    [InlineData(2021, 2021, new[] { "2021" })]
    [InlineData(2022, null, null)] // joins a year later: not effective at P, so not comparable at P + 1
    [InlineData(null, 2020, null)] // left before P's year
    [InlineData(2023, null, null)]
    public void Rollup_gets_p_when_effective_then_and_p_next_when_effective_in_both_years(int? from, int? to, string[]? expected)
    {
        var work = new AffectedWork();

        work.AddChange(XuhuiTotal, Period.Parse("2021"), [C("c1", new ClusterMember("xuhui", null, from, to))], Gdp);

        Assert.Equal(expected, Rollup(work, "c1"));
        Assert.Equal(["2021", "2022"], Periods(work.Series[XuhuiTotal])); // the series regardless
    }

    [Fact]
    public void Quarter_change_recomputes_the_quarter_rollups()
    {
        var work = new AffectedWork();

        work.AddChange(XuhuiTotal, Period.Parse("2021-Q2"), [C("c1", new ClusterMember("xuhui", null, null, null))], Gdp);

        Assert.Equal(new[] { "2021-Q2", "2022-Q2" }, Rollup(work, "c1"));
    }

    [Fact]
    public void Indicator_without_aggregation_affects_no_rollup()
    {
        var work = new AffectedWork();
        var series = new SeriesKey("rate", "xuhui", "total");

        work.AddChange(series, Period.Parse("2021"), [C("c1", new ClusterMember("xuhui", null, null, null))], Rate);

        Assert.Equal(["2021", "2022"], Periods(work.Series[series]));
        Assert.Empty(work.Rollups);
    }

    [Fact]
    public void Unknown_indicator_affects_no_rollup()
    {
        var work = new AffectedWork();

        work.AddChange(XuhuiTotal, Period.Parse("2021"), [C("c1", new ClusterMember("xuhui", null, null, null))], null);

        Assert.Equal(["2021", "2022"], Periods(work.Series[XuhuiTotal]));
        Assert.Empty(work.Rollups);
    }

    [Fact]
    public void District_member_is_affected_by_the_total_series_only()
    {
        var clusters = new[] { C("c1", new ClusterMember("xuhui", null, null, null)) };
        var work = new AffectedWork();

        work.AddChange(XuhuiIt, Period.Parse("2021"), clusters, Gdp);

        Assert.Empty(work.Rollups);
        Assert.Single(work.Series);
    }

    [Fact]
    public void Sector_member_is_affected_by_its_sector_series_only()
    {
        var clusters = new[] { C("c1", new ClusterMember("xuhui", "it", null, null)) };
        var onTotal = new AffectedWork();
        var onSector = new AffectedWork();
        var onOtherSector = new AffectedWork();

        onTotal.AddChange(XuhuiTotal, Period.Parse("2021"), clusters, Gdp);
        onSector.AddChange(XuhuiIt, Period.Parse("2021"), clusters, Gdp);
        onOtherSector.AddChange(new SeriesKey("gdp", "xuhui", "retail"), Period.Parse("2021"), clusters, Gdp);

        Assert.Empty(onTotal.Rollups);
        Assert.Equal(new[] { "2021", "2022" }, Rollup(onSector, "c1"));
        Assert.Empty(onOtherSector.Rollups);
    }

    [Fact]
    public void Member_of_another_district_is_not_affected()
    {
        var clusters = new[] { C("c1", new ClusterMember("pudong", null, null, null), new ClusterMember("minhang", "it", null, null)) };
        var work = new AffectedWork();

        work.AddChange(XuhuiTotal, Period.Parse("2021"), clusters, Gdp);
        work.AddChange(XuhuiIt, Period.Parse("2021"), clusters, Gdp);

        Assert.Empty(work.Rollups);
    }

    [Fact]
    public void Every_cluster_holding_the_member_is_affected_under_the_series_indicator()
    {
        var clusters = new[]
        {
            C("central", new ClusterMember("pudong", null, null, null), new ClusterMember("xuhui", null, null, null)),
            C("south", new ClusterMember("xuhui", null, null, 2021)),
            C("east", new ClusterMember("pudong", null, null, null)),
            C("tech", new ClusterMember("xuhui", "it", null, null)),
        };
        var work = new AffectedWork();

        work.AddChange(XuhuiTotal, Period.Parse("2021"), clusters, Gdp);

        Assert.Equal(["central", "south"], work.Rollups.Keys.Select(k => k.Cluster).Order());
        Assert.All(work.Rollups.Keys, k => Assert.Equal("gdp", k.Indicator));
        Assert.Equal(new[] { "2021", "2022" }, Rollup(work, "central"));
        Assert.Equal(new[] { "2021" }, Rollup(work, "south"));
    }

    [Fact]
    public void Changes_accumulate_without_duplicates()
    {
        var clusters = new[] { C("c1", new ClusterMember("xuhui", null, null, null)) };
        var work = new AffectedWork();

        work.AddChange(XuhuiTotal, Period.Parse("2021"), clusters, Gdp);
        work.AddChange(XuhuiTotal, Period.Parse("2022"), clusters, Gdp);
        work.AddChange(XuhuiTotal, Period.Parse("2020"), clusters, Gdp);
        work.AddChange(XuhuiTotal, Period.Parse("2021-Q1"), clusters, Gdp);
        work.AddChange(XuhuiIt, Period.Parse("2021"), clusters, Gdp);

        // Sorted: years in order, and 2021-Q1 after 2021 (kinds ordered Year, Half, Quarter, Month, YTD within a year).
        Assert.Equal(["2020", "2021", "2021-Q1", "2022", "2022-Q1", "2023"], Periods(work.Series[XuhuiTotal]));
        Assert.Equal(["2021", "2022"], Periods(work.Series[XuhuiIt]));
        Assert.Equal(new[] { "2020", "2021", "2021-Q1", "2022", "2022-Q1", "2023" }, Rollup(work, "c1"));
    }
}
