using IndicatorFunctions.Domain;

namespace IndicatorFunctions.Ingestion;

/// <summary>One row as sent, before validation. <see cref="Row"/> is what error messages cite.</summary>
public sealed record ObservationInput(
    int Row,
    string? District,
    string? Indicator,
    string? Period,
    double? Value,
    string? Sector,
    string? Unit,
    double? Scale,
    string? Status,
    string? Source)
{
    /// <summary>Set when the value was present but not a number, so the error can say so.</summary>
    public string? ValueText { get; init; }

    /// <summary>Likewise for scale.</summary>
    public string? ScaleText { get; init; }

    /// <summary>Set when the row itself could not be read (a CSV line with broken quoting): its only error.</summary>
    public RowError? Unreadable { get; init; }
}

/// <summary>
/// A problem with one field of one row (row 0: the request as a whole). <see cref="Rule"/> is a stable code from
/// <see cref="RowRules"/>, so errors can be counted by field and rule; the message says it for people.
/// </summary>
public sealed record RowError(int Row, string Field, string Message, string Rule = RowRules.Invalid);

/// <summary>The rule a row broke, as stable codes clients may count and match on.</summary>
public static class RowRules
{
    public const string Required = "required";
    public const string Unknown = "unknown";
    public const string Slug = "slug";
    public const string Period = "period";
    public const string Number = "number";
    public const string Finite = "finite";
    public const string Positive = "positive";
    public const string Unit = "unit";
    public const string Status = "status";
    public const string TooLong = "too_long";
    public const string Overflow = "overflow";
    public const string Duplicate = "duplicate";
    public const string Range = "range";
    public const string Printable = "printable";
    public const string Quoting = "quoting";
    public const string Invalid = "invalid";
}

/// <summary>A row that passed validation, normalised to the indicator's canonical unit.</summary>
public sealed record ValidObservation(
    int Row,
    SeriesKey Series,
    Period Period,
    double Value,
    double OriginalValue,
    double Scale,
    string Unit,
    ObservationStatus Status,
    string? Source);
