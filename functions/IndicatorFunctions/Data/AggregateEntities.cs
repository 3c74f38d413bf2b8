using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using IndicatorFunctions.Aggregation;
using IndicatorFunctions.Domain;

namespace IndicatorFunctions.Data;

/// <summary>
/// A point with its YoY, in two tables with the same properties: <c>series</c> (PK <c>indicator|district|sector</c>,
/// RK period; the series endpoint) and <c>crosssection</c> (PK <c>indicator|sector|period</c>, RK district; the
/// cross-section endpoint).
/// </summary>
public sealed class SeriesPointEntity : TableRow
{
    public double Value { get; set; }
    public string? Status { get; set; }
    public string? Source { get; set; }
    public double? Prior { get; set; }
    public double? Change { get; set; }
    public double? Pct { get; set; }
    public string? Reason { get; set; }
    public string? YoyStatus { get; set; }

    public static string SeriesPartition(SeriesKey series) => series.PartitionKey;

    public static string CrossSectionPartition(string indicator, string sector, Period period) => $"{indicator}|{sector}|{period}";

    public static SeriesPointEntity ForSeries(SeriesKey series, SeriesPoint point) => From(SeriesPartition(series), point.Observation.Period.ToString(), point);

    public static SeriesPointEntity ForCrossSection(SeriesKey series, SeriesPoint point) =>
        From(CrossSectionPartition(series.Indicator, series.Sector, point.Observation.Period), series.District, point);

    private static SeriesPointEntity From(string partitionKey, string rowKey, SeriesPoint point) => new()
    {
        PartitionKey = partitionKey,
        RowKey = rowKey,
        Value = point.Observation.Value,
        Status = point.Observation.Status.ToName(),
        Source = point.Observation.Source,
        Prior = point.Yoy.Prior,
        Change = point.Yoy.Change,
        Pct = point.Yoy.Pct,
        Reason = point.Yoy.Reason,
        YoyStatus = point.Yoy.Status.ToName(),
    };
}

/// <summary>A cluster × indicator rollup for one period: <c>rollups</c>, PK <c>cluster|indicator</c>, RK period.</summary>
public sealed class RollupEntity : TableRow
{
    public double? Value { get; set; }
    public string? ValueReason { get; set; }
    public string? Status { get; set; }
    public int Members { get; set; }
    public int Reporting { get; set; }
    public double Coverage { get; set; }

    /// <summary>The member ids without a value, as a JSON array (a table property cannot hold a list).</summary>
    public string Missing { get; set; } = "[]";
    public double? YoyCurrent { get; set; }
    public double? YoyPrior { get; set; }
    public double? YoyChange { get; set; }
    public double? YoyPct { get; set; }
    public int ComparableMembers { get; set; }
    public string? YoyReason { get; set; }
    public string? YoyStatus { get; set; }

    // A method, not a property: the SDK stores every public property.
    public string[] MissingMembers() => JsonSerializer.Deserialize<string[]>(Missing) ?? [];

    public static string Partition(RollupKey rollup) => $"{rollup.Cluster}|{rollup.Indicator}";

    public static RollupEntity From(RollupKey rollup, RollupPoint r) => new()
    {
        PartitionKey = Partition(rollup),
        RowKey = r.Period.ToString(),
        Value = r.Value,
        ValueReason = r.ValueReason,
        Status = r.Status.ToName(),
        Members = r.Members,
        Reporting = r.Reporting,
        Coverage = r.Coverage,
        Missing = JsonSerializer.Serialize(r.Missing),
        YoyCurrent = r.Yoy.Current,
        YoyPrior = r.Yoy.Prior,
        YoyChange = r.Yoy.Change,
        YoyPct = r.Yoy.Pct,
        ComparableMembers = r.Yoy.ComparableMembers,
        YoyReason = r.Yoy.Reason,
        YoyStatus = r.Yoy.Status.ToName(),
    };
}
