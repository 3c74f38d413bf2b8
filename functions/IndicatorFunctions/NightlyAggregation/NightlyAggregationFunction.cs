using IndicatorFunctions.Aggregation;
using IndicatorFunctions.Hosting;
using IndicatorFunctions.Runs;

namespace IndicatorFunctions.NightlyAggregation;

/// <summary>
/// The nightly timer (<c>NightlyAggregation/function.json</c>, schedule <c>%AggregationSchedule%</c>): an
/// incremental aggregation run. A run already in progress is not an error: this firing is skipped.
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
            var (started, completion) = await runner.StartAsync(RunTrigger.Timer, full: false, timer.IsPastDue, cancellationToken);
            log.Info($"{Name}: run {started.Id} started{(timer.IsPastDue ? " (past due)" : "")}.");
            var run = await completion;
            log.Info($"{Name}: run {run.Id} {run.Status.ToString().ToLowerInvariant()}: {run.ObservationsRead} observations read, {run.GrowthWritten} growth and {run.RollupsWritten} rollup entities written.");
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
