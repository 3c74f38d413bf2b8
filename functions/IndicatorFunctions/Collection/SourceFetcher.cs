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
/// unchanged source costs one 304), secrets resolved from app settings at the last moment, the body read up to
/// the size limit. Every way it can go wrong comes back as <see cref="FetchResult.Failed"/> with a reason a
/// person can act on; only cancellation throws.
/// </summary>
public sealed class SourceFetcher(IHttpClientFactory clients, IConfiguration configuration, IOptions<CollectionOptions> options)
{
    public const string ClientName = "sources";

    public async Task<FetchResult> FetchAsync(Source source, SourceState? state, long maxBytes, CancellationToken cancellationToken)
    {
        var missing = new List<string>();
        var url = SourceRules.SettingReference().Replace(source.Url!, m => Setting(m.Groups[1].Value, missing) ?? "");
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        foreach (var header in source.Headers)
            request.Headers.TryAddWithoutValidation(header.Name, header.Value ?? Setting(header.Setting!, missing));
        if (missing.Count > 0)
            return new FetchResult.Failed($"app setting(s) {string.Join(", ", missing.Distinct())} named by the source are not set", 0);
        if (!request.Headers.Contains("Accept"))
            request.Headers.TryAddWithoutValidation("Accept", source.Kind == SourceKind.HttpCsv ? "text/csv, text/plain;q=0.5, */*;q=0.1" : "application/json, */*;q=0.1");
        if (state?.ETag is { } etag)
            request.Headers.TryAddWithoutValidation("If-None-Match", etag);
        if (state?.LastModified is { } lastModified)
            request.Headers.TryAddWithoutValidation("If-Modified-Since", lastModified);

        var timeout = options.Value.AttemptTimeout;
        var client = clients.CreateClient(ClientName);
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (TimeoutRejectedException)
        {
            return new FetchResult.Failed($"no response within {Seconds(timeout)} in {Attempts(request)} attempt(s)", Attempts(request));
        }
        catch (BrokenCircuitException ex)
        {
            return new FetchResult.Failed($"circuit open for {request.RequestUri!.Authority}: its recent requests failed; not called again until {Seconds(ex.RetryAfter ?? options.Value.BreakDuration)} have passed", Attempts(request));
        }
        catch (HttpRequestException ex)
        {
            return new FetchResult.Failed($"{ex.Message} ({Attempts(request)} attempt(s))", Attempts(request));
        }

        using (response)
        {
            var attempts = Attempts(request);
            var status = (int)response.StatusCode;
            if (response.StatusCode == HttpStatusCode.NotModified)
                return new FetchResult.NotModified(attempts);
            if (!response.IsSuccessStatusCode)
            {
                var reason = $"{status} {response.ReasonPhrase} after {attempts} attempt(s)";
                if (RetryAfter.Of(response, DateTimeOffset.UtcNow) is { } wait && wait > options.Value.MaxRetryAfter)
                    reason += $"; the server asked to wait {Seconds(wait)}, longer than the {Seconds(options.Value.MaxRetryAfter)} a run waits (Collection__MaxRetryAfter)";
                return new FetchResult.Failed(reason, attempts, status);
            }
            if (response.Content.Headers.ContentLength > maxBytes)
                return TooLarge(maxBytes, attempts, status);

            using var bodyTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bodyTimeout.CancelAfter(timeout);
            BinaryData? body;
            try
            {
                body = await Ingestion.BodyReader.ReadUpToAsync(await response.Content.ReadAsStreamAsync(bodyTimeout.Token), maxBytes, bodyTimeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return new FetchResult.Failed($"the body did not arrive within {Seconds(timeout)}", attempts, status);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                return new FetchResult.Failed($"the body broke off: {ex.Message}", attempts, status);
            }
            if (body is null)
                return TooLarge(maxBytes, attempts, status);
            return new FetchResult.Received(body, response.Content.Headers.ContentType?.MediaType,
                response.Headers.ETag?.ToString(), response.Content.Headers.LastModified?.ToString("R"), attempts);
        }
    }

    private string? Setting(string name, List<string> missing)
    {
        var value = configuration[name];
        if (string.IsNullOrEmpty(value))
            missing.Add(name);
        return value;
    }

    private static int Attempts(HttpRequestMessage request) =>
        request.Options.TryGetValue(SourceResilienceHandler.Attempts, out var attempts) ? attempts : 0;

    private static FetchResult.Failed TooLarge(long maxBytes, int attempts, int status) =>
        new($"the payload is larger than {maxBytes} bytes (setting {Ingestion.IngestionApi.MaxBodySetting})", attempts, status);

    private static string Seconds(TimeSpan t) => $"{t.TotalSeconds:0.###} s";
}
