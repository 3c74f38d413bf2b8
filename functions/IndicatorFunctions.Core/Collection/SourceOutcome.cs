namespace IndicatorFunctions.Collection;

public enum SourceStatus { Fetched, Unchanged, Failed, Skipped }

public sealed record RowErrorSample(int Row, string Field, string Message);

/// <summary>One blob-drop file: <c>collected</c>, <c>duplicate</c> (its content was collected before) or <c>failed</c>.</summary>
public sealed record FileOutcome(string Name, string Status, string? Reason, string? Payload, int RowsAccepted, int RowsRejected, string? Rejects = null);

/// <summary>
/// One HTTP attempt at a source, as the source's own resilience pipeline made it: the host asked (a redirect
/// changes it; never the path or query, which may hold a secret), the status it answered, or why there was none
/// (a network error, a timeout, a refused destination), and how long it took.
/// </summary>
public sealed record SourceAttempt(string Host, int? Status, string? Error, long ElapsedMs);

/// <summary>
/// What a run did with one source. <see cref="Payload"/> is the archived blob (in <c>raw</c>); when rows were
/// rejected, <see cref="Rejects"/> lists every one of them beside it, and <see cref="Errors"/> holds the first few.
/// Times: fetching (or listing and downloading) with hashing, parsing, and writing (archiving and ingestion).
/// An http source's <see cref="AttemptLog"/> lists each of its own attempts (<see cref="Attempts"/> counts them).
/// A press-release source counts the facts it extracted and those that did not resolve (listed in <see cref="Rejects"/>).
/// </summary>
public sealed record SourceOutcome(
    string Source,
    string Kind,
    SourceStatus Status,
    string? Reason,
    int Attempts = 0,
    int? HttpStatus = null,
    long Bytes = 0,
    string? Payload = null,
    string? Rejects = null,
    int RowsAccepted = 0,
    int RowsRejected = 0,
    int Inserted = 0,
    int Revised = 0,
    int Unchanged = 0,
    IReadOnlyList<RowErrorSample>? Errors = null,
    IReadOnlyList<FileOutcome>? Files = null,
    long FetchMs = 0,
    long ParseMs = 0,
    long WriteMs = 0,
    IReadOnlyList<SourceAttempt>? AttemptLog = null,
    int FactsExtracted = 0,
    int FactsUnresolved = 0);
