using System.Text.Json;
using System.Text.Json.Nodes;
using IndicatorFunctions.Reads;
using static IndicatorFunctions.Tests.Formats.ReadSamples;

namespace IndicatorFunctions.Tests.Formats;

public sealed class ReadJsonStatTests
{
    private static string Text(JsonNode? node) => node?.ToJsonString() ?? "null";

    private static JsonObject Valid(JsonObject json)
    {
        JsonStatSchema.AssertValid(JsonSerializer.SerializeToElement(json));
        return json;
    }

    [Fact]
    public void A_series_is_a_dataset_over_periods_with_yoy_and_sources_aligned_in_the_extension()
    {
        var json = Valid(ReadJsonStat.Series(Series(
            SeriesPoint("2019", 100),
            SeriesPoint("2020", 110, "provisional", "bureau", new YoyRead(100, 10, 10, null, "provisional"))), Gdp, Snapshot));

        Assert.Equal("""["indicator","district","sector","period"]""", Text(json["id"]));
        Assert.Equal("[1,1,1,2]", Text(json["size"]));
        Assert.Equal("""{"time":["period"],"geo":["district"],"metric":["indicator"]}""", Text(json["role"]));
        Assert.Equal("""{"index":["gdp"],"label":{"gdp":"GDP"},"unit":{"gdp":{"label":"CNY","decimals":0}}}""", Text(json["dimension"]!["indicator"]!["category"]));
        Assert.Equal("""{"index":["xuhui"],"label":{"xuhui":"Xuhui"}}""", Text(json["dimension"]!["district"]!["category"]));
        Assert.Equal("""{"index":["total"]}""", Text(json["dimension"]!["sector"]!["category"]));
        Assert.Equal("""["2019","2020"]""", Text(json["dimension"]!["period"]!["category"]!["index"]));
        Assert.Equal("[100,110]", Text(json["value"]));
        Assert.Equal("""["final","provisional"]""", Text(json["status"]));
        Assert.Equal("GDP, Xuhui, total", json["label"]!.GetValue<string>());
        Assert.Equal("""
            {"runId":"run-1","aggregatedAt":"2026-12-01T02:00:00+00:00","pendingChanges":false,"source":[null,"bureau"],"yoy":{"prior":[null,100],"change":[null,10],"pct":[null,10],"reason":["no_prior",null],"status":["final","provisional"]}}
            """, Text(json["extension"]));
        Assert.Equal("\"2026-12-01T02:00:00+00:00\"", json["updated"]!.ToJsonString());
    }

    [Fact]
    public void An_empty_series_is_a_valid_dataset_with_no_periods_and_no_values()
    {
        var json = Valid(ReadJsonStat.Series(Series(), Gdp, Snapshot));

        Assert.Equal(("[1,1,1,0]", "[]", "[]"), (Text(json["size"]), Text(json["value"]), Text(json["status"])));
    }

    [Fact]
    public void A_cross_section_is_a_dataset_over_districts_in_rank_order()
    {
        var json = Valid(ReadJsonStat.CrossSection(CrossSection(
            Row("xuhui", 121, 1, new YoyRead(110, 11, 10, null, "final")),
            Row("wuhou", 60, 2, new YoyRead(40, 20, 50, null, "provisional"))), Gdp, Snapshot));

        Assert.Equal("[1,2,1,1]", Text(json["size"]));
        Assert.Equal("""{"index":["xuhui","wuhou"],"label":{"xuhui":"Xuhui","wuhou":"Wuhou"}}""", Text(json["dimension"]!["district"]!["category"]));
        Assert.Equal("""["2021"]""", Text(json["dimension"]!["period"]!["category"]!["index"]));
        Assert.Equal("[121,60]", Text(json["value"]));
        Assert.Equal("[1,2]", Text(json["extension"]!["rank"]));
        Assert.Equal("[10,50]", Text(json["extension"]!["yoy"]!["pct"]));
        Assert.True(json["extension"]!["pendingChanges"]!.GetValue<bool>());
    }

    [Fact]
    public void Rollups_are_a_dataset_over_periods_with_null_where_the_value_is_withheld_and_coverage_in_the_extension()
    {
        var json = Valid(ReadJsonStat.Rollups(Rollups(
            RollupPoint("2020", 150, null, 2, 1, [], RollupYoy(150, 150, 0, 0, 2, null)),
            RollupPoint("2021", null, "below_min_coverage", 1, 0.5, ["wuhou/ai"], RollupYoy(12, 10, 2, 20, 1, null))), Gdp, Snapshot));

        Assert.Equal("""["indicator","cluster","period"]""", Text(json["id"]));
        Assert.Equal("""{"index":["ai"],"label":{"ai":"AI industry"}}""", Text(json["dimension"]!["cluster"]!["category"]));
        Assert.Equal("[150,null]", Text(json["value"]));
        Assert.Equal("""["estimated","estimated"]""", Text(json["status"]));
        var extension = json["extension"]!;
        Assert.Equal(("\"sum\"", """[null,"below_min_coverage"]""", "[2,2]", "[2,1]", "[1,0.5]", """[[],["wuhou/ai"]]"""),
            (Text(extension["aggregation"]), Text(extension["valueReason"]), Text(extension["members"]), Text(extension["reporting"]), Text(extension["coverage"]), Text(extension["missing"])));
        Assert.Equal("""{"current":[150,12],"prior":[150,10],"change":[0,2],"pct":[0,20],"comparableMembers":[2,1],"reason":[null,null],"status":["provisional","provisional"]}""",
            Text(extension["yoy"]));
    }

    [Fact]
    public void Ids_the_catalog_does_not_know_are_their_own_labels_and_categories_go_unlabelled()
    {
        var json = Valid(ReadJsonStat.Series(Series(SeriesPoint("2019", 1)) with { District = "gone" }, Gdp, Snapshot));

        Assert.Equal("""{"index":["gone"]}""", Text(json["dimension"]!["district"]!["category"]));
        Assert.Equal("GDP, gone, total", json["label"]!.GetValue<string>());
    }
}
