using System.Net;
using System.Net.Http.Headers;
using IndicatorFunctions.Collection;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace IndicatorFunctions.Tests.Collection.Unit;

public sealed class RetryAfterTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 10, 2, 0, 0, TimeSpan.Zero);

    // ---- from the header ------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(120)]
    [InlineData(86_400)]
    public void Delta_is_the_wait_as_given(int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), RetryAfter.Of(new RetryConditionHeaderValue(TimeSpan.FromSeconds(seconds)), Now));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(30)]
    [InlineData(3_600)]
    public void Future_date_is_the_time_until_it(int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), RetryAfter.Of(new RetryConditionHeaderValue(Now.AddSeconds(seconds)), Now));
    }

    [Fact]
    public void Date_in_another_offset_is_compared_as_an_instant()
    {
        // 10:00:30+08:00 is 02:00:30Z: thirty seconds away, not eight hours.
        var date = new DateTimeOffset(2025, 6, 10, 10, 0, 30, TimeSpan.FromHours(8));

        Assert.Equal(TimeSpan.FromSeconds(30), RetryAfter.Of(new RetryConditionHeaderValue(date), Now));
    }

    [Theory]
    [InlineData(0)] // now: nothing left to wait
    [InlineData(-1)]
    [InlineData(-86_400)]
    public void Date_now_or_past_means_no_wait_not_a_negative_one(int seconds)
    {
        Assert.Equal(TimeSpan.Zero, RetryAfter.Of(new RetryConditionHeaderValue(Now.AddSeconds(seconds)), Now));
    }

    [Fact]
    public void Parsed_http_date_header_is_honoured()
    {
        var header = RetryConditionHeaderValue.Parse("Tue, 10 Jun 2025 02:01:00 GMT");

        Assert.Equal(TimeSpan.FromMinutes(1), RetryAfter.Of(header, Now));
    }

    [Fact]
    public void No_header_asks_no_wait()
    {
        Assert.Null(RetryAfter.Of((RetryConditionHeaderValue?)null, Now));
    }

    // ---- from a response ------------------------------------------------------------------------------------------

    private static HttpResponseMessage Response(HttpStatusCode status, RetryConditionHeaderValue? retryAfter)
    {
        var response = new HttpResponseMessage(status);
        response.Headers.RetryAfter = retryAfter;
        return response;
    }

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    public void Throttling_response_gives_its_retry_after(HttpStatusCode status)
    {
        using var delta = Response(status, new RetryConditionHeaderValue(TimeSpan.FromSeconds(45)));
        using var date = Response(status, new RetryConditionHeaderValue(Now.AddMinutes(2)));

        Assert.Equal(TimeSpan.FromSeconds(45), RetryAfter.Of(delta, Now));
        Assert.Equal(TimeSpan.FromMinutes(2), RetryAfter.Of(date, Now));
    }

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    public void Throttling_response_without_retry_after_asks_no_wait(HttpStatusCode status)
    {
        using var response = Response(status, null);

        Assert.Null(RetryAfter.Of(response, Now));
    }

    [Theory]
    [InlineData(HttpStatusCode.OK)]
    [InlineData(HttpStatusCode.MovedPermanently)]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.RequestTimeout)]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.GatewayTimeout)]
    public void Retry_after_on_any_other_status_is_ignored(HttpStatusCode status)
    {
        // RFC 9110 gives Retry-After meaning on 503 and 3xx; the collector honours it only where it throttles.
        using var response = Response(status, new RetryConditionHeaderValue(TimeSpan.FromSeconds(30)));

        Assert.Null(RetryAfter.Of(response, Now));
    }

    [Fact]
    public void No_response_asks_no_wait()
    {
        Assert.Null(RetryAfter.Of((HttpResponseMessage?)null, Now));
    }

    // ---- which failures are worth another try ---------------------------------------------------------------------

    [Theory]
    [InlineData(200, false)]
    [InlineData(304, false)]
    [InlineData(400, false)]
    [InlineData(401, false)]
    [InlineData(403, false)]
    [InlineData(404, false)]
    [InlineData(408, true)] // request timeout
    [InlineData(429, true)] // too many requests
    [InlineData(500, true)]
    [InlineData(502, true)]
    [InlineData(503, true)]
    [InlineData(504, true)]
    public void Status_is_transient_only_for_timeouts_throttling_and_server_errors(int status, bool transient)
    {
        Assert.Equal(transient, SourceResilience.IsTransient(status));
    }

    [Fact]
    public void Network_errors_and_attempt_timeouts_are_transient_other_exceptions_are_not()
    {
        Assert.True(SourceResilience.IsTransient(Outcome.FromException<HttpResponseMessage>(new HttpRequestException("connection refused"))));
        Assert.True(SourceResilience.IsTransient(Outcome.FromException<HttpResponseMessage>(new TimeoutRejectedException())));
        // An open circuit is not retried: trying again at once cannot close it.
        Assert.False(SourceResilience.IsTransient(Outcome.FromException<HttpResponseMessage>(new BrokenCircuitException())));
        Assert.False(SourceResilience.IsTransient(Outcome.FromException<HttpResponseMessage>(new InvalidOperationException())));
    }

    [Theory]
    [InlineData(HttpStatusCode.OK, false)]
    [InlineData(HttpStatusCode.NotFound, false)]
    [InlineData(HttpStatusCode.TooManyRequests, true)]
    [InlineData(HttpStatusCode.BadGateway, true)]
    public void Response_outcome_is_transient_by_its_status(HttpStatusCode status, bool transient)
    {
        using var response = new HttpResponseMessage(status);

        Assert.Equal(transient, SourceResilience.IsTransient(Outcome.FromResult(response)));
    }

    [Theory]
    [InlineData("http://stats.example.org/a.csv", "http://stats.example.org/b.csv", true)]
    [InlineData("http://stats.example.org/a.csv", "https://stats.example.org/b.csv", true)]   // upgraded to https on default ports
    [InlineData("https://stats.example.org/a.csv", "http://stats.example.org/b.csv", false)]  // downgraded: secrets would travel in clear
    [InlineData("http://stats.example.org:8080/a.csv", "http://stats.example.org:9090/b.csv", false)]
    [InlineData("http://stats.example.org/a.csv", "http://cdn.example.org/b.csv", false)]
    [InlineData("http://STATS.example.org/a.csv", "http://stats.example.org/b.csv", true)]
    [InlineData("http://127.0.0.1:5000/a.csv", "http://localhost:5000/b.csv", false)]         // another name is another origin
    public void Secret_headers_follow_a_redirect_only_to_the_same_origin(string origin, string target, bool same) =>
        Assert.Equal(same, SourceFetcher.SameOrigin(new Uri(origin), new Uri(target)));
}
