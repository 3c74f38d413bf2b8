using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Azure;

namespace IndicatorFunctions.Storage.Tables;

/// <summary>
/// Entity ⇄ JSON in the Table service's minimal-metadata format: Int64, Double, DateTime, Guid and Binary values
/// carry an <c>@odata.type</c> annotation so their type survives the round trip.
/// </summary>
internal static class TableEntityJson
{
    // Azure's Edm.DateTime range.
    private static readonly DateTime MinDate = new(1601, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private const int MaxProperties = 252;
    private const int MaxStringLength = 32 * 1024; // 64 KiB of UTF-16

    public static byte[] Serialize(TableEntity entity)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
            Write(writer, entity);
        return buffer.WrittenSpan.ToArray();
    }

    public static void Write(Utf8JsonWriter writer, TableEntity entity)
    {
        var own = entity.Count(p => p.Value is not null && !IsReserved(p.Key));
        if (own > MaxProperties)
            throw new ArgumentException($"Entity has {own} properties; the Table service allows {MaxProperties} besides PartitionKey and RowKey.", nameof(entity));

        writer.WriteStartObject();
        foreach (var (name, value) in entity)
        {
            // Never sent: nulls mean "no value"; the service sets Timestamp and the odata.* annotations.
            if (value is null || name is "Timestamp" || name.StartsWith("odata.", StringComparison.Ordinal))
                continue;
            switch (value)
            {
                case string s:
                    if (s.Length > MaxStringLength)
                        throw new ArgumentException($"Property '{name}' is {s.Length} characters long; the limit is {MaxStringLength}.", nameof(entity));
                    writer.WriteString(name, s);
                    break;
                case bool b:
                    writer.WriteBoolean(name, b);
                    break;
                case int i:
                    writer.WriteNumber(name, i);
                    break;
                case long l:
                    writer.WriteString(name, l.ToString(CultureInfo.InvariantCulture));
                    writer.WriteString(name + "@odata.type", "Edm.Int64");
                    break;
                case double d:
                    if (double.IsFinite(d))
                        writer.WriteNumber(name, d);
                    else
                        writer.WriteString(name, d.ToString(CultureInfo.InvariantCulture)); // NaN, Infinity, -Infinity
                    writer.WriteString(name + "@odata.type", "Edm.Double");
                    break;
                case DateTimeOffset dto:
                    WriteDate(writer, name, dto.UtcDateTime);
                    break;
                case DateTime dt:
                    WriteDate(writer, name, dt.Kind == DateTimeKind.Local ? dt.ToUniversalTime() : DateTime.SpecifyKind(dt, DateTimeKind.Utc));
                    break;
                case Guid g:
                    writer.WriteString(name, g.ToString("D"));
                    writer.WriteString(name + "@odata.type", "Edm.Guid");
                    break;
                case byte[] bytes:
                    writer.WriteBase64String(name, bytes);
                    writer.WriteString(name + "@odata.type", "Edm.Binary");
                    break;
                default:
                    throw new ArgumentException($"Property '{name}' has type {value.GetType().Name}; supported are string, double, int, long, bool, DateTime, DateTimeOffset, Guid and byte[].", nameof(entity));
            }
        }
        writer.WriteEndObject();
    }

    private static bool IsReserved(string name) =>
        name is "PartitionKey" or "RowKey" or "Timestamp" || name.StartsWith("odata.", StringComparison.Ordinal);

    private static void WriteDate(Utf8JsonWriter writer, string name, DateTime utc)
    {
        if (utc < MinDate)
            throw new ArgumentException($"Property '{name}' is {utc:o}; the Table service stores dates from 1601-01-01.", "entity");
        writer.WriteString(name, utc.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture));
        writer.WriteString(name + "@odata.type", "Edm.DateTime");
    }

    public static TableEntity Read(JsonElement json)
    {
        var entity = new TableEntity();
        foreach (var property in json.EnumerateObject())
        {
            var name = property.Name;
            if (name == "odata.etag")
            {
                entity.ETag = new ETag(property.Value.GetString()!);
                continue;
            }
            if (name.StartsWith("odata.", StringComparison.Ordinal) || name.EndsWith("@odata.type", StringComparison.Ordinal))
                continue;
            if (name == "Timestamp")
            {
                entity.Timestamp = DateTimeOffset.Parse(property.Value.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
                continue;
            }
            var type = json.TryGetProperty(name + "@odata.type", out var t) ? t.GetString() : null;
            entity[name] = ReadValue(property.Value, type);
        }
        return entity;
    }

    private static object? ReadValue(JsonElement value, string? edmType) => edmType switch
    {
        "Edm.Int64" => long.Parse(value.GetString()!, CultureInfo.InvariantCulture),
        "Edm.Double" => value.ValueKind == JsonValueKind.String
            ? double.Parse(value.GetString()!, CultureInfo.InvariantCulture)
            : value.GetDouble(),
        "Edm.DateTime" => DateTimeOffset.Parse(value.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal),
        "Edm.Guid" => Guid.Parse(value.GetString()!),
        "Edm.Binary" => value.GetBytesFromBase64(),
        _ => value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number when value.TryGetInt32(out var i) => i,
            JsonValueKind.Number => value.GetDouble(),
            JsonValueKind.Null => null,
            _ => value.GetRawText(),
        },
    };
}
