using IndicatorFunctions.Scheduling;
using Microsoft.Extensions.Options;

namespace IndicatorFunctions;

/// <summary>
/// The app's top-level settings, named as the Azure app settings (and <c>local.settings.json</c> Values) are.
/// Storage (<c>AzureWebJobsStorage</c>, <c>StoragePrefix</c>) is read by <see cref="Data.StorageAccount"/>, and
/// collection by <see cref="Collection.CollectionOptions"/>. Checked at start-up, naming the setting.
/// </summary>
public sealed class AppOptions
{
    public const string DefaultSchedule = "0 0 2 * * *";

    /// <summary>NCRONTAB (six fields, UTC) of <c>NightlyAggregation</c>.</summary>
    public string AggregationSchedule { get; set; } = DefaultSchedule;

    /// <summary>One collect-and-aggregate run when the app starts (development).</summary>
    public bool RunOnStartup { get; set; }

    /// <summary>Local mode's key for <c>Function</c>-level routes (under the host, the host's function keys apply).</summary>
    public string? AdminApiKey { get; set; }

    /// <summary>Largest ingestion body or collected payload.</summary>
    public long MaxIngestBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>
    /// Attempts to write one series when other requests write it at the same time (each after a jittered, growing
    /// pause); rows still not written are reported and the ingest answers 503 with <c>Retry-After</c>.
    /// </summary>
    public int IngestAttempts { get; set; } = 8;

    /// <summary><c>Cache-Control: max-age</c> of read responses.</summary>
    public int ReadCacheSeconds { get; set; } = 60;

    /// <summary>
    /// A full run is split into one work item per indicator on the <c>aggregation-work</c> queue, done by every
    /// instance (see <see cref="Aggregation.FanOut"/>); off, it runs in the process holding the run lock. Incremental runs never fan out.
    /// </summary>
    public bool AggregationFanOut { get; set; }

    public sealed class Validator : IValidateOptions<AppOptions>
    {
        public ValidateOptionsResult Validate(string? name, AppOptions o)
        {
            var failures = new List<string>();
            if (!Schedules.TryParse(o.AggregationSchedule, out _, out var error))
                failures.Add($"Setting {nameof(AggregationSchedule)} '{o.AggregationSchedule}' is not a six-field NCRONTAB expression: {error}");
            if (o.MaxIngestBytes is < 1 or > 100 * 1024 * 1024)
                failures.Add($"Setting {nameof(MaxIngestBytes)} must be between 1 and 104857600, not {o.MaxIngestBytes}.");
            if (o.IngestAttempts is < 1 or > 20)
                failures.Add($"Setting {nameof(IngestAttempts)} must be between 1 and 20, not {o.IngestAttempts}.");
            if (o.ReadCacheSeconds is < 0 or > 86400)
                failures.Add($"Setting {nameof(ReadCacheSeconds)} must be between 0 and 86400, not {o.ReadCacheSeconds}.");
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}
