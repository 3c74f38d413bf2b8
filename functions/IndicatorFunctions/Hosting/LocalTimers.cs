using System.Text.RegularExpressions;
using IndicatorFunctions.Scheduling;
using Microsoft.Azure.Functions.Worker;
using NCrontab;

namespace IndicatorFunctions.Hosting;

/// <summary>
/// Local mode's timer triggers, as the host runs them: each schedule (<c>%Setting%</c> resolved from settings)
/// parsed by NCrontab and fired at its occurrences, <c>RunOnStartup</c> honoured, and
/// <c>AzureWebJobs.{name}.Disabled</c> = true turning a function off. <see cref="TryStart"/> is the admin endpoint's way in.
/// </summary>
public sealed partial class LocalTimers(LocalTimers.Functions functions, IServiceProvider services, IConfiguration configuration, TimeProvider clock, ILogger<LocalTimers> logger)
    : BackgroundService
{
    public sealed record Functions(IReadOnlyList<FunctionDescriptor> Timers);

    /// <summary>A timer function with its schedule resolved and parsed.</summary>
    public sealed record ScheduledTimer(FunctionDescriptor Function, string Expression, CrontabSchedule Schedule);

    // A firing this late counts as past due, as the host reports one that missed its slot.
    private static readonly TimeSpan PastDueAfter = TimeSpan.FromSeconds(30);

    // Resolved at start-up: a schedule setting that is missing or invalid stops the app, naming it.
    private readonly IReadOnlyList<ScheduledTimer> _timers = functions.Timers.Select(f => Resolve(f, configuration)).ToList();

    private readonly List<Task> _started = [];

    public IReadOnlyList<ScheduledTimer> Timers => _timers;

    public static ScheduledTimer Resolve(FunctionDescriptor function, IConfiguration configuration)
    {
        var raw = function.Timer!.Schedule;
        var expression = SettingReference().Replace(raw, m =>
        {
            var name = m.Groups[1].Value;
            return configuration[name] is { Length: > 0 } v ? v
                : name == nameof(AppOptions.AggregationSchedule) ? AppOptions.DefaultSchedule
                : throw new InvalidOperationException($"Setting {name} is referenced by the schedule of function {function.Name} but is not set.");
        });
        if (!Schedules.TryParse(expression, out var schedule, out var error))
            throw new InvalidOperationException($"{function.Name}: schedule '{raw}' = '{expression}' is not a six-field NCRONTAB expression: {error}");
        return new ScheduledTimer(function, expression, schedule);
    }

    public static bool IsDisabled(string functionName, IConfiguration configuration) =>
        string.Equals(configuration[$"AzureWebJobs.{functionName}.Disabled"] ?? configuration[$"AzureWebJobs:{functionName}:Disabled"], "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Starts a timer function now, as the host's <c>POST /admin/functions/{name}</c> does; false when there is no such timer.</summary>
    public bool TryStart(string name)
    {
        if (_timers.FirstOrDefault(t => string.Equals(t.Function.Name, name, StringComparison.OrdinalIgnoreCase)) is not { } timer)
            return false;
        var now = clock.GetUtcNow();
        lock (_started)
        {
            _started.RemoveAll(t => t.IsCompleted);
            _started.Add(Task.Run(() => FireAsync(timer, now, null, CancellationToken.None)));
        }
        return true;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_timers.Where(t => !IsDisabled(t.Function.Name, configuration)).Select(t => RunAsync(t, stoppingToken)));

    private async Task RunAsync(ScheduledTimer timer, CancellationToken stoppingToken)
    {
        DateTimeOffset? last = null;
        if (timer.Function.Timer!.RunOnStartup)
            last = await FireAsync(timer, clock.GetUtcNow(), last, stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            if (timer.Schedule.Next(clock.GetUtcNow()) is not { } next)
            {
                logger.LogWarning("{Function}: schedule {Schedule} never fires again", timer.Function.Name, timer.Expression);
                return;
            }
            logger.LogInformation("{Function}: next run at {Next:o} ({Schedule})", timer.Function.Name, next, timer.Expression);
            try
            {
                var wait = next - clock.GetUtcNow();
                await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            last = await FireAsync(timer, next, last, stoppingToken);
        }
    }

    private async Task<DateTimeOffset> FireAsync(ScheduledTimer timer, DateTimeOffset scheduled, DateTimeOffset? last, CancellationToken stoppingToken)
    {
        var now = clock.GetUtcNow();
        var info = new TimerInfo
        {
            IsPastDue = now - scheduled > PastDueAfter,
            ScheduleStatus = new ScheduleStatus { Last = (last ?? default).UtcDateTime, Next = (timer.Schedule.Next(now) ?? default).UtcDateTime, LastUpdated = now.UtcDateTime },
        };
        try
        {
            await using var scope = services.CreateAsyncScope();
            await FunctionInvoker.InvokeAsync(timer.Function, scope.ServiceProvider, null, info, stoppingToken);
            logger.LogInformation("{Function}: invocation succeeded", timer.Function.Name);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            // The host records a failed invocation and keeps the schedule: so does local mode.
            logger.LogError(ex, "{Function}: invocation failed", timer.Function.Name);
        }
        catch (OperationCanceledException)
        {
        }
        return scheduled;
    }

    [GeneratedRegex("%([A-Za-z0-9_.:]+)%")]
    private static partial Regex SettingReference();
}
