using System.Globalization;
using Azure;
using IndicatorFunctions.Hosting;
using IndicatorFunctions.Storage.Tables;

namespace IndicatorFunctions.Runs;

public enum RunTrigger { Timer, Http, Startup }

public enum RunStatus { Running, Succeeded, Failed }

public sealed record RunRecord(
    string Id,
    RunTrigger Trigger,
    RunStatus Status,
    bool IsPastDue,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    string? Error);

/// <summary>
/// The run ledger: one entity per aggregation run in the <c>runs</c> table. Ids sort newest first (inverted
/// start ticks), so "latest runs" is a single-partition query that reads from the top.
/// </summary>
public sealed class RunLedger(StorageAccount storage, TimeProvider clock)
{
    public const string TableName = "runs";
    private const string Partition = "run";
    private readonly TableClient _table = storage.GetTableClient(TableName);
    private bool _tableReady;

    public async Task<RunRecord> StartAsync(RunTrigger trigger, bool isPastDue, CancellationToken cancellationToken)
    {
        var started = clock.GetUtcNow();
        var id = (DateTime.MaxValue.Ticks - started.UtcTicks).ToString("D19", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..6];
        var run = new RunRecord(id, trigger, RunStatus.Running, isPastDue, started, null, null);
        await EnsureTableAsync(cancellationToken);
        await _table.AddEntityAsync(ToEntity(run), cancellationToken);
        return run;
    }

    public async Task<RunRecord> FinishAsync(RunRecord run, RunStatus status, string? error, CancellationToken cancellationToken)
    {
        var finished = run with { Status = status, FinishedAt = clock.GetUtcNow(), Error = error };
        await _table.UpsertEntityAsync(ToEntity(finished), TableUpdateMode.Replace, cancellationToken);
        return finished;
    }

    public async Task<RunRecord?> GetAsync(string id, CancellationToken cancellationToken) =>
        await _table.GetEntityIfExistsAsync(Partition, id, cancellationToken: cancellationToken) is { } entity ? FromEntity(entity) : null;

    public async Task<IReadOnlyList<RunRecord>> LatestAsync(int count, CancellationToken cancellationToken)
    {
        var runs = new List<RunRecord>(count);
        try
        {
            await foreach (var page in _table.QueryAsync(TableClient.CreateQueryFilter($"PartitionKey eq {Partition}"), maxPerPage: count, cancellationToken: cancellationToken).AsPages())
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

    private async Task EnsureTableAsync(CancellationToken cancellationToken)
    {
        if (_tableReady)
            return;
        await _table.CreateIfNotExistsAsync(cancellationToken);
        _tableReady = true;
    }

    private static TableEntity ToEntity(RunRecord run) => new(Partition, run.Id)
    {
        ["Trigger"] = run.Trigger.ToString().ToLowerInvariant(),
        ["Status"] = run.Status.ToString().ToLowerInvariant(),
        ["IsPastDue"] = run.IsPastDue,
        ["StartedAt"] = run.StartedAt,
        ["FinishedAt"] = run.FinishedAt,
        ["Error"] = run.Error,
    };

    private static RunRecord FromEntity(TableEntity e) => new(
        e.RowKey,
        Enum.Parse<RunTrigger>(e.GetString("Trigger")!, ignoreCase: true),
        Enum.Parse<RunStatus>(e.GetString("Status")!, ignoreCase: true),
        e.GetBoolean("IsPastDue") ?? false,
        e.GetDateTimeOffset("StartedAt")!.Value,
        e.GetDateTimeOffset("FinishedAt"),
        e.GetString("Error"));
}
