using System.Text.Json;
using IndicatorFunctions.Formats;
using static IndicatorFunctions.Formats.CsvTable;

namespace IndicatorFunctions.Reads;

/// <summary>
/// The reads as CSV: one row per point with the JSON's fields in the JSON's order, names in snake_case. The
/// response-level fields (ids, unit, aggregation) lead every row, <c>yoy</c> is flattened into <c>yoy_…</c>
/// columns, a rollup's missing members are joined with <c>;</c>, and the run the figures come from ends every row
/// (<c>run_id</c>, <c>aggregated_at</c>, <c>pending_changes</c>), so a row read on its own still says how fresh it is.
/// An absent figure is an empty field.
/// </summary>
public static class ReadCsv
{
    public static readonly string[] YoyColumns = ["yoy_prior", "yoy_change", "yoy_pct", "yoy_reason", "yoy_status"];

    public static readonly string[] FreshnessColumns = ["run_id", "aggregated_at", "pending_changes"];

    public static readonly string[] SeriesColumns =
        ["district", "indicator", "sector", "unit", "period", "value", "status", "source", .. YoyColumns, .. FreshnessColumns];

    public static readonly string[] CrossSectionColumns =
        ["indicator", "period", "sector", "unit", "district", "value", "status", "rank", .. YoyColumns, .. FreshnessColumns];

    public static readonly string[] RollupColumns =
    [
        "cluster", "indicator", "unit", "aggregation", "period", "value", "value_reason", "status", "members", "reporting", "coverage", "missing",
        "yoy_current", "yoy_prior", "yoy_change", "yoy_pct", "yoy_comparable_members", "yoy_reason", "yoy_status", .. FreshnessColumns,
    ];

    public static byte[] Series(SeriesRead read) => Write(SeriesColumns, read.Points.Select(p => (IReadOnlyList<string?>)
    [
        read.District, read.Indicator, read.Sector, read.Unit, p.Period, Number(p.Value), p.Status, p.Source,
        .. Yoy(p.Yoy), .. Freshness(read),
    ]));

    public static byte[] CrossSection(CrossSectionRead read) => Write(CrossSectionColumns, read.Rows.Select(r => (IReadOnlyList<string?>)
    [
        read.Indicator, read.Period, read.Sector, read.Unit, r.District, Number(r.Value), r.Status, Number(r.Rank),
        .. Yoy(r.Yoy), .. Freshness(read),
    ]));

    public static byte[] Rollups(RollupsRead read) => Write(RollupColumns, read.Points.Select(p => (IReadOnlyList<string?>)
    [
        read.Cluster, read.Indicator, read.Unit, AggregationName(read.Aggregation), p.Period, Number(p.Value), p.ValueReason, p.Status,
        Number(p.Members), Number(p.Reporting), Number(p.Coverage), List(p.Missing),
        Number(p.Yoy.Current), Number(p.Yoy.Prior), Number(p.Yoy.Change), Number(p.Yoy.Pct), Number(p.Yoy.ComparableMembers), p.Yoy.Reason, p.Yoy.Status,
        .. Freshness(read),
    ]));

    /// <summary>The aggregation as JSON names it (enums by camelCase name).</summary>
    public static string AggregationName(Domain.AggregationMethod method) => JsonNamingPolicy.CamelCase.ConvertName(method.ToString());

    private static string?[] Yoy(YoyRead yoy) => [Number(yoy.Prior), Number(yoy.Change), Number(yoy.Pct), yoy.Reason, yoy.Status];

    private static string?[] Freshness(IFreshRead read) => [read.RunId, Time(read.AggregatedAt), Bool(read.PendingChanges)];
}
