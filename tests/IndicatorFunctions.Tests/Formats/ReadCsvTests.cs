using System.Text;
using IndicatorFunctions.Reads;
using static IndicatorFunctions.Tests.Formats.ReadSamples;

namespace IndicatorFunctions.Tests.Formats;

public sealed class ReadCsvTests
{
    private static string[] Lines(byte[] body) => Encoding.UTF8.GetString(body).Split("\r\n");

    [Fact]
    public void Each_read_has_its_header_of_the_JSON_fields_with_yoy_and_freshness_flattened()
    {
        Assert.Equal("district,indicator,sector,unit,period,value,status,source,yoy_prior,yoy_change,yoy_pct,yoy_reason,yoy_status,run_id,aggregated_at,pending_changes",
            Lines(ReadCsv.Series(Series()))[0]);
        Assert.Equal("indicator,period,sector,unit,district,value,status,rank,yoy_prior,yoy_change,yoy_pct,yoy_reason,yoy_status,run_id,aggregated_at,pending_changes",
            Lines(ReadCsv.CrossSection(CrossSection()))[0]);
        Assert.Equal("cluster,indicator,unit,aggregation,period,value,value_reason,status,members,reporting,coverage,missing,"
            + "yoy_current,yoy_prior,yoy_change,yoy_pct,yoy_comparable_members,yoy_reason,yoy_status,run_id,aggregated_at,pending_changes",
            Lines(ReadCsv.Rollups(Rollups()))[0]);
    }

    public static TheoryData<SeriesReadPoint, string> SeriesRows => new()
    {
        { SeriesPoint("2019", 100), "xuhui,gdp,total,CNY,2019,100,final,,,,,no_prior,final,run-1,2026-12-01T02:00:00.0000000+00:00,false" },
        { SeriesPoint("2021", 121, yoy: new YoyRead(110, 11, 10, null, "final")), "xuhui,gdp,total,CNY,2021,121,final,,110,11,10,,final,run-1,2026-12-01T02:00:00.0000000+00:00,false" },
        { SeriesPoint("2020-Q1", -0.5, "provisional", "bureau", new YoyRead(-2, 1.5, null, "non_positive_base", "provisional")),
            "xuhui,gdp,total,CNY,2020-Q1,-0.5,provisional,bureau,-2,1.5,,non_positive_base,provisional,run-1,2026-12-01T02:00:00.0000000+00:00,false" },
        { SeriesPoint("2022", 1e15, source: "bureau, \"annual\" report"), "xuhui,gdp,total,CNY,2022,1000000000000000,final,\"bureau, \"\"annual\"\" report\",,,,no_prior,final,run-1,2026-12-01T02:00:00.0000000+00:00,false" },
    };

    [Theory]
    [MemberData(nameof(SeriesRows))]
    public void A_series_point_is_one_row_with_absent_figures_empty_and_text_quoted_as_needed(SeriesReadPoint point, string expected)
    {
        var lines = Lines(ReadCsv.Series(Series(point)));

        Assert.Equal([lines[0], expected, ""], lines);
    }

    [Fact]
    public void A_cross_section_keeps_its_rank_order_one_row_a_district()
    {
        var lines = Lines(ReadCsv.CrossSection(CrossSection(
            Row("xuhui", 121, 1, new YoyRead(110, 11, 10, null, "final")),
            Row("wuhou", 121, 1, new YoyRead(null, null, null, "no_prior", "final")))));

        Assert.Equal(
        [
            "gdp,2021,total,CNY,xuhui,121,final,1,110,11,10,,final,run-1,2026-12-01T02:00:00.0000000+00:00,true",
            "gdp,2021,total,CNY,wuhou,121,final,1,,,,no_prior,final,run-1,2026-12-01T02:00:00.0000000+00:00,true",
        ], lines[1..^1]);
    }

    public static TheoryData<RollupReadPoint, string> RollupRows => new()
    {
        { RollupPoint("2020", 150, null, 2, 1, [], RollupYoy(150, 150, 0, 0, 2, null)),
            "ai,gdp,CNY,sum,2020,150,,estimated,2,2,1,,150,150,0,0,2,,provisional,run-1,2026-12-01T02:00:00.0000000+00:00,false" },
        { RollupPoint("2021", null, "below_min_coverage", 1, 0.5, ["wuhou/ai"], RollupYoy(12, 10, 2, 20, 1, null)),
            "ai,gdp,CNY,sum,2021,,below_min_coverage,estimated,2,1,0.5,wuhou/ai,12,10,2,20,1,,provisional,run-1,2026-12-01T02:00:00.0000000+00:00,false" },
        { RollupPoint("2022", null, "no_reporting_members", 0, 0, ["xuhui/ai", "wuhou/ai"], RollupYoy(null, null, null, null, 0, "no_comparable_members")),
            "ai,gdp,CNY,sum,2022,,no_reporting_members,estimated,2,0,0,xuhui/ai;wuhou/ai,,,,,0,no_comparable_members,provisional,run-1,2026-12-01T02:00:00.0000000+00:00,false" },
    };

    [Theory]
    [MemberData(nameof(RollupRows))]
    public void A_rollup_point_is_one_row_with_missing_members_joined_and_like_for_like_growth_flattened(RollupReadPoint point, string expected)
    {
        var lines = Lines(ReadCsv.Rollups(Rollups(point)));

        Assert.Equal([lines[0], expected, ""], lines);
    }

    [Fact]
    public void Column_names_are_distinct_snake_case()
    {
        foreach (var columns in new[] { ReadCsv.SeriesColumns, ReadCsv.CrossSectionColumns, ReadCsv.RollupColumns })
        {
            Assert.Equal(columns.Length, columns.Distinct().Count());
            Assert.All(columns, c => Assert.Matches("^[a-z]+(_[a-z]+)*$", c));
        }
    }
}
