using System.Net.Http.Headers;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Timeout;

namespace IndicatorFunctions.Collection;

/// <summary>
/// The resilience pipeline of the sources client (Microsoft.Extensions.Http.Resilience, one pipeline per source,
/// chosen by <see cref="PipelineKey"/>, so one source's failures never open another's circuit, even on the same
/// host): retries with jittered exponential backoff on 408, 429, 5xx, network errors and attempt timeouts,
/// honouring <c>Retry-After</c>; a circuit breaker; a timeout per attempt. The pipelines live in the app's
/// pipeline registry for the process's life, so a circuit a source opened in one run is still open for the next
/// within its break.
/// </summary>
public static class SourceResilience
{
    /// <summary>The resilience handler's name on the <see cref="SourceFetcher.ClientName"/> client.</summary>
    public const string PipelineName = "sources";

    /// <summary>The pipeline a request goes through: its source's (set by <see cref="SourceFetcher"/>), else its authority's.</summary>
    public static readonly HttpRequestOptionsKey<string> PipelineKey = new("IndicatorFunctions.SourcePipeline");

    public static string SelectPipeline(HttpRequestMessage request) =>
        request.Options.TryGetValue(PipelineKey, out var key) ? key : request.RequestUri!.GetLeftPart(UriPartial.Authority);

    /// <summary>Adds the strategies, outermost first. Also built by <see cref="CollectionOptions.Validator"/> at start-up.</summary>
    internal static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, CollectionOptions o, TimeProvider clock)
    {
        builder.TimeProvider = clock;
        // Polly wants at least one retry in a retry strategy: MaxRetries = 0 means none.
        if (o.MaxRetries > 0)
            builder.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = o.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = o.RetryBaseDelay,
                // A Retry-After beyond what this run waits is an answer for tonight: no retry, the source fails with it.
                ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome) &&
                    !(RetryAfter.Of(args.Outcome.Result, clock.GetUtcNow()) > o.MaxRetryAfter)),
                // Replaces the package's own Retry-After reader: this one heeds it only on 429 and 503, on the app's clock.
                // Polly disposes the response a retry discards, so no OnRetry is needed for that.
                DelayGenerator = args => ValueTask.FromResult(RetryAfter.Of(args.Outcome.Result, clock.GetUtcNow())),
            });
        builder
            .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
                MinimumThroughput = o.BreakerMinimumThroughput,
                FailureRatio = o.BreakerFailureRatio,
                SamplingDuration = o.BreakerSamplingDuration,
                BreakDuration = o.BreakDuration,
            })
            .AddTimeout(new HttpTimeoutStrategyOptions { Timeout = o.AttemptTimeout });
    }

    /// <summary>Worth another try: the server or the network may do better in a moment. A refused destination will not.</summary>
    public static bool IsTransient(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception is (HttpRequestException or IOException or TimeoutRejectedException) and not { InnerException: DestinationRefusedException } ||
        outcome.Result is { } response && IsTransient((int)response.StatusCode);

    public static bool IsTransient(int status) => status is 408 or 429 or >= 500;
}

/// <summary>
/// Inside the resilience handler, so it runs once per attempt: logs each attempt (host, status or error, time)
/// into the request's <see cref="Log"/> and counts it into <see cref="Attempts"/>; and, when the caller sets
/// <see cref="BufferUpTo"/>, reads a successful response's body within the attempt, so a body that stalls meets
/// the attempt's timeout and one that breaks off is retried like any network error.
/// </summary>
public sealed class SourceAttemptHandler : DelegatingHandler
{
    public static readonly HttpRequestOptionsKey<int> Attempts = new("IndicatorFunctions.Attempts");

    /// <summary>Where the attempts are logged, when the caller gives a list.</summary>
    public static readonly HttpRequestOptionsKey<List<SourceAttempt>> Log = new("IndicatorFunctions.AttemptLog");

    /// <summary>Read a successful body within each attempt, up to this many bytes.</summary>
    public static readonly HttpRequestOptionsKey<long> BufferUpTo = new("IndicatorFunctions.BufferUpTo");

    /// <summary>Set when the body passed <see cref="BufferUpTo"/>: the response is returned unread, and not retried.</summary>
    public static readonly HttpRequestOptionsKey<bool> TooLarge = new("IndicatorFunctions.TooLarge");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Options.Set(Attempts, (request.Options.TryGetValue(Attempts, out var attempts) ? attempts : 0) + 1);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        int? status = null;
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode && request.Options.TryGetValue(BufferUpTo, out var limit))
                await BufferAsync(request, response, limit, cancellationToken);
            Record(request, status, null, watch);
            return response;
        }
        catch (Exception ex)
        {
            Record(request, status, Describe(ex), watch);
            throw;
        }
    }

    private static void Record(HttpRequestMessage request, int? status, string? error, System.Diagnostics.Stopwatch watch)
    {
        if (request.Options.TryGetValue(Log, out var log))
            log.Add(new SourceAttempt(request.RequestUri!.Authority, status, error, watch.ElapsedMilliseconds));
    }

    /// <summary>What went wrong in one attempt, briefly. Cancelled is the attempt's timeout, or the run's deadline.</summary>
    internal static string Describe(Exception ex) => ex switch
    {
        OperationCanceledException => "no complete response: timed out or cancelled",
        HttpRequestException { InnerException: DestinationRefusedException refused } => refused.Message,
        _ => Collector.Short(ex.Message, 200),
    };

    private static async Task BufferAsync(HttpRequestMessage request, HttpResponseMessage response, long limit, CancellationToken cancellationToken)
    {
        try
        {
            var body = response.Content.Headers.ContentLength > limit
                ? null
                : await Ingestion.BodyReader.ReadUpToAsync(await response.Content.ReadAsStreamAsync(cancellationToken), limit, cancellationToken);
            if (body is null)
            {
                request.Options.Set(TooLarge, true);
                return;
            }
            var buffered = new ReadOnlyMemoryContent(body.ToMemory());
            foreach (var (name, values) in response.Content.Headers.Where(h => !h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)))
                buffered.Headers.TryAddWithoutValidation(name, values);
            response.Content.Dispose();
            response.Content = buffered;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }
}

public static class RetryAfter
{
    /// <summary>The wait a 429 or 503 asks for (<c>Retry-After</c> seconds or date), or null when it asks none.</summary>
    public static TimeSpan? Of(HttpResponseMessage? response, DateTimeOffset now) =>
        response is { StatusCode: System.Net.HttpStatusCode.TooManyRequests or System.Net.HttpStatusCode.ServiceUnavailable }
            ? Of(response.Headers.RetryAfter, now)
            : null;

    public static TimeSpan? Of(RetryConditionHeaderValue? header, DateTimeOffset now) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date > now ? date - now : TimeSpan.Zero,
        _ => null,
    };
}
