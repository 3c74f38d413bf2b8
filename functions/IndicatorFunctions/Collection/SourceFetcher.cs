using System.Net;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace IndicatorFunctions.Collection;

/// <summary>What one fetch of an http source gave, with every attempt it took (redirects included).</summary>
public abstract record FetchResult(IReadOnlyList<SourceAttempt> Log)
{
    public int Attempts => Log.Count;

    public sealed record NotModified(IReadOnlyList<SourceAttempt> Log) : FetchResult(Log);

    public sealed record Received(BinaryData Body, string? ContentType, string? ETag, string? LastModified, IReadOnlyList<SourceAttempt> Log) : FetchResult(Log);

    public sealed record Failed(string Reason, IReadOnlyList<SourceAttempt> Log, int? Status = null) : FetchResult(Log);
}

/// <summary>
/// GETs a source's URL through the resilient client: conditional on what the last collection saw (so an
/// unchanged source costs one 304), secrets resolved from app settings <c>SourceSecrets__*</c> at the last
/// moment, the body read within each attempt up to the size limit. Redirects are followed here, at most
/// <see cref="MaxRedirects"/>, and secret headers go only to the source's own origin. Every way it can go wrong
/// comes back as <see cref="FetchResult.Failed"/> with a reason a person can act on (never the URL, which may
/// hold a secret); only cancellation throws. Each source goes through its own resilience pipeline
/// (<see cref="SourceResilience.PipelineKey"/>), and each connection through <see cref="SourceDestinationGuard"/>.
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
            return new FetchResult.Failed($"app setting(s) {string.Join(", ", missing.Distinct().Select(n => $"{SourceRules.SecretsSection}__{n}"))} named by the source are not set", []);

        var client = clients.CreateClient(ClientName);
        var origin = new Uri(url);
        var uri = origin;
        var log = new List<SourceAttempt>();
        // The definition, not the resolved URL (no secret in a key); an edited source starts with a closed circuit.
        var pipeline = $"source:{source.Id}:{source.Url}";
        for (var redirects = 0; ; redirects++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            request.Options.Set(SourceResilience.PipelineKey, pipeline);
            request.Options.Set(SourceAttemptHandler.Log, log);
            var hopStart = log.Count;
            int Tries() => log.Count - hopStart;
            var hop = redirects == 0 ? "" : $"after {redirects} redirect(s), ";
            foreach (var header in source.Headers.Where(h => h.Setting is null))
                request.Headers.TryAddWithoutValidation(header.Name, header.Value);
            if (SameOrigin(origin, uri))
            {
                foreach (var (name, value) in secretHeaders)
                    request.Headers.TryAddWithoutValidation(name, value);
            }
            if (!request.Headers.Contains("Accept"))
                request.Headers.TryAddWithoutValidation("Accept", source.Kind switch
                {
                    SourceKind.HttpCsv => "text/csv, text/plain;q=0.5, */*;q=0.1",
                    SourceKind.PressRelease => "text/html, text/plain;q=0.9, */*;q=0.1",
                    _ => "application/json, */*;q=0.1",
                });
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
                return new FetchResult.Failed($"{hop}no complete response within {Seconds(options.Value.AttemptTimeout)} in {Tries()} attempt(s)", log);
            }
            catch (BrokenCircuitException ex)
            {
                var until = Seconds(ex.RetryAfter ?? options.Value.BreakDuration);
                return new FetchResult.Failed(Tries() == 0
                    ? $"{hop}circuit open for this source: its recent attempts (in an earlier run) failed; not called again until {until} have passed"
                    : $"{hop}circuit opened for this source after {Tries()} failed attempt(s) ({Summary(log.Skip(hopStart))}); not called again until {until} have passed", log, log.LastOrDefault()?.Status);
            }
            catch (HttpRequestException ex) when (ex.InnerException is DestinationRefusedException refused)
            {
                return new FetchResult.Failed(hop + refused.Message, log);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                return new FetchResult.Failed($"{hop}{ex.Message} ({Tries()} attempt(s))", log);
            }

            using (response)
            {
                var status = (int)response.StatusCode;
                if (response.StatusCode == HttpStatusCode.NotModified)
                    return new FetchResult.NotModified(log);
                if (status is >= 300 and < 400 && response.Headers.Location is { } location)
                {
                    if (redirects == MaxRedirects)
                        return new FetchResult.Failed($"more than {MaxRedirects} redirects", log, status);
                    uri = new Uri(uri, location);
                    if (uri.Scheme is not ("http" or "https"))
                        return new FetchResult.Failed($"redirected to a {uri.Scheme} URL; only http and https are fetched", log, status);
                    continue;
                }
                if (!response.IsSuccessStatusCode)
                {
                    var reason = $"{hop}{status} {response.ReasonPhrase} after {Tries()} attempt(s)";
                    if (RetryAfter.Of(response, clock.GetUtcNow()) is { } wait && wait > options.Value.MaxRetryAfter)
                        reason += $"; the server asked to wait {Seconds(wait)}, longer than the {Seconds(options.Value.MaxRetryAfter)} a run waits ({CollectionOptions.Section}__{nameof(CollectionOptions.MaxRetryAfter)})";
                    return new FetchResult.Failed(reason, log, status);
                }
                if (request.Options.TryGetValue(SourceAttemptHandler.TooLarge, out var tooLarge) && tooLarge)
                    return new FetchResult.Failed($"the payload is larger than {maxBytes} bytes (setting {nameof(AppOptions.MaxIngestBytes)})", log, status);
                var body = BinaryData.FromBytes(await response.Content.ReadAsByteArrayAsync(cancellationToken));
                return new FetchResult.Received(body, response.Content.Headers.ContentType?.MediaType,
                    response.Headers.ETag?.ToString(), response.Content.Headers.LastModified?.ToString("R"), log);
            }
        }
    }

    /// <summary>Attempts in brief, "500, 503, no response"; the attempt log has the details.</summary>
    private static string Summary(IEnumerable<SourceAttempt> attempts) =>
        string.Join(", ", attempts.Select(a => a.Status?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no response"));

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

    private static string Seconds(TimeSpan t) => $"{t.TotalSeconds:0.###} s";
}
