using System.Text.Json;

namespace IndicatorFunctions.Hosting;

/// <summary>
/// Fires timer functions when no Functions host is there to do it (local development): for each timer trigger
/// in the function folders, wait for its next NCRONTAB occurrence and invoke it through
/// <see cref="TimerFunctions.InvokeAsync"/>, the host's own path. Under the host this service does nothing.
/// </summary>
public sealed class StandaloneScheduler(TimerFunctions functions, IConfiguration configuration, TimeProvider clock, ILogger<StandaloneScheduler> logger)
    : BackgroundService
{
    // A firing this late counts as past due, as the host reports one that missed its slot.
    private static readonly TimeSpan PastDueAfter = TimeSpan.FromSeconds(30);

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (FunctionAppConfiguration.UnderFunctionsHost(configuration))
            return Task.CompletedTask;
        var triggers = FunctionMetadata.ReadTimerTriggers(AppContext.BaseDirectory, configuration)
            .Where(t => !FunctionMetadata.IsDisabled(t.FunctionName, configuration))
            .ToList();
        return Task.WhenAll(triggers.Select(t => RunAsync(t, stoppingToken)));
    }

    private async Task RunAsync(TimerTrigger trigger, CancellationToken stoppingToken)
    {
        DateTimeOffset? last = null;
        if (trigger.RunOnStartup)
            last = await FireAsync(trigger, clock.GetUtcNow(), last, stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            var next = trigger.Schedule.GetNextOccurrence(clock.GetUtcNow());
            if (next is null)
            {
                logger.LogWarning("{Function}: schedule {Schedule} never fires again", trigger.FunctionName, trigger.Schedule);
                return;
            }
            logger.LogInformation("{Function}: next run at {Next:o} ({Schedule})", trigger.FunctionName, next, trigger.Schedule);
            try
            {
                await Task.Delay(next.Value - clock.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            last = await FireAsync(trigger, next.Value, last, stoppingToken);
        }
    }

    private async Task<DateTimeOffset> FireAsync(TimerTrigger trigger, DateTimeOffset scheduled, DateTimeOffset? last, CancellationToken stoppingToken)
    {
        var now = clock.GetUtcNow();
        var timer = new TimerInfo(now - scheduled > PastDueAfter,
            new TimerScheduleStatus(last, trigger.Schedule.GetNextOccurrence(now), now));
        var request = new InvocationRequest(
            new Dictionary<string, JsonElement> { [trigger.BindingName] = JsonSerializer.SerializeToElement(timer) },
            new Dictionary<string, JsonElement>());
        var (status, response) = await functions.InvokeAsync(trigger.FunctionName, request, stoppingToken);
        if (status != 200)
            logger.LogError("{Function} invocation failed with {Status}: {Logs}", trigger.FunctionName, status, string.Join(" | ", response.Logs));
        return scheduled;
    }
}
