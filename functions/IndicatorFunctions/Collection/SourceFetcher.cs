using System.Net;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace IndicatorFunctions.Collection;

/// <summary>What one fetch of an http source gave.</summary>
public abstract record FetchResult(int Attempts)
{
    public sealed record NotModified(int Attempts) : FetchResult(Attempts);

    public sealed record Received(BinaryData Body, string? ContentType, string? ETag, string? LastModified, int Attempts) : FetchResult(Attempts);

    public sealed record Failed(string Reason, int Attempts, int? Status = null) : FetchResult(Attempts);
}

/// <summary>
/// GETs a source's URL through the resilient client: conditional on what the last collection saw (so an
/// unchanged source costs one 304), secrets resolved from app settings <c>SourceSecrets__*</c> at the last
/// moment, the body read within each attempt up to the size limit. Redirects are followed here, at most
/// <see cref="MaxRedirects"/>, and secret headers go only to the source's own origin. Every way it can go wrong
/// comes back as <see cref="FetchResult.Failed"/> with a reason a person can act on (never the URL, which may
/// hold a secret); only cancellation throws.
/// </summary>
public sealed class SourceFetcher(IHttpClientFactory clients, IConfiguration configuration, IOptions<CollectionOptions> options, TimeProvider clock)
{
    public const string ClientName = "sources";
    public const int MaxRedirects = 5;

    public async Task<FetchResult> FetchAsync(Source source, SourceState? state, long maxBytes, CancellationToken cancellationToken)
    {
        var missing = new List<string>();
        var url = SourceRules.SettingReference().Replace(source.Url!, m => Uri.EscapeDataString(Secret(m.Groups[1].Value, missing) ?? ""));
        var secretHeaders = source.Headers.Where(h => h.Setting is not null).Select(h => (h.Name, Value: Secret(h.Setting!, missing))).ToList();
        if (missing.Count > 0)
            return new FetchResult.Failed($"app setting(s) {string.Join(", ", missing.Distinct().Select(n => $"{SourceRules.SecretsSection}__{n}"))} named by the source are not set", 0);

        var client = clients.CreateClient(ClientName);
        var origin = new Uri(url);
        var uri = origin;
        var attempts = 0;
        for (var redirects = 0; ; redirects++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            foreach (var header in source.Headers.Where(h => h.Setting is null))
                request.Headers.TryAddWithoutValidation(header.Name, header.Value);
            if (SameOrigin(origin, uri))
            {
                foreach (var (name, value) in secretHeaders)
                    request.Headers.TryAddWithoutValidation(name, value);
            }
            if (!request.Headers.Contains("Accept"))
                request.Headers.TryAddWithoutValidation("Accept", source.Kind == SourceKind.HttpCsv ? "text/csv, text/plain;q=0.5, */*;q=0.1" : "application/json, */*;q=0.1");
            if (state?.ETag is { } etag)
                request.Headers.TryAddWithoutValidation("If-None-Match", etag);
            if (state?.LastModified is { } lastModified)
                request.Headers.TryAddWithoutValidation("If-Modified-Since", lastModified);
            request.Options.Set(SourceAttemptHandler.BufferUpTo, maxBytes);

            HttpResponseMessage response;
            try
            {
                response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            }
            catch (TimeoutRejectedException)
            {
                attempts += Attempts(request);
                return new FetchResult.Failed($"no complete response within {Seconds(options.Value.AttemptTimeout)} in {Attempts(request)} attempt(s)", attempts);
            }
            catch (BrokenCircuitException ex)
            {
                return new FetchResult.Failed($"circuit open for {uri.Authority}: its recent requests failed; not called again until {Seconds(ex.RetryAfter ?? options.Value.BreakDuration)} have passed", attempts);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                attempts += Attempts(request);
                return new FetchResult.Failed($"{ex.Message} ({Attempts(request)} attempt(s))", attempts);
            }

            using (response)
            {
                attempts += Attempts(request);
                var status = (int)response.StatusCode;
                if (response.StatusCode == HttpStatusCode.NotModified)
                    return new FetchResult.NotModified(attempts);
                if (status is >= 300 and < 400 && response.Headers.Location is { } location)
                {
                    if (redirects == MaxRedirects)
                        return new FetchResult.Failed($"more than {MaxRedirects} redirects", attempts, status);
                    uri = new Uri(uri, location);
                    if (uri.Scheme is not ("http" or "https"))
                        return new FetchResult.Failed($"redirected to a {uri.Scheme} URL; only http and https are fetched", attempts, status);
                    continue;
                }
                if (!response.IsSuccessStatusCode)
                {
                    var reason = $"{status} {response.ReasonPhrase} after {Attempts(request)} attempt(s)";
                    if (RetryAfter.Of(response, clock.GetUtcNow()) is { } wait && wait > options.Value.MaxRetryAfter)
                        reason += $"; the server asked to wait {Seconds(wait)}, longer than the {Seconds(options.Value.MaxRetryAfter)} a run waits ({CollectionOptions.Section}__{nameof(CollectionOptions.MaxRetryAfter)})";
                    return new FetchResult.Failed(reason, attempts, status);
                }
                if (request.Options.TryGetValue(SourceAttemptHandler.TooLarge, out var tooLarge) && tooLarge)
                    return new FetchResult.Failed($"the payload is larger than {maxBytes} bytes (setting {nameof(AppOptions.MaxIngestBytes)})", attempts, status);
                var body = BinaryData.FromBytes(await response.Content.ReadAsByteArrayAsync(cancellationToken));
                return new FetchResult.Received(body, response.Content.Headers.ContentType?.MediaType,
                    response.Headers.ETag?.ToString(), response.Content.Headers.LastModified?.ToString("R"), attempts);
            }
        }
    }

    /// <summary>Secret headers follow a redirect only to the same host and port (or the same host upgraded from http to https).</summary>
    internal static bool SameOrigin(Uri origin, Uri target) =>
        string.Equals(origin.Host, target.Host, StringComparison.OrdinalIgnoreCase) &&
        ((origin.Scheme == target.Scheme && origin.Port == target.Port) ||
         (origin.Scheme == "http" && target.Scheme == "https" && origin.IsDefaultPort && target.IsDefaultPort));

    private string? Secret(string name, List<string> missing)
    {
        var value = configuration[$"{SourceRules.SecretsSection}:{name}"];
        if (string.IsNullOrEmpty(value))
            missing.Add(name);
        return value;
    }

    private static int Attempts(HttpRequestMessage request) =>
        request.Options.TryGetValue(SourceAttemptHandler.Attempts, out var attempts) ? attempts : 0;

    private static string Seconds(TimeSpan t) => $"{t.TotalSeconds:0.###} s";
}
