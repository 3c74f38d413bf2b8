namespace IndicatorFunctions.Ingestion;

/// <summary>
/// How a payload's CSV columns or JSON paths become observation fields. Pushed bodies use <see cref="Default"/>:
/// every field under its own name, numbers as numbers. A collected source names its own columns, fills what
/// the payload lacks from <see cref="Defaults"/>, and may send numbers as strings.
/// </summary>
public sealed record RowMapping
{
    private static readonly IReadOnlyDictionary<string, string> None = new Dictionary<string, string>();

    public static RowMapping Default { get; } = new();

    /// <summary>Field → CSV column (matched case-insensitively) or JSON path within a record (<c>a.b.0.c</c>). Unmapped fields use their own name.</summary>
    public IReadOnlyDictionary<string, string> Fields { get; init; } = None;

    /// <summary>Field → text used when a row has no value for it (e.g. the district of a one-district file).</summary>
    public IReadOnlyDictionary<string, string> Defaults { get; init; } = None;

    /// <summary>JSON path to the array of records ("" = the document is the array); null = the push shape <c>{"observations":[...]}</c>.</summary>
    public string? Records { get; init; }

    /// <summary>Read <c>"1234.5"</c> in JSON as a number, as many publishers' APIs send them.</summary>
    public bool NumbersInStrings { get; init; }

    public string ColumnOf(string field) => Fields.TryGetValue(field, out var column) ? column : field;
}
