using IndicatorFunctions.Data;
using IndicatorFunctions.Domain;

namespace IndicatorFunctions.Tests.Pipeline;

/// <summary>
/// The change markers an ingest writes in batches: one per series, in transactions of one shard and at most 100
/// markers each, with a <c>y{year}</c> property per changed year (or <c>All</c> past 200 years).
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
    [InlineData(new[] { "2020" }, new[] { "y2020" })]
    [InlineData(new[] { "2020", "2020-Q3", "2020-07", "2021" }, new[] { "y2020", "y2021" })]
    [InlineData(new[] { "1999-Q4", "2000-Q1" }, new[] { "y1999", "y2000" })]
    public void A_marker_names_each_changed_year_once(string[] periods, string[] properties)
    {
        var marker = ChangeTracker.Marker(new SeriesKey("gdp", "xuhui", "total"), periods.Select(Period.Parse));

        Assert.Equal(properties, marker.Keys.Where(k => k.StartsWith('y')).Order(StringComparer.Ordinal));
        Assert.False(marker.ContainsKey("All"));
    }

    [Theory]
    [InlineData(200, false)]
    [InlineData(201, true)]
    public void A_marker_of_more_than_200_years_marks_the_whole_series(int years, bool all)
    {
        var marker = ChangeTracker.Marker(new SeriesKey("gdp", "xuhui", "total"), Enumerable.Range(1800, years).Select(y => new Period(y, PeriodKind.Year, 0)));

        Assert.Equal(all, marker.ContainsKey("All"));
        Assert.Equal(all ? 0 : years, marker.Keys.Count(k => k.StartsWith('y')));
    }
}
