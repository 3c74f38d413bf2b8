using Azure;
using Azure.Data.Tables;

namespace IndicatorFunctions.Data;

/// <summary>The keys and service-set fields every typed entity has; each subclass adds its table's properties.</summary>
public abstract class TableRow : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }
}
