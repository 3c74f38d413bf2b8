using Azure.Data.Tables;

namespace IndicatorFunctions.Data;

/// <summary>
/// Buffers writes per table partition and sends a partition as a transaction as soon as it holds 100 rows or
/// <see cref="MaxChars"/> characters of data (a transaction carries at most 4 MiB), or when the caller says it is complete (<see cref="SendAsync"/>, <see cref="SendAllAsync"/>); at most four
/// transactions are in flight. <see cref="FlushAsync"/> sends the rest and waits for everything.
/// </summary>
public sealed class BatchWriter(int maxConcurrency = 4)
{
    /// <summary>Data in one transaction, counted in characters: JSON escaping and the envelope stay well under 4 MiB.</summary>
    public const int MaxChars = 2_000_000;

    private readonly Dictionary<(TableClient Table, string Partition), List<TableTransactionAction>> _open = [];
    private readonly Dictionary<(TableClient Table, string Partition), long> _chars = [];
    private readonly List<Task> _inFlight = [];
    private readonly SemaphoreSlim _slots = new(maxConcurrency);

    public long Written { get; private set; }

    /// <param name="chars">The entity's data in characters (0 for small rows), counted against <see cref="MaxChars"/>.</param>
    public async Task UpsertAsync(TableClient table, ITableEntity entity, int chars, CancellationToken cancellationToken)
    {
        var key = (table, entity.PartitionKey);
        // Sent first when this row would take the open transaction past its size.
        if (_chars.GetValueOrDefault(key) + chars > MaxChars)
            await SendAsync(table, entity.PartitionKey, cancellationToken);
        if (!_open.TryGetValue(key, out var actions))
            _open[key] = actions = new List<TableTransactionAction>(IndicatorTables.MaxBatch);
        var action = new TableTransactionAction(TableTransactionActionType.UpsertReplace, entity);
        // A transaction may touch each entity once: a later write of the same row replaces the earlier one.
        var existing = actions.FindIndex(a => a.Entity.RowKey == action.Entity.RowKey);
        if (existing >= 0)
            actions[existing] = action;
        else
            actions.Add(action);
        _chars[key] = _chars.GetValueOrDefault(key) + chars;
        if (actions.Count == IndicatorTables.MaxBatch)
            await SendAsync(table, entity.PartitionKey, cancellationToken);
    }

    /// <summary>Sends one partition's buffered rows now: the caller knows no more rows will come for it.</summary>
    public async Task SendAsync(TableClient table, string partitionKey, CancellationToken cancellationToken)
    {
        _chars.Remove((table, partitionKey));
        if (_open.Remove((table, partitionKey), out var actions))
            await StartAsync(table, actions, cancellationToken);
    }

    /// <summary>Sends every buffered partition without waiting for the writes to finish.</summary>
    public async Task SendAllAsync(CancellationToken cancellationToken)
    {
        var open = _open.ToList();
        _open.Clear();
        _chars.Clear();
        foreach (var ((table, _), actions) in open)
            await StartAsync(table, actions, cancellationToken);
    }

    /// <summary>Sends every buffered partition and waits for all writes; throws the first failure.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await SendAllAsync(cancellationToken);
        var pending = _inFlight.ToArray();
        _inFlight.Clear();
        await Task.WhenAll(pending);
    }

    private async Task StartAsync(TableClient table, List<TableTransactionAction> actions, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        _inFlight.RemoveAll(t => t.IsCompletedSuccessfully);
        if (_inFlight.FirstOrDefault(t => t.IsFaulted) is { } failed)
        {
            _slots.Release();
            await failed; // surface the first failure now rather than at the end of a long run
        }
        Written += actions.Count;
        _inFlight.Add(SubmitAsync(table, actions, cancellationToken));
    }

    private async Task SubmitAsync(TableClient table, List<TableTransactionAction> actions, CancellationToken cancellationToken)
    {
        try
        {
            await table.SubmitTransactionAsync(actions, cancellationToken);
        }
        finally
        {
            _slots.Release();
        }
    }
}
