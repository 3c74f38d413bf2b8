using System.Diagnostics;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using IndicatorFunctions.Catalog;
using IndicatorFunctions.Data;
using Microsoft.Extensions.Options;

namespace IndicatorFunctions.Aggregation;

/// <summary>A queue message of a fanned-out full run: one indicator of one run.</summary>
public sealed record WorkMessage(string RunId, string Indicator);

/// <summary>What one worker (instance and process) did for a fanned-out run, summed over its items.</summary>
public sealed record WorkerShare(string Worker, int Items, long ObservationsRead, long GrowthWritten, long RollupsWritten, long BusyMs);

/// <summary>A fanned-out run in the ledger: its items, and each worker's share of them.</summary>
public sealed record FanOutSummary(int Items, IReadOnlyList<WorkerShare> Workers);

/// <summary>An item of a fanned-out run failed for good (its last allowed delivery, or it reached the poison queue).</summary>
public sealed class WorkItemFailedException(string message) : Exception(message);

/// <summary>
/// One work item in the run ledger (the <c>runs</c> table): PK <c>work|{runId}</c>, RK the indicator. Written
/// <c>pending</c> before its message is sent, and then once, by the first worker to finish it (a conditional
/// replace), to <c>done</c> with its counts or to <c>failed</c> with the reason. A later delivery of the same message
/// finds it settled and does nothing, so counts never double.
/// </summary>
public sealed class WorkItemEntity : TableRow
{
    public const string Pending = "pending";
    public const string Done = "done";
    public const string Failed = "failed";

    public string Status { get; set; } = Pending;
    public string? Worker { get; set; }
    public long Attempts { get; set; }
    public long ObservationsRead { get; set; }
    public long GrowthWritten { get; set; }
    public long RollupsWritten { get; set; }
    public long BusyMs { get; set; }
    public string? Error { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }

    public static string PartitionOf(string runId) => $"work|{runId}";
}

/// <summary>This process as a worker: the instance (Azure's <c>WEBSITE_INSTANCE_ID</c>, else the machine), the process, and a tag per app.</summary>
public sealed class WorkerIdentity
{
    public string Id { get; } = $"{Short(Environment.GetEnvironmentVariable("WEBSITE_INSTANCE_ID")) ?? Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..4]}";

    private static string? Short(string? instance) => instance is { Length: > 0 } ? instance[..Math.Min(12, instance.Length)] : null;
}

/// <summary>
/// Fan-out of a full run (setting <c>AggregationFanOut</c>): the run's coordinator — the process holding the run
/// lock — writes one <c>pending</c> item per indicator into the ledger, sends one message each to the
/// <c>aggregation-work</c> queue, and waits (polling the items, with a short backoff) until every item is done; any
/// process running <see cref="AggregationWorkFunction"/> (instances of the app on Azure, local mode's queue poller
/// here, the coordinator's own process among them) does the items. The coordinator commits the generation only
/// then; an item failed for good fails the run, and the generation is abandoned, never served.
/// </summary>
public sealed class FanOut(StorageAccount storage, IndicatorTables tables, Generations generations, CatalogStore catalogStore,
    WorkerIdentity worker, IOptions<AppOptions> options, ILogger<FanOut> logger)
{
    public const string QueueName = "aggregation-work";

    /// <summary>The trigger's queue: the same name the coordinator sends to (<see cref="StorageAccount.GetQueueClient"/> prefixes it).</summary>
    public const string TriggerQueue = "%" + StorageAccount.PrefixSetting + "%" + QueueName;

    /// <summary>Deliveries of one message before it goes to the poison queue (host.json <c>extensions.queues.maxDequeueCount</c>).</summary>
    public const int MaxDequeueCount = 5;

    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan LongestPoll = TimeSpan.FromSeconds(1);

    public bool Enabled => options.Value.AggregationFanOut;

    public QueueClient Queue => storage.GetQueueClient(QueueName);

    /// <summary>The host's convention: <c>{queue}-poison</c>.</summary>
    public QueueClient PoisonQueue => storage.GetQueueClient(QueueName + "-poison");

    /// <summary>The coordinator: sends every indicator of the catalog as an item and returns once all are done.</summary>
    public async Task<(RunCounts Counts, FanOutSummary Summary)> RunAsync(string runId, CatalogSnapshot catalog, CancellationToken cancellationToken)
    {
        await Task.WhenAll(Queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken), PoisonQueue.CreateIfNotExistsAsync(cancellationToken: cancellationToken));
        var partition = WorkItemEntity.PartitionOf(runId);
        var items = catalog.Indicators.Keys.Order(StringComparer.Ordinal).ToList();
        foreach (var chunk in items.Chunk(IndicatorTables.MaxBatch))
        {
            await tables.Runs.SubmitTransactionAsync(chunk.Select(i => new TableTransactionAction(TableTransactionActionType.Add,
                new WorkItemEntity { PartitionKey = partition, RowKey = i })), cancellationToken);
        }
        await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (indicator, ct) => await Queue.SendMessageAsync(JsonSerializer.Serialize(new WorkMessage(runId, indicator), Json.Options), ct));
        logger.LogInformation("Run {RunId}: {Count} work items sent to queue {Queue}", runId, items.Count, Queue.Name);
        try
        {
            var done = await WaitForAllAsync(runId, items.Count, cancellationToken);
            return (new RunCounts(done.Sum(i => i.ObservationsRead), done.Sum(i => i.GrowthWritten), done.Sum(i => i.RollupsWritten)), Summarize(done));
        }
        catch
        {
            // Deliveries still queued find their item settled and do nothing.
            await CancelPendingAsync(runId);
            throw;
        }
    }

    /// <summary>Polls the run's items (50 ms, growing to 1 s) until all are done; a failed one, or one of its messages in the poison queue, fails the run.</summary>
    private async Task<List<WorkItemEntity>> WaitForAllAsync(string runId, int count, CancellationToken cancellationToken)
    {
        var wait = FirstPoll;
        while (true)
        {
            var items = await IndicatorTables.ReadPartitionAsync<WorkItemEntity>(tables.Runs, WorkItemEntity.PartitionOf(runId), cancellationToken);
            if (items.FirstOrDefault(i => i.Status == WorkItemEntity.Failed) is { } failed)
                throw new WorkItemFailedException($"work item {failed.RowKey} failed: {failed.Error}");
            if (items.Count(i => i.Status == WorkItemEntity.Done) == count)
                return items;
            if (await PoisonedAsync(runId, cancellationToken) is { } poisoned)
                throw new WorkItemFailedException($"work item {poisoned} reached the poison queue without finishing");
            await Task.Delay(wait, cancellationToken);
            wait = TimeSpan.FromTicks(Math.Min(LongestPoll.Ticks, wait.Ticks * 2));
        }
    }

    /// <summary>
    /// An item of this run whose message the host moved to the poison queue without a worker recording it failed (its
    /// process died on the last delivery). Peeks the oldest 32 messages: the queue is for inspection, usually empty.
    /// </summary>
    private async Task<string?> PoisonedAsync(string runId, CancellationToken cancellationToken)
    {
        var peeked = await PoisonQueue.PeekMessagesAsync(32, cancellationToken);
        foreach (var message in peeked.Value)
        {
            if (TryParse(message.Body, out var work) && work.RunId == runId)
                return work.Indicator;
        }
        return null;
    }

    private async Task CancelPendingAsync(string runId)
    {
        try
        {
            foreach (var item in await IndicatorTables.ReadPartitionAsync<WorkItemEntity>(tables.Runs, WorkItemEntity.PartitionOf(runId), CancellationToken.None))
            {
                if (item.Status != WorkItemEntity.Pending)
                    continue;
                item.Status = WorkItemEntity.Failed;
                item.Error = "cancelled: the run failed";
                await TrySettleAsync(item, CancellationToken.None);
            }
        }
        catch (Exception ex) when (ex is RequestFailedException || Hosting.StorageFailures.IsStorageFailure(ex))
        {
            logger.LogWarning(ex, "Run {RunId}: could not cancel its pending items; their deliveries will write into its abandoned generation", runId);
        }
    }

    internal static FanOutSummary Summarize(IReadOnlyCollection<WorkItemEntity> items) => new(items.Count,
        items.GroupBy(i => i.Worker ?? "")
            .Select(g => new WorkerShare(g.Key, g.Count(), g.Sum(i => i.ObservationsRead), g.Sum(i => i.GrowthWritten), g.Sum(i => i.RollupsWritten), g.Sum(i => i.BusyMs)))
            .OrderBy(w => w.Worker, StringComparer.Ordinal).ToList());

    public static bool TryParse(BinaryData body, out WorkMessage message)
    {
        try
        {
            message = JsonSerializer.Deserialize<WorkMessage>(body, Json.Options)!;
            return message is { RunId.Length: > 0, Indicator.Length: > 0 } && Runs.RunLedger.IsValidId(message.RunId);
        }
        catch (JsonException)
        {
            message = null!;
            return false;
        }
    }

    /// <summary>
    /// A worker: does one item, unless it is already settled (a duplicate delivery) or unknown (a run that was
    /// cleaned up). Two deliveries running at once both write the same entities (upserts of the same figures), and
    /// only the first to settle the item is counted. A failure on the last allowed delivery settles it failed.
    /// </summary>
    public async Task ProcessAsync(WorkMessage message, long dequeueCount, CancellationToken cancellationToken)
    {
        var item = await IndicatorTables.GetOrNullAsync<WorkItemEntity>(tables.Runs, WorkItemEntity.PartitionOf(message.RunId), message.Indicator, cancellationToken);
        if (item is null || item.Status != WorkItemEntity.Pending)
        {
            logger.LogInformation("Work item {RunId}/{Indicator}: {State}, nothing to do", message.RunId, message.Indicator, item?.Status ?? "unknown");
            return;
        }
        var watch = Stopwatch.StartNew();
        try
        {
            var catalog = await catalogStore.GetAsync(cancellationToken, fresh: true);
            if (catalog.Indicators.TryGetValue(message.Indicator, out var indicator))
            {
                var store = new TableAggregateStore(tables, generations, message.RunId, committed: null);
                await new Aggregator(store, store).FullIndicatorAsync(catalog, indicator, cancellationToken);
                await store.FlushAsync(cancellationToken);
                (item.ObservationsRead, item.GrowthWritten, item.RollupsWritten) = (store.ObservationsRead, store.GrowthWritten, store.RollupsWritten);
            }
            item.Status = WorkItemEntity.Done;
        }
        catch (Exception ex) when (dequeueCount >= MaxDequeueCount && !cancellationToken.IsCancellationRequested)
        {
            item.Status = WorkItemEntity.Failed;
            item.Error = Collection.Collector.Short($"delivery {dequeueCount} of {MaxDequeueCount}: {ex.GetType().Name}: {ex.Message}", 400);
            await TrySettleAsync(Sign(item, watch, dequeueCount), CancellationToken.None);
            throw;
        }
        await TrySettleAsync(Sign(item, watch, dequeueCount), cancellationToken);
    }

    /// <summary>Who settled the item, after how many deliveries, and how long it took.</summary>
    private WorkItemEntity Sign(WorkItemEntity item, Stopwatch watch, long dequeueCount)
    {
        item.Worker = worker.Id;
        item.Attempts = dequeueCount;
        item.BusyMs = watch.ElapsedMilliseconds;
        item.FinishedAt = DateTimeOffset.UtcNow;
        return item;
    }

    /// <summary>Replaces the item conditional on the ETag it was read with: a no-op when another delivery (or the coordinator) settled it first.</summary>
    private async Task TrySettleAsync(WorkItemEntity item, CancellationToken cancellationToken)
    {
        try
        {
            await tables.Runs.UpdateEntityAsync(item, item.ETag, TableUpdateMode.Replace, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            logger.LogInformation("Work item {Item}: already settled by another delivery", item.RowKey);
        }
    }
}
