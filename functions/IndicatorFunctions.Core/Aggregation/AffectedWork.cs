using IndicatorFunctions.Domain;

namespace IndicatorFunctions.Aggregation;

public readonly record struct RollupKey(string Cluster, string Indicator);

/// <summary>What a set of changed series points obliges the next run to recompute.</summary>
public sealed class AffectedWork
{
    /// <summary>Series points to recompute: the changed period P and P + 1 year (whose YoY uses P).</summary>
    public Dictionary<SeriesKey, SortedSet<Period>> Series { get; } = [];

    /// <summary>Rollup periods to recompute per cluster × indicator.</summary>
    public Dictionary<RollupKey, SortedSet<Period>> Rollups { get; } = [];

    /// <summary>
    /// A changed point (S, P) changes S's YoY at P and P+1; the rollup at P of every cluster where S's member is
    /// effective in P's year; and the rollup at P+1 where it is effective in both years (its like-for-like YoY uses P).
    /// Rolled-up indicators only.
    /// </summary>
    public void AddChange(SeriesKey series, Period period, IEnumerable<Cluster> clusters, Indicator? indicator)
    {
        Add(Series, series, period, period.Next);
        if (indicator is null || indicator.Aggregation == AggregationMethod.None)
            return;
        foreach (var cluster in clusters)
        {
            // One member may be listed several times with different years: effective means any listing is.
            var listings = cluster.Members.Where(m => m.District == series.District && m.SeriesSector == series.Sector).ToList();
            var effectiveNow = listings.Any(m => m.EffectiveIn(period.Year));
            var key = new RollupKey(cluster.Id, series.Indicator);
            if (effectiveNow)
                Add(Rollups, key, period);
            if (effectiveNow && listings.Any(m => m.EffectiveIn(period.Year + 1)))
                Add(Rollups, key, period.Next);
        }
    }

    private static void Add<TKey>(Dictionary<TKey, SortedSet<Period>> map, TKey key, params Period[] periods) where TKey : notnull
    {
        if (!map.TryGetValue(key, out var set))
            map[key] = set = [];
        set.UnionWith(periods);
    }
}
