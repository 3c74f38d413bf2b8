using IndicatorFunctions.Collection;
using Microsoft.Extensions.Options;
using Polly;

namespace IndicatorFunctions.Tests.Collection.Unit;

public sealed class CollectionOptionsValidatorTests
{
    private static ValidateOptionsResult Validate(CollectionOptions options) => new CollectionOptions.Validator().Validate(null, options);

    /// <summary>Options with one property changed, by name, so a theory table can say which.</summary>
    private static CollectionOptions With(string property, object value)
    {
        var options = new CollectionOptions();
        typeof(CollectionOptions).GetProperty(property)!.SetValue(options, value);
        return options;
    }

    private static TimeSpan Time(string text) => TimeSpan.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Defaults_are_valid()
    {
        var result = Validate(new CollectionOptions());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData(nameof(CollectionOptions.AttemptTimeout), "00:00:00")]
    [InlineData(nameof(CollectionOptions.AttemptTimeout), "-00:00:01")]
    [InlineData(nameof(CollectionOptions.RetryBaseDelay), "00:00:00")]
    [InlineData(nameof(CollectionOptions.RetryBaseDelay), "-00:00:02")]
    [InlineData(nameof(CollectionOptions.MaxRetryAfter), "00:00:00")]
    [InlineData(nameof(CollectionOptions.MaxRetryAfter), "-00:01:00")]
    [InlineData(nameof(CollectionOptions.BreakDuration), "00:00:00")]
    [InlineData(nameof(CollectionOptions.BreakDuration), "-00:01:00")]
    [InlineData(nameof(CollectionOptions.RunDeadline), "00:00:00")]
    [InlineData(nameof(CollectionOptions.RunDeadline), "-00:20:00")]
    public void Time_that_is_not_positive_fails_naming_the_setting(string property, string value)
    {
        var result = Validate(With(property, Time(value)));

        Assert.True(result.Failed);
        var failure = Assert.Single(result.Failures!);
        Assert.Contains($"Collection__{property}", failure);
        Assert.Matches("positive time|must be between 00:00:00", failure); // times Polly takes carry its range
    }

    [Theory]
    [InlineData(nameof(CollectionOptions.BreakerSamplingDuration), "00:00:00.1")] // below Polly's 0.5 s
    [InlineData(nameof(CollectionOptions.BreakerSamplingDuration), "00:00:00.499")]
    [InlineData(nameof(CollectionOptions.BreakerSamplingDuration), "00:00:00")]
    public void Sampling_duration_below_half_a_second_fails_naming_the_setting(string property, string value)
    {
        var result = Validate(With(property, Time(value)));

        Assert.Contains($"Collection__{property}", Assert.Single(result.Failures!));
    }

    [Theory]
    [InlineData(nameof(CollectionOptions.MaxRetries), 11)]
    [InlineData(nameof(CollectionOptions.MaxRetries), -1)]
    [InlineData(nameof(CollectionOptions.BreakerMinimumThroughput), 1)]
    [InlineData(nameof(CollectionOptions.BreakerMinimumThroughput), 0)]
    [InlineData(nameof(CollectionOptions.Concurrency), 0)]
    [InlineData(nameof(CollectionOptions.Concurrency), -1)]
    [InlineData(nameof(CollectionOptions.Concurrency), 65)]
    public void Count_out_of_range_fails_naming_the_setting_and_the_value(string property, int value)
    {
        var result = Validate(With(property, value));

        var failure = Assert.Single(result.Failures!);
        Assert.Contains($"Collection__{property}", failure);
        Assert.Contains($"not {value}", failure);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.5)]
    [InlineData(1.5)]
    public void Failure_ratio_outside_zero_to_one_fails_naming_the_setting(double ratio)
    {
        var result = Validate(With(nameof(CollectionOptions.BreakerFailureRatio), ratio));

        Assert.Contains("Collection__BreakerFailureRatio", Assert.Single(result.Failures!));
    }

    [Theory]
    [InlineData(nameof(CollectionOptions.MaxRetries), 10)]
    [InlineData(nameof(CollectionOptions.BreakerMinimumThroughput), 2)]
    [InlineData(nameof(CollectionOptions.Concurrency), 1)]
    [InlineData(nameof(CollectionOptions.Concurrency), 64)]
    public void Count_at_the_edge_of_its_range_is_valid(string property, int value)
    {
        var result = Validate(With(property, value));

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.01)]
    public void Failure_ratio_above_zero_up_to_one_is_valid(double ratio)
    {
        Assert.True(Validate(With(nameof(CollectionOptions.BreakerFailureRatio), ratio)).Succeeded);
    }

    [Fact]
    public void Sampling_duration_of_exactly_half_a_second_is_valid()
    {
        Assert.True(Validate(With(nameof(CollectionOptions.BreakerSamplingDuration), TimeSpan.FromMilliseconds(500))).Succeeded);
    }

    [Fact]
    public void Allowed_private_hosts_take_names_addresses_and_ranges_and_name_a_bad_entry()
    {
        Assert.True(Validate(With(nameof(CollectionOptions.AllowedPrivateHosts), "feeds.corp.local, 10.20.0.0/16, 192.168.1.5, [fd00::1], fd00::/8")).Succeeded);
        Assert.Equal("Setting Collection__AllowedPrivateHosts entry '10.0.0.0/33' is not a host name, an IP address or a CIDR range (such as 10.20.0.0/16).",
            Assert.Single(Validate(With(nameof(CollectionOptions.AllowedPrivateHosts), "feeds.corp.local, 10.0.0.0/33")).Failures!));
    }

    [Fact]
    public void Every_bad_setting_is_named_at_once()
    {
        var options = new CollectionOptions
        {
            AttemptTimeout = TimeSpan.Zero,
            RetryBaseDelay = TimeSpan.Zero,
            MaxRetryAfter = TimeSpan.Zero,
            BreakDuration = TimeSpan.Zero,
            RunDeadline = TimeSpan.Zero,
            BreakerSamplingDuration = TimeSpan.FromMilliseconds(100),
            MaxRetries = 11,
            BreakerMinimumThroughput = 1,
            BreakerFailureRatio = 0,
            Concurrency = 0,
            AllowedPrivateHosts = "http://feeds.corp.local",
        };

        var failures = Validate(options).Failures!;

        Assert.Equal(11, failures.Count());
        foreach (var property in typeof(CollectionOptions).GetProperties().Select(p => p.Name))
            Assert.Contains(failures, f => f.Contains($"Collection__{property} ", StringComparison.Ordinal));
    }

    // Regression: NaN is neither <= 0 nor > 1, so a plain range check let it through and Polly rejected it only when
    // the first source's pipeline was built, mid-run, instead of at start-up naming the setting.
    [Fact]
    public void Failure_ratio_NaN_fails_naming_the_setting()
    {
        var result = Validate(With(nameof(CollectionOptions.BreakerFailureRatio), double.NaN));

        Assert.True(result.Failed);
        Assert.Contains("Collection__BreakerFailureRatio", Assert.Single(result.Failures!));
    }

    // The validator exists so that start-up, not the first fetch, rejects what Polly would: every value it accepts
    // must build a pipeline. These do.
    public static TheoryData<string, object> AcceptedEdgesPollyTakes => new()
    {
        { nameof(CollectionOptions.MaxRetries), 0 }, // no retry strategy at all (Polly wants at least one retry in one)
        { nameof(CollectionOptions.MaxRetries), 1 },
        { nameof(CollectionOptions.MaxRetries), 10 },
        { nameof(CollectionOptions.BreakerMinimumThroughput), 2 },
        { nameof(CollectionOptions.BreakerFailureRatio), 1.0 },
        { nameof(CollectionOptions.BreakerFailureRatio), 0.01 },
        { nameof(CollectionOptions.BreakerSamplingDuration), TimeSpan.FromMilliseconds(500) },
        { nameof(CollectionOptions.BreakDuration), TimeSpan.FromMilliseconds(500) },
        { nameof(CollectionOptions.AttemptTimeout), TimeSpan.FromMilliseconds(10) },
        { nameof(CollectionOptions.RetryBaseDelay), TimeSpan.FromMilliseconds(1) },
        { nameof(CollectionOptions.MaxRetryAfter), TimeSpan.FromDays(7) }, // not given to Polly
        { nameof(CollectionOptions.RunDeadline), TimeSpan.FromDays(7) }, // not given to Polly
    };

    [Theory]
    [MemberData(nameof(AcceptedEdgesPollyTakes))]
    public void Options_the_validator_accepts_build_a_pipeline(string property, object value)
    {
        var options = With(property, value);
        Assert.True(Validate(options).Succeeded);

        Assert.Null(BuildPipeline(options));
    }

    // Regression: the validator used to accept these, and Polly 8 refused them only when a host's pipeline was first
    // built, at the first fetch of a run (BreakDuration and SamplingDuration 0.5 s to 1 day; attempt Timeout 10 ms to
    // 1 day; retry Delay at most 1 day), failing the whole run.
    public static TheoryData<string, object> AcceptedEdgesPollyRefuses => new()
    {
        { nameof(CollectionOptions.BreakDuration), TimeSpan.FromMilliseconds(100) },
        { nameof(CollectionOptions.BreakDuration), TimeSpan.FromDays(2) },
        { nameof(CollectionOptions.BreakerSamplingDuration), TimeSpan.FromDays(2) },
        { nameof(CollectionOptions.AttemptTimeout), TimeSpan.FromMilliseconds(5) },
        { nameof(CollectionOptions.AttemptTimeout), TimeSpan.FromDays(2) },
        { nameof(CollectionOptions.RetryBaseDelay), TimeSpan.FromDays(2) },
    };

    [Theory]
    [MemberData(nameof(AcceptedEdgesPollyRefuses))]
    public void Options_Polly_refuses_are_rejected_at_start_up_naming_the_setting(string property, object value)
    {
        var options = With(property, value);

        var result = Validate(options);

        Assert.NotNull(BuildPipeline(options)); // Polly does refuse them...
        Assert.True(result.Failed, $"validator accepted {property} = {value}");
        Assert.Contains($"Collection__{property} ", Assert.Single(result.Failures!)); // ...and start-up says which setting
    }

    // Regression: Polly refuses a retry strategy with zero attempts, and MaxRetries = 0 used to fail every run that
    // collected an http source. The request must simply go through once.
    [Fact]
    public async Task Zero_retries_lets_a_request_through_the_resilience_handler_once()
    {
        var options = new CollectionOptions { MaxRetries = 0 };
        Assert.True(Validate(options).Succeeded);
        var answer = new SourceClientTests.Answer(_ => new HttpResponseMessage(System.Net.HttpStatusCode.ServiceUnavailable));
        await using var services = SourceClientTests.Services(answer, o => o.MaxRetries = 0);
        var client = services.GetRequiredService<IHttpClientFactory>().CreateClient(SourceFetcher.ClientName);

        using var response = await client.GetAsync("https://stats.example.org/gdp.csv");

        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, response.StatusCode); // a transient status, not retried
        Assert.Equal(1, answer.Calls);
        Assert.True(response.RequestMessage!.Options.TryGetValue(SourceAttemptHandler.Attempts, out var attempts));
        Assert.Equal(1, attempts);
    }

    private static Exception? BuildPipeline(CollectionOptions options) => Record.Exception(() =>
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage>();
        SourceResilience.Configure(builder, options, TimeProvider.System);
        builder.Build();
    });
}
