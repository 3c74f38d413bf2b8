using System.Text.Json;
using IndicatorFunctions.Catalog;
using IndicatorFunctions.Domain;
using IndicatorFunctions.Ingestion;

namespace IndicatorFunctions.Samples;

/// <summary>
/// A deterministic synthetic data set for benchmarks and load tests: a catalog (indicators <c>ind-000</c>…, districts
/// <c>d-000</c>…, one region cluster per 10 districts whose last member joins mid-range, and one industrial cluster
/// over every district × sector when there are sectors) and its observations — one series per indicator × district
/// × (total + each sector), growing 2–10% a year with noise, a few provisional or estimated, source "synthetic".
/// The same arguments give the same data: every enumeration starts its own <c>new Random(seed)</c>.
/// </summary>
public sealed class SyntheticData
{
    private static readonly AggregationMethod[] Methods = [AggregationMethod.Sum, AggregationMethod.Mean, AggregationMethod.Min, AggregationMethod.Max];

    private readonly int _seed;

    private SyntheticData(int seed, List<Indicator> indicators, List<District> districts, List<Cluster> clusters, List<string> sectors, List<Period> periods)
    {
        (_seed, Indicators, Districts, Clusters, Sectors, Periods) = (seed, indicators, districts, clusters, sectors, periods);
    }

    public IReadOnlyList<Indicator> Indicators { get; }
    public IReadOnlyList<District> Districts { get; }
    public IReadOnlyList<Cluster> Clusters { get; }
    /// <summary>The sectors every district reports besides its total (<c>s-00</c>…).</summary>
    public IReadOnlyList<string> Sectors { get; }
    /// <summary>Every period of every series, oldest first: years, or quarters when quarterly.</summary>
    public IReadOnlyList<Period> Periods { get; }

    /// <summary>Observations in all: indicators × districts × (1 + sectors) × periods.</summary>
    public long Count => (long)Indicators.Count * Districts.Count * (1 + Sectors.Count) * Periods.Count;

    public static SyntheticData Create(int seed, int districts, int indicators, int years, int firstYear = 2000, bool quarterly = false, int sectorsPerDistrict = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(districts, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(indicators, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(years, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(sectorsPerDistrict);
        var inds = Enumerable.Range(0, indicators)
            .Select(i => new Indicator($"ind-{i:D3}", $"Indicator {i:D3}", "CNY", Methods[i % Methods.Length], 2, "Synthetic indicator."))
            .ToList();
        var dists = Enumerable.Range(0, districts)
            .Select(d => new District($"d-{d:D3}", $"District {d:D3}", $"r-{d / 10:D2}", []))
            .ToList();
        var sectors = Enumerable.Range(0, sectorsPerDistrict).Select(s => $"s-{s:D2}").ToList();
        var periods = Enumerable.Range(firstYear, years)
            .SelectMany(y => quarterly ? Enumerable.Range(1, 4).Select(q => new Period(y, PeriodKind.Quarter, q)) : [new Period(y, PeriodKind.Year, 0)])
            .ToList();

        // One region cluster per 10 districts; its last member joins halfway through the years (a membership change).
        var clusters = dists.Chunk(10).Select((group, k) => new Cluster($"r-{k:D2}", $"Region {k:D2}", ClusterKind.Region,
                group.Select((d, i) => new ClusterMember(d.Id, null, i > 0 && i == group.Length - 1 ? firstYear + years / 2 : null, null)).ToList(), null))
            .ToList();
        if (sectors.Count > 0)
            clusters.Add(new Cluster("c-industrial", "Industrial cluster", ClusterKind.Industrial,
                dists.SelectMany(d => sectors.Select(s => new ClusterMember(d.Id, s, null, null))).ToList(), 0.5));
        return new SyntheticData(seed, inds, dists, clusters, sectors, periods);
    }

    public CatalogSnapshot ToSnapshot() => new(Indicators, Districts, Clusters);

    /// <summary>Every observation, series by series (indicator, district, total then sectors), rows numbered from 1.</summary>
    public IEnumerable<ObservationInput> Observations()
    {
        var random = new Random(_seed);
        var row = 0;
        foreach (var indicator in Indicators)
        {
            foreach (var district in Districts)
            {
                foreach (var sector in new string?[] { null }.Concat(Sectors))
                {
                    // Level and path of one series: a base of 1e8–1e10 CNY a year, then 2–10% growth a year, ±1% noise.
                    var level = 1e8 * Math.Pow(100, random.NextDouble()) / (sector is null ? 1 : 2 + Sectors.Count);
                    var year = Periods[0].Year;
                    foreach (var period in Periods)
                    {
                        if (period.Year != year)
                            (year, level) = (period.Year, level * (1.02 + 0.08 * random.NextDouble()));
                        var share = period.Kind == PeriodKind.Quarter ? (0.20 + 0.02 * period.Index) : 1.0;
                        var value = Math.Round(level * share * (0.99 + 0.02 * random.NextDouble()), 2);
                        var roll = random.NextDouble();
                        var status = roll < 0.03 ? "provisional" : roll < 0.04 ? "estimated" : "final";
                        yield return new ObservationInput(++row, district.Id, indicator.Id, period.ToString(), value, sector, "CNY", null, status, "synthetic");
                    }
                }
            }
        }
    }

    /// <summary>The observations as the aggregation sees them: series key → period → current value.</summary>
    public Dictionary<SeriesKey, Dictionary<Period, Observation>> ToSeries()
    {
        var series = new Dictionary<SeriesKey, Dictionary<Period, Observation>>();
        foreach (var o in Observations())
        {
            var key = new SeriesKey(o.Indicator!, o.District!, o.Sector ?? Slug.TotalSector);
            if (!series.TryGetValue(key, out var points))
                series[key] = points = new Dictionary<Period, Observation>(Periods.Count);
            StatusNames.TryParse(o.Status, out var status);
            var period = Period.Parse(o.Period!);
            points[period] = new Observation(period, o.Value!.Value, status, o.Source);
        }
        return series;
    }

    /// <summary>A <c>POST /api/observations</c> body: <c>{"observations":[...]}</c>.</summary>
    public static byte[] ToJsonBody(IEnumerable<ObservationInput> rows)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("observations");
            foreach (var o in rows)
            {
                json.WriteStartObject();
                json.WriteString("district", o.District);
                json.WriteString("indicator", o.Indicator);
                if (o.Sector is not null)
                    json.WriteString("sector", o.Sector);
                json.WriteString("period", o.Period);
                json.WriteNumber("value", o.Value!.Value);
                json.WriteString("unit", o.Unit);
                json.WriteString("status", o.Status);
                json.WriteString("source", o.Source);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
