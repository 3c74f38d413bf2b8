using Azure;
using Azure.Data.Tables;

namespace IndicatorFunctions.Data;

/// <summary>
/// What readers see: the last committed run (<see cref="Committed"/>, the <c>runId</c> of every read), the full run it
/// builds on (<see cref="Base"/>, whose table holds every record), and the incremental runs committed since
/// (<see cref="Increments"/>), whose tables hold the records they changed.
/// </summary>
public sealed record GenerationView(string? Committed, string Base, IReadOnlySet<string> Increments)
{
    public static GenerationView None { get; } = new(null, "", new HashSet<string>());
}

/// <summary>A run's own generation, and the ETag of the state row that fences its commit.</summary>
public sealed record RunGeneration(string Id, bool Full, ETag Fence);

/// <summary>
/// The run lock was lost: another run has taken it (the commit's fence no longer matches) or the lease could not be
/// kept. The run stops, and nothing it wrote is ever served.
/// </summary>
public sealed class RunLockLostException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Generations of the aggregated figures, the way analytics tables are built and swapped: every run writes its own
/// table (<c>agg{run}</c>), invisible to readers — a full run every record, an incremental run the records it changed
/// and an index of them (see <see cref="AggregateRecords"/>). A reader's view names the generations it includes.
/// <see cref="CommitAsync"/> switches readers to the run in one
/// entity-group transaction on the <c>state</c> partition, conditional on the state row's ETag the run took when it
/// began (its fencing token). A failed or fenced-out run is never committed, so its writes are never served;
/// <see cref="CleanUpAsync"/> drops a failed run's table, and generations older than the base once
/// <see cref="Grace"/> has passed (readers still on the previous run finish first).
/// </summary>
public sealed class Generations(IndicatorTables tables, TimeProvider clock, ILogger<Generations> logger) : IDisposable
{
    /// <summary>How long a superseded generation stays readable after a newer base is committed.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The layout of the aggregated figures the committed run wrote (<see cref="AggregateRecords"/>). A state of an
    /// older layout (or none) makes the next run a full one.
    /// </summary>
    public const int Layout = 2;

    private const string StatePartition = ChangeTracker.StatePartition;
    private const string RunRow = ChangeTracker.RunRow;
    private const string GenerationPrefix = "gen|";
    private const string Committed = "committed";
    private const string Building = "building";
    private const string Failed = "failed";

    /// <summary>The view of the state a reader has: one query for the increments since the base, none when there are none.</summary>
    public async Task<GenerationView> ReadViewAsync(FreshnessState state, CancellationToken cancellationToken)
    {
        if (state.RunId is not { } committed)
            return GenerationView.None;
        var baseId = state.Base ?? "";
        if (baseId.Length == 0 || committed == baseId)
            return new GenerationView(committed, baseId, new HashSet<string>());
        // Ids sort newest first: from the committed run (inclusive) down to the base (exclusive).
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {StatePartition} and RowKey ge {GenerationPrefix + committed} and RowKey lt {GenerationPrefix + baseId}");
        var increments = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var row in tables.State.QueryAsync<TableEntity>(filter, select: ["RowKey", "Status"], cancellationToken: cancellationToken))
        {
            if (row.GetString("Status") == Committed)
                increments.Add(row.RowKey[GenerationPrefix.Length..]);
        }
        return new GenerationView(committed, baseId, increments);
    }

    /// <summary>
    /// One record as this view has it — its JSON, or "" when there is none: from the newest increment whose index
    /// names it, else from the base; a series with the patches of the increments after that applied, oldest first.
    /// Point reads only: one per record (and per row past the first of a large one), and once per increment and
    /// indicator for its index, which never changes and is kept.
    /// </summary>
    public async Task<string> ReadAsync(GenerationView view, RecordKey key, CancellationToken cancellationToken)
    {
        if (view.Committed is null)
            return "";
        var patches = new List<IReadOnlyDictionary<Domain.Period, Aggregation.SeriesPoint?>>();
        var holder = view.Base;
        // Run ids sort newest first.
        foreach (var increment in view.Increments.Order(StringComparer.Ordinal))
        {
            var index = await IndexAsync(increment, key.Indicator, cancellationToken);
            if (index.Names.Contains(key.Name))
            {
                holder = increment;
                break;
            }
            if (key.Kind == AggregateKind.Series && index.Patches.TryGetValue(key.Key, out var patch))
                patches.Add(patch);
        }
        var json = await ReadRowsAsync(holder, key, cancellationToken);
        return patches.Count == 0 ? json : AggregateRecords.Patched(json, Enumerable.Reverse(patches));
    }

    /// <summary>
    /// The records with these names of these indicators, as this view has them (a name without a record is absent):
    /// in each increment's table (newest first, so the first holder of a name wins) and in the base's, one query over
    /// the indicators' partitions — a key range from the first to the last, so adjacent indicators cost one scan of
    /// the table rather than one each, asking for the rows of the wanted names only (<see cref="RowRanges"/>) — keeping
    /// only the rows wanted as they arrive. A series comes with the patches of the increments newer than its holder applied, oldest first.
    /// </summary>
    public async Task<Dictionary<(string Indicator, string Name), string>> ReadManyAsync(GenerationView view,
        IReadOnlyDictionary<string, IReadOnlySet<string>> names, CancellationToken cancellationToken)
    {
        var records = new Dictionary<(string Indicator, string Name), string>();
        if (view.Committed is null || names.Count == 0)
            return records;
        var first = names.Keys.Min(StringComparer.Ordinal)!;
        var last = names.Keys.Max(StringComparer.Ordinal)!;
        var seriesWanted = names.Where(n => n.Value.Any(IsSeries)).ToList();
        var rowRanges = RowRanges(names.Values.SelectMany(n => n));
        var patches = new Dictionary<(string Indicator, string Name), List<IReadOnlyDictionary<Domain.Period, Aggregation.SeriesPoint?>>>();
        foreach (var generation in view.Increments.Order(StringComparer.Ordinal).Append(view.Base))
        {
            var rows = await IndicatorTables.ReadPartitionsAsync<TableEntity>(tables.Aggregates(generation), first, last, cancellationToken,
                keep: row => names.TryGetValue(row.PartitionKey, out var wanted) && NameOf(row) is var name && wanted.Contains(name)
                    && !records.ContainsKey((row.PartitionKey, name)), rows: rowRanges);
            foreach (var record in rows.GroupBy(row => (row.PartitionKey, NameOf(row))))
                records.Add(record.Key, AggregateRecords.Join([.. record]));
            if (generation == view.Base)
                break;
            // The increment's patches of the series not found whole in it or a newer one.
            foreach (var (indicator, wanted) in seriesWanted)
            {
                var index = await IndexAsync(generation, indicator, cancellationToken);
                foreach (var name in wanted.Where(IsSeries))
                {
                    if (!records.ContainsKey((indicator, name)) && index.Patches.TryGetValue(name[2..], out var patch))
                        (patches.TryGetValue((indicator, name), out var list) ? list : patches[(indicator, name)] = []).Add(patch);
                }
            }
        }
        foreach (var (key, newestFirst) in patches)
            records[key] = AggregateRecords.Patched(records.GetValueOrDefault(key, ""), Enumerable.Reverse(newestFirst));
        return records;
    }

    private static bool IsSeries(string name) => name.StartsWith("s|", StringComparison.Ordinal);

    /// <summary>
    /// The row key ranges that hold these records' rows (every indicator's partition names its records alike): one
    /// range per name (<c>{name}|</c>, its parts) while they fit in one filter, else the names of a kind with the most
    /// names are read as the whole kind (<c>x|</c>…), kind by kind until they fit.
    /// </summary>
    public static List<(string From, string To)> RowRanges(IEnumerable<string> names)
    {
        var byKind = names.Distinct().GroupBy(name => name[..name.IndexOf('|')]).OrderBy(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).ToList();
        var whole = byKind.Count;
        while (whole > 0 && byKind.Take(whole).Sum(g => g.Count()) + byKind.Count - whole > IndicatorTables.MaxRowRanges)
            whole--;
        return [.. byKind.Take(whole).SelectMany(g => g.Select(name => (name + "|", name + "}")))
            .Concat(byKind.Skip(whole).Select(g => (g.Key + "|", g.Key + "}")))
            .OrderBy(r => r.Item1, StringComparer.Ordinal)];
    }

    private static string NameOf(TableEntity row) => row.RowKey[..row.RowKey.LastIndexOf('|')];

    private readonly SharedReads _indexes = new(10_000, TimeSpan.FromHours(1));

    /// <summary>A generation's index of one indicator as it is now, not kept (a run reading back its own, while it builds).</summary>
    public async Task<IncrementIndex> ReadIndexAsync(string generation, string indicator, CancellationToken cancellationToken) =>
        AggregateRecords.IndexFrom(await ReadRowsAsync(generation, RecordKey.IndexOf(indicator), cancellationToken));

    private Task<IncrementIndex> IndexAsync(string increment, string indicator, CancellationToken cancellationToken) =>
        _indexes.GetAsync((increment, indicator),
            async () => AggregateRecords.IndexFrom(await ReadRowsAsync(increment, RecordKey.IndexOf(indicator), CancellationToken.None)), cancellationToken);

    private async Task<string> ReadRowsAsync(string generation, RecordKey key, CancellationToken cancellationToken)
    {
        var table = tables.Aggregates(generation);
        if (await IndicatorTables.GetOrNullAsync(table, key.Indicator, AggregateRecords.RowKey(key, 0), cancellationToken) is not { } first)
            return "";
        var rows = new List<TableEntity> { first };
        for (var part = 1; part < AggregateRecords.PartsOf(first); part++)
            rows.Add(await IndicatorTables.GetOrNullAsync(table, key.Indicator, AggregateRecords.RowKey(key, part), cancellationToken)
                ?? throw new InvalidDataException($"aggregate record {key.Name} in generation {generation} lacks part {part}"));
        return AggregateRecords.Join(rows);
    }

    /// <summary>
    /// Called by the holder of the run lock: takes the fencing token (the state row's new ETag), records the
    /// generation as building, and creates its tables.
    /// </summary>
    public async Task<RunGeneration> BeginAsync(string runId, bool full, CancellationToken cancellationToken)
    {
        var fence = new TableEntity(StatePartition, RunRow) { ["RunningId"] = runId };
        if (full)
            fence["FullPending"] = true;
        // One transaction: the fence and the generation's row are in the same partition.
        var taken = await tables.State.SubmitTransactionAsync(
        [
            new TableTransactionAction(TableTransactionActionType.UpsertMerge, fence),
            new TableTransactionAction(TableTransactionActionType.UpsertReplace, GenerationRow(runId, full, Building)),
        ], cancellationToken);
        await tables.Aggregates(runId).CreateIfNotExistsAsync(cancellationToken);
        return new RunGeneration(runId, full, taken.Value[0].Headers.ETag ?? throw new InvalidOperationException("The state row came back without an ETag."));
    }

    /// <summary>
    /// Switches readers to the run's generation, atomically with marking it committed, if and only if no other run has
    /// taken the fence since <see cref="BeginAsync"/>; otherwise <see cref="RunLockLostException"/>.
    /// </summary>
    public async Task CommitAsync(RunGeneration generation, DateTimeOffset snapshotAt, CancellationToken cancellationToken)
    {
        var state = new TableEntity(StatePartition, RunRow)
        {
            ["RunId"] = generation.Id,
            ["AggregatedAt"] = clock.GetUtcNow(),
            ["SnapshotAt"] = snapshotAt,
            ["FullPending"] = false,
            ["RunningId"] = "",
            ["Layout"] = Layout,
        };
        if (generation.Full)
            state["Base"] = generation.Id;
        var row = GenerationRow(generation.Id, generation.Full, Committed);
        row["CommittedAt"] = clock.GetUtcNow();
        try
        {
            await tables.State.SubmitTransactionAsync(
            [
                new TableTransactionAction(TableTransactionActionType.UpdateMerge, state, generation.Fence),
                new TableTransactionAction(TableTransactionActionType.UpsertReplace, row),
            ], cancellationToken);
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 412)
        {
            throw new RunLockLostException($"lost the run lock: another run took it before run {generation.Id} could commit, so its figures were discarded", ex);
        }
    }

    /// <summary>A run that failed: marked failed (never served), and the running flag cleared if it still holds the fence. Best effort.</summary>
    public async Task AbandonAsync(RunGeneration generation)
    {
        try
        {
            await tables.State.UpsertEntityAsync(GenerationRow(generation.Id, generation.Full, Failed), TableUpdateMode.Replace);
            await tables.State.UpdateEntityAsync(new TableEntity(StatePartition, RunRow) { ["RunningId"] = "" }, generation.Fence, TableUpdateMode.Merge);
        }
        catch (Exception ex) when (ex is RequestFailedException || Hosting.StorageFailures.IsStorageFailure(ex))
        {
            // Storage is what failed, or another run holds the fence: the row stays uncommitted either way.
        }
    }

    /// <summary>
    /// After a commit, by the lock holder: drops the tables of runs that never committed, and of generations older
    /// than the base once the base has been committed for <see cref="Grace"/> (the pre-generation tables with them). Best effort: garbage left behind is invisible and is collected by a later run.
    /// </summary>
    public async Task<int> CleanUpAsync(string current, CancellationToken cancellationToken)
    {
        var rows = await IndicatorTables.ReadPartitionAsync(tables.State, StatePartition, cancellationToken, GenerationPrefix, "gen}");
        var runRow = await IndicatorTables.GetOrNullAsync(tables.State, StatePartition, RunRow, cancellationToken);
        var baseId = runRow?.GetString("Base") ?? "";
        var baseRow = rows.FirstOrDefault(r => r.RowKey == GenerationPrefix + baseId);
        var baseSettled = baseRow?.GetDateTimeOffset("CommittedAt") is { } at && clock.GetUtcNow() - at >= Grace;
        var dropped = 0;
        foreach (var row in rows)
        {
            var id = row.RowKey[GenerationPrefix.Length..];
            var neverCommitted = row.GetString("Status") != Committed && id != current;
            var superseded = baseSettled && string.CompareOrdinal(id, baseId) > 0; // ids sort newest first
            if (!neverCommitted && !superseded)
                continue;
            try
            {
                await DropTablesAsync(id, cancellationToken);
                await tables.State.DeleteEntityAsync(StatePartition, row.RowKey, cancellationToken: cancellationToken);
                dropped++;
            }
            catch (Exception ex) when (ex is RequestFailedException || Hosting.StorageFailures.IsStorageFailure(ex))
            {
                logger.LogWarning(ex, "Could not drop generation {Generation}; a later run will", id);
            }
        }
        // The tables of builds before generations go with the first generations superseded after them (not on every run).
        if (baseSettled && dropped > 0)
            await DropTablesAsync("", cancellationToken);
        return dropped;
    }

    /// <summary>A generation's table, and its tables in the layout before wide records; a table that is not there is no error.</summary>
    private Task DropTablesAsync(string generation, CancellationToken cancellationToken) =>
        Task.WhenAll(tables.LegacyTables(generation).Prepend(tables.Aggregates(generation)).Select(t => t.DeleteAsync(cancellationToken)));

    private static TableEntity GenerationRow(string id, bool full, string status) => new(StatePartition, GenerationPrefix + id)
    {
        ["Kind"] = full ? "full" : "incremental",
        ["Status"] = status,
    };

    public void Dispose() => _indexes.Dispose();
}
