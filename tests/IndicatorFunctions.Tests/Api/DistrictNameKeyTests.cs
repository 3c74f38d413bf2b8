using IndicatorFunctions.Catalog;

namespace IndicatorFunctions.Tests.Api;

/// <summary>The row key that reserves a district name: equal for names lookups treat as equal, always a valid table key.</summary>
public sealed class DistrictNameKeyTests
{
    [Theory]
    [InlineData("Xuhui", "name|XUHUI")]
    [InlineData("  xuhui ", "name|XUHUI")]
    [InlineData("徐汇区", "name|徐汇区")]
    [InlineData("Jing'an", "name|JING'AN")]
    [InlineData("a/b\\c", "name|A%002FB%005CC")]
    [InlineData("#1?", "name|%00231%003F")]
    [InlineData("100%", "name|100%0025")]
    [InlineData("tab\there", "name|TAB%0009HERE")]
    [InlineData("x' or PartitionKey ne '", "name|X' OR PARTITIONKEY NE '")]
    public void A_name_is_trimmed_upper_cased_and_escaped_where_a_table_key_may_not_hold_it(string name, string key) =>
        Assert.Equal(key, DistrictNameEntity.Key(name));

    [Fact]
    public void Characters_outside_the_basic_plane_are_escaped_per_UTF_16_unit()
    {
        Assert.Equal("name|%D83D%DE00", DistrictNameEntity.Key("\U0001F600"));
    }

    [Theory]
    [InlineData("name|XUHUI", true)]
    [InlineData("xuhui", false)]
    [InlineData("names", false)]
    public void Name_rows_are_told_from_district_rows_by_their_key(string rowKey, bool isName) =>
        Assert.Equal(isName, DistrictNameEntity.IsName(rowKey));
}
