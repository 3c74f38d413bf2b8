using System.Security.Cryptography;

namespace IndicatorFunctions.Api;

/// <summary>
/// A file of the app (the dashboard's, the API reference's), answered with a strong ETag (a hash of its bytes; 304
/// to a matching <c>If-None-Match</c>) and <c>Cache-Control: no-cache</c>: the URLs carry no version, so a browser
/// revalidates (a 304, no body) rather than keeping a page and a script of two different builds. A page states
/// where it may load from (<c>Content-Security-Policy</c>).
/// </summary>
public sealed class StaticFile(byte[] body, string contentType, string contentSecurityPolicy) : IResult
{
    public byte[] Body { get; } = body;

    public string ContentType { get; } = contentType;

    public string ContentSecurityPolicy { get; } = contentSecurityPolicy;

    public string ETag { get; } = ETags.Of(body);

    public Task ExecuteAsync(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.CacheControl = "no-cache";
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        return ETags.WriteAsync(context, ETag, ContentType, Body);
    }
}

/// <summary>Strong ETags over response bytes, and the <c>If-None-Match</c> test every cached response makes.</summary>
public static class ETags
{
    public static string Of(ReadOnlySpan<byte> body) => "\"" + Convert.ToHexStringLower(SHA256.HashData(body).AsSpan(0, 16)) + "\"";

    /// <summary>Whether the request's <c>If-None-Match</c> names this ETag (or <c>*</c>), on one header line or several.</summary>
    public static bool Matches(HttpRequest request, string etag) =>
        request.Headers.IfNoneMatch.Any(v => v is not null && v.Split(',').Any(t => t.Trim() == etag || t.Trim() == "*"));

    /// <summary>The body with its ETag, or 304 with none when the request already holds it (other headers are the caller's).</summary>
    public static async Task WriteAsync(HttpContext context, string etag, string contentType, byte[] body)
    {
        var response = context.Response;
        response.Headers.ETag = etag;
        if (Matches(context.Request, etag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, context.RequestAborted);
    }
}
