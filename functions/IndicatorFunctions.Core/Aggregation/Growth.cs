using IndicatorFunctions.Domain;

namespace IndicatorFunctions.Aggregation;

/// <summary>Year-on-year growth of one value against the same period a year earlier.</summary>
public sealed record Growth(double? Prior, double? Change, double? Pct, string? Reason, ObservationStatus Status)
{
    public const string NoPrior = "no_prior";
    public const string ZeroBase = "zero_base";
    public const string NegativeBase = "negative_base";
    public const string NoComparableMembers = "no_comparable_members";

    /// <summary>The figure overflowed a double (e.g. 1e300 / 1e-300): nothing is stored that JSON cannot carry.</summary>
    public const string NotFinite = "not_finite";

    /// <summary>
    /// <c>change = v − prior</c>, <c>pct = (v / prior − 1) × 100</c>. No prior: no change and no pct (<c>no_prior</c>).
    /// A zero or negative base gives a change but no pct: a percentage of it would mislead. A change or pct that
    /// overflows is null with <c>not_finite</c>.
    /// </summary>
    public static Growth Compute(Observation current, Observation? prior) => prior is null
        ? new Growth(null, null, null, NoPrior, current.Status)
        : Compute(current.Value, prior.Value, StatusNames.Weakest(current.Status, prior.Status));

    public static Growth Compute(double current, double prior, ObservationStatus status)
    {
        var change = current - prior;
        if (!double.IsFinite(change))
            return new Growth(prior, null, null, NotFinite, status);
        if (prior <= 0)
            return new Growth(prior, change, null, prior == 0 ? ZeroBase : NegativeBase, status);
        var pct = (current / prior - 1) * 100;
        return double.IsFinite(pct) ? new Growth(prior, change, pct, null, status) : new Growth(prior, change, null, NotFinite, status);
    }
}

/// <summary>Growth of a series point, computed over the whole series.</summary>
public sealed record SeriesPoint(Observation Observation, Growth Yoy);

public static class SeriesGrowth
{
    /// <summary>
    /// Every point of a series (or the given periods that it has) with its YoY; the prior is looked up in the same
    /// series — one lookup per point.
    /// </summary>
    public static IEnumerable<SeriesPoint> Compute(IReadOnlyDictionary<Period, Observation> series, IEnumerable<Period>? only = null) =>
        series is Dictionary<Period, Observation> dictionary ? Compute(dictionary, only) : ComputeAny(series, only);

    private static IEnumerable<SeriesPoint> Compute(Dictionary<Period, Observation> series, IEnumerable<Period>? only)
    {
        if (only is null)
        {
            foreach (var (period, observation) in series)
                yield return new SeriesPoint(observation, Growth.Compute(observation, series.GetValueOrDefault(period.Prior)));
            yield break;
        }
        foreach (var period in only)
        {
            if (series.TryGetValue(period, out var observation))
                yield return new SeriesPoint(observation, Growth.Compute(observation, series.GetValueOrDefault(period.Prior)));
        }
    }

    private static IEnumerable<SeriesPoint> ComputeAny(IReadOnlyDictionary<Period, Observation> series, IEnumerable<Period>? only)
    {
        foreach (var period in only ?? series.Keys)
        {
            if (series.TryGetValue(period, out var observation))
                yield return new SeriesPoint(observation, Growth.Compute(observation, series.GetValueOrDefault(period.Prior)));
        }
    }
}
