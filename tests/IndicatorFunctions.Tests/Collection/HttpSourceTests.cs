using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using IndicatorFunctions.Data;
using IndicatorFunctions.Ingestion;
using IndicatorFunctions.Tests.Infrastructure;
using static IndicatorFunctions.Tests.Collection.CollectionData;

namespace IndicatorFunctions.Tests.Collection;

/// <summary>
/// http-csv and http-json sources against a real local server that injects faults. Each test asserts on what
/// was stored (observations, aggregates, archived blobs) and on the ledger, not only on status codes.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class HttpSourceTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_500_then_200_is_retried_and_the_rows_are_stored_archived_and_aggregated()
    {
        await using var server = await SourceServer.StartAsync();
        var csv = RetailCsv();
        server.Serve("/minhang.csv", async (context, request) =>
        {
            if (request == 1)
            {
                context.Response.StatusCode = 500;
                return;
            }
            context.Response.ContentType = "text/csv";
            await context.Response.WriteAsync(csv);
        });
        await using var app = new FunctionAppFactory(azurite, Settings());
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await PutSourceAsync(admin, "minhang-retail", HttpCsvSource(server.Url("/minhang.csv"), "minhang"));

        var run = await CollectAsync(admin);

        Assert.Equal("succeeded", run.GetProperty("status").GetString());
        var outcome = Outcome(run, "minhang-retail");
        Assert.Equal("fetched", outcome.GetProperty("status").GetString());
        Assert.Equal(2, outcome.GetProperty("attempts").GetInt32());
        Assert.Equal(24, outcome.GetProperty("rowsAccepted").GetInt32());
        Assert.Equal(2, server.RequestsTo("/minhang.csv").Count);
        // Archived exactly as received, content-addressed.
        var hash = ObservationStore.BatchIdOf(Encoding.UTF8.GetBytes(csv));
        Assert.Equal($"sources/minhang-retail/{hash}.csv", outcome.GetProperty("payload").GetString());
        var archived = await app.Services.GetRequiredService<IndicatorTables>().Raw.GetBlobClient($"sources/minhang-retail/{hash}.csv").DownloadContentAsync();
        Assert.Equal(csv, archived.Value.Content.ToString());
        // Stored in canonical units (万 → ×1e4) and aggregated in the same run.
        var point = (await PointAsync(admin, "minhang", "2021-03"))!.Value;
        Assert.Equal(1.1e6, point.GetProperty("value").GetDouble());
        Assert.Equal(10, point.GetProperty("yoy").GetProperty("pct").GetDouble(), 6);
        Assert.Equal("minhang-retail", point.GetProperty("source").GetString());
    }

    [Fact]
    public async Task A_429_with_Retry_After_is_waited_out_before_the_retry()
    {
        await using var server = await SourceServer.StartAsync();
        server.Serve("/busy.csv", async (context, request) =>
        {
            if (request == 1)
            {
                context.Response.StatusCode = 429;
                context.Response.Headers.RetryAfter = "1";
                return;
            }
            context.Response.ContentType = "text/csv";
            await context.Response.WriteAsync(RetailCsv());
        });
        await using var app = new FunctionAppFactory(azurite, Settings());
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await PutSourceAsync(admin, "busy", HttpCsvSource(server.Url("/busy.csv"), "minhang"));

        var run = await CollectAsync(admin);

        var outcome = Outcome(run, "busy");
        Assert.Equal("fetched", outcome.GetProperty("status").GetString());
        Assert.Equal(2, outcome.GetProperty("attempts").GetInt32());
        var requests = server.RequestsTo("/busy.csv");
        // The backoff alone would be ~50 ms: a gap near a second is the server's Retry-After honoured.
        Assert.True(requests[1].At - requests[0].At >= TimeSpan.FromMilliseconds(900), $"retried after {(requests[1].At - requests[0].At).TotalMilliseconds} ms");
    }

    [Fact]
    public async Task A_Retry_After_longer_than_a_run_waits_fails_the_source_at_once_with_the_reason()
    {
        await using var server = await SourceServer.StartAsync();
        server.Serve("/later.csv", (context, _) =>
        {
            context.Response.StatusCode = 503;
            context.Response.Headers.RetryAfter = "3600";
            return Task.CompletedTask;
        });
        await using var app = new FunctionAppFactory(azurite, Settings());
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await PutSourceAsync(admin, "later", HttpCsvSource(server.Url("/later.csv"), "minhang"));

        var run = await CollectAsync(admin);

        var outcome = Outcome(run, "later");
        Assert.Equal("failed", outcome.GetProperty("status").GetString());
        Assert.Equal(1, outcome.GetProperty("attempts").GetInt32());
        Assert.Equal(503, outcome.GetProperty("httpStatus").GetInt32());
        Assert.Contains("3600 s", outcome.GetProperty("reason").GetString());
        Assert.Single(server.RequestsTo("/later.csv"));
    }

    [Fact]
    public async Task A_source_that_hangs_past_the_attempt_timeout_fails_after_its_retries_and_the_other_is_collected()
    {
        await using var server = await SourceServer.StartAsync();
        server.Serve("/hangs.csv", (context, _) => Task.Delay(Timeout.Infinite, context.RequestAborted));
        server.ServeFile("/xuhui.csv", RetailCsv());
        await using var app = new FunctionAppFactory(azurite, Settings(("Collection:AttemptTimeout", "00:00:01")));
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await PutSourceAsync(admin, "hangs", HttpCsvSource(server.Url("/hangs.csv"), "minhang"));
        // The same host: each source has its own circuit, so the hanging one's timeouts cannot fail this one.
        await PutSourceAsync(admin, "xuhui-retail", HttpCsvSource(server.Url("/xuhui.csv"), "xuhui"));

        var run = await CollectAsync(admin);

        Assert.Equal("partial", run.GetProperty("status").GetString());
        var hang = Outcome(run, "hangs");
        Assert.Equal("failed", hang.GetProperty("status").GetString());
        Assert.Equal("no complete response within 1 s in 3 attempt(s)", hang.GetProperty("reason").GetString());
        Assert.Equal(3, server.RequestsTo("/hangs.csv").Count);
        Assert.Equal("fetched", Outcome(run, "xuhui-retail").GetProperty("status").GetString());
        Assert.Null(await PointAsync(admin, "minhang", "2021-03"));
        Assert.Equal(10, (await PointAsync(admin, "xuhui", "2021-03"))!.Value.GetProperty("yoy").GetProperty("pct").GetDouble(), 6);
    }

    [Fact]
    public async Task A_malformed_csv_row_is_rejected_with_its_line_and_listed_beside_the_archived_payload()
    {
        await using var server = await SourceServer.StartAsync();
        var csv = RetailCsv().Replace("2020-03,100", "2020-03,n/a");
        server.ServeFile("/minhang.csv", csv);
        await using var app = new FunctionAppFactory(azurite, Settings());
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await PutSourceAsync(admin, "minhang-retail", HttpCsvSource(server.Url("/minhang.csv"), "minhang"));

        var run = await CollectAsync(admin);

        Assert.Equal("succeeded", run.GetProperty("status").GetString());
        var outcome = Outcome(run, "minhang-retail");
        Assert.Equal(23, outcome.GetProperty("rowsAccepted").GetInt32());
        Assert.Equal(1, outcome.GetProperty("rowsRejected").GetInt32());
        var error = outcome.GetProperty("errors")[0];
        Assert.Equal(4, error.GetProperty("row").GetInt32()); // header is line 1, 2020-03 is line 4
        Assert.Equal("value", error.GetProperty("field").GetString());
        var hash = ObservationStore.BatchIdOf(Encoding.UTF8.GetBytes(csv));
        Assert.Equal($"sources/minhang-retail/{hash}.rejected.json", outcome.GetProperty("rejects").GetString());
        var rejects = JsonDocument.Parse((await app.Services.GetRequiredService<IndicatorTables>().Raw
            .GetBlobClient($"sources/minhang-retail/{hash}.rejected.json").DownloadContentAsync()).Value.Content.ToString()).RootElement;
        Assert.Equal($"sources/minhang-retail/{hash}.csv", rejects.GetProperty("payload").GetString());
        Assert.Equal(4, rejects.GetProperty("errors")[0].GetProperty("row").GetInt32());
        // The good rows are in; the bad month is absent, not zero; March 2021 has no prior.
        Assert.Null(await PointAsync(admin, "minhang", "2020-03"));
        Assert.Equal("no_prior", (await PointAsync(admin, "minhang", "2021-03"))!.Value.GetProperty("yoy").GetProperty("reason").GetString());
        Assert.Equal(10, (await PointAsync(admin, "minhang", "2021-04"))!.Value.GetProperty("yoy").GetProperty("pct").GetDouble(), 6);
    }

    [Fact]
    public async Task A_payload_that_is_not_utf8_fails_the_source_naming_the_line_and_stores_no_rows()
    {
        await using var server = await SourceServer.StartAsync();
        // "month,retail_wan" then a GBK-encoded 万 (0xCD 0xF2) on line 3: not UTF-8, so not guessed at.
        byte[] gbk = [.. "month,retail_wan\n2020-01,100\n2020-02,100"u8, 0xCD, 0xF2, .. "\n"u8];
        server.Serve("/gbk.csv", async (context, _) =>
        {
            context.Response.ContentType = "text/csv";
            await context.Response.Body.WriteAsync(gbk);
        });
        await using var app = new FunctionAppFactory(azurite, Settings());
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await PutSourceAsync(admin, "gbk", HttpCsvSource(server.Url("/gbk.csv"), "minhang"));

        var run = await CollectAsync(admin);

        var outcome = Outcome(run, "gbk");
        Assert.Equal("failed", outcome.GetProperty("status").GetString());
        Assert.Contains("not valid UTF-8: line 3", outcome.GetProperty("reason").GetString());
        Assert.Equal(0, outcome.GetProperty("rowsAccepted").GetInt32());
        Assert.Null(await PointAsync(admin, "minhang", "2020-01"));
    }

    [Fact]
    public async Task A_collected_csv_line_with_an_open_quote_is_rejected_on_its_line_and_the_next_line_is_kept()
    {
        await using var server = await SourceServer.StartAsync();
        server.ServeFile("/minhang.csv", RetailCsv().Replace("2020-03,100", "2020-03,\"100"));
        await using var app = new FunctionAppFactory(azurite, Settings());
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await PutSourceAsync(admin, "minhang-retail", HttpCsvSource(server.Url("/minhang.csv"), "minhang"));

        var run = await CollectAsync(admin);

        var outcome = Outcome(run, "minhang-retail");
        Assert.Equal((23, 1), (outcome.GetProperty("rowsAccepted").GetInt32(), outcome.GetProperty("rowsRejected").GetInt32()));
        var error = outcome.GetProperty("errors")[0];
        Assert.Equal((4, "value"), (error.GetProperty("row").GetInt32(), error.GetProperty("field").GetString()));
        Assert.Null(await PointAsync(admin, "minhang", "2020-03"));
        Assert.NotNull(await PointAsync(admin, "minhang", "2020-04")); // the line after the open quote is its own row
    }

    [Fact]
    public async Task A_wrong_content_type_fails_the_source_keeps_what_arrived_and_stores_no_rows()
    {
        await using var server = await SourceServer.StartAsync();
        const string page = "<html><body>Please log in</body></html>";
        server.ServeFile("/login.csv", page, contentType: "text/html");
        await using var app = new FunctionAppFactory(azurite, Settings());
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await PutSourceAsync(admin, "portal", HttpCsvSource(server.Url("/login.csv"), "minhang"));

        var run = await CollectAsync(admin);

        Assert.Equal("partial", run.GetProperty("status").GetString());
        var outcome = Outcome(run, "portal");
        Assert.Equal("failed", outcome.GetProperty("status").GetString());
        Assert.StartsWith("content type text/html is not CSV", outcome.GetProperty("reason").GetString());
        Assert.Equal(0, outcome.GetProperty("rowsAccepted").GetInt32());
        var archived = await app.Services.GetRequiredService<IndicatorTables>().Raw.GetBlobClient(outcome.GetProperty("payload").GetString()!).DownloadContentAsync();
        Assert.Equal(page, archived.Value.Content.ToString());
        Assert.Contains("source portal: content type text/html", run.GetProperty("errors")[0].GetString());
    }

    [Theory]
    [InlineData(true)]  // Content-Length says so before the body is read
    [InlineData(false)] // chunked: found out while reading
    public async Task A_payload_over_the_size_limit_fails_without_being_archived_or_ingested(bool declaresLength)
    {
        await using var server = await SourceServer.StartAsync();
        var csv = RetailCsv(); // ~ 400 bytes
        server.Serve("/big.csv", async (context, _) =>
        {
            context.Response.ContentType = "text/csv";
            if (declaresLength)
                context.Response.ContentLength = Encoding.UTF8.GetByteCount(csv);
            await context.Response.WriteAsync(csv);
        });
        await using var app = new FunctionAppFactory(azurite, Settings(("MaxIngestBytes", "200")));
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await PutSourceAsync(admin, "big", HttpCsvSource(server.Url("/big.csv"), "minhang"));

        var run = await CollectAsync(admin);

        var outcome = Outcome(run, "big");
        Assert.Equal("failed", outcome.GetProperty("status").GetString());
        Assert.Equal("the payload is larger than 200 bytes (setting MaxIngestBytes)", outcome.GetProperty("reason").GetString());
        Assert.Equal(JsonValueKind.Null, outcome.GetProperty("payload").ValueKind);
        var archived = new List<string>();
        await foreach (var blob in app.Services.GetRequiredService<IndicatorTables>().Raw.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = "sources/" }))
            archived.Add(blob.Name);
        Assert.Empty(archived);
        Assert.Null(await PointAsync(admin, "minhang", "2021-03"));
    }

    [Theory]
    [InlineData(true)]  // ETag → If-None-Match
    [InlineData(false)] // Last-Modified only → If-Modified-Since
    public async Task An_unchanged_source_costs_one_304_on_the_next_run_and_nothing_is_rewritten(bool etag)
    {
        await using var server = await SourceServer.StartAsync();
        server.ServeFile("/minhang.csv", RetailCsv(), etag: etag);
        await using var app = new FunctionAppFactory(azurite, Settings());
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await PutSourceAsync(admin, "minhang-retail", HttpCsvSource(server.Url("/minhang.csv"), "minhang"));
        var first = await CollectAsync(admin);

        var second = await CollectAsync(admin);

        Assert.Equal("fetched", Outcome(first, "minhang-retail").GetProperty("status").GetString());
        var outcome = Outcome(second, "minhang-retail");
        Assert.Equal("unchanged", outcome.GetProperty("status").GetString());
        Assert.Equal(304, outcome.GetProperty("httpStatus").GetInt32());
        var requests = server.RequestsTo("/minhang.csv");
        Assert.Equal(2, requests.Count);
        Assert.True(requests[1].Headers.ContainsKey(etag ? "If-None-Match" : "If-Modified-Since"));
        // Nothing changed, so the second run had nothing to read or write.
        Assert.Equal(0, second.GetProperty("observationsRead").GetInt64());
        Assert.Equal(1, second.GetProperty("collection").GetProperty("unchanged").GetInt32());
    }

    [Fact]
    public async Task The_same_bytes_under_a_new_ETag_are_recognised_by_their_hash_and_not_ingested_again()
    {
        await using var server = await SourceServer.StartAsync();
        var csv = RetailCsv();
        server.Serve("/minhang.csv", async (context, request) =>
        {
            context.Response.Headers.ETag = $"\"v{request}\""; // a server that changes its ETag on every request
            context.Response.ContentType = "text/csv";
            await context.Response.WriteAsync(csv);
        });
        await using var app = new FunctionAppFactory(azurite, Settings());
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await PutSourceAsync(admin, "minhang-retail", HttpCsvSource(server.Url("/minhang.csv"), "minhang"));
        await CollectAsync(admin);

        var second = await CollectAsync(admin);

        var outcome = Outcome(second, "minhang-retail");
        Assert.Equal("unchanged", outcome.GetProperty("status").GetString());
        Assert.StartsWith("same content as last collected", outcome.GetProperty("reason").GetString());
        Assert.Equal("\"v1\"", server.RequestsTo("/minhang.csv")[1].Headers["If-None-Match"]);
        Assert.Equal(0, outcome.GetProperty("rowsAccepted").GetInt32());
    }

    [Fact]
    public async Task A_changed_figure_at_the_source_becomes_a_revision_and_is_reaggregated()
    {
        await using var server = await SourceServer.StartAsync();
        server.ServeFile("/minhang.csv", RetailCsv());
        await using var app = new FunctionAppFactory(azurite, Settings());
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await PutSourceAsync(admin, "minhang-retail", HttpCsvSource(server.Url("/minhang.csv"), "minhang"));
        await CollectAsync(admin);
        server.ServeFile("/minhang.csv", RetailCsv().Replace("2021-06,110", "2021-06,120"));

        var second = await CollectAsync(admin);

        var outcome = Outcome(second, "minhang-retail");
        Assert.Equal(1, outcome.GetProperty("revised").GetInt32());
        Assert.Equal(23, outcome.GetProperty("unchanged").GetInt32());
        Assert.Equal(20, (await PointAsync(admin, "minhang", "2021-06"))!.Value.GetProperty("yoy").GetProperty("pct").GetDouble(), 6);
    }

    [Fact]
    public async Task An_http_json_source_reads_records_at_its_path_with_nested_fields_and_numbers_in_strings()
    {
        await using var server = await SourceServer.StartAsync();
        server.ServeFile("/api/retail", """
            {"data": {"items": [
              {"when": "2020-05", "figures": {"amount": "100"}, "area": "pudong"},
              {"when": "2021-05", "figures": {"amount": "110"}, "area": "pudong", "flag": "provisional"}
            ]}}
            """, contentType: "application/json; charset=utf-8");
        await using var app = new FunctionAppFactory(azurite, Settings());
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await PutSourceAsync(admin, "pudong-api", new
        {
            kind = "http-json",
            url = server.Url("/api/retail"),
            records = "data.items",
            mapping = new { period = "when", value = "figures.amount", district = "area", status = "flag" },
            defaults = new { indicator = "retail", scale = "1e4" },
        });

        var run = await CollectAsync(admin);

        Assert.Equal(2, Outcome(run, "pudong-api").GetProperty("rowsAccepted").GetInt32());
        var point = (await PointAsync(admin, "pudong", "2021-05"))!.Value;
        Assert.Equal(1.1e6, point.GetProperty("value").GetDouble());
        Assert.Equal("provisional", point.GetProperty("status").GetString());
        Assert.Equal("provisional", point.GetProperty("yoy").GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_secret_header_and_query_value_come_from_SourceSecrets_escaped_and_are_never_stored_or_shown()
    {
        await using var server = await SourceServer.StartAsync();
        server.ServeFile("/secured.csv", RetailCsv());
        // '#' and '&' in a secret must stay inside its query value, not end the query or add a parameter.
        await using var app = new FunctionAppFactory(azurite, Settings(("SourceSecrets:StatsApiKey", "s3cret-value#1&admin=true")));
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await PutSourceAsync(admin, "secured", HttpCsvSource(server.Url("/secured.csv?apikey={setting:StatsApiKey}"), "minhang",
            headers: new Dictionary<string, object> { ["X-Api-Key"] = new { setting = "StatsApiKey" }, ["Accept-Language"] = "zh-CN" }));

        var run = await CollectAsync(admin);
        var listed = await admin.GetStringAsync("/api/sources");
        var stored = await app.Services.GetRequiredService<IndicatorTables>().Sources.GetEntityAsync<IndicatorFunctions.Collection.SourceDefinitionEntity>(IndicatorFunctions.Collection.SourceDefinitionEntity.Partition, "secured");

        Assert.Equal("fetched", Outcome(run, "secured").GetProperty("status").GetString());
        var request = Assert.Single(server.RequestsTo("/secured.csv"));
        Assert.Equal("s3cret-value#1&admin=true", request.Headers["X-Api-Key"]);
        Assert.Equal("?apikey=s3cret-value%231%26admin%3Dtrue", request.Query);
        Assert.Equal("zh-CN", request.Headers["Accept-Language"]);
        Assert.DoesNotContain("s3cret", listed);
        Assert.Contains("\"setting\":\"StatsApiKey\"", listed);
        Assert.DoesNotContain("s3cret", stored.Value.Definition);
        Assert.DoesNotContain("s3cret", run.ToString());
        var state = await app.Services.GetRequiredService<IndicatorTables>().Sources.GetEntityAsync<Azure.Data.Tables.TableEntity>("state", "secured");
        Assert.DoesNotContain(state.Value.Keys, key => state.Value[key]?.ToString()?.Contains("s3cret") == true);
    }

    [Fact]
    public async Task A_missing_app_setting_fails_the_source_naming_the_setting_without_calling_it()
    {
        await using var server = await SourceServer.StartAsync();
        server.ServeFile("/secured.csv", RetailCsv());
        await using var app = new FunctionAppFactory(azurite, Settings());
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await PutSourceAsync(admin, "secured", HttpCsvSource(server.Url("/secured.csv"), "minhang",
            headers: new Dictionary<string, object> { ["Authorization"] = new { setting = "NotConfigured" } }));

        var run = await CollectAsync(admin);

        Assert.Equal("app setting(s) SourceSecrets__NotConfigured named by the source are not set", Outcome(run, "secured").GetProperty("reason").GetString());
        Assert.Empty(server.RequestsTo("/secured.csv"));
    }

    [Fact]
    public async Task A_source_can_reach_only_settings_under_SourceSecrets_not_the_apps_own()
    {
        await using var server = await SourceServer.StartAsync();
        server.ServeFile("/x.csv", RetailCsv());
        await using var app = new FunctionAppFactory(azurite, Settings());
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await PutSourceAsync(admin, "greedy", HttpCsvSource(server.Url("/x.csv?q={setting:AdminApiKey}"), "minhang"));

        var run = await CollectAsync(admin);

        // AdminApiKey is set (FunctionAppFactory.AdminKey) but is not SourceSecrets__AdminApiKey: nothing is sent.
        Assert.Equal("app setting(s) SourceSecrets__AdminApiKey named by the source are not set", Outcome(run, "greedy").GetProperty("reason").GetString());
        Assert.Empty(server.RequestsTo("/x.csv"));
    }

    [Fact]
    public async Task Redirects_are_followed_and_secret_headers_go_only_to_the_sources_own_origin()
    {
        await using var server = await SourceServer.StartAsync();
        server.Serve("/moved.csv", (context, _) => { context.Response.Redirect("/here.csv"); return Task.CompletedTask; });
        server.ServeFile("/here.csv", RetailCsv());
        server.Serve("/elsewhere.csv", (context, _) => { context.Response.Redirect(server.OtherHostBaseUrl + "/there.csv"); return Task.CompletedTask; });
        server.ServeFile("/there.csv", RetailCsv());
        await using var app = new FunctionAppFactory(azurite, Settings(("SourceSecrets:Key", "s3cret")));
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        var headers = new Dictionary<string, object> { ["X-Api-Key"] = new { setting = "Key" }, ["Accept-Language"] = "zh-CN" };
        await PutSourceAsync(admin, "same-origin", HttpCsvSource(server.Url("/moved.csv"), "minhang", headers));
        await PutSourceAsync(admin, "cross-origin", HttpCsvSource(server.Url("/elsewhere.csv"), "xuhui", headers));

        var run = await CollectAsync(admin);

        Assert.Equal("fetched", Outcome(run, "same-origin").GetProperty("status").GetString());
        Assert.Equal("fetched", Outcome(run, "cross-origin").GetProperty("status").GetString());
        Assert.Equal("s3cret", Assert.Single(server.RequestsTo("/here.csv")).Headers["X-Api-Key"]);
        var there = Assert.Single(server.RequestsTo("/there.csv"));
        Assert.False(there.Headers.ContainsKey("X-Api-Key"));
        Assert.Equal("zh-CN", there.Headers["Accept-Language"]); // only secrets stay behind
    }

    [Fact]
    public async Task A_body_that_breaks_off_midway_is_retried_like_any_network_error()
    {
        await using var server = await SourceServer.StartAsync();
        var csv = RetailCsv();
        server.Serve("/flaky.csv", async (context, request) =>
        {
            context.Response.ContentType = "text/csv";
            context.Response.ContentLength = Encoding.UTF8.GetByteCount(csv);
            if (request == 1)
            {
                await context.Response.WriteAsync(csv[..50]);
                await context.Response.Body.FlushAsync();
                context.Abort(); // the connection drops with most of the body unsent
                return;
            }
            await context.Response.WriteAsync(csv);
        });
        await using var app = new FunctionAppFactory(azurite, Settings());
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await PutSourceAsync(admin, "flaky", HttpCsvSource(server.Url("/flaky.csv"), "minhang"));

        var run = await CollectAsync(admin);

        var outcome = Outcome(run, "flaky");
        Assert.Equal("fetched", outcome.GetProperty("status").GetString());
        Assert.Equal(2, outcome.GetProperty("attempts").GetInt32());
        Assert.Equal(24, outcome.GetProperty("rowsAccepted").GetInt32());
    }

    [Fact]
    public async Task Of_two_sources_on_one_host_the_one_answering_500s_lists_its_own_three_attempts_and_the_other_is_fetched()
    {
        await using var server = await SourceServer.StartAsync();
        server.Serve("/bad.csv", (context, _) => { context.Response.StatusCode = 500; return Task.CompletedTask; });
        server.ServeFile("/good.csv", RetailCsv());
        // Three failures open a circuit: per host, the bad source's three attempts would fail the good one untried.
        await using var app = new FunctionAppFactory(azurite, Settings(
            ("Collection:MaxRetries", "2"), ("Collection:Concurrency", "1"),
            ("Collection:BreakerMinimumThroughput", "3"), ("Collection:BreakerFailureRatio", "1")));
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await PutSourceAsync(admin, "a-bad", HttpCsvSource(server.Url("/bad.csv"), "minhang"));
        await PutSourceAsync(admin, "b-good", HttpCsvSource(server.Url("/good.csv"), "xuhui"));

        var run = await CollectAsync(admin);

        var bad = Outcome(run, "a-bad");
        Assert.Equal("failed", bad.GetProperty("status").GetString());
        Assert.Equal("500 Internal Server Error after 3 attempt(s)", bad.GetProperty("reason").GetString());
        Assert.Equal(3, bad.GetProperty("attempts").GetInt32());
        var log = bad.GetProperty("attemptLog").EnumerateArray().ToList();
        Assert.Equal(3, log.Count);
        Assert.All(log, a => Assert.Equal(500, a.GetProperty("status").GetInt32()));
        Assert.All(log, a => Assert.Equal(new Uri(server.BaseUrl).Authority, a.GetProperty("host").GetString()));
        Assert.Equal(3, server.RequestsTo("/bad.csv").Count);
        var good = Outcome(run, "b-good");
        Assert.Equal("fetched", good.GetProperty("status").GetString());
        Assert.Equal(200, Assert.Single(good.GetProperty("attemptLog").EnumerateArray()).GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task A_circuit_a_source_opens_itself_reports_the_attempts_that_opened_it_and_stays_open_for_the_next_run()
    {
        await using var server = await SourceServer.StartAsync();
        server.Serve("/bad.csv", (context, _) => { context.Response.StatusCode = 500; return Task.CompletedTask; });
        server.ServeFile("/good.csv", RetailCsv());
        // Two failures open the circuit, before the third attempt: the source's own doing, and the outcome says so.
        await using var app = new FunctionAppFactory(azurite, Settings(
            ("Collection:MaxRetries", "2"), ("Collection:Concurrency", "1"),
            ("Collection:BreakerMinimumThroughput", "2"), ("Collection:BreakerFailureRatio", "1")));
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await PutSourceAsync(admin, "a-bad", HttpCsvSource(server.Url("/bad.csv"), "minhang"));
        await PutSourceAsync(admin, "b-good", HttpCsvSource(server.Url("/good.csv"), "xuhui"));

        var first = await CollectAsync(admin);
        var second = await CollectAsync(admin);

        var opened = Outcome(first, "a-bad");
        Assert.StartsWith("circuit opened for this source after 2 failed attempt(s) (500, 500); not called again until", opened.GetProperty("reason").GetString());
        Assert.Equal(2, opened.GetProperty("attempts").GetInt32());
        Assert.Equal(500, opened.GetProperty("httpStatus").GetInt32());
        Assert.Equal([500, 500], opened.GetProperty("attemptLog").EnumerateArray().Select(a => a.GetProperty("status").GetInt32()));
        var stillOpen = Outcome(second, "a-bad");
        Assert.StartsWith("circuit open for this source: its recent attempts (in an earlier run) failed", stillOpen.GetProperty("reason").GetString());
        Assert.Equal(0, stillOpen.GetProperty("attempts").GetInt32());
        Assert.Equal(2, server.RequestsTo("/bad.csv").Count);
        // The healthy source on the same host is called every run.
        Assert.Equal("fetched", Outcome(first, "b-good").GetProperty("status").GetString());
        Assert.Equal("unchanged", Outcome(second, "b-good").GetProperty("status").GetString());
        Assert.Equal(2, server.RequestsTo("/good.csv").Count);
    }
}
