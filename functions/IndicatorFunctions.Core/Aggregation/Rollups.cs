using IndicatorFunctions.Domain;

namespace IndicatorFunctions.Aggregation;

/// <summary>Like-for-like YoY of a rollup: the aggregation over members effective and reporting in both periods.</summary>
public sealed record RollupGrowth(double? Current, double? Prior, double? Change, double? Pct, int ComparableMembers, string? Reason, ObservationStatus Status);

/// <summary>One cluster × indicator × period: the aggregation over reporting members, and who is missing.</summary>
public sealed record RollupPoint(
    Period Period,
    double? Value,
    string? ValueReason,
    ObservationStatus Status,
    int Members,
    int Reporting,
    double Coverage,
    IReadOnlyList<string> Missing,
    RollupGrowth Yoy)
{
    public const string NoReportingMembers = "no_reporting_members";
    public const string BelowMinCoverage = "below_min_coverage";
}

public static class Rollups
{
    /// <summary>Looks up a member's value for a period (its series: district, member sector or total, the indicator).</summary>
    public delegate Observation? MemberValue(ClusterMember member, Period period);

    /// <summary>
    /// The rollup of <paramref name="indicator"/> over <paramref name="cluster"/> for <paramref name="period"/>, or
    /// null when no member is effective then. Missing values are absent, never zero. A value below the cluster's
    /// minimum coverage is withheld (<c>below_min_coverage</c>); its like-for-like YoY is still given.
    /// </summary>
    public static RollupPoint? Compute(Cluster cluster, Indicator indicator, Period period, MemberValue valueOf)
    {
        if (indicator.Aggregation == AggregationMethod.None)
            throw new ArgumentException($"Indicator {indicator.Id} has aggregation 'none' and is not rolled up.", nameof(indicator));

        var effective = Effective(cluster, period.Year);
        if (effective.Count == 0)
            return null;

        var reporting = new List<Observation>(effective.Count);
        var missing = new List<string>();
        foreach (var member in effective)
        {
            if (valueOf(member, period) is { } observation)
                reporting.Add(observation);
            else
                missing.Add(member.MemberId);
        }

        var coverage = (double)reporting.Count / effective.Count;
        var (value, reason) = reporting.Count == 0 ? (null, RollupPoint.NoReportingMembers)
            : coverage < (cluster.MinCoverage ?? 0) ? (null, RollupPoint.BelowMinCoverage)
            : Finite(Aggregate(indicator.Aggregation, reporting.Select(o => o.Value)));
        var status = reporting.Select(o => o.Status).DefaultIfEmpty(ObservationStatus.Final).Max();

        return new RollupPoint(period, value, reason, status, effective.Count, reporting.Count, coverage, missing,
            LikeForLike(cluster, indicator, period, effective, valueOf));
    }

    private static RollupGrowth LikeForLike(Cluster cluster, Indicator indicator, Period period, IReadOnlyList<ClusterMember> effectiveNow, MemberValue valueOf)
    {
        var priorPeriod = period.Prior;
        var effectiveBefore = Effective(cluster, priorPeriod.Year).Select(m => m.MemberId).ToHashSet(StringComparer.Ordinal);
        var pairs = effectiveNow
            .Where(m => effectiveBefore.Contains(m.MemberId))
            .Select(m => (Now: valueOf(m, period), Before: valueOf(m, priorPeriod)))
            .Where(p => p.Now is not null && p.Before is not null)
            .Select(p => (Now: p.Now!, Before: p.Before!))
            .ToList();
        if (pairs.Count == 0)
            return new RollupGrowth(null, null, null, null, 0, Growth.NoComparableMembers, ObservationStatus.Final);

        var current = Aggregate(indicator.Aggregation, pairs.Select(p => p.Now.Value));
        var prior = Aggregate(indicator.Aggregation, pairs.Select(p => p.Before.Value));
        var status = pairs.SelectMany(p => new[] { p.Now.Status, p.Before.Status }).Max();
        if (!double.IsFinite(current) || !double.IsFinite(prior))
            return new RollupGrowth(null, null, null, null, pairs.Count, Growth.NotFinite, status);
        var growth = Growth.Compute(current, prior, status);
        return new RollupGrowth(current, prior, growth.Change, growth.Pct, pairs.Count, growth.Reason, status);
    }

    private static (double? Value, string? Reason) Finite(double value) => double.IsFinite(value) ? (value, null) : (null, Growth.NotFinite);

    /// <summary>Members effective in a year, one per member id (a member listed twice with two date ranges counts once).</summary>
    public static IReadOnlyList<ClusterMember> Effective(Cluster cluster, int year) =>
        cluster.Members.Where(m => m.EffectiveIn(year)).DistinctBy(m => m.MemberId, StringComparer.Ordinal).ToList();

    public static double Aggregate(AggregationMethod aggregation, IEnumerable<double> values) => aggregation switch
    {
        AggregationMethod.Sum => values.Sum(),
        AggregationMethod.Mean => values.Average(),
        AggregationMethod.Min => values.Min(),
        AggregationMethod.Max => values.Max(),
        _ => throw new ArgumentOutOfRangeException(nameof(aggregation), aggregation, "Only sum, mean, min and max aggregate."),
    };
}
