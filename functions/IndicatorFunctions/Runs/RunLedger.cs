using System.Globalization;
using System.Text.Json;
using Azure;
using IndicatorFunctions.Aggregation;
using IndicatorFunctions.Data;
using IndicatorFunctions.Storage.Tables;

namespace IndicatorFunctions.Runs;

public enum RunTrigger { Timer, Http, Startup }

public enum RunStatus { Running, Succeeded, Failed }

public sealed record RunRecord(
    string Id,
    RunTrigger Trigger,
    RunStatus Status,
    bool Full,
    bool IsPastDue,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    long? DurationMs,
    long ObservationsRead,
    long GrowthWritten,
    long RollupsWritten,
    IReadOnlyList<string> Errors);

/// <summary>
/// The run ledger: one entity per run in the <c>runs</c> table. Ids sort newest first (inverted start ticks), so
/// "latest runs" is a single-partition query that reads from the top.
/// </summary>
public sealed partial class RunLedger(IndicatorTables tables, TimeProvider clock)
{
    private const string Partition = "run";

    public static string NewId() =>
        (DateTime.MaxValue.Ticks - DateTime.UtcNow.Ticks).ToString("D19", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..6];

    [System.Text.RegularExpressions.GeneratedRegex(@"^\d{19}-[0-9a-f]{6}\z")]
    private static partial System.Text.RegularExpressions.Regex IdPattern();

    public static bool IsValidId(string id) => IdPattern().IsMatch(id);

    public async Task<RunRecord> StartAsync(string id, RunTrigger trigger, bool full, bool isPastDue, CancellationToken cancellationToken)
    {
        var run = new RunRecord(id, trigger, RunStatus.Running, full, isPastDue, clock.GetUtcNow(), null, null, 0, 0, 0, []);
        await tables.EnsureCreatedAsync(cancellationToken);
        await tables.Runs.AddEntityAsync(ToEntity(run), cancellationToken);
        return run;
    }

    public async Task<RunRecord> FinishAsync(RunRecord run, RunStatus status, RunCounts counts, TimeSpan duration, IReadOnlyList<string> errors, CancellationToken cancellationToken)
    {
        var finished = run with
        {
            Status = status,
            FinishedAt = clock.GetUtcNow(),
            DurationMs = (long)duration.TotalMilliseconds,
            ObservationsRead = counts.ObservationsRead,
            GrowthWritten = counts.GrowthWritten,
            RollupsWritten = counts.RollupsWritten,
            Errors = errors,
        };
        await tables.Runs.UpsertEntityAsync(ToEntity(finished), TableUpdateMode.Replace, cancellationToken);
        return finished;
    }

    public async Task<RunRecord?> GetAsync(string id, CancellationToken cancellationToken) =>
        await tables.Runs.GetEntityIfExistsAsync(Partition, id, cancellationToken: cancellationToken) is { } entity ? FromEntity(entity) : null;

    public async Task<IReadOnlyList<RunRecord>> LatestAsync(int count, CancellationToken cancellationToken)
    {
        var runs = new List<RunRecord>(count);
        try
        {
            await foreach (var page in tables.Runs.QueryAsync(TableClient.CreateQueryFilter($"PartitionKey eq {Partition}"), maxPerPage: count, cancellationToken: cancellationToken).AsPages())
            {
                runs.AddRange(page.Values.Select(FromEntity));
                if (runs.Count >= count)
                    break;
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // No run has ever been recorded, so the table does not exist yet.
        }
        return runs.Count > count ? runs[..count] : runs;
    }

    private static TableEntity ToEntity(RunRecord run) => new(Partition, run.Id)
    {
        ["Trigger"] = run.Trigger.ToString().ToLowerInvariant(),
        ["Status"] = run.Status.ToString().ToLowerInvariant(),
        ["Full"] = run.Full,
        ["IsPastDue"] = run.IsPastDue,
        ["StartedAt"] = run.StartedAt,
        ["FinishedAt"] = run.FinishedAt,
        ["DurationMs"] = run.DurationMs,
        ["ObservationsRead"] = run.ObservationsRead,
        ["GrowthWritten"] = run.GrowthWritten,
        ["RollupsWritten"] = run.RollupsWritten,
        ["Errors"] = JsonSerializer.Serialize(run.Errors),
    };

    private static RunRecord FromEntity(TableEntity e) => new(
        e.RowKey,
        Enum.Parse<RunTrigger>(e.GetString("Trigger")!, ignoreCase: true),
        Enum.Parse<RunStatus>(e.GetString("Status")!, ignoreCase: true),
        e.GetBoolean("Full") ?? false,
        e.GetBoolean("IsPastDue") ?? false,
        e.GetDateTimeOffset("StartedAt")!.Value,
        e.GetDateTimeOffset("FinishedAt"),
        e.GetInt64("DurationMs"),
        e.GetInt64("ObservationsRead") ?? 0,
        e.GetInt64("GrowthWritten") ?? 0,
        e.GetInt64("RollupsWritten") ?? 0,
        JsonSerializer.Deserialize<List<string>>(e.GetString("Errors") ?? "[]") ?? []);
}
