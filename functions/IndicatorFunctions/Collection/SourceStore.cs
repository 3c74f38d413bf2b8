using System.Text.Json;
using Azure;
using IndicatorFunctions.Domain;
using IndicatorFunctions.Api;
using IndicatorFunctions.Data;
using Azure.Data.Tables;

namespace IndicatorFunctions.Collection;

/// <summary>
/// What the last collection of a source saw: validators for the next conditional GET and the last payload's hash.
/// <see cref="Definition"/> is the fingerprint of the definition it was collected with: state from another
/// definition (edited since, or a deleted source of the same id) does not apply.
/// </summary>
public sealed record SourceState(
    string? Definition,
    string? ETag,
    string? LastModified,
    string? LastHash,
    DateTimeOffset? LastAttemptAt,
    DateTimeOffset? LastSuccessAt,
    string? LastOutcome,
    string? LastRunId);

/// <summary>Source definitions and their collection state, in the <c>sources</c> table.</summary>
public sealed class SourceStore(IndicatorTables tables, TimeProvider clock)
{
    private static JsonSerializerOptions Json => IndicatorFunctions.Json.Options;

    public async Task<IReadOnlyList<(Source Source, SourceState? State)>> ListAsync(CancellationToken cancellationToken)
    {
        var definitions = IndicatorTables.ReadPartitionAsync<SourceDefinitionEntity>(tables.Sources, SourceDefinitionEntity.Partition, cancellationToken);
        var states = IndicatorTables.ReadPartitionAsync<SourceStateEntity>(tables.Sources, SourceStateEntity.Partition, cancellationToken);
        var stateById = (await states).ToDictionary(e => e.RowKey, e => e.ToState());
        return (await definitions).Select(e => (FromEntity(e), stateById.GetValueOrDefault(e.RowKey))).ToList();
    }

    public async Task<(Source Source, SourceState? State)?> GetAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            if (await IndicatorTables.GetOrNullAsync<SourceDefinitionEntity>(tables.Sources, SourceDefinitionEntity.Partition, id, cancellationToken) is not { } entity)
                return null;
            return (FromEntity(entity), await GetStateAsync(id, cancellationToken));
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null; // no source was ever stored: the table does not exist yet
        }
    }

    /// <summary>Stores the definition; true when it is new. A changed definition has a new <see cref="Fingerprint"/>, so its next run fetches in full.</summary>
    public async Task<bool> PutAsync(Source source, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var existing = await IndicatorTables.GetOrNullAsync<SourceDefinitionEntity>(tables.Sources, SourceDefinitionEntity.Partition, source.Id, cancellationToken);
        await tables.Sources.UpsertEntityAsync(new SourceDefinitionEntity
        {
            RowKey = source.Id,
            Definition = JsonSerializer.Serialize(ToBody(source), Json),
            UpdatedAt = clock.GetUtcNow(),
        }, TableUpdateMode.Replace, cancellationToken);
        return existing is null;
    }

    /// <summary>Identifies a definition: the SHA-256 of the JSON it is stored as.</summary>
    public static string Fingerprint(Source source) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(ToBody(source), Json)))[..32];

    /// <summary>Removes the definition and its state. Observations it collected stay: they are data, not configuration.</summary>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        if (await GetAsync(id, cancellationToken) is null)
            return false;
        var seen = await IndicatorTables.ReadPartitionAsync<SourceSeenEntity>(tables.Sources, SourceSeenEntity.PartitionOf(id), cancellationToken);
        foreach (var chunk in seen.Chunk(IndicatorTables.MaxBatch))
            await tables.Sources.SubmitTransactionAsync(chunk.Select(e => new TableTransactionAction(TableTransactionActionType.Delete, e, ETag.All)), cancellationToken);
        await tables.Sources.DeleteEntityAsync(SourceStateEntity.Partition, id, cancellationToken: cancellationToken);
        await tables.Sources.DeleteEntityAsync(SourceDefinitionEntity.Partition, id, cancellationToken: cancellationToken);
        return true;
    }

    public async Task<SourceState?> GetStateAsync(string id, CancellationToken cancellationToken) =>
        await IndicatorTables.GetOrNullAsync<SourceStateEntity>(tables.Sources, SourceStateEntity.Partition, id, cancellationToken) is { } entity ? entity.ToState() : null;

    public Task SaveStateAsync(string id, SourceState state, CancellationToken cancellationToken) =>
        tables.Sources.UpsertEntityAsync(SourceStateEntity.From(id, state), TableUpdateMode.Replace, cancellationToken);

    /// <summary>Which blob (and run) first brought this content to a blob-drop source, or null if none has.</summary>
    public async Task<string?> SeenAsync(string id, string hash, CancellationToken cancellationToken) =>
        (await IndicatorTables.GetOrNullAsync<SourceSeenEntity>(tables.Sources, SourceSeenEntity.PartitionOf(id), hash, cancellationToken))?.Blob;

    public Task MarkSeenAsync(string id, string hash, string blob, string runId, CancellationToken cancellationToken) =>
        tables.Sources.UpsertEntityAsync(new SourceSeenEntity { PartitionKey = SourceSeenEntity.PartitionOf(id), RowKey = hash, Blob = blob, RunId = runId, At = clock.GetUtcNow() },
            TableUpdateMode.Replace, cancellationToken);

    internal static SourceBody ToBody(Source s) => new(s.KindName, s.Enabled, s.Description, s.Url,
        s.Headers.Count == 0 ? null : s.HeaderMap.ToDictionary(h => h.Key, h => JsonSerializer.SerializeToElement(h.Value, Json)),
        s.Container, s.Prefix, s.Records,
        s.Mapping.Count == 0 ? null : new Dictionary<string, string>(s.Mapping),
        s.Defaults.Count == 0 ? null : new Dictionary<string, string>(s.Defaults),
        s.Schedule);

    private static Source FromEntity(SourceDefinitionEntity e)
    {
        var errors = new List<FieldError>();
        return SourceRules.Validate(e.RowKey, JsonSerializer.Deserialize<SourceBody>(e.Definition, Json), errors)
            ?? throw new InvalidOperationException($"Stored source '{e.RowKey}' no longer passes validation: {string.Join("; ", errors.Select(x => x.Message))}");
    }
}
