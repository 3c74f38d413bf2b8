using System.Text;
using Azure.Data.Tables;
using IndicatorFunctions.Aggregation;
using IndicatorFunctions.Data;
using IndicatorFunctions.Domain;

namespace IndicatorFunctions.Tests.Pipeline;

/// <summary>
/// The wide-record layout without storage: a record compressed and split over properties and rows comes back whole
/// (and one stored as text by earlier builds reads as it was), a damaged one is an error, an empty one is a row only
/// where it must hide an older record, and the compact JSON keeps every figure to the bit. (Which
/// generation a reader takes a record from is checked against Azurite in GenerationTests.)
/// </summary>
public sealed class AggregateRecordsTests
{
    private static readonly RecordKey Key = RecordKey.Of(new SeriesKey("gdp", "xuhui", "total"));

    /// <summary>Text Brotli cannot shrink much: seeded random CJK characters (three UTF-8 bytes each, about 14 bits of information).</summary>
    private static string Incompressible(int length)
    {
        var random = new Random(length);
        return string.Create(length, random, (chars, r) =>
        {
            for (var i = 0; i < chars.Length; i++)
                chars[i] = (char)r.Next(0x4E00, 0x9FFF);
        });
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(40_000, 1, 2)]       // ~72 KB compressed: past one chunk
    [InlineData(300_000, 1, 8)]      // ~540 KB: several chunks, one row
    [InlineData(1_000_000, 2, 15)]   // ~1.8 MB: past one row
    [InlineData(1_600_000, 3, 29)]
    public void A_record_is_compressed_and_split_over_properties_and_rows_within_the_entity_limits_and_read_back_whole(int length, int minimumRows, int minimumChunks)
    {
        var json = Incompressible(length);

        var written = AggregateRecords.Rows(Key, json, tombstone: true).ToList();

        var chunks = written.SelectMany(r => r.Where(p => p.Key.StartsWith('D')).OrderBy(p => int.Parse(p.Key[1..])).Select(p => Assert.IsType<byte[]>(p.Value))).ToList();
        Assert.True(written.Count >= minimumRows, $"{written.Count} rows");
        Assert.True(chunks.Count >= minimumChunks, $"{chunks.Count} chunks");
        Assert.Equal(Enumerable.Range(0, written.Count).Select(part => $"s|xuhui|total|{part:D2}"), written.Select(r => r.RowKey));
        Assert.All(written, r => Assert.Equal("gdp", r.PartitionKey));
        Assert.All(written.SkipLast(1), r => Assert.Equal(AggregateRecords.ChunksPerRow, r.Keys.Count(k => k.StartsWith('D'))));
        Assert.All(chunks.SkipLast(1), c => Assert.Equal(AggregateRecords.ChunkBytes, c.Length));
        Assert.InRange(chunks[^1].Length, 1, AggregateRecords.ChunkBytes);
        Assert.All(written, r => Assert.True(AggregateRecords.Size(r) * 3 / 4 < 1_000_000, "an entity holds 1 MiB"));
        Assert.All(written, r => Assert.Equal(written.Count, r.GetInt32("Parts")));
        Assert.All(written, r => Assert.Equal(Encoding.UTF8.GetByteCount(json), r.GetInt32("Bytes")));
        Assert.Equal(json, AggregateRecords.Join(written));
    }

    [Fact]
    public void A_record_moves_a_fraction_of_its_json_and_nothing_a_response_must_escape()
    {
        var points = Enumerable.Range(2001, 20).Select(year => new SeriesPoint(new Observation(Period.Parse($"{year}"), 1000 + year * 3.17, ObservationStatus.Final, "synthetic"),
            new Growth(997 + year * 3.17, 3.17, 0.3179, null, ObservationStatus.Final))).ToList();
        var json = AggregateRecords.Serialize(points);

        var row = Assert.Single(AggregateRecords.Rows(Key, json, tombstone: false));

        Assert.True(AggregateRecords.Size(row) < json.Length / 2, $"{AggregateRecords.Size(row)} characters on the wire for {json.Length} of JSON");
        Assert.Equal(json, AggregateRecords.Join([row]));
    }

    [Fact]
    public void A_record_written_before_compression_reads_as_it_was_stored()
    {
        var rows = new[]
        {
            new TableEntity("gdp", "s|xuhui|total|00") { ["Parts"] = 2, ["D0"] = "[{\"k\":\"2021\",", ["D1"] = "\"v\":5," },
            new TableEntity("gdp", "s|xuhui|total|01") { ["Parts"] = 2, ["D0"] = "\"r\":\"no_prior\"}]" },
        };

        Assert.Equal("""[{"k":"2021","v":5,"r":"no_prior"}]""", AggregateRecords.Join(rows));
    }

    public static TheoryData<string, Action<TableEntity>> Damaged => new()
    {
        { "a chunk cut short", r => r["D0"] = ((byte[])r["D0"])[..^3] },
        { "a wrong length", r => r["Bytes"] = (int)r["Bytes"] + 1 },
        { "no length", r => r.Remove("Bytes") },
        { "text and binary mixed", r => r["D1"] = "[]" },
    };

    [Theory]
    [MemberData(nameof(Damaged))]
    public void A_damaged_record_is_an_error_not_other_figures(string damage, Action<TableEntity> harm)
    {
        var row = Assert.Single(AggregateRecords.Rows(Key, AggregateRecords.Serialize([new SeriesPoint(new Observation(Period.Parse("2021"), 5, ObservationStatus.Final, null),
            new Growth(null, null, null, Growth.NoPrior, ObservationStatus.Final))]), tombstone: false));
        harm(row);

        _ = damage; // names the case
        Assert.Throws<InvalidDataException>(() => AggregateRecords.Join([row]));
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
        var rows = AggregateRecords.Rows(Key, Incompressible(1_000_000), true).Take(1).ToList();

        Assert.Throws<InvalidDataException>(() => AggregateRecords.Join(rows));
    }

    [Theory]
    [InlineData("s|xuhui|total")]
    [InlineData("x|total|2021-Q3")]
    [InlineData("r|core")]
    public void An_index_names_records_by_their_row_key_prefix(string name)
    {
        var keys = new[] { RecordKey.Of(new SeriesKey("gdp", "xuhui", "total")), RecordKey.Of(new CrossSectionKey("gdp", "total", Period.Parse("2021-Q3"))), RecordKey.Of(new RollupKey("core", "gdp")) };

        var index = AggregateRecords.IndexFrom(AggregateRecords.Serialize(keys.Select(k => k.Name).ToList(), new Dictionary<string, IReadOnlyDictionary<Period, SeriesPoint?>>())).Names;

        Assert.Contains(name, index);
        Assert.Equal(3, index.Count);
    }

    [Fact]
    public void An_index_keeps_its_series_patches_points_with_their_growth_and_removals()
    {
        var point = new SeriesPoint(new Observation(Period.Parse("2021-Q3"), 12.5, ObservationStatus.Provisional, "bureau"), new Growth(10, 2.5, 25, null, ObservationStatus.Provisional));
        var patch = new Dictionary<Period, SeriesPoint?> { [Period.Parse("2021-Q3")] = point, [Period.Parse("2022-Q3")] = null };

        var index = AggregateRecords.IndexFrom(AggregateRecords.Serialize(["x|total|2021-Q3"], new Dictionary<string, IReadOnlyDictionary<Period, SeriesPoint?>> { ["xuhui|total"] = patch }));

        Assert.Equal(["x|total|2021-Q3"], index.Names);
        Assert.Equal("xuhui|total", Assert.Single(index.Patches).Key);
        Assert.Equal(point, index.Patches["xuhui|total"][Period.Parse("2021-Q3")]);
        Assert.Null(index.Patches["xuhui|total"][Period.Parse("2022-Q3")]);
        Assert.Equal(2, index.Patches["xuhui|total"].Count);
    }

    [Theory]
    [InlineData("x|total|2021", "x|total|2021")] // one name: its parts
    [InlineData("x|total|2021 x|ai|2021 r|core", "r|core x|ai|2021 x|total|2021")]
    [InlineData("s|a|t s|b|t s|c|t s|d|t s|e|t s|f|t", "s|a|t s|b|t s|c|t s|d|t s|e|t s|f|t")] // six fit
    [InlineData("s|a|t s|b|t s|c|t s|d|t s|e|t s|f|t s|g|t", "s")] // seven do not: the whole kind
    [InlineData("x|t|2019 x|t|2018 x|a|2019 x|a|2018 r|1 r|2 r|3 r|4 r|5 r|6", "r x|a|2018 x|a|2019 x|t|2018 x|t|2019")] // the kind with most names goes whole
    [InlineData("s|a|t s|b|t s|c|t x|t|1 x|t|2 x|t|3 r|1", "r|1 s|a|t s|b|t s|c|t x")] // a tie: the later kind goes whole first
    [InlineData("s|a|t s|b|t s|c|t s|d|t x|t|1 x|t|2 x|t|3 x|t|4 r|1 r|2 r|3 r|4 i|keys", "i|keys r s x")] // every kind whole but the smallest
    [InlineData("x|t|1 x|t|1 x|t|1", "x|t|1")] // a name asked for twice
    public void A_query_asks_for_the_rows_of_the_wanted_names_in_at_most_six_ranges(string names, string expected)
    {
        var ranges = Generations.RowRanges(names.Split(' '));

        Assert.Equal(expected.Split(' ').Select(r => r.Contains('|') ? (r + "|", r + "}") : (r + "|", r + "}")), ranges);
        Assert.InRange(ranges.Count, 1, IndicatorTables.MaxRowRanges);
    }

    [Fact]
    public void An_index_of_a_build_before_patches_reads_as_its_names()
    {
        var index = AggregateRecords.IndexFrom("[\"s|xuhui|total\",\"r|core\"]");

        Assert.Equal(["r|core", "s|xuhui|total"], index.Names.Order(StringComparer.Ordinal));
        Assert.Empty(index.Patches);
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
