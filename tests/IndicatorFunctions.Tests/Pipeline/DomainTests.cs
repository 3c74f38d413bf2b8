using IndicatorFunctions.Catalog;
using IndicatorFunctions.Domain;

namespace IndicatorFunctions.Tests.Pipeline;

public sealed class StatusTests
{
    [Theory]
    [InlineData(ObservationStatus.Final, ObservationStatus.Final, ObservationStatus.Final)]
    [InlineData(ObservationStatus.Final, ObservationStatus.Provisional, ObservationStatus.Provisional)]
    [InlineData(ObservationStatus.Final, ObservationStatus.Estimated, ObservationStatus.Estimated)]
    [InlineData(ObservationStatus.Provisional, ObservationStatus.Final, ObservationStatus.Provisional)]
    [InlineData(ObservationStatus.Provisional, ObservationStatus.Provisional, ObservationStatus.Provisional)]
    [InlineData(ObservationStatus.Provisional, ObservationStatus.Estimated, ObservationStatus.Estimated)]
    [InlineData(ObservationStatus.Estimated, ObservationStatus.Final, ObservationStatus.Estimated)]
    [InlineData(ObservationStatus.Estimated, ObservationStatus.Provisional, ObservationStatus.Estimated)]
    [InlineData(ObservationStatus.Estimated, ObservationStatus.Estimated, ObservationStatus.Estimated)]
    public void Weakest_of_two_statuses_is_the_less_firm(ObservationStatus a, ObservationStatus b, ObservationStatus expected)
    {
        Assert.Equal(expected, StatusNames.Weakest(a, b));
    }

    [Theory]
    [InlineData("final", ObservationStatus.Final)]
    [InlineData("provisional", ObservationStatus.Provisional)]
    [InlineData("estimated", ObservationStatus.Estimated)]
    public void Status_names_round_trip(string name, ObservationStatus status)
    {
        Assert.True(StatusNames.TryParse(name, out var parsed));
        Assert.Equal(status, parsed);
        Assert.Equal(name, status.ToName());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Final")]
    [InlineData(" final")]
    [InlineData("prelim")]
    public void Unknown_status_name_is_rejected(string? name)
    {
        Assert.False(StatusNames.TryParse(name, out _));
    }
}

public sealed class ClusterMemberTests
{
    [Theory]
    [InlineData(null, null, 1900, true)]
    [InlineData(2019, null, 2018, false)]
    [InlineData(2019, null, 2019, true)] // from is inclusive
    [InlineData(null, 2020, 2020, true)] // to is inclusive
    [InlineData(null, 2020, 2021, false)]
    [InlineData(2019, 2020, 2020, true)]
    [InlineData(2020, 2020, 2020, true)] // a single year
    public void Member_is_effective_in_years_within_its_inclusive_range(int? from, int? to, int year, bool expected)
    {
        Assert.Equal(expected, new ClusterMember("xuhui", null, from, to).EffectiveIn(year));
    }

    [Theory]
    [InlineData("xuhui", null, "total", "xuhui")]
    [InlineData("xuhui", "manufacturing", "manufacturing", "xuhui/manufacturing")]
    public void District_member_reads_the_total_series_and_sector_member_its_sector(string district, string? sector, string seriesSector, string memberId)
    {
        var member = new ClusterMember(district, sector, null, null);

        Assert.Equal(seriesSector, member.SeriesSector);
        Assert.Equal(memberId, member.MemberId);
    }
}

public sealed class CatalogSnapshotTests
{
    private static readonly CatalogSnapshot Catalog = new(
        [],
        [
            new District("xuhui", "Xuhui", "central", ["徐汇区", "Xuhui District"]),
            new District("pudong", "Pudong New Area", "east", ["浦东新区"]),
        ],
        [
            new Cluster("c1", "C1", ClusterKind.Region, [new ClusterMember("xuhui", null, null, null)], null),
            new Cluster("c2", "C2", ClusterKind.Industrial, [new ClusterMember("xuhui", "it", null, null), new ClusterMember("pudong", null, null, null)], null),
        ]);

    [Theory]
    [InlineData("xuhui", "xuhui")]
    [InlineData("徐汇区", "xuhui")]
    [InlineData("Xuhui District", "xuhui")]
    [InlineData("Xuhui", "xuhui")] // the name
    [InlineData("pudong new area", "pudong")]
    public void District_is_found_by_id_alias_or_name(string text, string id)
    {
        Assert.Equal(id, Catalog.FindDistrict(text)?.Id);
    }

    [Theory]
    [InlineData("minhang")]
    [InlineData(" xuhui")]
    public void Unknown_district_is_not_found(string text)
    {
        Assert.Null(Catalog.FindDistrict(text));
    }

    [Theory]
    [InlineData("xuhui", "total", new[] { "c1" })]
    [InlineData("xuhui", "it", new[] { "c2" })]
    [InlineData("pudong", "total", new[] { "c2" })]
    [InlineData("pudong", "it", new string[0])]
    public void Clusters_containing_match_district_and_series_sector(string district, string sector, string[] expected)
    {
        Assert.Equal(expected, Catalog.ClustersContaining(district, sector).Select(c => c.Id).Order().ToArray());
    }
}
