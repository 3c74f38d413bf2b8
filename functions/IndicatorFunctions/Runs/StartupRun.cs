using IndicatorFunctions.Aggregation;

namespace IndicatorFunctions.Runs;

/// <summary>
/// With setting <c>RunOnStartup</c> = true, one collect-and-aggregate run (trigger <c>startup</c>) as soon as the
/// app is up — for development, like a timer's <c>runOnStartup</c>, but recorded as what it is.
/// </summary>
public sealed class StartupRun(AggregationRunner runner, Microsoft.Extensions.Options.IOptions<AppOptions> options, IHostApplicationLifetime lifetime, ILogger<StartupRun> logger) : BackgroundService
{
    private const string Setting = nameof(AppOptions.RunOnStartup);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.RunOnStartup)
            return;
        // Wait until the app listens, so the run does not hold up start-up.
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(started.SetResult))
            await started.Task.WaitAsync(stoppingToken);
        try
        {
            var (run, completion) = await runner.StartAsync(RunTrigger.Startup, new RunOptions(Collect: true), isPastDue: false, stoppingToken);
            logger.LogInformation("Start-up run {RunId} started ({Setting} is true)", run.Id, Setting);
            var finished = await completion;
            logger.LogInformation("Start-up run {RunId} {Status}", finished.Id, finished.Status);
        }
        catch (RunInProgressException ex)
        {
            logger.LogInformation("Start-up run skipped: run {RunId} is in progress", ex.RunId);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            // Storage down (the pipeline's retries end in an AggregateException) must not take the app down with it.
            logger.LogError(ex, "Start-up run could not start or finish");
        }
    }
}
