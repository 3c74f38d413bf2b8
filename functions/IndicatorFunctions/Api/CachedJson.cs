using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace IndicatorFunctions.Api;

/// <summary>
/// A read response with a strong ETag (a hash of the exact bytes) and Cache-Control; a matching
/// <c>If-None-Match</c> gets 304 with no body. The bytes include runId and pendingChanges, so the tag changes
/// whenever the figures or their freshness do.
/// </summary>
public sealed class CachedJson<T>(T value) : IResult
{
    public async Task ExecuteAsync(HttpContext context)
    {
        var json = context.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        var body = JsonSerializer.SerializeToUtf8Bytes(value, json);
        var etag = "\"" + Convert.ToBase64String(SHA256.HashData(body), 0, 16).TrimEnd('=').Replace('+', '-').Replace('/', '_') + "\"";
        var seconds = context.RequestServices.GetRequiredService<IOptions<AppOptions>>().Value.ReadCacheSeconds;
        var headers = context.Response.Headers;
        headers.ETag = etag;
        headers.CacheControl = $"public, max-age={seconds}";
        if (context.Request.Headers.IfNoneMatch.Any(v => v is not null && v.Split(',').Any(t => t.Trim() == etag || t.Trim() == "*")))
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }
}

public static class Cached
{
    public static CachedJson<T> Json<T>(T value) => new(value);
}
