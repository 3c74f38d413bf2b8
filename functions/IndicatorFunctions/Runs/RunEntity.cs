using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using IndicatorFunctions.Collection;
using IndicatorFunctions.Data;

namespace IndicatorFunctions.Runs;

/// <summary>One run in the <c>runs</c> table: PK <c>run</c>, RK the run id (newest first).</summary>
public sealed class RunEntity : TableRow
{
    public const string Partition = "run";

    public RunEntity() => PartitionKey = Partition;

    public string Trigger { get; set; } = "";
    public string Status { get; set; } = "";
    public bool Full { get; set; }
    public bool Collect { get; set; }
    public bool IsPastDue { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public long? DurationMs { get; set; }
    public long? CollectMs { get; set; }
    public long? AggregateMs { get; set; }
    public long ObservationsRead { get; set; }
    public long GrowthWritten { get; set; }
    public long RollupsWritten { get; set; }

    /// <summary>The <see cref="CollectionSummary"/> as JSON, or null when the run did not collect.</summary>
    public string? Collection { get; set; }

    /// <summary>The <see cref="Aggregation.FanOutSummary"/> as JSON, or null when the run did not fan out.</summary>
    public string? FanOut { get; set; }

    /// <summary>The errors as a JSON array.</summary>
    public string Errors { get; set; } = "[]";

    public static string Name<TEnum>(TEnum value) where TEnum : struct, Enum => value.ToString().ToLowerInvariant();

    public static RunEntity From(RunRecord run) => new()
    {
        RowKey = run.Id,
        Trigger = Name(run.Trigger),
        Status = Name(run.Status),
        Full = run.Full,
        Collect = run.Collect,
        IsPastDue = run.IsPastDue,
        StartedAt = run.StartedAt,
        FinishedAt = run.FinishedAt,
        DurationMs = run.DurationMs,
        CollectMs = run.CollectMs,
        AggregateMs = run.AggregateMs,
        ObservationsRead = run.ObservationsRead,
        GrowthWritten = run.GrowthWritten,
        RollupsWritten = run.RollupsWritten,
        Collection = run.Collection is null ? null : JsonSerializer.Serialize(run.Collection, Json.Options),
        Errors = JsonSerializer.Serialize(run.Errors),
        FanOut = run.FanOut is null ? null : JsonSerializer.Serialize(run.FanOut, Json.Options),
    };

    public RunRecord ToRecord() => new(
        RowKey,
        Enum.Parse<RunTrigger>(Trigger, ignoreCase: true),
        Enum.Parse<RunStatus>(Status, ignoreCase: true),
        Full,
        Collect,
        IsPastDue,
        StartedAt,
        FinishedAt,
        DurationMs,
        CollectMs,
        AggregateMs,
        ObservationsRead,
        GrowthWritten,
        RollupsWritten,
        Collection is { } collection ? JsonSerializer.Deserialize<CollectionSummary>(collection, Json.Options) : null,
        JsonSerializer.Deserialize<List<string>>(Errors) ?? [])
    {
        FanOut = FanOut is { } fanOut ? JsonSerializer.Deserialize<Aggregation.FanOutSummary>(fanOut, Json.Options) : null,
    };
}

/// <summary>One source's outcome in a run: PK <c>run|{id}</c>, RK the source id; the outcome as JSON.</summary>
public sealed class RunSourceEntity : TableRow
{
    public string Outcome { get; set; } = "";

    public static string PartitionOf(string runId) => $"{RunEntity.Partition}|{runId}";

    public static RunSourceEntity From(string runId, SourceOutcome outcome, string json) => new() { PartitionKey = PartitionOf(runId), RowKey = outcome.Source, Outcome = json };

    public SourceOutcome ToOutcome() => JsonSerializer.Deserialize<SourceOutcome>(Outcome, Json.Options)!;
}
