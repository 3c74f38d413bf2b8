using System.Globalization;
using System.Text.Json;
using Azure;
using IndicatorFunctions.Aggregation;
using IndicatorFunctions.Collection;
using IndicatorFunctions.Data;
using Azure.Data.Tables;

namespace IndicatorFunctions.Runs;

public enum RunTrigger { Timer, Http, Startup }

/// <summary><see cref="Partial"/>: aggregation finished but at least one source failed to collect.</summary>
public enum RunStatus { Running, Succeeded, Partial, Failed }

/// <summary>Counts over a run's sources; the per-source outcomes are in <see cref="RunRecord.Sources"/> of a single run.</summary>
public sealed record CollectionSummary(int Sources, int Fetched, int Unchanged, int Failed, int Skipped, long RowsAccepted, long RowsRejected, long FactsExtracted = 0, long FactsUnresolved = 0)
{
    public static CollectionSummary Of(IReadOnlyCollection<SourceOutcome> outcomes) => new(
        outcomes.Count,
        outcomes.Count(o => o.Status == SourceStatus.Fetched),
        outcomes.Count(o => o.Status == SourceStatus.Unchanged),
        outcomes.Count(o => o.Status == SourceStatus.Failed),
        outcomes.Count(o => o.Status == SourceStatus.Skipped),
        outcomes.Sum(o => (long)o.RowsAccepted),
        outcomes.Sum(o => (long)o.RowsRejected),
        outcomes.Sum(o => (long)o.FactsExtracted),
        outcomes.Sum(o => (long)o.FactsUnresolved));
}

/// <summary>
/// One run. <see cref="CollectMs"/> and <see cref="AggregateMs"/> split its duration; <see cref="Collection"/>
/// is null when the run did not collect. <see cref="Sources"/> is filled when one run is read by id.
/// </summary>
public sealed record RunRecord(
    string Id,
    RunTrigger Trigger,
    RunStatus Status,
    bool Full,
    bool Collect,
    bool IsPastDue,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    long? DurationMs,
    long? CollectMs,
    long? AggregateMs,
    long ObservationsRead,
    long GrowthWritten,
    long RollupsWritten,
    CollectionSummary? Collection,
    IReadOnlyList<string> Errors)
{
    public IReadOnlyList<SourceOutcome>? Sources { get; init; }

    /// <summary>A fanned-out full run: its work items and each worker's share (the items themselves are under PK <c>work|{id}</c>).</summary>
    public FanOutSummary? FanOut { get; init; }
}

/// <summary>
/// The run ledger: one entity per run in the <c>runs</c> table. Ids sort newest first (inverted start ticks), so
/// "latest runs" is a single-partition query that reads from the top.
/// </summary>
public sealed partial class RunLedger(IndicatorTables tables, TimeProvider clock)
{
    private static JsonSerializerOptions Json => IndicatorFunctions.Json.Options;

    /// <summary>Newest first in the table: inverted ticks of <paramref name="now"/>, and a random tail.</summary>
    public static string NewId(DateTimeOffset now) =>
        (DateTime.MaxValue.Ticks - now.UtcTicks).ToString("D19", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..6];

    [System.Text.RegularExpressions.GeneratedRegex(@"^\d{19}-[0-9a-f]{6}\z")]
    private static partial System.Text.RegularExpressions.Regex IdPattern();

    public static bool IsValidId(string id) => IdPattern().IsMatch(id);

    public async Task<RunRecord> StartAsync(string id, RunTrigger trigger, bool full, bool collect, bool isPastDue, CancellationToken cancellationToken)
    {
        var run = new RunRecord(id, trigger, RunStatus.Running, full, collect, isPastDue, clock.GetUtcNow(), null, null, null, null, 0, 0, 0, null, []);
        await tables.EnsureCreatedAsync(cancellationToken);
        await tables.Runs.AddEntityAsync(RunEntity.From(run), cancellationToken);
        return run;
    }

    /// <summary>
    /// Records the run's end, trying for about half a minute while storage is unreachable. If it still cannot, the
    /// outcome is kept in this process and written by the next run that finds this one still <c>running</c>
    /// (<see cref="FailAbandonedAsync"/>): the ledger keeps the real error, not only "abandoned".
    /// </summary>
    public async Task<RunRecord> FinishAsync(RunRecord run, RunStatus status, RunCounts counts, RunTimings timings, IReadOnlyList<SourceOutcome>? sources, IReadOnlyList<string> errors)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await WriteFinishAsync(run, status, counts, timings, sources, errors, CancellationToken.None);
            }
            catch (RequestFailedException ex) when (sources is not null && ex.Status is 400 or 413)
            {
                // The source outcomes themselves may be what could not be written: finish the run without them.
                (run, sources, errors) = (run with { Collect = false }, null, [.. errors, "the per-source outcomes could not be recorded"]);
            }
            catch (Exception ex) when (Hosting.StorageFailures.IsStorageFailure(ex))
            {
                if (attempt >= FinishDelays.Length)
                {
                    var unrecorded = Finished(run, status, counts, timings, sources, errors);
                    _unrecorded[run.Id] = unrecorded;
                    return unrecorded;
                }
                await Task.Delay(FinishDelays[attempt], clock);
            }
        }
    }

    private static readonly TimeSpan[] FinishDelays = [.. new[] { 1, 2, 4, 8, 16 }.Select(s => TimeSpan.FromSeconds(s))];

    /// <summary>Outcomes of runs in this process that storage could not take when they finished.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, RunRecord> _unrecorded = new();

    private RunRecord Finished(RunRecord run, RunStatus status, RunCounts counts, RunTimings timings, IReadOnlyList<SourceOutcome>? sources, IReadOnlyList<string> errors) =>
        run with
        {
            Status = status,
            FinishedAt = clock.GetUtcNow(),
            DurationMs = (long)timings.Total.TotalMilliseconds,
            CollectMs = timings.Collect is { } collect ? (long)collect.TotalMilliseconds : null,
            AggregateMs = timings.Aggregate is { } aggregate ? (long)aggregate.TotalMilliseconds : null,
            ObservationsRead = counts.ObservationsRead,
            GrowthWritten = counts.GrowthWritten,
            RollupsWritten = counts.RollupsWritten,
            Collection = sources is null ? null : CollectionSummary.Of(sources),
            Errors = FitErrors(errors),
            Sources = sources,
        };

    /// <summary>Source outcomes go first, one entity each under <c>run|{id}</c>, so a finished run never lacks them.</summary>
    private async Task<RunRecord> WriteFinishAsync(RunRecord run, RunStatus status, RunCounts counts, RunTimings timings, IReadOnlyList<SourceOutcome>? sources, IReadOnlyList<string> errors, CancellationToken cancellationToken)
    {
        var finished = Finished(run, status, counts, timings, sources, errors);
        if (sources is { Count: > 0 })
        {
            var actions = sources.Select(o => new TableTransactionAction(TableTransactionActionType.UpsertReplace, RunSourceEntity.From(run.Id, o, Fit(o))));
            foreach (var chunk in actions.Chunk(IndicatorTables.MaxBatch))
                await tables.Runs.SubmitTransactionAsync(chunk, cancellationToken);
        }
        await tables.Runs.UpsertEntityAsync(RunEntity.From(finished), TableUpdateMode.Replace, cancellationToken);
        return finished;
    }

    /// <summary>
    /// Called by the holder of the run lock: any other run still <c>running</c> among the latest cannot be (the
    /// lock is one at a time), so its process died mid-way. It is marked <c>failed</c> rather than left running.
    /// </summary>
    public async Task<int> FailAbandonedAsync(string holder, CancellationToken cancellationToken)
    {
        var abandoned = (await LatestAsync(20, cancellationToken)).Where(r => r.Status == RunStatus.Running && r.Id != holder).ToList();
        foreach (var run in abandoned)
        {
            var failed = _unrecorded.TryRemove(run.Id, out var outcome)
                ? outcome with { Errors = FitErrors([.. outcome.Errors, $"recorded late by run {holder}: storage was unreachable when this run finished"]) }
                : run with { Status = RunStatus.Failed, Errors = [$"abandoned: the process running it stopped before it finished (found by run {holder})"] };
            await tables.Runs.UpsertEntityAsync(RunEntity.From(failed), TableUpdateMode.Replace, cancellationToken);
        }
        return abandoned.Count;
    }

    /// <summary>
    /// A table string holds 32K characters. Reasons and messages are already short; a drop source with very many
    /// files keeps only the first ones listed, and as a last resort the row samples go.
    /// </summary>
    internal static string Fit(SourceOutcome outcome)
    {
        const int Limit = 30_000;
        outcome = outcome with { Reason = outcome.Reason is { } reason ? Collector.Short(reason, 2000) : null };
        var json = JsonSerializer.Serialize(outcome, Json);
        for (var keep = outcome.Files?.Count ?? 0; json.Length > Limit && keep > 0; keep /= 2)
        {
            json = JsonSerializer.Serialize(outcome with
            {
                Files = [.. outcome.Files!.Take(keep / 2), new FileOutcome($"({outcome.Files!.Count - keep / 2} more files not listed)", "omitted", null, null, 0, 0)],
            }, Json);
        }
        return json.Length > Limit ? JsonSerializer.Serialize(outcome with { Files = [], Errors = [] }, Json) : json;
    }

    /// <summary>The run's own error list: at most 20 entries of at most 500 characters, so the run row always fits.</summary>
    internal static IReadOnlyList<string> FitErrors(IReadOnlyList<string> errors) =>
        errors.Count <= 20
            ? errors.Select(e => Collector.Short(e, 500)).ToList()
            : [.. errors.Take(19).Select(e => Collector.Short(e, 500)), $"… and {errors.Count - 19} more; see each source's outcome"];

    /// <summary>One run, with its per-source outcomes when it collected.</summary>
    public async Task<RunRecord?> GetAsync(string id, CancellationToken cancellationToken)
    {
        if (await IndicatorTables.GetOrNullAsync<RunEntity>(tables.Runs, RunEntity.Partition, id, cancellationToken) is not { } entity)
            return null;
        var run = entity.ToRecord();
        if (!run.Collect)
            return run;
        var outcomes = await IndicatorTables.ReadPartitionAsync<RunSourceEntity>(tables.Runs, RunSourceEntity.PartitionOf(id), cancellationToken);
        return run with { Sources = outcomes.Select(e => e.ToOutcome()).ToList() };
    }

    public async Task<IReadOnlyList<RunRecord>> LatestAsync(int count, CancellationToken cancellationToken)
    {
        var runs = new List<RunRecord>(count);
        try
        {
            await foreach (var page in tables.Runs.QueryAsync<RunEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {RunEntity.Partition}"), maxPerPage: count, cancellationToken: cancellationToken).AsPages())
            {
                runs.AddRange(page.Values.Select(e => e.ToRecord()));
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
}
