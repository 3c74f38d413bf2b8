using Azure;

namespace IndicatorFunctions.Storage.Tables;

/// <summary>
/// A table entity as a property bag, like Azure.Data.Tables.TableEntity. Values may be string, double, int,
/// long, bool, DateTime/DateTimeOffset, Guid or byte[]; null values are not sent.
/// </summary>
public sealed class TableEntity : Dictionary<string, object?>
{
    public TableEntity() : base(StringComparer.Ordinal) { }

    public TableEntity(string partitionKey, string rowKey) : this()
    {
        PartitionKey = partitionKey;
        RowKey = rowKey;
    }

    public string PartitionKey
    {
        get => GetString(nameof(PartitionKey)) ?? throw new InvalidOperationException("Entity has no PartitionKey.");
        set => this[nameof(PartitionKey)] = value;
    }

    public string RowKey
    {
        get => GetString(nameof(RowKey)) ?? throw new InvalidOperationException("Entity has no RowKey.");
        set => this[nameof(RowKey)] = value;
    }

    /// <summary>Set by the service; never sent.</summary>
    public DateTimeOffset? Timestamp { get; set; }

    /// <summary>The entity's version as read; use it for conditional updates and deletes.</summary>
    public ETag ETag { get; set; }

    public string? GetString(string key) => TryGetValue(key, out var v) ? v as string : null;

    public bool? GetBoolean(string key) => TryGetValue(key, out var v) && v is bool b ? b : null;

    public int? GetInt32(string key) => TryGetValue(key, out var v) ? v switch
    {
        int i => i,
        long l when l is >= int.MinValue and <= int.MaxValue => (int)l,
        _ => null,
    } : null;

    public long? GetInt64(string key) => TryGetValue(key, out var v) ? v switch
    {
        long l => l,
        int i => i,
        _ => null,
    } : null;

    public double? GetDouble(string key) => TryGetValue(key, out var v) ? v switch
    {
        double d => d,
        int i => i,
        long l => l,
        _ => null,
    } : null;

    public DateTimeOffset? GetDateTimeOffset(string key) => TryGetValue(key, out var v) ? v switch
    {
        DateTimeOffset d => d,
        DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, d.Kind == DateTimeKind.Unspecified ? DateTimeKind.Utc : d.Kind)),
        _ => null,
    } : null;

    public DateTime? GetDateTime(string key) => GetDateTimeOffset(key)?.UtcDateTime;

    public Guid? GetGuid(string key) => TryGetValue(key, out var v) && v is Guid g ? g : null;

    public byte[]? GetBinary(string key) => TryGetValue(key, out var v) ? v as byte[] : null;
}
