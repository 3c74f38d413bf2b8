using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using IndicatorFunctions.Domain;

namespace IndicatorFunctions.Ingestion;

/// <summary>How many errors one field and rule account for.</summary>
public sealed record ErrorCount(string Field, string Rule, int Count);

/// <summary>
/// What an ingestion response says about rejected rows, bounded whatever the body held: the first
/// <see cref="ListedMax"/> errors, the total, counts by field and rule, and the blob holding every error.
/// </summary>
public sealed record ErrorReport(IReadOnlyList<FieldError> Errors, int ErrorCount, IReadOnlyList<ErrorCount> ErrorCounts, string? ErrorsBlob)
{
    public const int ListedMax = 100;

    private static readonly byte[] NewLine = "\n"u8.ToArray();

    /// <summary>The response's fields, for a problem's extensions.</summary>
    public IDictionary<string, object?> Extensions() => new Dictionary<string, object?>
    {
        ["errorCount"] = ErrorCount, ["errorCounts"] = ErrorCounts, ["errorsBlob"] = ErrorsBlob,
    };

    /// <summary>
    /// Writes every error, one JSON object a line, to <c>{kind}/{batchId}.errors.jsonl</c> beside the archived body
    /// (streamed, so a long list is not held twice), and summarises them. No errors: no blob.
    /// </summary>
    public static async Task<ErrorReport> WriteAsync(BlobContainerClient raw, string kind, string batchId, IReadOnlyList<RowError> errors, CancellationToken cancellationToken)
    {
        string? blob = null;
        if (errors.Count > 0)
        {
            var name = $"{kind}/{batchId}.errors.jsonl";
            await WriteLinesAsync(raw.GetBlockBlobClient(name), errors, cancellationToken);
            // Named as the storage layout names it: the container without the deployment's StoragePrefix.
            blob = $"raw/{name}";
        }
        return Summarize(errors, blob);
    }

    public static ErrorReport Summarize(IReadOnlyList<RowError> errors, string? blob) => new(
        errors.Take(ListedMax).Select(e => new FieldError(e.Field, e.Message, e.Row, e.Rule)).ToList(),
        errors.Count,
        errors.CountBy(e => (e.Field, e.Rule))
            .Select(c => new ErrorCount(c.Key.Field, c.Key.Rule, c.Value))
            .OrderByDescending(c => c.Count).ThenBy(c => c.Field, StringComparer.Ordinal).ThenBy(c => c.Rule, StringComparer.Ordinal)
            .ToList(),
        blob);

    /// <summary>Lines are gathered in a small buffer and written a chunk at a time; the blob stream uploads a block per flush, so it is flushed only at the end.</summary>
    private static async Task WriteLinesAsync(BlockBlobClient blob, IReadOnlyList<RowError> errors, CancellationToken cancellationToken)
    {
        const int Chunk = 256 * 1024;
        var options = new BlockBlobOpenWriteOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "application/x-ndjson" } };
        await using var stream = await blob.OpenWriteAsync(overwrite: true, options, cancellationToken);
        var buffer = new ArrayBufferWriter<byte>(Chunk + 4096);
        using var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        foreach (var error in errors)
        {
            json.WriteStartObject();
            json.WriteNumber("row", error.Row);
            json.WriteString("field", error.Field);
            json.WriteString("rule", error.Rule);
            json.WriteString("message", error.Message);
            json.WriteEndObject();
            json.Flush();
            json.Reset();
            buffer.Write(NewLine);
            if (buffer.WrittenCount >= Chunk)
            {
                await stream.WriteAsync(buffer.WrittenMemory, cancellationToken);
                buffer.ResetWrittenCount();
            }
        }
        await stream.WriteAsync(buffer.WrittenMemory, cancellationToken);
    }
}
