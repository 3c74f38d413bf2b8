using IndicatorFunctions.Data;
using IndicatorFunctions.Domain;

namespace IndicatorFunctions.Tests.Pipeline;

/// <summary>
/// The change markers an ingest writes in batches: one per series, in transactions of one shard and at most 100
/// markers each, with a <c>p{period}</c> property per changed period (or <c>All</c> past 200 of them), read back as
/// the same periods.
/// </summary>
public sealed class ChangeMarkerTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(16, 3)]
    [InlineData(100, 20)]
    [InlineData(1_600, 1)]
    [InlineData(5_000, 20)]
    public void Every_series_is_marked_once_in_transactions_of_one_shard_and_at_most_100(int seriesCount, int years)
    {
        var changed = Enumerable.Range(0, seriesCount)
            .Select(i => (new SeriesKey($"ind-{i % 7}", $"d-{i:D5}", "total"), Enumerable.Range(2000, years).Select(y => new Period(y, PeriodKind.Year, 0))))
            .ToList();

        var transactions = ChangeTracker.Transactions(changed).ToList();

        Assert.All(transactions, t => Assert.InRange(t.Length, 1, 100));
        Assert.All(transactions, t => Assert.Single(t.Select(m => m.PartitionKey).Distinct()));
        var markers = transactions.SelectMany(t => t).ToList();
        Assert.Equal(changed.Select(c => c.Item1.PartitionKey).Order(StringComparer.Ordinal), markers.Select(m => m.RowKey).Order(StringComparer.Ordinal));
        Assert.All(markers, m => Assert.Equal(ChangeTracker.ShardOf(SeriesKey.FromPartitionKey(m.RowKey)), m.PartitionKey));
        // As few transactions as the shards allow: each shard's markers fill transactions of 100 before starting another.
        var perShard = markers.GroupBy(m => m.PartitionKey).Sum(g => (g.Count() + 99) / 100);
        Assert.Equal(perShard, transactions.Count);
    }

    [Theory]
    [InlineData(new[] { "2020" }, new[] { "p2020" })]
    [InlineData(new[] { "2020", "2020-Q3", "2020-07", "2021", "2020-Q3" }, new[] { "p2020", "p2020_07", "p2020_Q3", "p2021" })]
    [InlineData(new[] { "1999-Q4", "2000-Q1", "2000-H2", "2001-YTD09" }, new[] { "p1999_Q4", "p2000_H2", "p2000_Q1", "p2001_YTD09" })]
    public void A_marker_names_each_changed_period_once_and_reads_back_as_those_periods(string[] periods, string[] properties)
    {
        var marker = ChangeTracker.Marker(new SeriesKey("gdp", "xuhui", "total"), periods.Select(Period.Parse));
        var (read, years) = ChangeMarker.Parse(marker.Keys);

        Assert.Equal(properties, marker.Keys.Where(k => k.StartsWith('p')).Order(StringComparer.Ordinal));
        Assert.False(marker.ContainsKey("All"));
        Assert.Equal(periods.Distinct().Order(StringComparer.Ordinal), read.Select(p => p.ToString()).Order(StringComparer.Ordinal));
        Assert.Empty(years);
    }

    [Theory]
    [InlineData(new[] { "y2019", "y2021" }, "", "2019,2021")]          // a marker of an earlier build
    [InlineData(new[] { "p2019_Q1", "y2020" }, "2019-Q1", "2020")]
    [InlineData(new[] { "PartitionKey", "All", "p", "pX", "y20", "p2019_Q5" }, "", "")] // not periods or years
    public void A_marker_reads_its_periods_and_the_years_of_earlier_builds(string[] properties, string periods, string years)
    {
        var (readPeriods, readYears) = ChangeMarker.Parse(properties);

        Assert.Equal(periods, string.Join(",", readPeriods.Select(p => p.ToString()).Order(StringComparer.Ordinal)));
        Assert.Equal(years, string.Join(",", readYears.Order()));
    }

    [Theory]
    [InlineData(200, false)]
    [InlineData(201, true)]
    public void A_marker_of_more_than_200_periods_marks_the_whole_series(int years, bool all)
    {
        var marker = ChangeTracker.Marker(new SeriesKey("gdp", "xuhui", "total"), Enumerable.Range(1900, years).Select(y => new Period(y, PeriodKind.Year, 0)));

        Assert.Equal(all, marker.ContainsKey("All"));
        Assert.Equal(all ? 0 : years, marker.Keys.Count(k => k.StartsWith('p')));
    }
}
