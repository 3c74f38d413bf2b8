using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IndicatorFunctions.Runs;
using IndicatorFunctions.Tests.Infrastructure;

namespace IndicatorFunctions.Tests.App;

[Collection(AzuriteCollection.Name)]
public sealed class TimerInvocationTests(AzuriteFixture azurite)
{
    private const string HostPayload =
        """{"Data":{"timer":{"Schedule":{"AdjustForDST":true},"ScheduleStatus":{"Last":"2026-11-22T02:00:00+00:00","Next":"2026-11-23T02:00:00+00:00","LastUpdated":"2026-11-22T02:00:00+00:00"},"IsPastDue":false}},"Metadata":{"sys":{"MethodName":"NightlyAggregation"}}}""";

    [Fact]
    public async Task Host_timer_invocation_is_answered_in_the_custom_handler_shape_and_records_a_run()
    {
        await using var app = new FunctionAppFactory(azurite);

        var response = await app.CreateClient().PostAsync("/NightlyAggregation", new StringContent(HostPayload, System.Text.Encoding.UTF8, "application/json"));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var root = body.RootElement;
        Assert.Equal(JsonValueKind.Object, root.GetProperty("Outputs").ValueKind);
        Assert.NotEmpty(root.GetProperty("Logs").EnumerateArray());
        var runId = root.GetProperty("ReturnValue").GetProperty("runId").GetString()!;
        var run = await app.Services.GetRequiredService<RunLedger>().GetAsync(runId, CancellationToken.None);
        Assert.NotNull(run);
        Assert.Equal(RunTrigger.Timer, run.Trigger);
        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.False(run.IsPastDue);
        Assert.NotNull(run.FinishedAt);
        Assert.True(await app.Storage.Tables.GetTableClient(app.Prefix + "runs").GetEntityIfExistsAsync("run", runId) is not null);
    }

    [Fact]
    public async Task Timer_data_sent_as_a_json_string_is_accepted_and_past_due_is_recorded()
    {
        await using var app = new FunctionAppFactory(azurite);
        var payload = new { Data = new { timer = JsonSerializer.Serialize(new { IsPastDue = true }) }, Metadata = new { } };

        var response = await app.CreateClient().PostAsJsonAsync("/NightlyAggregation", payload);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var run = await app.Services.GetRequiredService<RunLedger>().GetAsync(body.RootElement.GetProperty("ReturnValue").GetProperty("runId").GetString()!, CancellationToken.None);
        Assert.True(run!.IsPastDue);
        Assert.Contains(body.RootElement.GetProperty("Logs").EnumerateArray(), l => l.GetString()!.Contains("past due"));
    }

    [Theory]
    [InlineData("""{"Data":{},"Metadata":{}}""", "no 'timer' binding")]
    [InlineData("""{"Data":{"timer":42},"Metadata":{}}""", "must be a timer object")]
    [InlineData("""{"Data":{"timer":"not json"},"Metadata":{}}""", "bad invocation")]
    [InlineData("""not json at all""", "not JSON")]
    public async Task Malformed_invocations_are_400_with_the_reason_in_Logs_and_record_no_run(string payload, string expectedLog)
    {
        await using var app = new FunctionAppFactory(azurite);

        var response = await app.CreateClient().PostAsync("/NightlyAggregation", new StringContent(payload, System.Text.Encoding.UTF8, "application/json"));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(body.RootElement.GetProperty("Logs").EnumerateArray(), l => l.GetString()!.Contains(expectedLog));
        Assert.Empty(await app.Services.GetRequiredService<RunLedger>().LatestAsync(10, CancellationToken.None));
    }

    [Fact]
    public async Task A_failing_run_answers_500_so_the_host_records_the_failure()
    {
        var deadStorage = AzuriteFixture.UnreachableConnectionString(out var port);
        await using var app = new FunctionAppFactory(azurite, new Dictionary<string, string?> { ["AzureWebJobsStorage"] = deadStorage });

        var response = await app.CreateClient().PostAsync("/NightlyAggregation", new StringContent(HostPayload, System.Text.Encoding.UTF8, "application/json"));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains(body.RootElement.GetProperty("Logs").EnumerateArray(), l => l.GetString()!.Contains("NightlyAggregation failed"));
    }
}
