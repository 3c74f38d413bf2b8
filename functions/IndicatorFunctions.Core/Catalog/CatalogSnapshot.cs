using IndicatorFunctions.Domain;

namespace IndicatorFunctions.Catalog;

/// <summary>The whole catalog at one moment: small (hundreds of entries), so it is read whole and cached briefly.</summary>
public sealed class CatalogSnapshot
{
    private readonly Dictionary<string, District> _byAlias;

    public CatalogSnapshot(IEnumerable<Indicator> indicators, IEnumerable<District> districts, IEnumerable<Cluster> clusters)
    {
        Indicators = indicators.ToDictionary(i => i.Id, StringComparer.Ordinal);
        Districts = districts.ToDictionary(d => d.Id, StringComparer.Ordinal);
        Clusters = clusters.ToDictionary(c => c.Id, StringComparer.Ordinal);
        _byAlias = new Dictionary<string, District>(StringComparer.OrdinalIgnoreCase);
        foreach (var district in Districts.Values)
        {
            foreach (var alias in district.Aliases.Append(district.Name))
                _byAlias.TryAdd(alias, district);
        }
    }

    public static CatalogSnapshot Empty { get; } = new([], [], []);

    public IReadOnlyDictionary<string, Indicator> Indicators { get; }

    public IReadOnlyDictionary<string, District> Districts { get; }

    public IReadOnlyDictionary<string, Cluster> Clusters { get; }

    /// <summary>By id, else by alias or name (case-insensitive): sources often name a district as 徐汇区 or "Xuhui District".</summary>
    public District? FindDistrict(string idOrAlias) =>
        Districts.GetValueOrDefault(idOrAlias) ?? _byAlias.GetValueOrDefault(idOrAlias);

    /// <summary>Clusters with a member on this district and series sector.</summary>
    public IEnumerable<Cluster> ClustersContaining(string district, string sector) =>
        Clusters.Values.Where(c => c.Members.Any(m => m.District == district && m.SeriesSector == sector));
}
