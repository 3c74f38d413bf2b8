using System.Text.Json.Nodes;
using IndicatorFunctions.Catalog;
using IndicatorFunctions.Domain;
using IndicatorFunctions.Formats;
using static IndicatorFunctions.Formats.JsonStatDataset;

namespace IndicatorFunctions.Reads;

/// <summary>
/// The reads as JSON-stat 2.0 datasets. Dimensions, in <c>id</c> order: <c>indicator</c> (role metric; its
/// category carries the unit and decimals), <c>district</c> (role geo) or <c>cluster</c>, <c>sector</c> (not for
/// rollups) and <c>period</c> (role time). Only one dimension has more than one category — period for series and
/// rollups, district (largest first) for a cross-section — so <c>value</c> and <c>status</c> are in that
/// dimension's order, and so is every array in <c>extension</c>: the JSON's other per-point fields (<c>yoy</c>
/// as an object of arrays, <c>source</c>, <c>rank</c>, a rollup's coverage fields) beside <c>runId</c>,
/// <c>aggregatedAt</c> and <c>pendingChanges</c>. JSON-stat allows no other top-level property, hence
/// <c>extension</c>. Labels come from the catalog; <c>updated</c> is the aggregation time.
/// </summary>
public static class ReadJsonStat
{
    private const string StatusNote = "status: final, provisional or estimated; a derived figure carries the weakest status of its inputs";

    private const string ExtensionNote = "extension: arrays aligned with value (one entry per period or district, in the same order)";

    public static JsonObject Series(SeriesRead read, Indicator indicator, CatalogSnapshot catalog) => new JsonStatDataset
    {
        Label = $"{indicator.Name}, {DistrictName(read.District, catalog)}, {read.Sector}",
        Dimensions =
        [
            IndicatorDimension(indicator),
            DistrictDimension([read.District], catalog),
            SectorDimension(read.Sector),
            PeriodDimension(read.Points.Select(p => p.Period)),
        ],
        Values = [.. read.Points.Select(p => p.Value)],
        Status = [.. read.Points.Select(p => p.Status)],
        Updated = read.AggregatedAt,
        Notes = [StatusNote, ExtensionNote],
        Extension = Extension(read,
            ("source", Strings(read.Points.Select(p => p.Source))),
            ("yoy", Yoy(read.Points.Select(p => p.Yoy).ToList()))),
    }.ToJson();

    public static JsonObject CrossSection(CrossSectionRead read, Indicator indicator, CatalogSnapshot catalog) => new JsonStatDataset
    {
        Label = $"{indicator.Name}, {read.Period}, {read.Sector}",
        Dimensions =
        [
            IndicatorDimension(indicator),
            DistrictDimension(read.Rows.Select(r => r.District), catalog),
            SectorDimension(read.Sector),
            PeriodDimension([read.Period]),
        ],
        Values = [.. read.Rows.Select(r => r.Value)],
        Status = [.. read.Rows.Select(r => r.Status)],
        Updated = read.AggregatedAt,
        Notes = [StatusNote, ExtensionNote],
        Extension = Extension(read,
            ("rank", Numbers(read.Rows.Select(r => r.Rank))),
            ("yoy", Yoy(read.Rows.Select(r => r.Yoy).ToList()))),
    }.ToJson();

    public static JsonObject Rollups(RollupsRead read, Indicator indicator, CatalogSnapshot catalog) => new JsonStatDataset
    {
        Label = $"{indicator.Name}, {catalog.Clusters.GetValueOrDefault(read.Cluster)?.Name ?? read.Cluster}",
        Dimensions =
        [
            IndicatorDimension(indicator),
            new JsonStatDimension("cluster", "Cluster", [new JsonStatCategory(read.Cluster, catalog.Clusters.GetValueOrDefault(read.Cluster)?.Name)]),
            PeriodDimension(read.Points.Select(p => p.Period)),
        ],
        Values = [.. read.Points.Select(p => p.Value)],
        Status = [.. read.Points.Select(p => p.Status)],
        Updated = read.AggregatedAt,
        Notes = [StatusNote, ExtensionNote],
        Extension = Extension(read,
            ("aggregation", ReadCsv.AggregationName(read.Aggregation)),
            ("valueReason", Strings(read.Points.Select(p => p.ValueReason))),
            ("members", Numbers(read.Points.Select(p => p.Members))),
            ("reporting", Numbers(read.Points.Select(p => p.Reporting))),
            ("coverage", Numbers(read.Points.Select(p => p.Coverage))),
            ("missing", new JsonArray([.. read.Points.Select(p => (JsonNode?)Strings(p.Missing))])),
            ("yoy", new JsonObject
            {
                ["current"] = Numbers(read.Points.Select(p => p.Yoy.Current)),
                ["prior"] = Numbers(read.Points.Select(p => p.Yoy.Prior)),
                ["change"] = Numbers(read.Points.Select(p => p.Yoy.Change)),
                ["pct"] = Numbers(read.Points.Select(p => p.Yoy.Pct)),
                ["comparableMembers"] = Numbers(read.Points.Select(p => p.Yoy.ComparableMembers)),
                ["reason"] = Strings(read.Points.Select(p => p.Yoy.Reason)),
                ["status"] = Strings(read.Points.Select(p => p.Yoy.Status)),
            })),
    }.ToJson();

    private static JsonStatDimension IndicatorDimension(Indicator indicator) =>
        new("indicator", "Indicator", [new JsonStatCategory(indicator.Id, indicator.Name, new JsonStatUnit(indicator.Unit, indicator.Decimals))], JsonStatRole.Metric);

    private static JsonStatDimension DistrictDimension(IEnumerable<string> districts, CatalogSnapshot catalog) =>
        new("district", "District", [.. districts.Select(d => new JsonStatCategory(d, catalog.Districts.GetValueOrDefault(d)?.Name))], JsonStatRole.Geo);

    private static JsonStatDimension SectorDimension(string sector) => new("sector", "Sector", [new JsonStatCategory(sector)]);

    private static JsonStatDimension PeriodDimension(IEnumerable<string> periods) =>
        new("period", "Period", [.. periods.Select(p => new JsonStatCategory(p))], JsonStatRole.Time);

    private static string DistrictName(string district, CatalogSnapshot catalog) => catalog.Districts.GetValueOrDefault(district)?.Name ?? district;

    private static JsonObject Yoy(IReadOnlyList<YoyRead> yoy) => new()
    {
        ["prior"] = Numbers(yoy.Select(y => y.Prior)),
        ["change"] = Numbers(yoy.Select(y => y.Change)),
        ["pct"] = Numbers(yoy.Select(y => y.Pct)),
        ["reason"] = Strings(yoy.Select(y => y.Reason)),
        ["status"] = Strings(yoy.Select(y => y.Status)),
    };

    /// <summary>The run the figures come from, then the per-point figures JSON-stat has no place for.</summary>
    private static JsonObject Extension(IFreshRead read, params (string Name, JsonNode? Figures)[] figures) => new(
    [
        new("runId", read.RunId),
        new("aggregatedAt", read.AggregatedAt),
        new("pendingChanges", read.PendingChanges),
        .. figures.Select(f => KeyValuePair.Create(f.Name, f.Figures)),
    ]);
}
