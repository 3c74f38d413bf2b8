using IndicatorFunctions.Domain;

namespace IndicatorFunctions.Aggregation;

/// <summary>
/// Every rollup of one cluster × indicator over its members' loaded series — exactly what <see cref="Rollups.Compute"/>
/// gives period by period, computed the way a run needs it. Each member's series is looked up once and laid out by
/// period, each year's effective members are worked out once, and the aggregates run over plain arrays, so a period
/// costs an array read per member rather than a series lookup, a period lookup and a membership recomputation.
/// </summary>
public sealed class ClusterRollups
{
    private readonly Cluster _cluster;
    private readonly Indicator _indicator;
    private readonly ClusterMember[] _listings;
    private readonly int[] _slotOfListing;
    private readonly string[] _memberIds;
    private readonly Period[] _periods;
    private readonly int[] _priorIndex;
    private readonly Observation?[] _values;
    private readonly Dictionary<int, (int[] Slots, bool[] IsEffective)> _effective = [];
    private readonly double[] _now, _before;

    /// <summary>
    /// Reads each member's series once through <paramref name="seriesOf"/> (null: the member has no series). Members
    /// with the same member id are one member (the first listing's series), as in <see cref="Rollups.Effective"/>.
    /// </summary>
    public ClusterRollups(Cluster cluster, Indicator indicator, Func<ClusterMember, Dictionary<Period, Observation>?> seriesOf)
    {
        if (indicator.Aggregation == AggregationMethod.None)
            throw new ArgumentException($"Indicator {indicator.Id} has aggregation 'none' and is not rolled up.", nameof(indicator));
        _cluster = cluster;
        _indicator = indicator;
        _listings = [.. cluster.Members];

        // One slot per member id, in order of first listing.
        _slotOfListing = new int[_listings.Length];
        var slots = new Dictionary<string, int>(StringComparer.Ordinal);
        var memberIds = new List<string>();
        var series = new List<Dictionary<Period, Observation>?>();
        for (var i = 0; i < _listings.Length; i++)
        {
            var id = _listings[i].MemberId;
            if (!slots.TryGetValue(id, out var slot))
            {
                slots[id] = slot = memberIds.Count;
                memberIds.Add(id);
                series.Add(seriesOf(_listings[i]));
            }
            _slotOfListing[i] = slot;
        }
        _memberIds = [.. memberIds];

        // The periods any member reports, in order, and each one's prior among them.
        var index = new Dictionary<Period, int>();
        foreach (var points in series)
        {
            if (points is null)
                continue;
            foreach (var period in points.Keys)
                index.TryAdd(period, 0);
        }
        _periods = [.. index.Keys];
        Array.Sort(_periods);
        for (var i = 0; i < _periods.Length; i++)
            index[_periods[i]] = i;
        _priorIndex = new int[_periods.Length];
        for (var i = 0; i < _periods.Length; i++)
            _priorIndex[i] = index.TryGetValue(_periods[i].Prior, out var prior) ? prior : -1;

        // Member values by slot and period: _values[slot * periods + period], null where the member does not report.
        _values = new Observation?[_memberIds.Length * _periods.Length];
        for (var slot = 0; slot < series.Count; slot++)
        {
            if (series[slot] is not { } points)
                continue;
            var row = slot * _periods.Length;
            foreach (var (period, observation) in points)
                _values[row + index[period]] = observation;
        }
        _now = new double[_memberIds.Length];
        _before = new double[_memberIds.Length];
    }

    /// <summary>The rollups over the member series of a run's loaded data (series keyed by indicator, district and sector).</summary>
    public static ClusterRollups Over(Cluster cluster, Indicator indicator, Dictionary<SeriesKey, Dictionary<Period, Observation>> series) =>
        new(cluster, indicator, m => series.GetValueOrDefault(new SeriesKey(indicator.Id, m.District, m.SeriesSector)));

    /// <summary>The periods some member reports, in order: the periods a rollup may exist for.</summary>
    public IReadOnlyList<Period> Periods => _periods;

    /// <summary>
    /// The rollups of the given periods, or (null) of every period some member reports, in period order; a period
    /// without an effective member has none (as <see cref="Rollups.Compute"/> gives null).
    /// </summary>
    public IEnumerable<RollupPoint> Compute(IEnumerable<Period>? only = null)
    {
        var wanted = only?.ToHashSet();
        for (var i = 0; i < _periods.Length; i++)
        {
            if (wanted is not null && !wanted.Contains(_periods[i]))
                continue;
            if (Compute(i) is { } rollup)
                yield return rollup;
        }
    }

    private RollupPoint? Compute(int i)
    {
        var period = _periods[i];
        var effective = Effective(period.Year).Slots;
        if (effective.Length == 0)
            return null;

        var reporting = 0;
        var status = ObservationStatus.Final;
        var missing = new List<string>();
        foreach (var slot in effective)
        {
            if (_values[slot * _periods.Length + i] is { } observation)
            {
                _now[reporting++] = observation.Value;
                status = StatusNames.Weakest(status, observation.Status);
            }
            else
                missing.Add(_memberIds[slot]);
        }

        var coverage = (double)reporting / effective.Length;
        var (value, reason) = reporting == 0 ? (null, RollupPoint.NoReportingMembers)
            : coverage < (_cluster.MinCoverage ?? 0) ? (null, RollupPoint.BelowMinCoverage)
            : Finite(Aggregate(_indicator.Aggregation, _now.AsSpan(0, reporting)));

        return new RollupPoint(period, value, reason, status, effective.Length, reporting, coverage, missing, LikeForLike(i, effective));
    }

    private RollupGrowth LikeForLike(int i, int[] effectiveNow)
    {
        var prior = _priorIndex[i];
        var effectiveBefore = Effective(_periods[i].Year - 1).IsEffective;
        var pairs = 0;
        var status = ObservationStatus.Final;
        if (prior >= 0)
        {
            foreach (var slot in effectiveNow)
            {
                var row = slot * _periods.Length;
                if (effectiveBefore[slot] && _values[row + i] is { } now && _values[row + prior] is { } before)
                {
                    _now[pairs] = now.Value;
                    _before[pairs++] = before.Value;
                    status = StatusNames.Weakest(status, StatusNames.Weakest(now.Status, before.Status));
                }
            }
        }
        if (pairs == 0)
            return new RollupGrowth(null, null, null, null, 0, Growth.NoComparableMembers, ObservationStatus.Final);

        var currentValue = Aggregate(_indicator.Aggregation, _now.AsSpan(0, pairs));
        var priorValue = Aggregate(_indicator.Aggregation, _before.AsSpan(0, pairs));
        if (!double.IsFinite(currentValue) || !double.IsFinite(priorValue))
            return new RollupGrowth(null, null, null, null, pairs, Growth.NotFinite, status);
        var growth = Growth.Compute(currentValue, priorValue, status);
        return new RollupGrowth(currentValue, priorValue, growth.Change, growth.Pct, pairs, growth.Reason, status);
    }

    /// <summary>The member slots effective in a year, in order of their first effective listing, and a flag per slot.</summary>
    private (int[] Slots, bool[] IsEffective) Effective(int year)
    {
        if (_effective.TryGetValue(year, out var effective))
            return effective;
        var isEffective = new bool[_memberIds.Length];
        var slots = new List<int>();
        for (var i = 0; i < _listings.Length; i++)
        {
            var slot = _slotOfListing[i];
            if (!isEffective[slot] && _listings[i].EffectiveIn(year))
            {
                isEffective[slot] = true;
                slots.Add(slot);
            }
        }
        return _effective[year] = ([.. slots], isEffective);
    }

    private static (double? Value, string? Reason) Finite(double value) => double.IsFinite(value) ? (value, null) : (null, Growth.NotFinite);

    /// <summary>
    /// <see cref="Rollups.Aggregate"/> over a non-empty span, to the bit: the same order of additions (a sum from
    /// zero, a mean from the first value), and the same NaN rules for min and max as LINQ over a sequence.
    /// </summary>
    public static double Aggregate(AggregationMethod aggregation, ReadOnlySpan<double> values)
    {
        switch (aggregation)
        {
            case AggregationMethod.Sum:
            {
                var sum = 0.0;
                foreach (var v in values)
                    sum += v;
                return sum;
            }
            case AggregationMethod.Mean:
            {
                var sum = values[0];
                for (var i = 1; i < values.Length; i++)
                    sum += values[i];
                return sum / values.Length;
            }
            case AggregationMethod.Min:
            {
                var min = values[0];
                if (double.IsNaN(min))
                    return min;
                for (var i = 1; i < values.Length; i++)
                {
                    var v = values[i];
                    if (v < min)
                        min = v;
                    else if (double.IsNaN(v))
                        return v;
                }
                return min;
            }
            case AggregationMethod.Max:
            {
                var i = 0;
                var max = values[0];
                while (double.IsNaN(max) && ++i < values.Length)
                    max = values[i];
                for (i++; i < values.Length; i++)
                {
                    if (values[i] > max)
                        max = values[i];
                }
                return max;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(aggregation), aggregation, "Only sum, mean, min and max aggregate.");
        }
    }
}
