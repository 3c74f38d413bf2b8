using System.Net;
using System.Net.Http.Headers;
using IndicatorFunctions.Collection;
using Microsoft.Extensions.Configuration;
using Polly.CircuitBreaker;

namespace IndicatorFunctions.Tests.Collection.Unit;

/// <summary>
/// The sources client as the app registers it (<c>AddCollection</c>: the resilience handler with one pipeline per
/// source, and the per-attempt handler inside it), with its primary handler swapped for one that answers itself.
/// </summary>
public sealed class SourceClientTests
{
    /// <summary>The app's collection services over <paramref name="primary"/>: nothing leaves the process.</summary>
    internal static ServiceProvider Services(HttpMessageHandler primary, Action<CollectionOptions>? configure = null, TimeProvider? clock = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        if (clock is not null)
            services.AddSingleton(clock);
        services.AddCollection();
        services.Configure<CollectionOptions>(o =>
        {
            o.RetryBaseDelay = TimeSpan.FromMilliseconds(1);
            configure?.Invoke(o);
        });
        services.AddHttpClient(SourceFetcher.ClientName).ConfigurePrimaryHttpMessageHandler(() => primary);
        return services.BuildServiceProvider();
    }

    private static HttpClient Client(ServiceProvider services) =>
        services.GetRequiredService<IHttpClientFactory>().CreateClient(SourceFetcher.ClientName);

    [Fact]
    public async Task Each_attempt_is_counted_and_each_discarded_response_is_disposed()
    {
        var discarded = new List<TrackedContent>();
        var answer = new Answer(request =>
        {
            if (discarded.Count == 2)
                return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("year,value") };
            var content = new TrackedContent();
            discarded.Add(content);
            return new HttpResponseMessage(HttpStatusCode.BadGateway) { Content = content };
        });
        await using var services = Services(answer, o => o.MaxRetries = 2);

        using var response = await Client(services).GetAsync("https://stats.example.org/gdp.csv");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, answer.Calls);
        Assert.True(response.RequestMessage!.Options.TryGetValue(SourceAttemptHandler.Attempts, out var attempts));
        Assert.Equal(3, attempts);
        Assert.All(discarded, content => Assert.True(content.Disposed));
    }

    [Fact]
    public async Task A_body_over_the_limit_is_flagged_too_large_and_not_retried()
    {
        var answer = new Answer(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("0123456789") });
        await using var services = Services(answer);
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://stats.example.org/gdp.csv");
        request.Options.Set(SourceAttemptHandler.BufferUpTo, 5L);

        using var response = await Client(services).SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.True(request.Options.TryGetValue(SourceAttemptHandler.TooLarge, out var tooLarge) && tooLarge);
        Assert.Equal(1, answer.Calls);
    }

    [Fact]
    public async Task A_body_within_the_limit_is_buffered_within_the_attempt_with_its_headers()
    {
        var answer = new Answer(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("year,value", System.Text.Encoding.UTF8, "text/csv") });
        await using var services = Services(answer);
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://stats.example.org/gdp.csv");
        request.Options.Set(SourceAttemptHandler.BufferUpTo, 100L);

        using var response = await Client(services).SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.IsType<ReadOnlyMemoryContent>(response.Content);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("year,value", await response.Content.ReadAsStringAsync());
        Assert.False(request.Options.TryGetValue(SourceAttemptHandler.TooLarge, out _));
    }

    [Fact]
    public async Task A_circuit_opened_by_one_source_leaves_another_on_the_same_host_closed()
    {
        var answer = new Answer(request => new HttpResponseMessage(request.RequestUri!.AbsolutePath == "/down.csv" ? HttpStatusCode.InternalServerError : HttpStatusCode.OK));
        await using var services = Services(answer, o =>
        {
            o.MaxRetries = 0;
            o.BreakerMinimumThroughput = 2;
            o.BreakerFailureRatio = 1;
        });
        var client = Client(services);
        for (var i = 0; i < 2; i++)
            (await client.SendAsync(SourceRequest("down", "https://stats.example.org/down.csv"))).Dispose();

        await Assert.ThrowsAsync<BrokenCircuitException>(() => client.SendAsync(SourceRequest("down", "https://stats.example.org/down.csv")));
        using var other = await client.SendAsync(SourceRequest("up", "https://stats.example.org/up.csv"));

        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal(3, answer.Calls); // the open circuit's call never reached the network
    }

    [Fact]
    public async Task Each_attempt_is_logged_with_its_host_and_status_or_error()
    {
        var calls = 0;
        var answer = new Answer(_ => ++calls switch
        {
            1 => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable),
            2 => throw new HttpRequestException("Connection reset by peer"),
            _ => new HttpResponseMessage(HttpStatusCode.OK),
        });
        await using var services = Services(answer, o => o.MaxRetries = 2);
        var log = new List<SourceAttempt>();
        using var request = SourceRequest("flaky", "https://stats.example.org:8443/gdp.csv");
        request.Options.Set(SourceAttemptHandler.Log, log);

        using var response = await Client(services).SendAsync(request);

        Assert.Equal(
            [("stats.example.org:8443", (int?)503, (string?)null), ("stats.example.org:8443", null, "Connection reset by peer"), ("stats.example.org:8443", 200, null)],
            log.Select(a => (a.Host, a.Status, a.Error)));
    }

    private static HttpRequestMessage SourceRequest(string source, string url)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Options.Set(SourceResilience.PipelineKey, $"source:{source}");
        return request;
    }

    [Fact]
    public async Task A_Retry_After_date_is_read_on_the_apps_clock()
    {
        // On the app's clock the date is an hour away, past MaxRetryAfter: not retried. On the system clock it would
        // be long past, a wait of zero, and retried.
        var now = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var answer = new Answer(_ =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
            response.Headers.RetryAfter = new RetryConditionHeaderValue(now.AddHours(1));
            return response;
        });
        await using var services = Services(answer, o => o.MaxRetryAfter = TimeSpan.FromMinutes(1), new FixedNow(now));

        using var response = await Client(services).GetAsync("https://stats.example.org/gdp.csv");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(1, answer.Calls);
    }

    /// <summary>Answers every request itself: nothing leaves the process.</summary>
    internal sealed class Answer(Func<HttpRequestMessage, HttpResponseMessage> respond) : HttpMessageHandler
    {
        private int _calls;

        public int Calls => _calls;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            var response = respond(request);
            response.RequestMessage = request;
            return Task.FromResult(response);
        }
    }

    private sealed class TrackedContent() : StringContent("try again")
    {
        public bool Disposed { get; private set; }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }

    /// <summary>The system's timers, a fixed wall clock.</summary>
    private sealed class FixedNow(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
