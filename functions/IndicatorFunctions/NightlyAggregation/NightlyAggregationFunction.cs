using IndicatorFunctions.Aggregation;
using IndicatorFunctions.Hosting;
using IndicatorFunctions.Runs;

namespace IndicatorFunctions.NightlyAggregation;

/// <summary>
/// The nightly timer (<c>NightlyAggregation/function.json</c>, schedule <c>%AggregationSchedule%</c>): collect from
/// every enabled, due source, then an incremental aggregation of what changed. A run already in progress is not
/// an error: this firing is skipped. A run that ends <c>partial</c> (some source failed) is not a failed invocation;
/// the ledger says which source and why.
/// </summary>
public static class NightlyAggregationFunction
{
    public const string Name = "NightlyAggregation";
    public const string TimerBinding = "timer";

    public static async Task<object?> RunAsync(TimerInfo timer, InvocationLog log, IServiceProvider services, CancellationToken cancellationToken)
    {
        var runner = services.GetRequiredService<AggregationRunner>();
        try
        {
            var (started, completion) = await runner.StartAsync(RunTrigger.Timer, new RunOptions(Collect: true), timer.IsPastDue, cancellationToken);
            log.Info($"{Name}: run {started.Id} started{(timer.IsPastDue ? " (past due)" : "")}.");
            var run = await completion;
            var collection = run.Collection is { } c ? $"sources: {c.Fetched} fetched, {c.Unchanged} unchanged, {c.Failed} failed, {c.Skipped} skipped ({c.RowsAccepted} rows accepted, {c.RowsRejected} rejected); " : "";
            log.Info($"{Name}: run {run.Id} {run.Status.ToString().ToLowerInvariant()}: {collection}{run.ObservationsRead} observations read, {run.GrowthWritten} growth and {run.RollupsWritten} rollup entities written.");
            foreach (var error in run.Errors)
                log.Info($"{Name}: {error}");
            if (run.Status == RunStatus.Failed)
                throw new InvalidOperationException($"Run {run.Id} failed: {string.Join("; ", run.Errors)}");
            return new { runId = run.Id, status = run.Status.ToString().ToLowerInvariant() };
        }
        catch (RunInProgressException ex)
        {
            log.Info($"{Name}: skipped, run {ex.RunId} is in progress.");
            return new { runId = ex.RunId, status = "skipped" };
        }
    }
}
