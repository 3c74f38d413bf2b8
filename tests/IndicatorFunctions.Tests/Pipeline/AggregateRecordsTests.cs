using Azure.Data.Tables;
using IndicatorFunctions.Aggregation;
using IndicatorFunctions.Data;
using IndicatorFunctions.Domain;

namespace IndicatorFunctions.Tests.Pipeline;

/// <summary>
/// The wide-record layout without storage: a record split over properties and rows comes back whole, a reader takes
/// per key the newest generation its view includes, and the compact JSON keeps every figure to the bit.
/// </summary>
public sealed class AggregateRecordsTests
{
    // Run ids sort newest first: "g1" is newer than "g2", and so on.
    private static readonly GenerationView View = new("g1", "g4", new HashSet<string> { "g1", "g3" });

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

        var written = AggregateRecords.Rows(Key, "g1", json, empty: false, tombstone: true).ToList();
        var read = AggregateRecords.Resolve("gdp", written, View).Single();

        Assert.Equal(rows, written.Count);
        Assert.Equal(propertiesInLastRow, written[^1].Keys.Count(k => k.StartsWith('D')));
        Assert.All(written, r => Assert.True(r.Where(p => p.Key.StartsWith('D')).All(p => ((string)p.Value).Length <= AggregateRecords.ChunkChars)));
        Assert.All(written, r => Assert.True(AggregateRecords.Size(r) * 2 < 1_000_000, "an entity holds 1 MiB (strings count two bytes a character)"));
        Assert.All(written, r => Assert.Equal(rows, r.GetInt32("Parts")));
        Assert.Equal(Key, read.Key);
        Assert.Equal(json, read.Json);
    }

    [Theory]
    [InlineData(false, false, 0)] // a full run does not write an empty record: its table starts empty
    [InlineData(true, true, 1)]   // an incremental run writes one that hides the committed record
    public void An_empty_record_is_a_row_only_when_it_must_hide_an_older_one(bool empty, bool tombstone, int rows)
    {
        Assert.Equal(rows, AggregateRecords.Rows(Key, "g1", "", empty, tombstone).Count());
    }

    /// <summary>Rows of one key as a range query returns them: in row-key order, so newest generation first.</summary>
    private static IEnumerable<TableEntity> RowsOf(params (string Generation, string Json)[] records) =>
        records.SelectMany(r => AggregateRecords.Rows(Key, r.Generation, r.Json, empty: r.Json.Length == 0, tombstone: true))
            .OrderBy(r => r.RowKey, StringComparer.Ordinal);

    [Theory]
    [InlineData("base", "g4:base")]
    [InlineData("inc3", "g3:inc3|g4:base")]
    [InlineData("inc1", "g1:inc1|g3:inc3|g4:base")]
    [InlineData("inc3", "g2:failed|g3:inc3|g4:base")]          // g2 never committed: not in the view
    [InlineData("inc1", "g0:building|g1:inc1|g4:base")]        // g0 is a run still writing
    [InlineData("", "g1:|g4:base")]                             // g1 emptied the record
    [InlineData("base", "g4:base|g5:older")]                    // g5 is older than the base
    public void A_reader_takes_the_newest_generation_its_view_includes(string expected, string stored)
    {
        var records = stored.Split('|').Select(s => s.Split(':')).Select(p => (p[0], p[1])).ToArray();

        var read = AggregateRecords.Resolve("gdp", RowsOf(records), View).ToList();

        Assert.Equal(expected, Assert.Single(read).Json);
    }

    [Fact]
    public void A_key_range_scan_resolves_every_key_and_skips_keys_the_view_has_none_of()
    {
        var keys = new[] { "a|total", "b|total", "b|total-x", "c|total" }.Select(k => new RecordKey(AggregateKind.Series, "gdp", k)).ToList();
        var rows = new[]
        {
            AggregateRecords.Rows(keys[0], "g4", "A", false, true),
            AggregateRecords.Rows(keys[1], "g3", "B3", false, true), AggregateRecords.Rows(keys[1], "g4", "B4", false, true),
            AggregateRecords.Rows(keys[2], "g2", "failed only", false, true),
            AggregateRecords.Rows(keys[3], "g1", Text(AggregateRecords.ChunkChars * AggregateRecords.ChunksPerRow + 3), false, true),
        }.SelectMany(r => r).OrderBy(r => r.RowKey, StringComparer.Ordinal);

        var read = AggregateRecords.Resolve("gdp", rows, View).ToDictionary(r => r.Key.Key, r => r.Json);

        Assert.Equal(["a|total", "b|total", "c|total"], read.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("A", read["a|total"]);
        Assert.Equal("B3", read["b|total"]);
        Assert.Equal(AggregateRecords.ChunkChars * AggregateRecords.ChunksPerRow + 3, read["c|total"].Length);
    }

    [Fact]
    public void A_record_missing_one_of_its_rows_is_an_error_not_a_shorter_record()
    {
        var rows = AggregateRecords.Rows(Key, "g1", Text(AggregateRecords.ChunkChars * AggregateRecords.ChunksPerRow + 1), false, true).Take(1);

        Assert.Throws<InvalidDataException>(() => AggregateRecords.Resolve("gdp", rows, View).ToList());
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
