using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Azure;

namespace IndicatorFunctions.Storage.Tables;

public enum TableTransactionActionType
{
    Add,
    UpdateMerge,
    UpdateReplace,
    Delete,
    UpsertMerge,
    UpsertReplace,
}

/// <summary>One operation of an entity group transaction. Updates and deletes use <see cref="ETag"/> (default: any).</summary>
public sealed record TableTransactionAction(TableTransactionActionType ActionType, TableEntity Entity, ETag ETag = default);

/// <summary>A transaction the service rolled back; <see cref="FailedTransactionActionIndex"/> names the operation that failed.</summary>
public sealed class TableTransactionFailedException(int status, string? errorCode, string message, int? failedIndex)
    : RequestFailedException(status, message, errorCode, null)
{
    public int? FailedTransactionActionIndex { get; } = failedIndex;
}

/// <summary>
/// The entity group transaction wire format: a multipart/mixed batch holding one changeset. Pure, so its rules
/// (≤ 100 operations, one partition, each row once, ≤ 4 MiB) and parsing are tested without a server.
/// </summary>
public static partial class TableBatch
{
    public const int MaxOperations = 100;
    public const int MaxBodyBytes = 4 * 1024 * 1024;

    /// <summary>Checks the service's transaction rules; throws <see cref="ArgumentException"/> naming the offending action.</summary>
    public static void Validate(IReadOnlyList<TableTransactionAction> actions)
    {
        ArgumentNullException.ThrowIfNull(actions);
        if (actions.Count == 0)
            throw new ArgumentException("A transaction needs at least one action.", nameof(actions));
        if (actions.Count > MaxOperations)
            throw new ArgumentException($"A transaction holds at most {MaxOperations} actions; got {actions.Count}.", nameof(actions));

        var partition = actions[0].Entity.PartitionKey;
        var rows = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < actions.Count; i++)
        {
            var entity = actions[i].Entity;
            TableValidation.ValidateKey(entity.PartitionKey, $"actions[{i}].PartitionKey");
            TableValidation.ValidateKey(entity.RowKey, $"actions[{i}].RowKey");
            if (!string.Equals(entity.PartitionKey, partition, StringComparison.Ordinal))
                throw new ArgumentException($"actions[{i}] has PartitionKey '{entity.PartitionKey}' but the transaction's partition is '{partition}': one partition per transaction.", nameof(actions));
            if (!rows.Add(entity.RowKey))
                throw new ArgumentException($"actions[{i}] repeats RowKey '{entity.RowKey}': each entity may appear once per transaction.", nameof(actions));
        }
    }

    public static byte[] BuildBody(string tableUrl, IReadOnlyList<TableTransactionAction> actions, string batchBoundary, string changesetBoundary)
    {
        var sb = new StringBuilder(actions.Count * 400);
        sb.Append("--").Append(batchBoundary).Append("\r\n")
          .Append("Content-Type: multipart/mixed; boundary=").Append(changesetBoundary).Append("\r\n\r\n");
        foreach (var action in actions)
        {
            var entity = action.Entity;
            var (method, url, ifMatch) = action.ActionType switch
            {
                TableTransactionActionType.Add => ("POST", tableUrl, (ETag?)null),
                TableTransactionActionType.UpsertReplace => ("PUT", EntityUrl(tableUrl, entity), null),
                TableTransactionActionType.UpsertMerge => ("MERGE", EntityUrl(tableUrl, entity), null),
                TableTransactionActionType.UpdateReplace => ("PUT", EntityUrl(tableUrl, entity), OrAll(action.ETag)),
                TableTransactionActionType.UpdateMerge => ("MERGE", EntityUrl(tableUrl, entity), OrAll(action.ETag)),
                TableTransactionActionType.Delete => ("DELETE", EntityUrl(tableUrl, entity), OrAll(action.ETag)),
                _ => throw new ArgumentOutOfRangeException(nameof(actions), action.ActionType, "Unknown action type."),
            };
            sb.Append("--").Append(changesetBoundary).Append("\r\n")
              .Append("Content-Type: application/http\r\n")
              .Append("Content-Transfer-Encoding: binary\r\n\r\n")
              .Append(method).Append(' ').Append(url).Append(" HTTP/1.1\r\n")
              .Append("Accept: application/json;odata=minimalmetadata\r\n")
              .Append("DataServiceVersion: 3.0;\r\n");
            if (ifMatch is { } etag)
                sb.Append("If-Match: ").Append(etag.ToString()).Append("\r\n");
            if (action.ActionType == TableTransactionActionType.Delete)
            {
                sb.Append("\r\n");
                continue;
            }
            if (action.ActionType == TableTransactionActionType.Add)
                sb.Append("Prefer: return-no-content\r\n");
            sb.Append("Content-Type: application/json\r\n\r\n")
              .Append(Encoding.UTF8.GetString(TableEntityJson.Serialize(entity))).Append("\r\n");
        }
        sb.Append("--").Append(changesetBoundary).Append("--\r\n")
          .Append("--").Append(batchBoundary).Append("--\r\n");

        var body = Encoding.UTF8.GetBytes(sb.ToString());
        if (body.Length > MaxBodyBytes)
            throw new ArgumentException($"The transaction body is {body.Length} bytes; the limit is {MaxBodyBytes} (4 MiB).", nameof(actions));
        return body;
    }

    /// <summary>The URL of one entity, keys quote-doubled and percent-encoded as in the SDK.</summary>
    public static string EntityUrl(string tableUrl, TableEntity entity) =>
        EntityUrl(tableUrl, entity.PartitionKey, entity.RowKey);

    public static string EntityUrl(string tableUrl, string partitionKey, string rowKey) =>
        $"{tableUrl}(PartitionKey='{EscapeKey(partitionKey)}',RowKey='{EscapeKey(rowKey)}')";

    public static string EscapeKey(string key) => Uri.EscapeDataString(key.Replace("'", "''", StringComparison.Ordinal));

    private static ETag OrAll(ETag etag) => etag == default ? ETag.All : etag;

    public sealed record OperationResult(int Status, string? ErrorCode, string? ErrorMessage);

    /// <summary>Reads the status of every operation in a batch response, in order.</summary>
    public static IReadOnlyList<OperationResult> ParseResponse(string body)
    {
        var results = new List<OperationResult>();
        var matches = StatusLine().Matches(body);
        for (var i = 0; i < matches.Count; i++)
        {
            var status = int.Parse(matches[i].Groups[1].Value, CultureInfo.InvariantCulture);
            string? code = null, message = null;
            if (status >= 400)
            {
                var end = i + 1 < matches.Count ? matches[i + 1].Index : body.Length;
                var part = body[matches[i].Index..end];
                code = ErrorCode().Match(part) is { Success: true } c ? c.Groups[1].Value : null;
                message = ErrorMessage().Match(part) is { Success: true } m ? System.Text.Json.JsonSerializer.Deserialize<string>("\"" + m.Groups[1].Value + "\"") : null;
            }
            results.Add(new OperationResult(status, code, message));
        }
        return results;
    }

    /// <summary>The failed operation's index: the service starts the error message with <c>"{index}:"</c>.</summary>
    public static int? FailedIndex(OperationResult failure) =>
        failure.ErrorMessage is { } m && LeadingIndex().Match(m) is { Success: true } match
            ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)
            : null;

    [GeneratedRegex(@"^HTTP/1\.1 (\d{3})", RegexOptions.Multiline)]
    private static partial Regex StatusLine();

    [GeneratedRegex("\"code\"\\s*:\\s*\"([^\"]*)\"")]
    private static partial Regex ErrorCode();

    [GeneratedRegex("\"value\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"")]
    private static partial Regex ErrorMessage();

    [GeneratedRegex(@"^(\d+):")]
    private static partial Regex LeadingIndex();
}
