using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using IndicatorFunctions.Aggregation;
using IndicatorFunctions.Domain;
using IndicatorFunctions.Samples;

namespace IndicatorFunctions.Bench;

/// <summary>
/// The pure aggregation over 1,000,000 observations held in memory, as a full run computes it (no storage):
/// YoY for every point of every series (<see cref="SeriesGrowth"/>), then every cluster × rolled-up indicator ×
/// period (<see cref="ClusterRollups"/>), through the same calls as the runner's <see cref="Aggregator"/>.
/// Data: 100 districts × 25 indicators × (total + 4 sectors) × 20 years of quarters; 10 region clusters of 10
/// districts and one industrial cluster of 400 district × sector members.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
[MemoryDiagnoser]
public class AggregateBenchmark
{
    public const int Seed = 42, Districts = 100, Indicators = 25, Years = 20, Sectors = 4;

    private Dictionary<SeriesKey, Dictionary<Period, Observation>> _series = null!;
    private IReadOnlyList<Cluster> _clusters = null!;
    private List<Indicator> _rolledUp = null!;

    public static long Observations => SyntheticData.Create(Seed, Districts, Indicators, Years, quarterly: true, sectorsPerDistrict: Sectors).Count;

    [GlobalSetup]
    public void Setup()
    {
        var data = SyntheticData.Create(Seed, Districts, Indicators, Years, quarterly: true, sectorsPerDistrict: Sectors);
        _series = data.ToSeries();
        _clusters = data.Clusters;
        _rolledUp = data.Indicators.Where(i => i.Aggregation != AggregationMethod.None).ToList();
    }

    /// <summary>YoY of every point; returns the number of points (and consumes every result).</summary>
    [Benchmark]
    public long Growth()
    {
        long points = 0;
        double sink = 0;
        foreach (var series in _series.Values)
        {
            foreach (var point in SeriesGrowth.Compute(series))
            {
                sink += point.Yoy.Pct ?? 0;
                points++;
            }
        }
        return sink > double.MaxValue ? -1 : points;
    }

    /// <summary>Every rollup, computed as the runner's WriteRollupsAsync computes them (<see cref="ClusterRollups.Over"/>).</summary>
    [Benchmark]
    public long Rollup()
    {
        long rollups = 0;
        foreach (var cluster in _clusters)
        {
            foreach (var indicator in _rolledUp)
            {
                foreach (var _ in ClusterRollups.Over(cluster, indicator, _series).Compute())
                    rollups++;
            }
        }
        return rollups;
    }

    /// <summary>Runs the benchmarks and prints observations per second for each and for both together (a full run's computation).</summary>
    public static int Run(string[] args)
    {
        var summary = BenchmarkRunner.Run<AggregateBenchmark>(args: args);
        var observations = Observations;
        var means = summary.Reports
            .Where(r => r.ResultStatistics is not null)
            .ToDictionary(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name, r => r.ResultStatistics!.Mean / 1e9);
        if (means.Count == 0)
        {
            Console.Error.WriteLine("no benchmark produced a result; see the log above");
            return 1;
        }
        Console.WriteLine();
        Console.WriteLine($"aggregate: {observations:N0} observations in memory ({Districts} districts × {Indicators} indicators × {1 + Sectors} series × {Years * 4} quarters)");
        foreach (var (name, seconds) in means)
            Console.WriteLine($"  {name,-8} mean {seconds * 1000,9:N1} ms  = {observations / seconds,14:N0} observations/s");
        if (means.Count == 2)
        {
            var both = means.Values.Sum();
            Console.WriteLine($"  both     mean {both * 1000,9:N1} ms  = {observations / both,14:N0} observations/s (YoY + rollups, a full run's computation)");
        }
        return 0;
    }
}
