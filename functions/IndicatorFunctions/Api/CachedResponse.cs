using System.Text.Json;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace IndicatorFunctions.Api;

/// <summary>
/// A read response, rendered once in one representation (JSON, CSV, JSON-stat), with a strong ETag (a hash of the
/// exact bytes) and Cache-Control; a matching <c>If-None-Match</c> gets 304 with no body. The bytes include runId
/// and pendingChanges, so the tag changes whenever the figures or their freshness do, and each representation has
/// its own tag. <see cref="Vary"/> names the request headers the representation was chosen by.
/// </summary>
public sealed class CachedResponse(byte[] body, string contentType, string? vary = null) : IResult
{
    public const string JsonContentType = "application/json; charset=utf-8";

    public byte[] Body { get; } = body;

    public string ContentType { get; } = contentType;

    public string? Vary { get; } = vary;

    public string ETag { get; } = ETags.Of(body);

    public Task ExecuteAsync(HttpContext context)
    {
        var seconds = context.RequestServices.GetRequiredService<IOptions<AppOptions>>().Value.ReadCacheSeconds;
        var headers = context.Response.Headers;
        headers.CacheControl = $"public, max-age={seconds}";
        if (Vary is not null)
            headers.Vary = Vary;
        return ETags.WriteAsync(context, ETag, ContentType, Body);
    }
}

public static class Cached
{
    public static CachedResponse Json<T>(T value, string? vary = null) =>
        new(JsonSerializer.SerializeToUtf8Bytes(value, IndicatorFunctions.Json.Options), CachedResponse.JsonContentType, vary);
}

/// <summary>
/// Rendered read responses, by what they are rendered from: the request (route, query and representation), the
/// committed run, the freshness it reports and the catalog snapshot. A dashboard's repeated read is then a lookup,
/// not a filter, a sort, a serialization and a hash — which leaves the cores to a run writing meanwhile. Bounded to
/// <see cref="MaxBytes"/> of bodies.
/// </summary>
public sealed class ResponseCache : IDisposable
{
    public const long MaxBytes = 64L * 1024 * 1024;
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = MaxBytes });

    public async Task<CachedResponse> GetOrAddAsync<TKey>(TKey key, Func<Task<CachedResponse>> render) where TKey : notnull
    {
        if (_cache.TryGetValue(key, out CachedResponse? cached))
            return cached!;
        var response = await render();
        _cache.Set(key, response, new MemoryCacheEntryOptions { Size = response.Body.Length, SlidingExpiration = TimeSpan.FromMinutes(5) });
        return response;
    }

    public void Dispose() => _cache.Dispose();
}
