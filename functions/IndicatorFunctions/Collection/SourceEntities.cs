using IndicatorFunctions.Data;

namespace IndicatorFunctions.Collection;

/// <summary>A source definition in the <c>sources</c> table: PK <c>source</c>, RK the source id; the definition as JSON.</summary>
public sealed class SourceDefinitionEntity : TableRow
{
    public const string Partition = "source";

    public SourceDefinitionEntity() => PartitionKey = Partition;

    public string Definition { get; set; } = "";
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>What a source's last collection saw: PK <c>state</c>, RK the source id.</summary>
public sealed class SourceStateEntity : TableRow
{
    public const string Partition = "state";

    public SourceStateEntity() => PartitionKey = Partition;

    /// <summary>The fingerprint of the definition this state belongs to.</summary>
    public string? Definition { get; set; }
    public string? HttpETag { get; set; }
    public string? HttpLastModified { get; set; }
    public string? LastHash { get; set; }
    public DateTimeOffset? LastAttemptAt { get; set; }
    public DateTimeOffset? LastSuccessAt { get; set; }
    public string? LastOutcome { get; set; }
    public string? LastRunId { get; set; }

    public static SourceStateEntity From(string id, SourceState state) => new()
    {
        RowKey = id,
        Definition = state.Definition,
        HttpETag = state.ETag,
        HttpLastModified = state.LastModified,
        LastHash = state.LastHash,
        LastAttemptAt = state.LastAttemptAt,
        LastSuccessAt = state.LastSuccessAt,
        LastOutcome = state.LastOutcome,
        LastRunId = state.LastRunId,
    };

    public SourceState ToState() => new(Definition, HttpETag, HttpLastModified, LastHash, LastAttemptAt, LastSuccessAt, LastOutcome, LastRunId);
}

/// <summary>Content a blob-drop source has collected: PK <c>seen|{source id}</c>, RK the content's SHA-256.</summary>
public sealed class SourceSeenEntity : TableRow
{
    public string Blob { get; set; } = "";
    public string? RunId { get; set; }
    public DateTimeOffset At { get; set; }

    public static string PartitionOf(string sourceId) => "seen|" + sourceId;
}
