using Azure;
using Azure.Data.Tables;
using IndicatorFunctions.Domain;
using IndicatorFunctions.Ingestion;

namespace IndicatorFunctions.Data;

/// <summary>
/// A current input point: <c>observations</c>, PK <c>indicator|district|sector</c>, RK period. The value is in
/// canonical units; what was sent (value and scale) and where it came from (batch, row) are kept for provenance.
/// </summary>
public class ObservationEntity : TableRow
{
    public double Value { get; set; }
    public double OriginalValue { get; set; }
    public double Scale { get; set; }
    public string? Unit { get; set; }
    public string? Status { get; set; }
    public string? Source { get; set; }
    public string? BatchId { get; set; }
    public int Row { get; set; }
    public int Revision { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public static string Partition(SeriesKey series) => series.PartitionKey;

    public static ObservationEntity From(ValidObservation o, string batchId, int revision, DateTimeOffset now) => new()
    {
        PartitionKey = Partition(o.Series),
        RowKey = o.Period.ToString(),
        Value = o.Value,
        OriginalValue = o.OriginalValue,
        Scale = o.Scale,
        Unit = o.Unit,
        Status = o.Status.ToName(),
        Source = o.Source,
        BatchId = batchId,
        Row = o.Row,
        Revision = revision,
        UpdatedAt = now,
    };

    /// <summary>The same figure: a re-sent point that changes nothing is not a revision.</summary>
    public bool Holds(ValidObservation point) => Value == point.Value && Status == point.Status.ToName() && Source == point.Source;

    public Observation ToObservation() => new(
        Period.Parse(RowKey),
        Value,
        StatusNames.TryParse(Status, out var status) ? status : ObservationStatus.Final,
        Source);
}

/// <summary>A replaced value: <c>revisions</c>, PK as the observation's, RK <c>period|revision</c> (six digits, oldest first).</summary>
public sealed class RevisionEntity : ObservationEntity
{
    public DateTimeOffset ReplacedAt { get; set; }
    public string? ReplacedByBatch { get; set; }

    public static RevisionEntity Of(ObservationEntity replaced, string replacedBy, DateTimeOffset now) => new()
    {
        PartitionKey = replaced.PartitionKey,
        RowKey = $"{replaced.RowKey}|{replaced.Revision:D6}",
        Value = replaced.Value,
        OriginalValue = replaced.OriginalValue,
        Scale = replaced.Scale,
        Unit = replaced.Unit,
        Status = replaced.Status,
        Source = replaced.Source,
        BatchId = replaced.BatchId,
        Row = replaced.Row,
        Revision = replaced.Revision,
        UpdatedAt = replaced.UpdatedAt,
        ReplacedAt = now,
        ReplacedByBatch = replacedBy,
    };
}
