using System.Text.Json;
using System.Text.Json.Nodes;
using IndicatorFunctions.Formats;

namespace IndicatorFunctions.Tests.Formats;

public sealed class JsonStatDatasetTests
{
    private static readonly JsonStatDimension Metric = new("indicator", "Indicator", [new JsonStatCategory("gdp", "GDP", new JsonStatUnit("CNY", 0))], JsonStatRole.Metric);

    private static JsonStatDimension Periods(params string[] ids) => new("period", "Period", [.. ids.Select(id => new JsonStatCategory(id))], JsonStatRole.Time);

    private static JsonStatDataset Dataset(JsonStatDimension[] dimensions, double?[] values, string?[] status) => new()
    {
        Label = "test", Dimensions = dimensions, Values = values, Status = status,
        Updated = new DateTimeOffset(2026, 12, 1, 2, 0, 0, TimeSpan.Zero), Extension = new JsonObject { ["runId"] = "run-1" },
    };

    private static JsonElement Element(JsonObject json) => JsonSerializer.SerializeToElement(json);

    public static TheoryData<string[], double?[], string?[]> Cubes => new()
    {
        { [], [], [] },
        { ["2019"], [100], ["final"] },
        { ["2019", "2020", "2021"], [100, null, 121.5], ["final", "estimated", null] },
        { ["2019-Q1", "2019-Q2"], [-1e15, 1e-9], ["provisional", "final"] },
    };

    [Theory]
    [MemberData(nameof(Cubes))]
    public void A_dataset_lists_its_dimensions_sizes_values_and_statuses_and_is_valid_per_the_official_schema(string[] periods, double?[] values, string?[] status)
    {
        var json = Dataset([Metric, Periods(periods)], values, status).ToJson();

        JsonStatSchema.AssertValid(Element(json));
        Assert.Equal(("2.0", "dataset"), (json["version"]!.GetValue<string>(), json["class"]!.GetValue<string>()));
        Assert.Equal(["indicator", "period"], json["id"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal([1, periods.Length], json["size"]!.AsArray().Select(n => n!.GetValue<int>()));
        Assert.Equal(periods, json["dimension"]!["period"]!["category"]!["index"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(values, json["value"]!.AsArray().Select(n => n?.GetValue<double>()));
        Assert.Equal(status, json["status"]!.AsArray().Select(n => n?.GetValue<string>()));
        Assert.Equal("\"2026-12-01T02:00:00+00:00\"", json["updated"]!.ToJsonString());
        Assert.Equal("run-1", json["extension"]!["runId"]!.GetValue<string>());
    }

    [Fact]
    public void The_metric_dimension_carries_each_category_s_unit_and_the_roles_name_their_dimensions()
    {
        var json = Dataset([Metric, new JsonStatDimension("district", "District", [new JsonStatCategory("xuhui", "Xuhui")], JsonStatRole.Geo), Periods("2019")], [1], ["final"]).ToJson();

        Assert.Equal("""{"gdp":{"label":"CNY","decimals":0}}""", json["dimension"]!["indicator"]!["category"]!["unit"]!.ToJsonString());
        Assert.Equal("""{"time":["period"],"geo":["district"],"metric":["indicator"]}""", json["role"]!.ToJsonString());
        Assert.Equal("""{"xuhui":"Xuhui"}""", json["dimension"]!["district"]!["category"]!["label"]!.ToJsonString());
        // Categories without labels get no label object: JSON-stat wants at least one entry when it is there.
        Assert.Null(json["dimension"]!["period"]!["category"]!["label"]);
    }

    [Fact]
    public void Values_are_in_row_major_order_the_last_dimension_varying_fastest()
    {
        var districts = new JsonStatDimension("district", "District", [new JsonStatCategory("a"), new JsonStatCategory("b")], JsonStatRole.Geo);

        var json = Dataset([Metric, districts, Periods("2019", "2020")], [1, 2, 3, 4], ["final", "final", "final", "final"]).ToJson();

        JsonStatSchema.AssertValid(Element(json));
        Assert.Equal([1, 2, 2], json["size"]!.AsArray().Select(n => n!.GetValue<int>()));
    }

    public static TheoryData<JsonStatDimension[], int, int> Broken => new()
    {
        { [Metric, Periods("2019", "2020")], 1, 2 },           // fewer values than cells
        { [Metric, Periods("2019")], 1, 2 },                   // more statuses than cells
        { [Metric, Periods("2019", "2019")], 2, 2 },           // a category twice
        { [Metric, Metric with { Id = "indicator" }], 1, 1 },  // a dimension twice
        { [Metric with { Categories = [new JsonStatCategory("gdp")] }], 1, 1 }, // a metric without a unit
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void A_dataset_that_is_not_a_whole_cube_is_refused(JsonStatDimension[] dimensions, int values, int statuses) =>
        Assert.Throws<ArgumentException>(() => Dataset(dimensions, new double?[values], new string?[statuses]).ToJson());

    [Theory]
    [InlineData("""{"yoy":[]}""")]                         // JSON-stat allows no other top-level property
    [InlineData("""{"status":[1]}""")]                     // a status is a string
    [InlineData("""{"updated":"yesterday"}""")]            // updated is an ISO 8601 date-time
    [InlineData("""{"role":{"measure":["indicator"]}}""")] // only time, geo and metric are roles
    public void The_schema_check_rejects_what_JSON_stat_does_not_allow(string change)
    {
        var json = Dataset([Metric, Periods("2019")], [1], ["final"]).ToJson();
        foreach (var (name, value) in JsonNode.Parse(change)!.AsObject())
            json[name] = value?.DeepClone();

        Assert.NotEmpty(JsonStatSchema.Errors(Element(json)));
    }
}
