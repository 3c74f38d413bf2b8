using IndicatorFunctions.Domain;

namespace IndicatorFunctions.Reads;

/// <summary>
/// What the three dashboard reads answer, whatever the representation: serialized as it stands for JSON (property
/// order is the wire order), flattened by <see cref="ReadCsv"/> and reshaped by <see cref="ReadJsonStat"/>. Values
/// are already rounded for display; <c>RunId</c>, <c>AggregatedAt</c> and <c>PendingChanges</c> say which run the
/// figures come from and whether inputs have changed since.
/// </summary>
/// <summary>Which run a read's figures come from, and whether inputs have changed since it took its snapshot.</summary>
public interface IFreshRead
{
    string? RunId { get; }
    DateTimeOffset? AggregatedAt { get; }
    bool PendingChanges { get; }
}

public sealed record SeriesRead : IFreshRead
{
    public required string District { get; init; }
    public required string Indicator { get; init; }
    public required string Sector { get; init; }
    public required string Unit { get; init; }
    public required string? RunId { get; init; }
    public required DateTimeOffset? AggregatedAt { get; init; }
    public required bool PendingChanges { get; init; }
    public required IReadOnlyList<SeriesReadPoint> Points { get; init; }
}

public sealed record SeriesReadPoint
{
    public required string Period { get; init; }
    public required double? Value { get; init; }
    public required string? Status { get; init; }
    public required string? Source { get; init; }
    public required YoyRead Yoy { get; init; }
}

/// <summary>A point's growth on the same period a year before; <c>Reason</c> says why a figure is absent.</summary>
public sealed record YoyRead(double? Prior, double? Change, double? Pct, string? Reason, string? Status);

/// <summary>Every district for one period, largest first, with competition ranks.</summary>
public sealed record CrossSectionRead : IFreshRead
{
    public required string Indicator { get; init; }
    public required string Period { get; init; }
    public required string Sector { get; init; }
    public required string Unit { get; init; }
    public required string? RunId { get; init; }
    public required DateTimeOffset? AggregatedAt { get; init; }
    public required bool PendingChanges { get; init; }
    public required IReadOnlyList<CrossSectionReadRow> Rows { get; init; }
}

public sealed record CrossSectionReadRow
{
    public required string District { get; init; }
    public required double? Value { get; init; }
    public required string? Status { get; init; }
    public required int Rank { get; init; }
    public required YoyRead Yoy { get; init; }
}

/// <summary>A cluster's rollups: coverage of its members and like-for-like growth.</summary>
public sealed record RollupsRead : IFreshRead
{
    public required string Cluster { get; init; }
    public required string Indicator { get; init; }
    public required string Unit { get; init; }
    public required AggregationMethod Aggregation { get; init; }
    public required string? RunId { get; init; }
    public required DateTimeOffset? AggregatedAt { get; init; }
    public required bool PendingChanges { get; init; }
    public required IReadOnlyList<RollupReadPoint> Points { get; init; }
}

public sealed record RollupReadPoint
{
    public required string Period { get; init; }
    public required double? Value { get; init; }
    public required string? ValueReason { get; init; }
    public required string? Status { get; init; }
    public required int Members { get; init; }
    public required int Reporting { get; init; }
    public required double? Coverage { get; init; }
    public required IReadOnlyList<string> Missing { get; init; }
    public required RollupYoyRead Yoy { get; init; }
}

/// <summary>Like-for-like growth: the members reporting in both periods, summed (or averaged …) in each.</summary>
public sealed record RollupYoyRead
{
    public required double? Current { get; init; }
    public required double? Prior { get; init; }
    public required double? Change { get; init; }
    public required double? Pct { get; init; }
    public required int ComparableMembers { get; init; }
    public required string? Reason { get; init; }
    public required string? Status { get; init; }
}
