using IndicatorFunctions.Runs;
using IndicatorFunctions.Tests.Infrastructure;

namespace IndicatorFunctions.Tests.App;

[Collection(AzuriteCollection.Name)]
public sealed class StandaloneSchedulerTests(AzuriteFixture azurite)
{
    private static readonly Dictionary<string, string?> EverySecond = new()
    {
        ["AggregationSchedule"] = "* * * * * *",
        ["AzureWebJobs.NightlyAggregation.Disabled"] = "false",
    };

    [Fact]
    public async Task Without_the_Functions_host_the_scheduler_fires_the_timer_function_on_its_schedule()
    {
        await using var app = new FunctionAppFactory(azurite, EverySecond);
        var ledger = app.Services.GetRequiredService<RunLedger>(); // starts the host and its scheduler

        var runs = await WaitForRunsAsync(ledger, atLeast: 2, TimeSpan.FromSeconds(20));

        Assert.True(runs.Count >= 2, $"expected the every-second schedule to fire at least twice, saw {runs.Count} run(s)");
        Assert.All(runs, run => Assert.Equal(RunTrigger.Timer, run.Trigger));
        Assert.Contains(runs, run => run.Status == RunStatus.Succeeded);
        Assert.Contains(app.LogLines, line => line.Contains("NightlyAggregation: next run at"));
    }

    [Fact]
    public async Task Under_the_Functions_host_the_scheduler_stays_idle_because_the_host_owns_timers()
    {
        var settings = new Dictionary<string, string?>(EverySecond) { ["FUNCTIONS_CUSTOMHANDLER_PORT"] = "7999" };
        await using var app = new FunctionAppFactory(azurite, settings);
        var ledger = app.Services.GetRequiredService<RunLedger>();

        await Task.Delay(TimeSpan.FromSeconds(2.5));

        Assert.Empty(await ledger.LatestAsync(10, CancellationToken.None));
        Assert.DoesNotContain(app.LogLines, line => line.Contains("next run at"));
    }

    [Fact]
    public async Task A_disabled_timer_function_is_not_scheduled()
    {
        var settings = new Dictionary<string, string?>(EverySecond) { ["AzureWebJobs.NightlyAggregation.Disabled"] = "true" };
        await using var app = new FunctionAppFactory(azurite, settings);
        var ledger = app.Services.GetRequiredService<RunLedger>();

        await Task.Delay(TimeSpan.FromSeconds(2.5));

        Assert.Empty(await ledger.LatestAsync(10, CancellationToken.None));
    }

    private static async Task<IReadOnlyList<RunRecord>> WaitForRunsAsync(RunLedger ledger, int atLeast, TimeSpan patience)
    {
        using var timeout = new CancellationTokenSource(patience);
        IReadOnlyList<RunRecord> runs = [];
        while (!timeout.IsCancellationRequested)
        {
            runs = await ledger.LatestAsync(10, CancellationToken.None);
            if (runs.Count >= atLeast)
                break;
            await Task.Delay(200);
        }
        return runs;
    }
}
