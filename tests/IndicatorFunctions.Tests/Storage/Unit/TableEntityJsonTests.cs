using System.Text;
using System.Text.Json;
using Azure;
using IndicatorFunctions.Storage.Tables;

namespace IndicatorFunctions.Tests.Storage.Unit;

public sealed class TableEntityJsonTests
{
    private static string Json(TableEntity entity) => Encoding.UTF8.GetString(TableEntityJson.Serialize(entity));

    // The JSON written for one property "X" of an entity whose keys are p/r.
    private static string PropertyJson(object? value)
    {
        const string keys = "{\"PartitionKey\":\"p\",\"RowKey\":\"r\"";
        var json = Json(new TableEntity("p", "r") { ["X"] = value });
        Assert.StartsWith(keys, json, StringComparison.Ordinal);
        return json[keys.Length..^1].TrimStart(',');
    }

    public static TheoryData<string, object, string> Properties => new()
    {
        { "string", "plain text", "\"X\":\"plain text\"" },
        { "true", true, "\"X\":true" },
        { "false", false, "\"X\":false" },
        { "Int32 has no annotation", 42, "\"X\":42" },
        { "Int64 as string", 9_007_199_254_740_993L, "\"X\":\"9007199254740993\",\"X@odata.type\":\"Edm.Int64\"" },
        { "Double", 1.5, "\"X\":1.5,\"X@odata.type\":\"Edm.Double\"" },
        { "integral Double keeps its annotation", 2.0, "\"X\":2,\"X@odata.type\":\"Edm.Double\"" },
        { "NaN as string", double.NaN, "\"X\":\"NaN\",\"X@odata.type\":\"Edm.Double\"" },
        { "+Infinity as string", double.PositiveInfinity, "\"X\":\"Infinity\",\"X@odata.type\":\"Edm.Double\"" },
        { "-Infinity as string", double.NegativeInfinity, "\"X\":\"-Infinity\",\"X@odata.type\":\"Edm.Double\"" },
        { "UTC DateTime, 7 digits and Z", new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(1_234_567), "\"X\":\"2024-01-02T03:04:05.1234567Z\",\"X@odata.type\":\"Edm.DateTime\"" },
        { "unspecified DateTime taken as UTC", new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Unspecified), "\"X\":\"2024-01-02T03:04:05.0000000Z\",\"X@odata.type\":\"Edm.DateTime\"" },
        { "DateTimeOffset converted to UTC", new DateTimeOffset(2024, 1, 2, 11, 4, 5, TimeSpan.FromHours(8)), "\"X\":\"2024-01-02T03:04:05.0000000Z\",\"X@odata.type\":\"Edm.DateTime\"" },
        { "1601-01-01 is the first date", new DateTime(1601, 1, 1, 0, 0, 0, DateTimeKind.Utc), "\"X\":\"1601-01-01T00:00:00.0000000Z\",\"X@odata.type\":\"Edm.DateTime\"" },
        { "Guid", new Guid("0f8fad5b-d9cb-469f-a165-70867728950e"), "\"X\":\"0f8fad5b-d9cb-469f-a165-70867728950e\",\"X@odata.type\":\"Edm.Guid\"" },
        { "Binary as base64", new byte[] { 0, 1, 254, 255 }, "\"X\":\"AAH+/w==\",\"X@odata.type\":\"Edm.Binary\"" },
    };

    [Theory]
    [MemberData(nameof(Properties))]
    public void Serialize_writes_each_type_with_its_annotation(string because, object value, string expected) =>
        Assert.True(expected == PropertyJson(value), $"{because}: {PropertyJson(value)}");

    [Theory]
    [InlineData("徐汇 'quoted' \"x\"")]
    [InlineData("line\nbreak\ttab\\slash")]
    [InlineData("emoji 😀")]
    public void Serialize_writes_strings_that_parse_back_unchanged(string value)
    {
        using var json = JsonDocument.Parse(TableEntityJson.Serialize(new TableEntity("p", "r") { ["X"] = value }));

        Assert.Equal(JsonValueKind.String, json.RootElement.GetProperty("X").ValueKind);
        Assert.Equal(value, json.RootElement.GetProperty("X").GetString());
        Assert.False(json.RootElement.TryGetProperty("X@odata.type", out _));
    }

    [Fact]
    public void Serialize_converts_a_local_DateTime_to_UTC()
    {
        var local = new DateTimeOffset(2024, 6, 15, 12, 0, 0, TimeSpan.Zero).LocalDateTime;

        Assert.Equal("\"X\":\"2024-06-15T12:00:00.0000000Z\",\"X@odata.type\":\"Edm.DateTime\"", PropertyJson(local));
    }

    [Fact]
    public void Serialize_skips_nulls_Timestamp_and_odata_keys()
    {
        var entity = new TableEntity("p", "r")
        {
            ["Gone"] = null,
            ["Timestamp"] = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero),
            ["odata.etag"] = "W/\"x\"",
            ["odata.metadata"] = "http://x/$metadata",
            ["Kept"] = 1,
        };
        entity.Timestamp = DateTimeOffset.UtcNow;
        entity.ETag = new ETag("W/\"y\"");

        Assert.Equal("{\"PartitionKey\":\"p\",\"RowKey\":\"r\",\"Kept\":1}", Json(entity));
    }

    public static TheoryData<object, string> UnsupportedValues => new()
    {
        { 1.5m, "Decimal" },
        { 1.5f, "Single" },
        { new object(), "Object" },
        { TimeSpan.FromSeconds(1), "TimeSpan" },
    };

    [Theory]
    [MemberData(nameof(UnsupportedValues))]
    public void Serialize_rejects_an_unsupported_type_naming_the_property(object value, string typeName)
    {
        var ex = Assert.Throws<ArgumentException>(() => TableEntityJson.Serialize(new TableEntity("p", "r") { ["Amount"] = value }));

        Assert.Contains("Property 'Amount'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(typeName, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1600, 12, 31)]
    [InlineData(1, 1, 1)]
    public void Serialize_rejects_dates_before_1601(int year, int month, int day)
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            TableEntityJson.Serialize(new TableEntity("p", "r") { ["Born"] = new DateTime(year, month, day, 0, 0, 0, DateTimeKind.Utc) }));

        Assert.Contains("Property 'Born'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("1601-01-01", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Serialize_rejects_an_offset_date_whose_UTC_instant_is_before_1601()
    {
        var justBefore = new DateTimeOffset(1601, 1, 1, 0, 30, 0, TimeSpan.FromHours(1)); // 1600-12-31T23:30Z

        Assert.Throws<ArgumentException>(() => TableEntityJson.Serialize(new TableEntity("p", "r") { ["At"] = justBefore }));
    }

    [Fact]
    public void Serialize_accepts_252_properties_besides_the_keys()
    {
        var entity = new TableEntity("p", "r");
        for (var i = 0; i < 252; i++) entity[$"P{i}"] = i;

        using var json = JsonDocument.Parse(TableEntityJson.Serialize(entity));

        Assert.Equal(254, json.RootElement.EnumerateObject().Count());
    }

    [Fact]
    public void Serialize_rejects_253_properties()
    {
        var entity = new TableEntity("p", "r");
        for (var i = 0; i < 253; i++) entity[$"P{i}"] = i;

        var ex = Assert.Throws<ArgumentException>(() => TableEntityJson.Serialize(entity));

        Assert.Contains("253 properties", ex.Message, StringComparison.Ordinal);
        Assert.Contains("252", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Serialize_rejects_a_string_over_32K_characters_naming_the_property()
    {
        Assert.Null(Record.Exception(() => TableEntityJson.Serialize(new TableEntity("p", "r") { ["Body"] = new string('x', 32 * 1024) })));

        var ex = Assert.Throws<ArgumentException>(() => TableEntityJson.Serialize(new TableEntity("p", "r") { ["Body"] = new string('x', 32 * 1024 + 1) }));

        Assert.Contains("Property 'Body'", ex.Message, StringComparison.Ordinal);
    }

    // ---- Read -----------------------------------------------------------------------------------------------------

    private static TableEntity Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        return TableEntityJson.Read(document.RootElement);
    }

    [Fact]
    public void Read_turns_a_minimal_metadata_entity_into_typed_values()
    {
        var entity = Read("""
            {
              "odata.metadata": "http://127.0.0.1:10002/devstoreaccount1/$metadata#mytable/@Element",
              "odata.etag": "W/\"datetime'2024-01-02T03%3A04%3A05.1234567Z'\"",
              "PartitionKey": "xuhui",
              "RowKey": "gdp|2021",
              "Timestamp": "2024-01-02T03:04:05.1234567Z",
              "Name": "徐汇 'quoted'",
              "Small": 42,
              "Negative": -7,
              "Big": "9007199254740993", "Big@odata.type": "Edm.Int64",
              "Value": 1.9E+11, "Value@odata.type": "Edm.Double",
              "Whole": 2, "Whole@odata.type": "Edm.Double",
              "NotANumber": "NaN", "NotANumber@odata.type": "Edm.Double",
              "Infinite": "-Infinity", "Infinite@odata.type": "Edm.Double",
              "Final": true,
              "Draft": false,
              "At": "2021-09-30T12:34:56.7891234Z", "At@odata.type": "Edm.DateTime",
              "Id": "0f8fad5b-d9cb-469f-a165-70867728950e", "Id@odata.type": "Edm.Guid",
              "Raw": "AAH+/w==", "Raw@odata.type": "Edm.Binary",
              "Nothing": null
            }
            """);

        Assert.Equal("xuhui", entity.PartitionKey);
        Assert.Equal("gdp|2021", entity.RowKey);
        Assert.Equal(new ETag("W/\"datetime'2024-01-02T03%3A04%3A05.1234567Z'\""), entity.ETag);
        Assert.Equal(new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(1_234_567), entity.Timestamp);
        Assert.Equal("徐汇 'quoted'", entity["Name"]);
        Assert.Equal(42, Assert.IsType<int>(entity["Small"]));
        Assert.Equal(-7, Assert.IsType<int>(entity["Negative"]));
        Assert.Equal(9_007_199_254_740_993L, Assert.IsType<long>(entity["Big"]));
        Assert.Equal(1.9e11, Assert.IsType<double>(entity["Value"]));
        Assert.Equal(2.0, Assert.IsType<double>(entity["Whole"]));
        Assert.True(double.IsNaN(Assert.IsType<double>(entity["NotANumber"])));
        Assert.Equal(double.NegativeInfinity, Assert.IsType<double>(entity["Infinite"]));
        Assert.Equal(true, entity["Final"]);
        Assert.Equal(false, entity["Draft"]);
        Assert.Equal(new DateTimeOffset(2021, 9, 30, 12, 34, 56, TimeSpan.Zero).AddTicks(7_891_234), Assert.IsType<DateTimeOffset>(entity["At"]));
        Assert.Equal(TimeSpan.Zero, ((DateTimeOffset)entity["At"]!).Offset);
        Assert.Equal(new Guid("0f8fad5b-d9cb-469f-a165-70867728950e"), Assert.IsType<Guid>(entity["Id"]));
        Assert.Equal(new byte[] { 0, 1, 254, 255 }, Assert.IsType<byte[]>(entity["Raw"]));
        Assert.True(entity.ContainsKey("Nothing"));
        Assert.Null(entity["Nothing"]);
    }

    [Fact]
    public void Read_keeps_no_metadata_or_annotations_as_properties()
    {
        var entity = Read("""{"odata.metadata":"m","odata.etag":"W/\"1\"","PartitionKey":"p","RowKey":"r","Timestamp":"2024-01-02T03:04:05Z","Big":"5","Big@odata.type":"Edm.Int64"}""");

        Assert.Equal(["Big", "PartitionKey", "RowKey"], entity.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("2147483647", typeof(int))]
    [InlineData("2147483648", typeof(double))]
    [InlineData("1.0", typeof(double))]
    [InlineData("1.5", typeof(double))]
    [InlineData("-0.25", typeof(double))]
    public void Read_unannotated_number_is_int_when_integral_else_double(string number, Type expected)
    {
        var entity = Read($$"""{"PartitionKey":"p","RowKey":"r","N":{{number}}}""");

        Assert.IsType(expected, entity["N"]);
    }

    [Fact]
    public void Read_unannotated_string_that_looks_like_a_number_stays_a_string()
    {
        var entity = Read("""{"PartitionKey":"p","RowKey":"r","S":"42","D":"2024-01-02T03:04:05Z"}""");

        Assert.Equal("42", Assert.IsType<string>(entity["S"]));
        Assert.Equal("2024-01-02T03:04:05Z", Assert.IsType<string>(entity["D"]));
    }

    [Fact]
    public void Read_without_etag_or_timestamp_leaves_them_unset()
    {
        var entity = Read("""{"PartitionKey":"p","RowKey":"r"}""");

        Assert.Equal(default, entity.ETag);
        Assert.Null(entity.Timestamp);
    }

    [Fact]
    public void Serialize_then_Read_round_trips_every_type()
    {
        var when = new DateTimeOffset(2021, 9, 30, 12, 34, 56, TimeSpan.Zero).AddTicks(7_891_234);
        var original = new TableEntity("p", "r")
        {
            ["S"] = "text", ["B"] = true, ["I"] = 7, ["L"] = long.MinValue, ["D"] = 0.1, ["W"] = 3.0, ["N"] = double.NaN,
            ["T"] = when, ["G"] = Guid.Empty, ["X"] = new byte[] { 9, 8, 7 },
        };

        var read = Read(Json(original));

        Assert.Equal("text", read["S"]);
        Assert.Equal(true, read["B"]);
        Assert.Equal(7, read["I"]);
        Assert.Equal(long.MinValue, read["L"]);
        Assert.Equal(0.1, read["D"]);
        Assert.Equal(3.0, Assert.IsType<double>(read["W"]));
        Assert.True(double.IsNaN((double)read["N"]!));
        Assert.Equal(when, read["T"]);
        Assert.Equal(Guid.Empty, read["G"]);
        Assert.Equal(new byte[] { 9, 8, 7 }, read["X"]);
    }

    [Fact]
    public void Serialize_counts_only_properties_it_sends_toward_the_252_limit()
    {
        var entity = new TableEntity("p", "r") { ["Empty"] = null, ["odata.etag"] = "W/\"x\"" };
        for (var i = 0; i < 252; i++) entity[$"P{i}"] = i;

        using var json = System.Text.Json.JsonDocument.Parse(TableEntityJson.Serialize(entity));

        Assert.Equal(254, json.RootElement.EnumerateObject().Count());
    }
}
