using IndicatorFunctions.Data;
using IndicatorFunctions.Domain;

namespace IndicatorFunctions.Tests.Pipeline;

/// <summary>
/// The change markers an ingest writes in batches: one per series, in transactions of one shard and at most 100
/// markers each, with a <c>p{period}_r{revision}</c> property per write it announces (or <c>All</c> past 100 periods)
/// and, once written, a <c>v{period}</c> property with the value stored, read back as the same periods; a stored value
/// is known only when no later write was announced.
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

        var transactions = ChangeTracker.Transactions(changed.Select(c => ChangeTracker.Marker(c.Item1, c.Item2.Select(p => (p, 0))))).ToList();

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
    [InlineData(new[] { "2020" }, new[] { "p2020_r3" })]
    [InlineData(new[] { "2020", "2020-Q3", "2020-07", "2021", "2020-Q3" }, new[] { "p2020_07_r3", "p2020_Q3_r3", "p2020_r3", "p2021_r3" })]
    [InlineData(new[] { "1999-Q4", "2000-Q1", "2000-H2", "2001-YTD09" }, new[] { "p1999_Q4_r3", "p2000_H2_r3", "p2000_Q1_r3", "p2001_YTD09_r3" })]
    public void A_marker_names_each_changed_period_once_and_reads_back_as_those_periods(string[] periods, string[] properties)
    {
        var marker = ChangeTracker.Marker(new SeriesKey("gdp", "xuhui", "total"), periods.Select(p => (Period.Parse(p), 3)));
        var (read, years) = ChangeMarker.Parse(marker.Keys);

        Assert.Equal(properties, marker.Keys.Where(k => k.StartsWith('p')).Order(StringComparer.Ordinal));
        Assert.False(marker.ContainsKey("All"));
        Assert.Equal(periods.Distinct().Order(StringComparer.Ordinal), read.Select(p => p.ToString()).Order(StringComparer.Ordinal));
        Assert.Empty(years);
    }

    [Theory]
    [InlineData(new[] { "y2019", "y2021" }, "", "2019,2021")]          // a marker of an earlier build
    [InlineData(new[] { "p2019_Q1", "y2020" }, "2019-Q1", "2020")]
    [InlineData(new[] { "p2019_Q1_r0", "p2019_r12", "v2020_07" }, "2019,2019-Q1,2020-07", "")] // announced writes and stored values
    [InlineData(new[] { "PartitionKey", "All", "p", "pX", "y20", "p2019_Q5", "p2019_rX", "p2019_r", "v", "vX", "Timestamp" }, "", "")] // not periods or years
    public void A_marker_reads_its_periods_and_the_years_of_earlier_builds(string[] properties, string periods, string years)
    {
        var (readPeriods, readYears) = ChangeMarker.Parse(properties);

        Assert.Equal(periods, string.Join(",", readPeriods.Select(p => p.ToString()).Order(StringComparer.Ordinal)));
        Assert.Equal(years, string.Join(",", readYears.Order()));
    }

    [Theory]
    [InlineData(100, false)]
    [InlineData(101, true)]
    public void A_marker_of_more_than_100_periods_marks_the_whole_series_and_holds_no_values(int years, bool all)
    {
        var series = new SeriesKey("gdp", "xuhui", "total");
        var periods = Enumerable.Range(1900, years).Select(y => new Period(y, PeriodKind.Year, 0)).ToList();

        var marker = ChangeTracker.Marker(series, periods.Select(p => (p, 1)));
        var values = ChangeTracker.Values(series, periods.Select(p => (new Observation(p, 1, ObservationStatus.Final, null), 1)));

        Assert.Equal(all, marker.ContainsKey("All"));
        Assert.Equal(all ? 0 : years, marker.Keys.Count(k => k.StartsWith('p')));
        Assert.Equal(all ? 0 : years, values?.Keys.Count(k => k.StartsWith('v')) ?? 0);
    }

    [Theory]
    [InlineData("v2021=1|final|5", "2021=5 final -")]                                   // a stored value, no announcement left
    [InlineData("p2021_r1 v2021=1|final|5", "2021=5 final -")]                          // its own announcement
    [InlineData("p2021_r0 p2021_r1 v2021=1|provisional|5.5|src", "2021=5.5 provisional src")]
    [InlineData("p2021_r2 v2021=1|final|5", "")]                                        // a later write announced: read it
    [InlineData("p2021 v2021=1|final|5", "")]                                           // an earlier build's mark: revision unknown
    [InlineData("p2021_r1", "")]                                                        // announced, value not yet stored
    [InlineData("v2021=x|final|5 v2022=1|final|y v2023=1|nonsense|5 v2024=1|final", "")] // values that do not parse
    [InlineData("p2021_r1 v2021=1|final|5 p2022_r4 v2022=3|final|6 v2023_Q1=0|estimated|-1e-7|a|b", "2021=5 final -;2023-Q1=-1E-07 estimated a|b")]
    public void A_stored_value_is_known_only_when_no_later_write_is_announced(string properties, string known)
    {
        var entity = properties.Split(' ').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => (object)(p.Length == 2 ? p[1] : true));

        var values = ChangeMarker.KnownValues(entity);

        Assert.Equal(known, string.Join(";", values.OrderBy(v => v.Key).Select(v =>
            $"{v.Key}={v.Value.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)} {v.Value.Status.ToName()} {v.Value.Source ?? "-"}")));
        Assert.All(values, v => Assert.Equal(v.Key, v.Value.Period));
    }

    [Theory]
    [InlineData(0, 0.1, "final", null)]
    [InlineData(7, 123456789.123456789, "provisional", "")]
    [InlineData(12, -1e-300, "estimated", "a|b|c")]
    [InlineData(3, double.MaxValue, "final", "统计局 press release")]
    public void A_stored_value_reads_back_exactly(int revision, double value, string status, string? source)
    {
        StatusNames.TryParse(status, out var parsed);
        var observation = new Observation(Period.Parse("2021-Q3"), value, parsed, source);

        var read = StoredValue.TryParse(StoredValue.Format(revision, observation), observation.Period);

        Assert.Equal((revision, observation), read);
    }
}
