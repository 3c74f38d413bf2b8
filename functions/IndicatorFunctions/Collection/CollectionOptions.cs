using Microsoft.Extensions.Options;

namespace IndicatorFunctions.Collection;

/// <summary>
/// How sources are fetched. App settings <c>Collection__AttemptTimeout</c> etc. (<c>Collection:AttemptTimeout</c>
/// in appsettings.json); times are <c>hh:mm:ss</c>. Checked at start-up, naming the setting.
/// </summary>
public sealed class CollectionOptions
{
    public const string Section = "Collection";

    /// <summary>One HTTP attempt, up to the response headers; and again for reading the body.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries after the first attempt, on 408, 429, 5xx, network errors and timeouts.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>First backoff; doubled per retry, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest <c>Retry-After</c> honoured; a server asking for longer fails the source for this run.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The circuit for a source opens when this many of its calls in the sampling window ...</summary>
    public int BreakerMinimumThroughput { get; set; } = 5;

    /// <summary>... failed at least this often ...</summary>
    public double BreakerFailureRatio { get; set; } = 0.5;

    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>... and stays open this long, failing that source's calls at once.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>All collecting in one run; sources not done by then fail with that reason. Aggregation then runs on what arrived.</summary>
    public TimeSpan RunDeadline { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>Sources collected at once.</summary>
    public int Concurrency { get; set; } = 4;

    /// <summary>
    /// Comma-separated host names, IP addresses and CIDR ranges sources may reach although they are private,
    /// loopback or link-local (an on-premises feed); none by default. See <see cref="SourceDestinationGuard"/>.
    /// </summary>
    public string? AllowedPrivateHosts { get; set; }

    /// <summary><see cref="AllowedPrivateHosts"/> parsed (the validator has refused a bad entry by then).</summary>
    public PrivateHostAllowList AllowList() => PrivateHostAllowList.Parse(AllowedPrivateHosts, []);

    public sealed class Validator : IValidateOptions<CollectionOptions>
    {
        public ValidateOptionsResult Validate(string? name, CollectionOptions o)
        {
            var failures = new List<string>();
            // Polly's own limits, checked here so start-up names the setting instead of the first fetch failing.
            void Within(TimeSpan value, TimeSpan min, TimeSpan max, string setting)
            {
                if (value < min || value > max)
                    failures.Add($"Setting {Section}__{setting} must be between {min} and {max} (hh:mm:ss), not {value}.");
            }
            var day = TimeSpan.FromDays(1);
            Within(o.AttemptTimeout, TimeSpan.FromMilliseconds(10), day, nameof(AttemptTimeout));
            Within(o.RetryBaseDelay, TimeSpan.FromMilliseconds(1), day, nameof(RetryBaseDelay));
            Within(o.BreakDuration, TimeSpan.FromMilliseconds(500), day, nameof(BreakDuration));
            Within(o.BreakerSamplingDuration, TimeSpan.FromMilliseconds(500), day, nameof(BreakerSamplingDuration));
            if (o.MaxRetryAfter <= TimeSpan.Zero)
                failures.Add($"Setting {Section}__{nameof(MaxRetryAfter)} must be a positive time (hh:mm:ss), not {o.MaxRetryAfter}.");
            if (o.RunDeadline <= TimeSpan.Zero)
                failures.Add($"Setting {Section}__{nameof(RunDeadline)} must be a positive time (hh:mm:ss), not {o.RunDeadline}.");
            if (o.MaxRetries is < 0 or > 10)
                failures.Add($"Setting {Section}__{nameof(MaxRetries)} must be between 0 and 10, not {o.MaxRetries}.");
            if (o.BreakerMinimumThroughput < 2)
                failures.Add($"Setting {Section}__{nameof(BreakerMinimumThroughput)} must be at least 2 (Polly's minimum), not {o.BreakerMinimumThroughput}.");
            if (!(o.BreakerFailureRatio > 0 && o.BreakerFailureRatio <= 1))
                failures.Add($"Setting {Section}__{nameof(BreakerFailureRatio)} must be above 0 and at most 1, not {o.BreakerFailureRatio}.");
            if (o.Concurrency is < 1 or > 64)
                failures.Add($"Setting {Section}__{nameof(Concurrency)} must be between 1 and 64, not {o.Concurrency}.");
            var entries = new List<string>();
            PrivateHostAllowList.Parse(o.AllowedPrivateHosts, entries);
            failures.AddRange(entries.Select(e => $"Setting {Section}__{nameof(AllowedPrivateHosts)} entry {e}."));
            if (failures.Count == 0)
            {
                // The last word is Polly's: build the sources client's pipeline now rather than discover a limit mid-run.
                try
                {
                    var builder = new Polly.ResiliencePipelineBuilder<HttpResponseMessage>();
                    SourceResilience.Configure(builder, o, TimeProvider.System);
                    builder.Build();
                }
                catch (System.ComponentModel.DataAnnotations.ValidationException ex)
                {
                    failures.Add($"The {Section}__* settings do not make a valid resilience pipeline: {ex.Message}");
                }
            }
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}
