using System.Net;
using System.Text.Json;
using IndicatorFunctions.Runs;
using IndicatorFunctions.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IndicatorFunctions.Tests.App;

/// <summary>Local mode serves what the Functions host would: the functions, routes, methods and auth levels of <c>functions.metadata</c>, and its timers.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class LocalModeTests(AzuriteFixture azurite)
{
    private static readonly Dictionary<string, string?> EverySecond = new()
    {
        ["AggregationSchedule"] = "* * * * * *",
        ["AzureWebJobs.NightlyAggregation.Disabled"] = "false",
    };

    private sealed record Declared(string Name, string Type, string? AuthLevel, string[]? Methods, string? Route, string? Schedule);

    /// <summary>What the Functions SDK generated at build time (copied into this test project's output with the app).</summary>
    private static List<Declared> Metadata()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "functions.metadata")));
        return json.RootElement.EnumerateArray().Select(f =>
        {
            var trigger = f.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("direction").GetString() == "In" && b.GetProperty("type").GetString()!.EndsWith("Trigger"));
            string? Text(string name) => trigger.TryGetProperty(name, out var v) ? v.GetString() : null;
            return new Declared(f.GetProperty("name").GetString()!, trigger.GetProperty("type").GetString()!, Text("authLevel"),
                trigger.TryGetProperty("methods", out var m) ? m.EnumerateArray().Select(x => x.GetString()!).ToArray() : null, Text("route"), Text("schedule"));
        }).ToList();
    }

    [Fact]
    public async Task Local_mode_serves_exactly_the_http_functions_routes_and_methods_of_functions_metadata()
    {
        await using var app = new FunctionAppFactory(azurite);
        var endpoints = app.Services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IEndpointNameMetadata>() is not null)
            .ToDictionary(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()!.EndpointName);
        var declared = Metadata().Where(d => d.Type == "httpTrigger").ToList();

        Assert.True(declared.Count >= 19, $"functions.metadata lists {declared.Count} http functions");
        Assert.Equal(declared.Select(d => d.Name).Order(), endpoints.Keys.Order());
        foreach (var d in declared)
        {
            var endpoint = endpoints[d.Name];
            Assert.Equal("/api/" + d.Route, endpoint.RoutePattern.RawText);
            Assert.Equal(d.Methods!.Select(m => m.ToUpperInvariant()).Order(), endpoint.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Order());
        }
    }

    [Fact]
    public async Task Local_mode_polls_the_queue_of_every_queue_function_of_functions_metadata_under_the_name_the_coordinator_sends_to()
    {
        await using var app = new FunctionAppFactory(azurite);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "functions.metadata")));
        var declared = json.RootElement.EnumerateArray()
            .Select(f => (Name: f.GetProperty("name").GetString()!, Trigger: f.GetProperty("bindings").EnumerateArray().Single(b => b.GetProperty("direction").GetString() == "In")))
            .Where(f => f.Trigger.GetProperty("type").GetString() == "queueTrigger")
            .ToDictionary(f => f.Name, f => f.Trigger.GetProperty("queueName").GetString());
        var polled = app.Services.GetRequiredService<IndicatorFunctions.Hosting.LocalQueues.Functions>().Queues;
        var configuration = app.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>();

        Assert.Equal([IndicatorFunctions.Aggregation.AggregationWorkFunction.Name], declared.Keys);
        Assert.Equal(declared.Keys.Order(), polled.Select(f => f.Name).Order());
        var work = polled.Single();
        Assert.Equal(declared[work.Name], work.Queue!.QueueName);
        Assert.Equal(app.Services.GetRequiredService<IndicatorFunctions.Aggregation.FanOut>().Queue.Name, IndicatorFunctions.Hosting.LocalQueues.QueueName(work, configuration));
        Assert.StartsWith(app.Prefix, IndicatorFunctions.Hosting.LocalQueues.QueueName(work, configuration));
    }

    [Fact]
    public async Task Function_level_routes_need_the_key_and_anonymous_ones_do_not_as_functions_metadata_declares()
    {
        await using var app = new FunctionAppFactory(azurite);
        var anonymous = app.CreateClient();

        foreach (var d in Metadata().Where(d => d.Type == "httpTrigger"))
        {
            var url = "/api/" + d.Route!.Replace("{district}", "xuhui").Replace("{indicator}", "gdp").Replace("{period}", "2021").Replace("{cluster}", "core").Replace("{id}", "x1");
            var response = await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(d.Methods![0].ToUpperInvariant()), url));
            if (d.AuthLevel == "Function")
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{d.Name} ({d.Methods[0]} {url}) without a key answered {(int)response.StatusCode}");
            else
                Assert.True(d.AuthLevel == "Anonymous" && response.StatusCode != HttpStatusCode.Unauthorized, $"{d.Name} ({d.AuthLevel}) answered {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task Without_an_AdminApiKey_setting_function_level_routes_refuse_every_caller()
    {
        await using var app = new FunctionAppFactory(azurite, new Dictionary<string, string?> { ["AdminApiKey"] = "" });

        var response = await app.CreateAdminClient().PutAsync("/api/indicators/gdp", JsonContent("""{"name":"GDP","unit":"CNY","aggregation":"sum"}"""));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("AdminApiKey setting is not set", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Timer_functions_are_the_ones_functions_metadata_declares_with_their_schedules()
    {
        await using var app = new FunctionAppFactory(azurite);
        var timers = app.Services.GetRequiredService<Hosting.LocalTimers>().Timers;

        var declared = Metadata().Where(d => d.Type == "timerTrigger").Select(d => (d.Name, d.Schedule)).ToList();

        Assert.NotEmpty(declared);
        Assert.Equal(declared, timers.Select(t => (t.Function.Name, (string?)t.Function.Timer!.Schedule)).ToList());
    }

    [Fact]
    public async Task The_timer_fires_on_its_schedule()
    {
        await using var app = new FunctionAppFactory(azurite, EverySecond);
        var ledger = app.Services.GetRequiredService<RunLedger>(); // starts the app and its timers

        var runs = await WaitForRunsAsync(ledger, atLeast: 2, TimeSpan.FromSeconds(30));

        Assert.True(runs.Count >= 2, $"expected the every-second schedule to fire at least twice, saw {runs.Count} run(s)");
        Assert.All(runs, run => Assert.Equal(RunTrigger.Timer, run.Trigger));
        Assert.Contains(runs, run => run.Status == RunStatus.Succeeded);
        Assert.Contains(app.LogLines, line => line.Contains("NightlyAggregation: next run at"));
    }

    [Fact]
    public async Task A_disabled_timer_function_is_not_scheduled()
    {
        var settings = new Dictionary<string, string?>(EverySecond) { ["AzureWebJobs.NightlyAggregation.Disabled"] = "true" };
        await using var app = new FunctionAppFactory(azurite, settings);
        var ledger = app.Services.GetRequiredService<RunLedger>();

        // Absence cannot be waited for: two and a half seconds is two and a half firings of the schedule.
        await Task.Delay(TimeSpan.FromSeconds(2.5));

        Assert.Empty(await ledger.LatestAsync(10, CancellationToken.None));
    }

    [Fact]
    public async Task The_admin_endpoint_invokes_a_timer_with_the_key_and_only_then()
    {
        await using var app = new FunctionAppFactory(azurite);
        var ledger = app.Services.GetRequiredService<RunLedger>();

        var anonymous = await app.CreateClient().PostAsync("/admin/functions/NightlyAggregation", JsonContent("{}"));
        var unknown = await app.CreateAdminClient().PostAsync("/admin/functions/NoSuchFunction", JsonContent("{}"));
        var httpFunction = await app.CreateAdminClient().PostAsync("/admin/functions/Health", JsonContent("{}"));
        var invoked = await app.CreateAdminClient().PostAsync("/admin/functions/NightlyAggregation", JsonContent("{}"));
        var runs = await WaitForRunsAsync(ledger, atLeast: 1, TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, httpFunction.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, invoked.StatusCode);
        var run = Assert.Single(runs);
        Assert.Equal(RunTrigger.Timer, run.Trigger);
    }

    private static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    private static async Task<IReadOnlyList<RunRecord>> WaitForRunsAsync(RunLedger ledger, int atLeast, TimeSpan patience)
    {
        using var timeout = new CancellationTokenSource(patience);
        IReadOnlyList<RunRecord> runs = [];
        while (!timeout.IsCancellationRequested)
        {
            runs = await ledger.LatestAsync(10, CancellationToken.None);
            if (runs.Count >= atLeast && runs.All(r => r.Status != RunStatus.Running))
                break;
            await Task.Delay(200);
        }
        return runs;
    }
}
