using IndicatorFunctions.Aggregation;
using IndicatorFunctions.Domain;

namespace IndicatorFunctions.Tests.Pipeline;

/// <summary>
/// The run's fast paths (<see cref="ClusterRollups"/>, <see cref="SeriesGrowth"/>) against the straightforward
/// definitions (<see cref="Rollups.Compute"/> period by period; a lookup per point) on seeded random data: every
/// output field equal, doubles to the bit.
/// </summary>
public sealed class FastAggregationEquivalenceTests
{
    public static TheoryData<int> Seeds() => [.. Enumerable.Range(1, 60)];

    private static readonly string?[] Sectors = [null, null, "it", "agri", "total"];

    /// <summary>Mostly ordinary values, with zeros of both signs, overflowing and tiny magnitudes.</summary>
    private static double Value(Random random) => random.Next(20) switch
    {
        0 => 0.0,
        1 => -0.0,
        2 => 1.5e308,
        3 => -1.5e308,
        4 => 1e-300,
        5 => -random.NextDouble() * 50,
        _ => Math.Round(random.NextDouble() * 1000, random.Next(4)),
    };

    private static Period RandomPeriod(Random random, int year) => random.Next(3) switch
    {
        0 => new Period(year, PeriodKind.Year, 0),
        1 => new Period(year, PeriodKind.Quarter, 1 + random.Next(4)),
        _ => new Period(year, PeriodKind.Month, 1 + random.Next(12)),
    };

    /// <summary>Series by (district, series sector): random periods over 2015–2024, some series absent.</summary>
    private static Dictionary<(string District, string Sector), Dictionary<Period, Observation>> RandomSeries(Random random)
    {
        var series = new Dictionary<(string, string), Dictionary<Period, Observation>>();
        foreach (var district in new[] { "a", "b", "c", "d", "e", "f" })
        {
            foreach (var sector in new[] { "total", "it", "agri" })
            {
                if (random.Next(8) == 0)
                    continue;
                var points = new Dictionary<Period, Observation>();
                for (var i = random.Next(40); i > 0; i--)
                {
                    var period = RandomPeriod(random, 2015 + random.Next(10));
                    points[period] = new Observation(period, Value(random), (ObservationStatus)random.Next(3), null);
                }
                series[(district, sector)] = points;
            }
        }
        return series;
    }

    /// <summary>Random members: districts and district × sector pairs, some listed twice with other year ranges.</summary>
    private static Cluster RandomCluster(Random random)
    {
        int? Year() => random.Next(3) == 0 ? null : 2014 + random.Next(12);
        var members = new List<ClusterMember>();
        for (var i = random.Next(12); i > 0; i--)
        {
            var member = new ClusterMember(((char)('a' + random.Next(7))).ToString(), Sectors[random.Next(Sectors.Length)], Year(), Year());
            members.Add(member);
            if (random.Next(4) == 0)
                members.Add(member with { From = Year(), To = Year() });
        }
        double? minCoverage = random.Next(3) == 0 ? null : random.Next(5) * 0.25;
        return new Cluster("c", "C", ClusterKind.Region, members, minCoverage);
    }

    private static void Same(double? expected, double? actual)
    {
        Assert.Equal(expected.HasValue, actual.HasValue);
        if (expected is { } e)
            Assert.Equal(BitConverter.DoubleToInt64Bits(e), BitConverter.DoubleToInt64Bits(actual!.Value));
    }

    private static void Same(RollupPoint expected, RollupPoint actual)
    {
        Assert.Equal(expected.Period, actual.Period);
        Same(expected.Value, actual.Value);
        Assert.Equal(expected.ValueReason, actual.ValueReason);
        Assert.Equal(expected.Status, actual.Status);
        Assert.Equal(expected.Members, actual.Members);
        Assert.Equal(expected.Reporting, actual.Reporting);
        Same(expected.Coverage, actual.Coverage);
        Assert.Equal(expected.Missing, actual.Missing);
        Same(expected.Yoy.Current, actual.Yoy.Current);
        Same(expected.Yoy.Prior, actual.Yoy.Prior);
        Same(expected.Yoy.Change, actual.Yoy.Change);
        Same(expected.Yoy.Pct, actual.Yoy.Pct);
        Assert.Equal(expected.Yoy.ComparableMembers, actual.Yoy.ComparableMembers);
        Assert.Equal(expected.Yoy.Reason, actual.Yoy.Reason);
        Assert.Equal(expected.Yoy.Status, actual.Yoy.Status);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Cluster_rollups_equal_Rollups_Compute_period_by_period(int seed)
    {
        var random = new Random(seed);
        var series = RandomSeries(random);
        var cluster = RandomCluster(random);
        Dictionary<Period, Observation>? SeriesOf(ClusterMember m) => series.GetValueOrDefault((m.District, m.SeriesSector));
        Observation? ValueOf(ClusterMember m, Period p) => SeriesOf(m)?.GetValueOrDefault(p);
        var periods = cluster.Members.SelectMany(m => SeriesOf(m)?.Keys ?? Enumerable.Empty<Period>()).ToHashSet();

        foreach (var aggregation in new[] { AggregationMethod.Sum, AggregationMethod.Mean, AggregationMethod.Min, AggregationMethod.Max })
        {
            var indicator = new Indicator("gdp", "GDP", "CNY", aggregation, 2, null);
            var rollups = new ClusterRollups(cluster, indicator, SeriesOf);
            Assert.Equal(periods.Order(), rollups.Periods);

            // Every period, then a random selection that includes periods no member reports.
            var only = periods.Where(_ => random.Next(2) == 0).Append(RandomPeriod(random, 2030)).ToList();
            foreach (var selection in new[] { null, only })
            {
                var expected = periods.Where(p => selection is null || selection.Contains(p)).Order()
                    .Select(p => Rollups.Compute(cluster, indicator, p, ValueOf)).OfType<RollupPoint>().ToList();
                var actual = rollups.Compute(selection).ToList();
                Assert.Equal(expected.Count, actual.Count);
                for (var i = 0; i < expected.Count; i++)
                    Same(expected[i], actual[i]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Span_aggregate_equals_Rollups_Aggregate_over_a_sequence(int seed)
    {
        var random = new Random(seed);
        double[] specials = [0.0, -0.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1.5e308, -1.5e308];
        var values = Enumerable.Range(0, 1 + random.Next(8))
            .Select(_ => random.Next(3) == 0 ? specials[random.Next(specials.Length)] : Value(random))
            .ToArray();
        foreach (var aggregation in new[] { AggregationMethod.Sum, AggregationMethod.Mean, AggregationMethod.Min, AggregationMethod.Max })
        {
            // A Select, as Rollups.Compute passes its values: LINQ's sequence path, not its array path.
            Same(Rollups.Aggregate(aggregation, values.Select(v => v)), ClusterRollups.Aggregate(aggregation, values));
        }
    }

    [Fact]
    public void Span_aggregate_keeps_the_sign_of_zero_as_the_sequence_does()
    {
        // A sum starts from +0; a mean from its first value.
        Same(0.0, ClusterRollups.Aggregate(AggregationMethod.Sum, [-0.0, -0.0]));
        Same(-0.0, ClusterRollups.Aggregate(AggregationMethod.Mean, [-0.0, -0.0]));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Series_growth_equals_a_lookup_per_point(int seed)
    {
        var random = new Random(seed);
        foreach (var points in RandomSeries(random).Values)
        {
            var only = points.Keys.Where(_ => random.Next(2) == 0).Append(RandomPeriod(random, 2030)).Append(points.Keys.FirstOrDefault()).ToList();
            foreach (var selection in new[] { null, only })
            {
                var expected = (selection ?? (IEnumerable<Period>)points.Keys).Where(points.ContainsKey)
                    .Select(p => new SeriesPoint(points[p], Growth.Compute(points[p], points.GetValueOrDefault(p.Prior))))
                    .ToList();
                Assert.Equal(expected, SeriesGrowth.Compute(points, selection));
                Assert.Equal(expected, SeriesGrowth.Compute(points.AsReadOnly(), selection));
            }
        }
    }
}
