namespace IndicatorFunctions.Ingestion;

public static class BodyReader
{
    /// <summary>Reads a body, or returns null as soon as it passes the limit (a chunked body has no Content-Length to check first).</summary>
    public static async Task<BinaryData?> ReadUpToAsync(Stream body, long limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
                return null;
            buffer.Write(chunk, 0, read);
        }
        return BinaryData.FromBytes(buffer.ToArray());
    }
}
