using IndicatorFunctions.Hosting;
using IndicatorFunctions.Runs;

namespace IndicatorFunctions.NightlyAggregation;

/// <summary>
/// The nightly timer (<c>NightlyAggregation/function.json</c>, schedule <c>%AggregationSchedule%</c>).
/// For now it records a run in the ledger; collection and aggregation hang off this run.
/// </summary>
public static class NightlyAggregationFunction
{
    public const string Name = "NightlyAggregation";
    public const string TimerBinding = "timer";

    public static async Task<object?> RunAsync(TimerInfo timer, InvocationLog log, IServiceProvider services, CancellationToken cancellationToken)
    {
        var ledger = services.GetRequiredService<RunLedger>();
        var run = await ledger.StartAsync(RunTrigger.Timer, timer.IsPastDue, cancellationToken);
        log.Info($"{Name}: run {run.Id} started{(timer.IsPastDue ? " (past due)" : "")}.");
        run = await ledger.FinishAsync(run, RunStatus.Succeeded, error: null, cancellationToken);
        log.Info($"{Name}: run {run.Id} {run.Status.ToString().ToLowerInvariant()}.");
        return new { runId = run.Id, status = run.Status.ToString().ToLowerInvariant() };
    }
}
