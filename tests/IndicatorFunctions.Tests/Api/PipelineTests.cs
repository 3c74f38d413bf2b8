using Azure.Data.Tables;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IndicatorFunctions.Data;
using IndicatorFunctions.Domain;
using IndicatorFunctions.Tests.Infrastructure;
using static IndicatorFunctions.Tests.Api.PipelineData;

namespace IndicatorFunctions.Tests.Api;

/// <summary>Ingest → run → read through the HTTP API on Azurite, against figures computed by hand.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class PipelineTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Series_carry_values_in_canonical_units_and_yoy_with_weakest_status()
    {
        await using var app = new FunctionAppFactory(azurite);
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await IngestAsync(admin, Gdp);
        var run = await RunAsync(admin, full: true);

        var xuhui = await GetJsonAsync(app.CreateClient(), "/api/districts/xuhui/indicators/gdp/series?from=2019&to=2021");
        var wuhou = await GetJsonAsync(app.CreateClient(), "/api/districts/wuhou/indicators/gdp/series");

        Assert.Equal(("CNY", "total", run.GetProperty("id").GetString(), false),
            (xuhui.GetProperty("unit").GetString(), xuhui.GetProperty("sector").GetString(), xuhui.GetProperty("runId").GetString(), xuhui.GetProperty("pendingChanges").GetBoolean()));
        Assert.Equal(["2019", "2020", "2021"], xuhui.GetProperty("points").EnumerateArray().Select(p => p.GetProperty("period").GetString()));
        var first = Point(xuhui, "2019").GetProperty("yoy");
        Assert.Equal((null, null, "no_prior"), (Number(first, "pct"), Number(first, "change"), first.GetProperty("reason").GetString()));
        // 2021: 1.21 × scale 100 = 121 (canonical); 121 / 110 − 1 = 10 %.
        var y2021 = Point(xuhui, "2021");
        Assert.Equal(121, Number(y2021, "value"));
        Assert.Equal((110, 11, 10.0), (Number(y2021.GetProperty("yoy"), "prior"), Number(y2021.GetProperty("yoy"), "change"), Number(y2021.GetProperty("yoy"), "pct")));
        // wuhou 2020: 40 / 50 − 1 = −20 %, provisional because 2020 is; 2021: 60 / 40 − 1 = +50 %, provisional via its prior.
        Assert.Equal((-10, -20.0, "provisional"), (Number(Point(wuhou, "2020").GetProperty("yoy"), "change"), Number(Point(wuhou, "2020").GetProperty("yoy"), "pct"), Point(wuhou, "2020").GetProperty("status").GetString()));
        Assert.Equal((50.0, "final", "provisional"), (Number(Point(wuhou, "2021").GetProperty("yoy"), "pct"), Point(wuhou, "2021").GetProperty("status").GetString(), Point(wuhou, "2021").GetProperty("yoy").GetProperty("status").GetString()));
    }

    [Fact]
    public async Task Cross_section_ranks_every_district_largest_first()
    {
        await using var app = new FunctionAppFactory(azurite);
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await IngestAsync(admin, [.. Gdp, new { district = "wuhou", indicator = "gdp", period = "2022", value = 70 }, new { district = "xuhui", indicator = "gdp", period = "2022", value = 70 }]);
        await RunAsync(admin, full: true);

        var y2021 = await GetJsonAsync(app.CreateClient(), "/api/indicators/gdp/periods/2021");
        var y2022 = await GetJsonAsync(app.CreateClient(), "/api/indicators/gdp/periods/2022");

        Assert.Equal([("jingan", 1, 10.0), ("xuhui", 2, 10.0), ("wuhou", 3, 50.0)],
            y2021.GetProperty("rows").EnumerateArray().Select(r => (r.GetProperty("district").GetString()!, r.GetProperty("rank").GetInt32(), Number(r.GetProperty("yoy"), "pct")!.Value)));
        // Equal values share a rank.
        Assert.Equal([1, 1], y2022.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("rank").GetInt32()));
    }

    [Fact]
    public async Task Cluster_rollups_show_members_coverage_missing_and_like_for_like_growth()
    {
        await using var app = new FunctionAppFactory(azurite);
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await IngestAsync(admin, [.. Gdp,
            new { district = "xuhui", sector = "ai", indicator = "gdp", period = "2020", value = 10 },
            new { district = "xuhui", sector = "ai", indicator = "gdp", period = "2021", value = 12, status = "estimated" }]);
        await RunAsync(admin, full: true);

        var core = await GetJsonAsync(app.CreateClient(), "/api/clusters/core/indicators/gdp/rollups?from=2019&to=2021");
        var ai = await GetJsonAsync(app.CreateClient(), "/api/clusters/ai/indicators/gdp/rollups");

        Assert.Equal(("sum", "CNY"), (core.GetProperty("aggregation").GetString(), core.GetProperty("unit").GetString()));
        // 2019: xuhui 100 + wuhou 50; no 2018 data → no comparable members.
        var c2019 = Point(core, "2019");
        Assert.Equal((150, 2, 2, 1.0), (Number(c2019, "value"), c2019.GetProperty("members").GetInt32(), c2019.GetProperty("reporting").GetInt32(), Number(c2019, "coverage")));
        Assert.Equal("no_comparable_members", c2019.GetProperty("yoy").GetProperty("reason").GetString());
        // 2020: 110 + 40 = 150, provisional through wuhou; like-for-like vs 2019: 150 vs 150 = 0 %.
        var c2020 = Point(core, "2020");
        Assert.Equal((150, "provisional", 0.0, 2), (Number(c2020, "value"), c2020.GetProperty("status").GetString(), Number(c2020.GetProperty("yoy"), "pct"), c2020.GetProperty("yoy").GetProperty("comparableMembers").GetInt32()));
        // 2021: jingan joins: 121 + 60 + 220 = 401 over 3 members; like-for-like over xuhui + wuhou only:
        // 181 vs 150 → +31, 181 / 150 − 1 = 20.67 %, provisional because wuhou's 2020 input is. Never the mean of member rates.
        var c2021 = Point(core, "2021");
        Assert.Equal((401, 3, 3, "final"), (Number(c2021, "value"), c2021.GetProperty("members").GetInt32(), c2021.GetProperty("reporting").GetInt32(), c2021.GetProperty("status").GetString()));
        var yoy = c2021.GetProperty("yoy");
        Assert.Equal((181, 150, 31, 20.67, 2, "provisional"),
            (Number(yoy, "current"), Number(yoy, "prior"), Number(yoy, "change"), Number(yoy, "pct"), yoy.GetProperty("comparableMembers").GetInt32(), yoy.GetProperty("status").GetString()));
        // ai: only xuhui/ai reports: coverage 0.5 < minCoverage 0.6 → value withheld, wuhou/ai missing; LFL still 12 / 10 − 1 = 20 %, estimated.
        var a2021 = Point(ai, "2021");
        Assert.Equal((null, "below_min_coverage", 0.5, "estimated"), (Number(a2021, "value"), a2021.GetProperty("valueReason").GetString(), Number(a2021, "coverage"), a2021.GetProperty("status").GetString()));
        Assert.Equal(["wuhou/ai"], a2021.GetProperty("missing").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal((20.0, 1, "estimated"), (Number(a2021.GetProperty("yoy"), "pct"), a2021.GetProperty("yoy").GetProperty("comparableMembers").GetInt32(), a2021.GetProperty("yoy").GetProperty("status").GetString()));
    }

    [Fact]
    public async Task A_revision_keeps_history_and_the_incremental_run_recomputes_P_P_plus_one_and_rollups()
    {
        await using var app = new FunctionAppFactory(azurite);
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await IngestAsync(admin, Gdp);
        await RunAsync(admin, full: true);

        var revision = await IngestAsync(admin, new { district = "xuhui", indicator = "gdp", period = "2020", value = 100, source = "revised" });
        var pending = await GetJsonAsync(app.CreateClient(), "/api/districts/xuhui/indicators/gdp/series");
        var run = await RunAsync(admin, full: false);
        var series = await GetJsonAsync(app.CreateClient(), "/api/districts/xuhui/indicators/gdp/series");
        var core = await GetJsonAsync(app.CreateClient(), "/api/clusters/core/indicators/gdp/rollups");

        Assert.Equal(1, revision.GetProperty("revised").GetInt32());
        Assert.True(pending.GetProperty("pendingChanges").GetBoolean());
        Assert.Equal(110, Number(Point(pending, "2020"), "value")); // reads show the last run's figures until the next run
        Assert.False(run.GetProperty("full").GetBoolean());
        Assert.False(series.GetProperty("pendingChanges").GetBoolean());
        // P = 2020: 100 / 100 − 1 = 0 %; P + 1 = 2021: 121 / 100 − 1 = 21 %.
        Assert.Equal((100, 0.0), (Number(Point(series, "2020"), "value"), Number(Point(series, "2020").GetProperty("yoy"), "pct")));
        Assert.Equal(21.0, Number(Point(series, "2021").GetProperty("yoy"), "pct"));
        // Rollups containing it: 2020 = 100 + 40 = 140 (−10 vs 150: −6.67 %); 2021 LFL 181 vs 140 = +29.29 %.
        Assert.Equal((140, -6.67), (Number(Point(core, "2020"), "value"), Number(Point(core, "2020").GetProperty("yoy"), "pct")));
        Assert.Equal((140, 29.29), (Number(Point(core, "2021").GetProperty("yoy"), "prior"), Number(Point(core, "2021").GetProperty("yoy"), "pct")));
        // The replaced value is kept.
        var tables = app.Services.GetRequiredService<IndicatorTables>();
        var history = await IndicatorTables.ReadPartitionAsync<RevisionEntity>(tables.Revisions, "gdp|xuhui|total", CancellationToken.None);
        var old = Assert.Single(history);
        Assert.Equal(("2020|000000", 110.0, 0), (old.RowKey, old.Value, old.Revision));
        // The incremental run read only the touched series and the cluster members, not everything.
        Assert.True(run.GetProperty("growthWritten").GetInt64() <= 4, $"incremental run wrote {run.GetProperty("growthWritten")} growth entities");
    }

    [Fact]
    public async Task A_run_takes_a_revised_value_from_its_marker_unless_a_later_write_was_announced()
    {
        await using var app = new FunctionAppFactory(azurite);
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await IngestAsync(admin, Gdp);
        await RunAsync(admin, full: true);
        var (tables, tracker) = (app.Services.GetRequiredService<IndicatorTables>(), app.Services.GetRequiredService<ChangeTracker>());
        var series = new SeriesKey("gdp", "xuhui", "total");
        async Task<double> Xuhui2020Async() => Number(Point(await GetJsonAsync(app.CreateClient(), "/api/districts/xuhui/indicators/gdp/series"), "2020"), "value")!.Value;
        async Task SetStoredAsync(double value) // the observation changed in storage, behind the markers' back
        {
            var entity = (await tables.Observations.GetEntityAsync<ObservationEntity>(series.PartitionKey, "2020")).Value;
            entity.Value = value;
            await tables.Observations.UpdateEntityAsync(entity, Azure.ETag.All, TableUpdateMode.Replace);
        }

        await IngestAsync(admin, new { district = "xuhui", indicator = "gdp", period = "2020", value = 100 }); // revision 1
        var marker = Assert.Single(await tracker.ReadAllAsync(CancellationToken.None), m => !m.IsCatalog);
        await SetStoredAsync(101);
        var first = await RunAsync(admin);
        var fromMarker = await Xuhui2020Async();
        await SetStoredAsync(102);
        await tracker.MarkSeriesAsync(series, [(Period.Parse("2020"), 2)], CancellationToken.None); // a write announced, its value not stored
        var second = await RunAsync(admin);
        var read = await Xuhui2020Async();

        Assert.Equal(new Observation(Period.Parse("2020"), 100, ObservationStatus.Final, null), marker.Known![Period.Parse("2020")]);
        Assert.Equal((100, 0), (fromMarker, first.GetProperty("observationsRead").GetInt32())); // the run did not read the point
        Assert.Equal((102, 1), (read, second.GetProperty("observationsRead").GetInt32()));
    }

    [Fact]
    public async Task Re_sending_the_same_body_is_idempotent_archived_once_and_leaves_nothing_pending()
    {
        await using var app = new FunctionAppFactory(azurite);
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);

        var first = await IngestAsync(admin, Gdp);
        await RunAsync(admin, full: true);
        var second = await IngestAsync(admin, Gdp);
        var afterResend = await GetJsonAsync(app.CreateClient(), "/api/districts/xuhui/indicators/gdp/series");

        Assert.Equal(first.GetProperty("batchId").GetString(), second.GetProperty("batchId").GetString());
        Assert.Equal((8, 0, 0), (first.GetProperty("inserted").GetInt32(), first.GetProperty("revised").GetInt32(), first.GetProperty("unchanged").GetInt32()));
        Assert.Equal((0, 0, 8), (second.GetProperty("inserted").GetInt32(), second.GetProperty("revised").GetInt32(), second.GetProperty("unchanged").GetInt32()));
        Assert.False(afterResend.GetProperty("pendingChanges").GetBoolean()); // nothing changed, so nothing waits for a run
        var blobs = new List<string>();
        await foreach (var blob in app.Services.GetRequiredService<IndicatorTables>().Raw.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = "observations/" }))
            blobs.Add(blob.Name);
        Assert.Equal([$"observations/{first.GetProperty("batchId").GetString()}.json"], blobs);
    }

    [Fact]
    public async Task Unchanged_reads_answer_304_to_If_None_Match_and_a_new_run_changes_the_ETag()
    {
        await using var app = new FunctionAppFactory(azurite);
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await IngestAsync(admin, Gdp);
        await RunAsync(admin, full: true);
        var client = app.CreateClient();
        const string url = "/api/districts/xuhui/indicators/gdp/series";

        var first = await client.GetAsync(url);
        var etag = first.Headers.ETag!;
        using var conditional = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { IfNoneMatch = { etag } } };
        var second = await client.SendAsync(conditional);
        await RunAsync(admin, full: true);
        app.Services.GetRequiredService<IndicatorFunctions.Api.Freshness>().Invalidate();
        using var afterRun = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { IfNoneMatch = { etag } } };
        var third = await client.SendAsync(afterRun);

        Assert.False(etag.IsWeak);
        Assert.Contains("max-age", first.Headers.CacheControl!.ToString());
        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Empty(await second.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
        Assert.NotEqual(etag, third.Headers.ETag);
    }

    [Fact]
    public async Task A_second_trigger_while_a_run_holds_the_lock_is_409_naming_the_running_run()
    {
        await using var app = new FunctionAppFactory(azurite);
        var admin = app.CreateAdminClient();
        var tables = app.Services.GetRequiredService<IndicatorTables>();

        await using (await IndicatorFunctions.Aggregation.RunLock.AcquireAsync(tables, "2516068100000000000-abcdef", CancellationToken.None))
        {
            var refused = await admin.PostAsJsonAsync("/api/runs", new { full = false });
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();

            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);
            Assert.Equal("2516068100000000000-abcdef", problem.GetProperty("runId").GetString());
        }
        var accepted = await admin.PostAsJsonAsync("/api/runs", new { full = false });
        var run = await accepted.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal($"/api/runs/{run.GetProperty("id").GetString()}", accepted.Headers.Location!.ToString());
    }

    [Fact]
    public async Task Two_concurrent_triggers_start_one_run_and_refuse_the_other()
    {
        await using var app = new FunctionAppFactory(azurite);
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await IngestAsync(admin, Gdp);

        var responses = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => admin.PostAsJsonAsync("/api/runs?wait=true", new { full = true })));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], responses.Select(r => r.StatusCode).Order());
    }

    [Fact]
    public async Task A_full_run_that_did_not_finish_makes_the_next_run_full()
    {
        await using var app = new FunctionAppFactory(azurite);
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await IngestAsync(admin, Gdp);
        var first = await RunAsync(admin, full: false); // the first run is full: there is no base to build on
        // What a full run leaves behind when it dies midway: the flag it sets before writing anything.
        await app.Services.GetRequiredService<IndicatorTables>().State.UpsertEntityAsync(
            new TableEntity(ChangeTracker.StatePartition, ChangeTracker.RunRow) { ["FullPending"] = true }, TableUpdateMode.Merge);

        var next = await RunAsync(admin, full: false);
        var after = await RunAsync(admin, full: false);
        var series = await GetJsonAsync(app.CreateClient(), "/api/districts/jingan/indicators/gdp/series");

        Assert.True(first.GetProperty("full").GetBoolean());
        Assert.True(next.GetProperty("full").GetBoolean());
        Assert.False(after.GetProperty("full").GetBoolean());
        Assert.Equal(10.0, Number(Point(series, "2021").GetProperty("yoy"), "pct"));
    }

    [Fact]
    public async Task Runs_are_listed_newest_first_and_readable_by_id()
    {
        await using var app = new FunctionAppFactory(azurite);
        var admin = app.CreateAdminClient();
        var first = await RunAsync(admin);
        var second = await RunAsync(admin);

        var list = await GetJsonAsync(app.CreateClient(), "/api/runs?top=10");
        var one = await GetJsonAsync(app.CreateClient(), $"/api/runs/{first.GetProperty("id").GetString()}");

        Assert.Equal([second.GetProperty("id").GetString(), first.GetProperty("id").GetString()],
            list.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        Assert.Equal(("http", "succeeded"), (one.GetProperty("trigger").GetString(), one.GetProperty("status").GetString()));
        Assert.True(one.TryGetProperty("durationMs", out _));
    }

    [Fact]
    public async Task Changes_are_marked_once_per_series_with_their_periods_and_cleared_by_the_run()
    {
        await using var app = new FunctionAppFactory(azurite);
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        var tracker = app.Services.GetRequiredService<ChangeTracker>();

        await IngestAsync(admin, Gdp); // 8 points in 3 series
        await IngestAsync(admin, new { district = "jingan", indicator = "gdp", period = "2022", value = 230 });
        var marked = await tracker.ReadAllAsync(CancellationToken.None);
        await RunAsync(admin);
        var afterRun = await tracker.ReadAllAsync(CancellationToken.None);

        Assert.Equal(["gdp|jingan|total", "gdp|wuhou|total", "gdp|xuhui|total"], marked.Where(m => !m.IsCatalog).Select(m => m.RowKey).Order(StringComparer.Ordinal));
        Assert.Equal(["cluster|ai", "cluster|core"], marked.Where(m => m.IsCatalog).Select(m => m.RowKey).Order(StringComparer.Ordinal));
        // A second ingest into the same series adds its period to the marker instead of replacing it.
        Assert.Equal(["2020", "2021", "2022"], marked.Single(m => m.RowKey == "gdp|jingan|total").Periods!.Order().Select(p => p.ToString()));
        Assert.Empty(marked.Single(m => m.RowKey == "gdp|jingan|total").Years);
        Assert.Empty(afterRun);
    }

    [Fact]
    public async Task Markers_read_by_key_alone_clear_what_was_read_and_keep_a_series_marked_again_since()
    {
        await using var app = new FunctionAppFactory(azurite);
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        var tracker = app.Services.GetRequiredService<ChangeTracker>();
        await IngestAsync(admin, Gdp);

        var whole = await tracker.ReadAllAsync(CancellationToken.None);
        var keys = await tracker.ReadAllAsync(CancellationToken.None, keysOnly: true);
        await IngestAsync(admin, new { district = "jingan", indicator = "gdp", period = "2023", value = 231 });
        await tracker.ClearAsync(keys, CancellationToken.None);
        var left = await tracker.ReadAllAsync(CancellationToken.None);

        Assert.Equal(whole.Select(m => (m.PartitionKey, m.RowKey, m.ETag.ToString())).Order(), keys.Select(m => (m.PartitionKey, m.RowKey, m.ETag.ToString())).Order());
        Assert.All(keys, m => Assert.True(m.Periods is null && m.Years.Count == 0 && !m.All));
        var again = Assert.Single(left);
        Assert.Equal("gdp|jingan|total", again.RowKey);
        Assert.Contains(Period.Parse("2023"), again.Periods!);
    }
}
