using IndicatorFunctions.Catalog;
using IndicatorFunctions.Domain;
using IndicatorFunctions.Reads;

namespace IndicatorFunctions.Tests.Formats;

/// <summary>Read models built by hand, with the awkward cases: absent figures, a source needing quotes, missing members.</summary>
public static class ReadSamples
{
    public static readonly DateTimeOffset At = new(2026, 12, 1, 2, 0, 0, TimeSpan.Zero);

    public static readonly Indicator Gdp = new("gdp", "GDP", "CNY", AggregationMethod.Sum, 0, null);

    public static readonly CatalogSnapshot Snapshot = new(
        [Gdp],
        [new District("xuhui", "Xuhui", "shanghai", ["徐汇区"]), new District("wuhou", "Wuhou", "chengdu", [])],
        [new Cluster("ai", "AI industry", ClusterKind.Industrial, [new ClusterMember("xuhui", "ai", null, null), new ClusterMember("wuhou", "ai", null, null)], 0.6)]);

    public static SeriesRead Series(params SeriesReadPoint[] points) => new()
    {
        District = "xuhui", Indicator = "gdp", Sector = "total", Unit = "CNY",
        RunId = "run-1", AggregatedAt = At, PendingChanges = false, Points = points,
    };

    public static SeriesReadPoint SeriesPoint(string period, double? value, string status = "final", string? source = null, YoyRead? yoy = null) => new()
    {
        Period = period, Value = value, Status = status, Source = source, Yoy = yoy ?? new YoyRead(null, null, null, "no_prior", "final"),
    };

    public static CrossSectionRead CrossSection(params CrossSectionReadRow[] rows) => new()
    {
        Indicator = "gdp", Period = "2021", Sector = "total", Unit = "CNY",
        RunId = "run-1", AggregatedAt = At, PendingChanges = true, Rows = rows,
    };

    public static CrossSectionReadRow Row(string district, double value, int rank, YoyRead yoy) => new()
    {
        District = district, Value = value, Status = "final", Rank = rank, Yoy = yoy,
    };

    public static RollupsRead Rollups(params RollupReadPoint[] points) => new()
    {
        Cluster = "ai", Indicator = "gdp", Unit = "CNY", Aggregation = AggregationMethod.Sum,
        RunId = "run-1", AggregatedAt = At, PendingChanges = false, Points = points,
    };

    public static RollupReadPoint RollupPoint(string period, double? value, string? valueReason, int reporting, double coverage, string[] missing, RollupYoyRead yoy) => new()
    {
        Period = period, Value = value, ValueReason = valueReason, Status = "estimated", Members = 2, Reporting = reporting,
        Coverage = coverage, Missing = missing, Yoy = yoy,
    };

    public static RollupYoyRead RollupYoy(double? current, double? prior, double? change, double? pct, int comparable, string? reason) => new()
    {
        Current = current, Prior = prior, Change = change, Pct = pct, ComparableMembers = comparable, Reason = reason, Status = "provisional",
    };
}
