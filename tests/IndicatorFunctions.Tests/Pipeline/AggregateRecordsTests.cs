using Azure.Data.Tables;
using IndicatorFunctions.Aggregation;
using IndicatorFunctions.Data;
using IndicatorFunctions.Domain;

namespace IndicatorFunctions.Tests.Pipeline;

/// <summary>
/// The wide-record layout without storage: a record split over properties and rows comes back whole, an empty one is
/// a row only where it must hide an older record, and the compact JSON keeps every figure to the bit. (Which
/// generation a reader takes a record from is checked against Azurite in GenerationTests.)
/// </summary>
public sealed class AggregateRecordsTests
{
    private static readonly RecordKey Key = RecordKey.Of(new SeriesKey("gdp", "xuhui", "total"));

    private static string Text(int length) => string.Concat(Enumerable.Range(0, length).Select(i => (char)('a' + i % 26)));

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(AggregateRecords.ChunkChars, 1, 1)]
    [InlineData(AggregateRecords.ChunkChars + 1, 1, 2)]
    [InlineData(AggregateRecords.ChunkChars * AggregateRecords.ChunksPerRow, 1, AggregateRecords.ChunksPerRow)]
    [InlineData(AggregateRecords.ChunkChars * AggregateRecords.ChunksPerRow + 1, 2, 1)]
    [InlineData(AggregateRecords.ChunkChars * AggregateRecords.ChunksPerRow * 2 + 5, 3, 1)]
    public void A_record_is_split_over_properties_and_rows_within_the_entity_limits_and_read_back_whole(int length, int rows, int propertiesInLastRow)
    {
        var json = Text(length);

        var written = AggregateRecords.Rows(Key, json, tombstone: true).ToList();

        Assert.Equal(rows, written.Count);
        Assert.Equal(Enumerable.Range(0, rows).Select(part => $"s|xuhui|total|{part:D2}"), written.Select(r => r.RowKey));
        Assert.All(written, r => Assert.Equal("gdp", r.PartitionKey));
        Assert.Equal(propertiesInLastRow, written[^1].Keys.Count(k => k.StartsWith('D')));
        Assert.All(written, r => Assert.True(r.Where(p => p.Key.StartsWith('D')).All(p => ((string)p.Value).Length <= AggregateRecords.ChunkChars)));
        Assert.All(written, r => Assert.True(AggregateRecords.Size(r) * 2 < 1_000_000, "an entity holds 1 MiB (strings count two bytes a character)"));
        Assert.All(written, r => Assert.Equal(rows, r.GetInt32("Parts")));
        Assert.Equal(json, AggregateRecords.Join(written));
    }

    [Theory]
    [InlineData(false, 0)] // a full run does not write an empty record: its table starts empty
    [InlineData(true, 1)]  // an incremental run writes one that hides the committed record
    public void An_empty_record_is_a_row_only_when_it_must_hide_an_older_one(bool tombstone, int rows)
    {
        var written = AggregateRecords.Rows(Key, "", tombstone).ToList();

        Assert.Equal(rows, written.Count);
        Assert.Equal("", AggregateRecords.Join(written));
    }

    [Fact]
    public void A_record_missing_one_of_its_rows_is_an_error_not_a_shorter_record()
    {
        var rows = AggregateRecords.Rows(Key, Text(AggregateRecords.ChunkChars * AggregateRecords.ChunksPerRow + 1), true).Take(1).ToList();

        Assert.Throws<InvalidDataException>(() => AggregateRecords.Join(rows));
    }

    [Theory]
    [InlineData("s|xuhui|total")]
    [InlineData("x|total|2021-Q3")]
    [InlineData("r|core")]
    public void An_index_names_records_by_their_row_key_prefix(string name)
    {
        var keys = new[] { RecordKey.Of(new SeriesKey("gdp", "xuhui", "total")), RecordKey.Of(new CrossSectionKey("gdp", "total", Period.Parse("2021-Q3"))), RecordKey.Of(new RollupKey("core", "gdp")) };

        var index = AggregateRecords.NamesFrom(AggregateRecords.Serialize(keys.Select(k => k.Name).ToList()));

        Assert.Contains(name, index);
        Assert.Equal(3, index.Count);
    }

    public static TheoryData<double, double?, string?> Figures => new()
    {
        { 0.0, null, null },
        { -0.0, -0.0, "zero_base" },
        { 1e-300, 1e300, null },
        { double.MaxValue, double.Epsilon, "not_finite" },
        { 81199.99999999999, -12.5, "negative_base" },
        { -3.14159, 0.1 + 0.2, null },
    };

    [Theory]
    [MemberData(nameof(Figures))]
    public void Series_cross_section_and_rollup_records_keep_every_figure_to_the_bit(double value, double? other, string? reason)
    {
        var period = Period.Parse("2021-Q3");
        var point = new SeriesPoint(new Observation(period, value, ObservationStatus.Estimated, "统计局 \"bureau\""),
            new Growth(other, other, other, reason, ObservationStatus.Provisional));
        var rollup = new RollupPoint(period, other, reason, ObservationStatus.Provisional, 3, 2, 2.0 / 3, ["a", "b/ai"],
            new RollupGrowth(value, other, other, other, 2, reason, ObservationStatus.Estimated));

        var series = AggregateRecords.SeriesFrom(AggregateRecords.Serialize([point]));
        var section = AggregateRecords.CrossSectionFrom(period, AggregateRecords.Serialize([new CrossSectionRow("xuhui", point)]));
        var rollups = AggregateRecords.RollupsFrom(AggregateRecords.Serialize([rollup]));

        Same(point, Assert.Single(series));
        Same(point, Assert.Single(section).Point);
        Assert.Equal("xuhui", section[0].District);
        var back = Assert.Single(rollups);
        Assert.Equal(rollup with { Missing = [], Yoy = null! }, back with { Missing = [], Yoy = null! });
        Assert.Equal(rollup.Missing, back.Missing);
        Assert.Equal(rollup.Yoy, back.Yoy);
        Assert.Equal(BitConverter.DoubleToInt64Bits(value), BitConverter.DoubleToInt64Bits(back.Yoy.Current!.Value));
    }

    [Fact]
    public void Defaults_are_left_out_of_the_stored_json()
    {
        var period = Period.Parse("2021");
        var json = AggregateRecords.Serialize([new SeriesPoint(new Observation(period, 5, ObservationStatus.Final, null), new Growth(null, null, null, Growth.NoPrior, ObservationStatus.Final))]);

        Assert.Equal("""[{"k":"2021","v":5,"r":"no_prior"}]""", json);
    }

    private static void Same(SeriesPoint expected, SeriesPoint actual)
    {
        Assert.Equal(expected, actual);
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected.Observation.Value), BitConverter.DoubleToInt64Bits(actual.Observation.Value));
        if (expected.Yoy.Prior is { } prior)
            Assert.Equal(BitConverter.DoubleToInt64Bits(prior), BitConverter.DoubleToInt64Bits(actual.Yoy.Prior!.Value));
    }
}
