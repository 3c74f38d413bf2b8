using IndicatorFunctions.NightlyAggregation;
using Microsoft.Azure.Functions.Worker;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IndicatorFunctions.Runs;
using IndicatorFunctions.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using static IndicatorFunctions.Tests.Collection.CollectionData;

namespace IndicatorFunctions.Tests.Collection;

/// <summary>Collection as part of runs: partial outcomes, one run at a time, timer and start-up triggers, schedules, the deadline.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class CollectionRunTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Two_sources_where_one_fails_end_partial_with_both_outcomes_and_the_other_aggregated_into_its_cluster()
    {
        await using var server = await SourceServer.StartAsync();
        server.Serve("/down.csv", (context, _) => { context.Response.StatusCode = 502; return Task.CompletedTask; });
        server.ServeFile("/xuhui.csv", RetailCsv());
        await using var app = new FunctionAppFactory(azurite, Settings());
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await PutSourceAsync(admin, "minhang-retail", HttpCsvSource(server.Url("/down.csv"), "minhang"));
        await PutSourceAsync(admin, "xuhui-retail", HttpCsvSource(server.Url("/xuhui.csv"), "xuhui"));

        var posted = await CollectAsync(admin);
        var run = await admin.GetFromJsonAsync<JsonElement>($"/api/runs/{posted.GetProperty("id").GetString()}");
        var listed = (await admin.GetFromJsonAsync<JsonElement>("/api/runs")).GetProperty("runs")[0];

        Assert.Equal("partial", run.GetProperty("status").GetString());
        var failed = Outcome(run, "minhang-retail");
        Assert.Equal("502 Bad Gateway after 3 attempt(s)", failed.GetProperty("reason").GetString());
        Assert.Equal(3, server.RequestsTo("/down.csv").Count);
        Assert.Equal(24, Outcome(run, "xuhui-retail").GetProperty("rowsAccepted").GetInt32());
        Assert.Equal(["source minhang-retail: 502 Bad Gateway after 3 attempt(s)"], run.GetProperty("errors").EnumerateArray().Select(e => e.GetString()));
        Assert.True(run.GetProperty("collectMs").GetInt64() >= 0 && run.GetProperty("aggregateMs").GetInt64() >= 0);
        // The list shows counts; the detail is per source.
        Assert.Equal(1, listed.GetProperty("collection").GetProperty("failed").GetInt32());
        Assert.Equal(1, listed.GetProperty("collection").GetProperty("fetched").GetInt32());
        Assert.Equal(24, listed.GetProperty("collection").GetProperty("rowsAccepted").GetInt64());
        // xuhui reported, minhang did not: the cluster's rollup says so.
        var rollups = await admin.GetFromJsonAsync<JsonElement>("/api/clusters/south/indicators/retail/rollups");
        var march = rollups.GetProperty("points").EnumerateArray().Single(p => p.GetProperty("period").GetString() == "2021-03");
        Assert.Equal(1.1e6, march.GetProperty("value").GetDouble());
        Assert.Equal(["minhang"], march.GetProperty("missing").EnumerateArray().Select(m => m.GetString()));
    }

    [Fact]
    public async Task A_second_run_while_one_is_collecting_gets_409_naming_the_run_in_progress()
    {
        await using var server = await SourceServer.StartAsync();
        var release = new TaskCompletionSource();
        server.Serve("/slow.csv", async (context, _) =>
        {
            await release.Task.WaitAsync(context.RequestAborted);
            context.Response.ContentType = "text/csv";
            await context.Response.WriteAsync(RetailCsv());
        });
        await using var app = new FunctionAppFactory(azurite, Settings(("Collection:AttemptTimeout", "00:00:30")));
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await PutSourceAsync(admin, "slow", HttpCsvSource(server.Url("/slow.csv"), "minhang"));

        var first = await admin.PostAsJsonAsync("/api/runs", new { collect = true });
        var firstId = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var second = await admin.PostAsJsonAsync("/api/runs", new { collect = true });
        var problem = await second.Content.ReadFromJsonAsync<JsonElement>();
        release.SetResult();
        var finished = await WaitForRunAsync(admin, firstId);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal(firstId, problem.GetProperty("runId").GetString());
        Assert.Equal("succeeded", finished.GetProperty("status").GetString());
        Assert.Equal("fetched", Outcome(finished, "slow").GetProperty("status").GetString());
        Assert.Single(server.RequestsTo("/slow.csv"));
    }

    [Fact]
    public async Task The_nightly_timer_collects_and_the_ledger_records_trigger_timer_and_past_due()
    {
        await using var server = await SourceServer.StartAsync();
        server.ServeFile("/minhang.csv", RetailCsv());
        await using var app = new FunctionAppFactory(azurite, Settings());
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await PutSourceAsync(admin, "minhang-retail", HttpCsvSource(server.Url("/minhang.csv"), "minhang"));

        // As the worker calls it: the function class from DI, a past-due TimerInfo.
        await ActivatorUtilities.CreateInstance<NightlyAggregationFunction>(app.Services).RunAsync(new TimerInfo { IsPastDue = true }, CancellationToken.None);
        var latest = (await admin.GetFromJsonAsync<JsonElement>("/api/runs")).GetProperty("runs")[0];
        var run = await admin.GetFromJsonAsync<JsonElement>($"/api/runs/{latest.GetProperty("id").GetString()}");

        Assert.Equal("timer", run.GetProperty("trigger").GetString());
        Assert.True(run.GetProperty("isPastDue").GetBoolean());
        Assert.True(run.GetProperty("collect").GetBoolean());
        Assert.Equal("fetched", Outcome(run, "minhang-retail").GetProperty("status").GetString());
        Assert.Contains(app.LogLines, l => l.Contains("NightlyAggregation: run") && l.Contains("1 fetched"));
        Assert.Equal(10, (await PointAsync(admin, "minhang", "2021-01"))!.Value.GetProperty("yoy").GetProperty("pct").GetDouble(), 6);
    }

    [Fact]
    public async Task RunOnStartup_records_a_startup_run_that_collects()
    {
        await using var server = await SourceServer.StartAsync();
        server.ServeFile("/minhang.csv", RetailCsv());
        // The source is configured by a first app instance; the second starts with RunOnStartup.
        await using (var setup = new FunctionAppFactory(azurite, Settings()))
        {
            var admin = setup.CreateAdminClient();
            await SeedCatalogAsync(admin);
            await PutSourceAsync(admin, "minhang-retail", HttpCsvSource(server.Url("/minhang.csv"), "minhang"));
            await using var app = new FunctionAppFactory(azurite, Settings(("RunOnStartup", "true"), ("StoragePrefix", setup.Prefix)));
            var ledger = app.Services.GetRequiredService<RunLedger>();

            var run = await WaitAsync(async () => (await ledger.LatestAsync(5, CancellationToken.None)).FirstOrDefault(r => r.FinishedAt is not null));

            Assert.Equal(RunTrigger.Startup, run.Trigger);
            Assert.True(run.Collect);
            Assert.Equal(1, run.Collection!.Fetched);
            Assert.Equal(24, run.Collection.RowsAccepted);
        }
    }

    [Fact]
    public async Task A_scheduled_source_is_skipped_until_due_but_collected_when_named()
    {
        await using var server = await SourceServer.StartAsync();
        server.ServeFile("/yearly.csv", RetailCsv());
        await using var app = new FunctionAppFactory(azurite, Settings());
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await PutSourceAsync(admin, "yearly", HttpCsvSource(server.Url("/yearly.csv"), "minhang", schedule: "0 0 3 1 1 *")); // 1 January, 03:00

        var first = await CollectAsync(admin);
        var second = await CollectAsync(admin);
        var named = await CollectAsync(admin, new { sources = new[] { "yearly" } });

        Assert.Equal("fetched", Outcome(first, "yearly").GetProperty("status").GetString()); // never collected: due
        var skipped = Outcome(second, "yearly");
        Assert.Equal("skipped", skipped.GetProperty("status").GetString());
        Assert.Matches(@"^not due: schedule '0 0 3 1 1 \*' next fires at \d{4}-01-01 03:00:00Z$", skipped.GetProperty("reason").GetString());
        Assert.Equal("succeeded", second.GetProperty("status").GetString()); // skipping is not failing
        Assert.Equal("unchanged", Outcome(named, "yearly").GetProperty("status").GetString());
        Assert.Equal(2, server.RequestsTo("/yearly.csv").Count);
    }

    [Fact]
    public async Task An_edited_scheduled_source_is_due_at_once_and_fetched_in_full()
    {
        await using var server = await SourceServer.StartAsync();
        server.ServeFile("/yearly.csv", RetailCsv());
        await using var app = new FunctionAppFactory(azurite, Settings());
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await PutSourceAsync(admin, "yearly", HttpCsvSource(server.Url("/yearly.csv"), "minhang", schedule: "0 0 3 1 1 *"));
        await CollectAsync(admin);

        // Same file, now read as xuhui's: a new definition, so the schedule and the validators of the old one do not apply.
        await PutSourceAsync(admin, "yearly", HttpCsvSource(server.Url("/yearly.csv"), "xuhui", schedule: "0 0 3 1 1 *"));
        var run = await CollectAsync(admin);

        var outcome = Outcome(run, "yearly");
        Assert.Equal("fetched", outcome.GetProperty("status").GetString());
        Assert.Equal(24, outcome.GetProperty("inserted").GetInt32());
        Assert.False(server.RequestsTo("/yearly.csv")[1].Headers.ContainsKey("If-None-Match"));
    }

    [Fact]
    public async Task RunOnStartup_with_storage_down_logs_the_failure_and_the_app_keeps_serving()
    {
        await using var app = new FunctionAppFactory(azurite, Settings(("RunOnStartup", "true"), ("AzureWebJobsStorage", AzuriteFixture.UnreachableConnectionString(out _))));
        var client = app.CreateClient();

        await WaitAsync(() => Task.FromResult(app.LogLines.Any(l => l.Contains("Start-up run could not start or finish")) ? (bool?)true : null));
        var health = await client.GetAsync("/api/health");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode); // answered: the app is still up
    }

    [Fact]
    public async Task A_disabled_source_is_left_out_of_collecting_runs()
    {
        await using var server = await SourceServer.StartAsync();
        server.ServeFile("/minhang.csv", RetailCsv());
        await using var app = new FunctionAppFactory(azurite, Settings());
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        var source = JsonSerializer.SerializeToNode(HttpCsvSource(server.Url("/minhang.csv"), "minhang"))!;
        source["enabled"] = false;
        await PutSourceAsync(admin, "off", source);

        var run = await CollectAsync(admin);

        Assert.Equal(0, run.GetProperty("collection").GetProperty("sources").GetInt32());
        Assert.Empty(server.RequestsTo("/minhang.csv"));
    }

    [Fact]
    public async Task The_run_deadline_fails_unfinished_sources_and_what_did_arrive_is_still_aggregated()
    {
        await using var server = await SourceServer.StartAsync();
        server.Serve("/stuck.csv", (context, _) => Task.Delay(Timeout.Infinite, context.RequestAborted));
        server.ServeFile("/xuhui.csv", RetailCsv());
        // Long enough for xuhui to be fetched, archived and ingested on a loaded machine; only the stuck source meets it.
        await using var app = new FunctionAppFactory(azurite, Settings(("Collection:AttemptTimeout", "00:01:00"), ("Collection:RunDeadline", "00:00:03")));
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await PutSourceAsync(admin, "stuck", HttpCsvSource(server.Url("/stuck.csv"), "minhang"));
        await PutSourceAsync(admin, "xuhui-retail", HttpCsvSource(server.Url("/xuhui.csv"), "xuhui"));

        var run = await CollectAsync(admin);

        Assert.Equal("partial", run.GetProperty("status").GetString());
        Assert.StartsWith("the run's collection deadline (00:00:03", Outcome(run, "stuck").GetProperty("reason").GetString());
        Assert.Equal(10, (await PointAsync(admin, "xuhui", "2021-03"))!.Value.GetProperty("yoy").GetProperty("pct").GetDouble(), 6);
    }

    [Theory]
    [InlineData("""{"sources": ["nope"]}""", "sources[0]", "source 'nope' does not exist")]
    [InlineData("""{"sources": ["Bad Id"]}""", "sources[0]", "must be a slug")]
    [InlineData("""{"sources": []}""", "sources", "at least one source")]
    [InlineData("""{"sources": ["x"], "collect": false}""", "collect", "naming sources means collecting")]
    public async Task A_run_naming_bad_sources_is_400_naming_the_field_and_records_no_run(string body, string field, string message)
    {
        await using var app = new FunctionAppFactory(azurite, Settings());
        var admin = app.CreateAdminClient();

        var response = await admin.PostAsync("/api/runs", new StringContent(body, Encoding.UTF8, "application/json"));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(problem.GetProperty("errors").EnumerateArray(), e => e.GetProperty("field").GetString() == field && e.GetProperty("message").GetString()!.Contains(message));
        Assert.Empty(await app.Services.GetRequiredService<RunLedger>().LatestAsync(5, CancellationToken.None));
    }

    [Fact]
    public async Task A_run_left_running_by_a_dead_process_is_marked_failed_by_the_next_run()
    {
        await using var app = new FunctionAppFactory(azurite, Settings());
        var admin = app.CreateAdminClient();
        var ledger = app.Services.GetRequiredService<RunLedger>();
        // What a process that died mid-run leaves behind: a ledger row still running, and no lock (its lease lapsed).
        var dead = await ledger.StartAsync(RunLedger.NewId(DateTimeOffset.UtcNow), RunTrigger.Timer, full: false, collect: true, isPastDue: false, CancellationToken.None);

        var next = await CollectAsync(admin);
        var marked = await admin.GetFromJsonAsync<JsonElement>($"/api/runs/{dead.Id}");

        Assert.Equal("succeeded", next.GetProperty("status").GetString());
        Assert.Equal("failed", marked.GetProperty("status").GetString());
        Assert.StartsWith("abandoned: the process running it stopped", marked.GetProperty("errors")[0].GetString());
        Assert.Equal("timer", marked.GetProperty("trigger").GetString()); // the rest of the row is kept
    }

    private static async Task<JsonElement> WaitForRunAsync(HttpClient client, string id) =>
        await WaitAsync(async () =>
        {
            var run = await client.GetFromJsonAsync<JsonElement>($"/api/runs/{id}");
            return run.GetProperty("status").GetString() == "running" ? (JsonElement?)null : run;
        }) ?? default;

    private static async Task<T> WaitAsync<T>(Func<Task<T?>> probe)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            if (await probe() is { } found)
                return found;
            await Task.Delay(100, patience.Token);
        }
    }
}
