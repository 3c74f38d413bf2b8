using System.Runtime.CompilerServices;
using System.Text.Json;
using IndicatorFunctions.Aggregation;
using IndicatorFunctions.Catalog;
using IndicatorFunctions.Domain;

namespace IndicatorFunctions.Tests.Pipeline;

/// <summary>
/// The aggregation pipeline against an in-memory store: an incremental run after any set of revisions must leave
/// exactly what a full run over the revised data computes, and catalog changes must recompute (and prune) rollups.
/// </summary>
public sealed class AggregatorTests
{
    private static readonly string[] Districts = ["d1", "d2", "d3", "d4", "d5"];

    private static CatalogSnapshot Catalog(bool withLateMember = true) => new(
        [
            new Indicator("gdp", "GDP", "CNY", AggregationMethod.Sum, 0, null),
            new Indicator("wage", "Wage", "CNY", AggregationMethod.Mean, 0, null),
            new Indicator("rate", "Rate", "percent", AggregationMethod.None, 1, null),
        ],
        Districts.Select(d => new District(d, d, null, [])),
        [
            new Cluster("region", "Region", ClusterKind.Region,
                [new("d1", null, null, null), new("d2", null, null, 2019), .. withLateMember ? [new ClusterMember("d3", null, 2020, null)] : Array.Empty<ClusterMember>()], null),
            new Cluster("ai", "AI", ClusterKind.Industrial, [new("d1", "ai", null, null), new("d4", "ai", null, null), new("d5", "ai", 2018, 2021)], 0.5),
        ]);

    private static readonly string[] Periods = ["2017", "2018", "2019", "2020", "2021", "2022", "2020-Q1", "2021-Q1", "2021-Q2", "2022-Q1", "2021-YTD09", "2022-YTD09"];

    private static MemoryStore Seeded(Random random)
    {
        var store = new MemoryStore();
        foreach (var indicator in new[] { "gdp", "wage", "rate" })
        foreach (var district in Districts)
        foreach (var sector in new[] { "total", "ai" })
        {
            var points = new Dictionary<Period, Observation>();
            foreach (var period in Periods.Where(_ => random.NextDouble() < 0.7))
                points[Period.Parse(period)] = RandomObservation(random, Period.Parse(period));
            if (points.Count > 0)
                store.Observations[new SeriesKey(indicator, district, sector)] = points;
        }
        return store;
    }

    private static Observation RandomObservation(Random random, Period period) => new(period,
        random.Next(10) == 0 ? 0 : Math.Round(random.NextDouble() * 1000 - 50, 1),
        (ObservationStatus)random.Next(3), random.Next(2) == 0 ? "bureau" : null);

    public static TheoryData<int> Seeds => [.. Enumerable.Range(1, 40)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task An_incremental_run_after_revisions_leaves_what_a_full_run_over_the_revised_data_computes(int seed)
    {
        var random = new Random(seed);
        var incremental = Seeded(random);
        await new Aggregator(incremental, incremental).FullAsync(Catalog(), CancellationToken.None);

        // Revise, add and re-state points in a few series, remembering the years touched, as ingestion's markers do;
        // every third seed also drops the cluster's late member, as a catalog change.
        var changes = new List<SeriesChange>();
        foreach (var _ in Enumerable.Range(0, 1 + random.Next(6)))
        {
            var series = new SeriesKey(new[] { "gdp", "wage", "rate" }[random.Next(3)], Districts[random.Next(Districts.Length)], random.Next(2) == 0 ? "total" : "ai");
            var period = Period.Parse(Periods[random.Next(Periods.Length)]);
            if (!incremental.Observations.TryGetValue(series, out var points))
                incremental.Observations[series] = points = [];
            // One change in five takes a point away (with a marker naming it) rather than sets it.
            if (random.Next(5) == 0)
                points.Remove(period);
            else
                points[period] = RandomObservation(random, period);
            // Markers name the periods; those of earlier builds named years; a long list becomes "all".
            changes.Add(random.Next(8) switch
            {
                0 => new SeriesChange(series, new HashSet<int>(), All: true),
                1 or 2 => new SeriesChange(series, new HashSet<int> { period.Year }, All: false),
                _ => new SeriesChange(series, new HashSet<int>(), All: false, new HashSet<Period> { period }),
            });
        }
        var catalog = Catalog(withLateMember: seed % 3 != 0);
        CatalogChange[] catalogChanges = seed % 3 == 0 ? [new CatalogChange("cluster", "region")] : [];
        await new Aggregator(incremental, incremental).IncrementalAsync(catalog, changes, catalogChanges, CancellationToken.None);

        var full = new MemoryStore();
        foreach (var (key, points) in incremental.Observations)
            full.Observations[key] = new Dictionary<Period, Observation>(points);
        await new Aggregator(full, full).FullAsync(catalog, CancellationToken.None);

        Assert.NotEmpty(full.Rollups);
        Assert.Equal(full.Growth, incremental.Growth);
        Assert.Equal(full.Sections, incremental.Sections);
        Assert.Equal(full.Rollups, incremental.Rollups);
        // The records come in their reading order: series and rollups by period, cross-sections by district.
        Assert.All(incremental.SeriesRecords.Values, r => Assert.Equal(r.OrderBy(p => p.Observation.Period), r));
        Assert.All(incremental.RollupRecords.Values, r => Assert.Equal(r.OrderBy(p => p.Period), r));
        Assert.All(incremental.SectionRecords.Values, r => Assert.Equal(r.OrderBy(p => p.District, StringComparer.Ordinal), r));
    }

    [Theory]
    [InlineData("gdp", "d1", "total", "2021")]
    [InlineData("wage", "d4", "ai", "2020-Q1")]
    [InlineData("rate", "d2", "total", "2022-YTD09")]
    public async Task An_incremental_run_reads_only_the_changed_points(string indicator, string district, string sector, string at)
    {
        var store = Seeded(new Random(7));
        await new Aggregator(store, store).FullAsync(Catalog(), CancellationToken.None);
        var total = store.ObservationsRead;
        var series = new SeriesKey(indicator, district, sector);
        var period = Period.Parse(at);
        if (!store.Observations.TryGetValue(series, out var points))
            store.Observations[series] = points = [];
        points[period] = new Observation(period, 123.4, ObservationStatus.Provisional, null);

        store.ObservationsRead = 0;
        await new Aggregator(store, store).IncrementalAsync(Catalog(), [new SeriesChange(series, new HashSet<int>(), All: false, new HashSet<Period> { period })], [], CancellationToken.None);

        Assert.Equal(1, store.ObservationsRead);
        Assert.True(store.ObservationsRead < total / 20, $"read {store.ObservationsRead} of {total}");
        Assert.Contains(store.SectionRecords[new CrossSectionKey(indicator, sector, period)], r => r.District == district && r.Point.Observation.Value == 123.4);
    }

    [Theory]
    [InlineData("gdp", "d1", "total", "2019", 321.0)] // a point in the middle: its YoY and the next year's change
    [InlineData("gdp", "d4", "ai", "2017", 5.5)] // the first point: no prior
    [InlineData("wage", "d1", "ai", "2022", -4.0)] // the last point, a negative value
    [InlineData("gdp", "d2", "total", "2021-Q1", null)] // a point taken away: the next year's YoY loses its prior
    [InlineData("rate", "d3", "total", "2016", 1.0)] // a period the series did not have
    [InlineData("gdp", "d5", "total", "2020", null)] // a point taken away that may not be there
    public async Task A_change_at_named_periods_patches_its_series_without_reading_or_rewriting_its_record(string indicator, string district, string sector, string at, double? value)
    {
        var store = Seeded(new Random(11));
        await new Aggregator(store, store).FullAsync(Catalog(), CancellationToken.None);
        var series = new SeriesKey(indicator, district, sector);
        var period = Period.Parse(at);
        if (!store.Observations.TryGetValue(series, out var points))
            store.Observations[series] = points = [];
        if (value is { } v)
            points[period] = new Observation(period, v, ObservationStatus.Final, null);
        else
            points.Remove(period);
        (store.SeriesRecordsRead, store.SeriesWritten) = (0, 0);

        await new Aggregator(store, store).IncrementalAsync(Catalog(), [new SeriesChange(series, new HashSet<int>(), All: false, new HashSet<Period> { period })], [], CancellationToken.None);
        var full = new MemoryStore();
        foreach (var (key, observations) in store.Observations)
            full.Observations[key] = new Dictionary<Period, Observation>(observations);
        await new Aggregator(full, full).FullAsync(Catalog(), CancellationToken.None);

        Assert.Equal((0, 0, 1), (store.SeriesRecordsRead, store.SeriesWritten, store.SeriesPatchesWritten));
        Assert.Equal(full.Growth, store.Growth);
        Assert.Equal(full.Sections, store.Sections);
        Assert.Equal(full.Rollups, store.Rollups);
    }

    [Fact]
    public async Task A_series_in_a_rollup_recomputed_whole_is_written_whole_not_patched()
    {
        var store = Seeded(new Random(5));
        await new Aggregator(store, store).FullAsync(Catalog(), CancellationToken.None);
        var series = new SeriesKey("gdp", "d1", "total"); // a member of the region cluster, which changes in the same run
        store.Observations[series][Period.Parse("2030")] = new Observation(Period.Parse("2030"), 77, ObservationStatus.Final, null);
        store.SeriesWritten = 0;

        await new Aggregator(store, store).IncrementalAsync(Catalog(), [new SeriesChange(series, new HashSet<int>(), All: false, new HashSet<Period> { Period.Parse("2030") })],
            [new CatalogChange("cluster", "region")], CancellationToken.None);

        Assert.Equal((1, 0), (store.SeriesWritten, store.SeriesPatchesWritten));
        Assert.Contains(store.SeriesRecords[series], p => p.Observation.Value == 77);
    }

    [Theory]
    [InlineData("2019=1,2020=2,2021=3", "2020=9", "2019=1,2020=9,2021=3")] // replaced
    [InlineData("2019=1,2021=3", "2020=9", "2019=1,2020=9,2021=3")] // added, in period order
    [InlineData("2019=1,2020=2,2021=3", "2020=-", "2019=1,2021=3")] // removed
    [InlineData("2019=1", "2018=-", "2019=1")] // removing a point the series lacks changes nothing
    [InlineData("", "2021-Q1=4,2020=5", "2020=5,2021-Q1=4")] // a series the patch starts
    [InlineData("2020=2", "2020=-", "")] // its last point removed: empty
    public void A_patch_replaces_adds_and_removes_the_points_it_names_and_keeps_period_order(string record, string patch, string expected)
    {
        static (Period Period, double? Value)[] Parse(string text) => [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(e => e.Split('=')).Select(e => (Period.Parse(e[0]), e[1] == "-" ? (double?)null : double.Parse(e[1], System.Globalization.CultureInfo.InvariantCulture)))];
        static SeriesPoint Point(Period period, double value) => new(new Observation(period, value, ObservationStatus.Final, null), new Growth(null, null, null, Growth.NoPrior, ObservationStatus.Final));

        var patched = SeriesPatches.Apply(Parse(record).Select(e => Point(e.Period, e.Value!.Value)),
            Parse(patch).ToDictionary(e => e.Period, e => e.Value is { } v ? Point(e.Period, v) : null));

        Assert.Equal(Parse(expected).Select(e => (e.Period, e.Value)), patched.Select(p => (p.Observation.Period, (double?)p.Observation.Value)));
    }

    [Fact]
    public async Task A_cluster_change_recomputes_its_rollups_and_deletes_periods_that_no_longer_have_one()
    {
        var store = new MemoryStore();
        store.Observations[new SeriesKey("gdp", "d1", "total")] = new() { [Period.Parse("2021")] = new(Period.Parse("2021"), 10, ObservationStatus.Final, null) };
        store.Observations[new SeriesKey("gdp", "d3", "total")] = new()
        {
            [Period.Parse("2021")] = new(Period.Parse("2021"), 5, ObservationStatus.Final, null),
            [Period.Parse("2022")] = new(Period.Parse("2022"), 6, ObservationStatus.Final, null),
        };
        await new Aggregator(store, store).FullAsync(Catalog(withLateMember: true), CancellationToken.None);
        Assert.Contains("region|gdp/2022", store.Rollups.Keys);

        var shrunk = Catalog(withLateMember: false);
        await new Aggregator(store, store).IncrementalAsync(shrunk, [], [new CatalogChange("cluster", "region")], CancellationToken.None);

        Assert.DoesNotContain("region|gdp/2022", store.Rollups.Keys);
        using var rollup2021 = JsonDocument.Parse(store.Rollups["region|gdp/2021"]);
        Assert.Equal(10, rollup2021.RootElement.GetProperty("Value").GetDouble());
    }

    [Fact]
    public async Task Indicators_without_aggregation_get_growth_but_no_rollups()
    {
        var store = new MemoryStore();
        store.Observations[new SeriesKey("rate", "d1", "total")] = new()
        {
            [Period.Parse("2020")] = new(Period.Parse("2020"), 2, ObservationStatus.Final, null),
            [Period.Parse("2021")] = new(Period.Parse("2021"), 3, ObservationStatus.Final, null),
        };

        await new Aggregator(store, store).FullAsync(Catalog(), CancellationToken.None);

        Assert.Equal(2, store.Growth.Count);
        Assert.Empty(store.Rollups);
    }
}
