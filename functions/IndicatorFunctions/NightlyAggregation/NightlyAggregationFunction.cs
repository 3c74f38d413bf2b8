using IndicatorFunctions.Aggregation;
using IndicatorFunctions.Runs;
using Microsoft.Azure.Functions.Worker;

namespace IndicatorFunctions.NightlyAggregation;

/// <summary>
/// The nightly timer (schedule: setting <c>AggregationSchedule</c>): collect from every enabled, due source, then an
/// incremental aggregation of what changed. A run already in progress is not an error: this firing is skipped. A
/// run that ends <c>partial</c> (some source failed) is not a failed invocation; the ledger says which source and why.
/// A failed run throws, so the host (or local mode) records the invocation as failed.
/// </summary>
public sealed class NightlyAggregationFunction(AggregationRunner runner, ILogger<NightlyAggregationFunction> logger)
{
    public const string Name = "NightlyAggregation";

    [Function(Name)]
    public async Task RunAsync([TimerTrigger("%AggregationSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        try
        {
            var (started, completion) = await runner.StartAsync(RunTrigger.Timer, new RunOptions(Collect: true), timer.IsPastDue, cancellationToken);
            logger.LogInformation("{Function}: run {RunId} started{PastDue}", Name, started.Id, timer.IsPastDue ? " (past due)" : "");
            var run = await completion;
            var collection = run.Collection is { } c ? $"sources: {c.Fetched} fetched, {c.Unchanged} unchanged, {c.Failed} failed, {c.Skipped} skipped ({c.RowsAccepted} rows accepted, {c.RowsRejected} rejected); " : "";
            logger.LogInformation("{Function}: run {RunId} {Status}: {Collection}{Read} observations read, {Growth} growth and {Rollups} rollup entities written",
                Name, run.Id, run.Status.ToString().ToLowerInvariant(), collection, run.ObservationsRead, run.GrowthWritten, run.RollupsWritten);
            foreach (var error in run.Errors)
                logger.LogWarning("{Function}: {Error}", Name, error);
            if (run.Status == RunStatus.Failed)
                throw new InvalidOperationException($"Run {run.Id} failed: {string.Join("; ", run.Errors)}");
        }
        catch (RunInProgressException ex)
        {
            logger.LogInformation("{Function}: skipped, run {RunId} is in progress", Name, ex.RunId);
        }
    }
}
