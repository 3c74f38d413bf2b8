using System.Text.Json;
using Azure.Data.Tables;
using IndicatorFunctions.Aggregation;
using IndicatorFunctions.Api;
using IndicatorFunctions.Catalog;
using IndicatorFunctions.Data;
using IndicatorFunctions.Domain;
using IndicatorFunctions.Runs;
using IndicatorFunctions.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using static IndicatorFunctions.Tests.Api.PipelineData;

namespace IndicatorFunctions.Tests.Api;

/// <summary>
/// Reads return exactly the figures of the finished run they name: a run writes its own generation, invisible until
/// its fenced commit; a failed or fenced-out run is never served. Runs are driven step by step here (begin, write,
/// then commit or not), so what a reader sees in between is checked without timing.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class GenerationTests(AzuriteFixture azurite)
{
    private static readonly string[] Reads =
    [
        "/api/districts/jingan/indicators/gdp/series",
        "/api/indicators/gdp/periods/2021",
        "/api/clusters/core/indicators/gdp/rollups",
    ];

    /// <summary>An incremental run's work, up to (not including) its commit.</summary>
    private static async Task<(RunGeneration Generation, List<ChangeMarker> Markers)> WriteIncrementalAsync(FunctionAppFactory app, string runId,
        int partitionReadThreshold = TableAggregateStore.PartitionReadThreshold)
    {
        var services = app.Services;
        var (tables, generations, changes) = (services.GetRequiredService<IndicatorTables>(), services.GetRequiredService<Generations>(), services.GetRequiredService<ChangeTracker>());
        var catalog = await services.GetRequiredService<CatalogStore>().GetAsync(CancellationToken.None, fresh: true);
        var state = await changes.ReadStateAsync(CancellationToken.None);
        var markers = await changes.ReadAllAsync(CancellationToken.None);
        var generation = await generations.BeginAsync(runId, full: false, CancellationToken.None);
        var store = new TableAggregateStore(tables, generations, runId, await generations.ReadViewAsync(state, CancellationToken.None), partitionReadThreshold);
        await new Aggregator(store, store).IncrementalAsync(catalog, markers.Where(m => !m.IsCatalog).Select(m => m.ToChange()).ToList(), [], CancellationToken.None);
        return (generation, markers);
    }

    private static async Task<JsonElement[]> ReadAllAsync(FunctionAppFactory app)
    {
        app.Services.GetRequiredService<Freshness>().Invalidate();
        var client = app.CreateClient();
        return await Task.WhenAll(Reads.Select(url => GetJsonAsync(client, url)));
    }

    private static double JinganGdp2021(JsonElement[] reads) => Number(Point(reads[0], "2021"), "value")!.Value;

    private static async Task<FunctionAppFactory> AppWithOneRunAsync(AzuriteFixture azurite)
    {
        var app = new FunctionAppFactory(azurite);
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await IngestAsync(admin, Gdp);
        await RunAsync(admin);
        await IngestAsync(admin, new { district = "jingan", indicator = "gdp", period = "2021", value = 330 }); // a revision
        return app;
    }

    [Fact]
    public async Task A_run_is_invisible_until_it_commits_and_every_read_names_the_run_whose_figures_it_holds()
    {
        await using var app = await AppWithOneRunAsync(azurite);
        var before = await ReadAllAsync(app);
        var firstRun = before[0].GetProperty("runId").GetString();
        var runId = RunLedger.NewId(DateTimeOffset.UtcNow);

        var (generation, _) = await WriteIncrementalAsync(app, runId);
        var during = await ReadAllAsync(app);
        await app.Services.GetRequiredService<Generations>().CommitAsync(generation, DateTimeOffset.UtcNow, CancellationToken.None);
        var after = await ReadAllAsync(app);

        Assert.Equal(220, JinganGdp2021(before));
        Assert.All(during, r => Assert.Equal(firstRun, r.GetProperty("runId").GetString()));
        Assert.Equal(before.Select(r => r.GetRawText()), during.Select(r => r.GetRawText())); // byte for byte the first run's answer
        Assert.All(after, r => Assert.Equal(runId, r.GetProperty("runId").GetString()));
        Assert.Equal(330, JinganGdp2021(after));
        Assert.Equal(65.0, Number(Point(after[0], "2021").GetProperty("yoy"), "pct")); // 330 / 200 − 1
        Assert.Equal(330, Number(after[1].GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("district").GetString() == "jingan"), "value"));
        Assert.Equal(121 + 60 + 330, Number(Point(after[2], "2021"), "value"));
        // Untouched partitions are still read from the base: wuhou's series is the first run's.
        var wuhou = await GetJsonAsync(app.CreateClient(), "/api/districts/wuhou/indicators/gdp/series");
        Assert.Equal(60, Number(Point(wuhou, "2021"), "value"));
    }

    [Fact]
    public async Task A_failed_run_is_never_served_and_the_next_run_drops_it_and_redoes_its_work()
    {
        await using var app = await AppWithOneRunAsync(azurite);
        var generations = app.Services.GetRequiredService<Generations>();
        var tables = app.Services.GetRequiredService<IndicatorTables>();
        var failedId = RunLedger.NewId(DateTimeOffset.UtcNow);

        var (failed, _) = await WriteIncrementalAsync(app, failedId);
        await generations.AbandonAsync(failed);
        var afterFailure = await ReadAllAsync(app);
        var next = await RunAsync(app.CreateAdminClient());
        var afterNext = await ReadAllAsync(app);

        Assert.Equal(220, JinganGdp2021(afterFailure));
        Assert.NotEqual(failedId, afterFailure[0].GetProperty("runId").GetString());
        Assert.Equal(330, JinganGdp2021(afterNext)); // the markers the failed run read were kept for the next
        Assert.Equal(next.GetProperty("id").GetString(), afterNext[0].GetProperty("runId").GetString());
        Assert.Null(await IndicatorTables.GetOrNullAsync(tables.State, ChangeTracker.StatePartition, "gen|" + failedId, CancellationToken.None)); // cleaned up
    }

    [Fact]
    public async Task A_run_that_lost_the_fence_cannot_commit()
    {
        await using var app = await AppWithOneRunAsync(azurite);
        var generations = app.Services.GetRequiredService<Generations>();
        var before = await ReadAllAsync(app);

        var (stale, _) = await WriteIncrementalAsync(app, RunLedger.NewId(DateTimeOffset.UtcNow));
        var taker = await generations.BeginAsync(RunLedger.NewId(DateTimeOffset.UtcNow), full: false, CancellationToken.None); // another run took the lock
        var refused = await Assert.ThrowsAsync<RunLockLostException>(() => generations.CommitAsync(stale, DateTimeOffset.UtcNow, CancellationToken.None));
        var after = await ReadAllAsync(app);
        await generations.CommitAsync(taker, DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Contains("lost the run lock", refused.Message);
        Assert.Equal(before.Select(r => r.GetRawText()), after.Select(r => r.GetRawText()));
    }

    [Fact]
    public async Task Incremental_runs_leave_exactly_what_a_full_run_computes()
    {
        await using var app = await AppWithOneRunAsync(azurite);
        var admin = app.CreateAdminClient();
        await IngestAsync(admin,
            new { district = "xuhui", indicator = "gdp", period = "2020", value = 95 },
            new { district = "wuhou", indicator = "gdp", period = "2022", value = 61 },
            new { district = "xuhui", indicator = "gdp", period = "2022", value = 130, sector = "ai" });
        var incremental = await RunAsync(admin);
        await IngestAsync(admin, new { district = "wuhou", indicator = "gdp", period = "2019", value = 52 }); // a second increment on top
        await RunAsync(admin);
        var fromIncrements = await ReadEverythingAsync(app);
        await RunAsync(admin, full: true);
        var fromFull = await ReadEverythingAsync(app);

        Assert.False(incremental.GetProperty("full").GetBoolean());
        Assert.Equal(fromFull, fromIncrements);
    }

    [Theory]
    [InlineData(0)] // every wanted record through one query of its indicator's partition per generation
    [InlineData(int.MaxValue)] // every wanted record by point reads
    public async Task Increments_read_by_partition_query_or_by_point_reads_leave_exactly_what_a_full_run_computes(int partitionReadThreshold)
    {
        await using var app = await AppWithOneRunAsync(azurite);
        var admin = app.CreateAdminClient();
        var (generations, changes) = (app.Services.GetRequiredService<Generations>(), app.Services.GetRequiredService<ChangeTracker>());
        async Task IncrementAsync()
        {
            var (generation, markers) = await WriteIncrementalAsync(app, RunLedger.NewId(DateTimeOffset.UtcNow), partitionReadThreshold);
            await generations.CommitAsync(generation, DateTimeOffset.UtcNow, CancellationToken.None);
            await changes.ClearAsync(markers, CancellationToken.None);
        }

        await IncrementAsync();
        await IngestAsync(admin,
            new { district = "xuhui", indicator = "gdp", period = "2020", value = 95 },
            new { district = "wuhou", indicator = "gdp", period = "2022", value = 61 },
            new { district = "xuhui", indicator = "gdp", period = "2022", value = 130, sector = "ai" });
        await IncrementAsync();
        await IngestAsync(admin,
            new { district = "wuhou", indicator = "gdp", period = "2019", value = 52 },
            new { district = "jingan", indicator = "gdp", period = "2021", value = 340 }); // the first increment's point, again
        await IncrementAsync(); // reads through two increments and the base
        var fromIncrements = await ReadEverythingAsync(app);
        await RunAsync(admin, full: true);
        var fromFull = await ReadEverythingAsync(app);

        Assert.Equal(fromFull, fromIncrements);
        Assert.Contains("340", string.Join("", fromIncrements));
    }

    /// <summary>The three indicators in catalog order, each with values of its own: 10k + i in 2020 and 20k + 3i in 2021 for district i.</summary>
    private static readonly string[] Indicators = ["gdp", "rate", "wage"];

    private static int K(string indicator) => Array.IndexOf(Indicators, indicator) + 1;

    private static object[] ThreeIndicators() =>
    [
        .. Indicators.SelectMany(indicator => new[] { "xuhui", "wuhou", "jingan" }.SelectMany((district, i) => new object[]
        {
            new { district, indicator, period = "2020", value = 10 * K(indicator) + i },
            new { district, indicator, period = "2021", value = 20 * K(indicator) + 3 * i },
        })),
    ];

    [Theory]
    [InlineData(0, "gdp", "wage")] // not adjacent: read apart, each by a query of its own partition
    [InlineData(0, "gdp", "rate", "wage")] // adjacent: one query over the three partitions per generation
    [InlineData(0, "rate", "wage")]
    [InlineData(int.MaxValue, "gdp", "rate", "wage")] // every record by a point read
    public async Task Increments_of_several_indicators_read_together_leave_exactly_what_a_full_run_computes(int partitionReadThreshold, params string[] changed)
    {
        await using var app = new FunctionAppFactory(azurite);
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await IngestAsync(admin, ThreeIndicators());
        await RunAsync(admin);
        var (generations, changes) = (app.Services.GetRequiredService<Generations>(), app.Services.GetRequiredService<ChangeTracker>());
        var revisions = changed.Select(indicator => new { district = "wuhou", indicator, period = "2020", value = 990 + K(indicator) })
            .Concat(changed.Select(indicator => new { district = "jingan", indicator, period = "2021", value = 770 + K(indicator) }));

        await IngestAsync(admin, [.. revisions]);
        var (generation, markers) = await WriteIncrementalAsync(app, RunLedger.NewId(DateTimeOffset.UtcNow), partitionReadThreshold);
        await generations.CommitAsync(generation, DateTimeOffset.UtcNow, CancellationToken.None);
        await changes.ClearAsync(markers, CancellationToken.None);
        var fromIncrement = await ReadEverythingAsync(app, "gdp", "rate", "wage");
        await RunAsync(admin, full: true);
        var fromFull = await ReadEverythingAsync(app, "gdp", "rate", "wage");

        Assert.Equal(fromFull, fromIncrement);
        Assert.All(changed, indicator => Assert.Contains($"{770 + K(indicator)}", string.Join("", fromIncrement.Where(b => b.Contains($"/indicators/{indicator}/")))));
    }

    [Theory]
    [InlineData(0)] // both indicators by one query over gdp..wage
    [InlineData(2)] // wage's three records by query, gdp's one by a point read, at the same time
    public async Task Records_of_indicators_read_by_one_query_each_come_from_their_own_partition_and_not_from_those_between(int partitionReadThreshold)
    {
        await using var app = new FunctionAppFactory(azurite);
        var store = await StoreOverThreeIndicatorsAsync(app, partitionReadThreshold);
        SeriesKey[] wanted = [new("gdp", "xuhui", "total"), new("wage", "xuhui", "total"), new("wage", "wuhou", "total")];

        // gdp and wage in one request: the query spans rate's partition, whose rows have the same names.
        var read = await store.ReadCommittedAsync(new RecordRequest(wanted, [new CrossSectionKey("wage", "total", Period.Parse("2021"))], []), CancellationToken.None);

        Assert.Equal(wanted.ToHashSet(), read.Series.Keys.ToHashSet());
        Assert.Equal([10, 20], read.Series[wanted[0]].Select(p => p.Observation.Value)); // gdp's xuhui
        Assert.Equal([30, 60], read.Series[wanted[1]].Select(p => p.Observation.Value)); // wage's, not rate's (20, 40)
        Assert.Equal([31, 63], read.Series[wanted[2]].Select(p => p.Observation.Value));
        Assert.Equal([60, 63, 66], read.Sections.Single().Value.Select(r => r.Point.Observation.Value).Order());
        Assert.Empty(read.Rollups);
    }

    [Fact]
    public async Task An_indicator_between_two_read_by_query_comes_with_their_query_with_its_own_records()
    {
        await using var app = new FunctionAppFactory(azurite);
        var store = await StoreOverThreeIndicatorsAsync(app, partitionReadThreshold: 2);
        string[] districts = ["xuhui", "wuhou", "jingan"];
        // gdp and wage: three records each, past the threshold, so one query spans gdp..wage; rate: one, between them.
        SeriesKey[] wanted = [.. districts.Select(d => new SeriesKey("gdp", d, "total")), new("rate", "xuhui", "total"), .. districts.Select(d => new SeriesKey("wage", d, "total"))];

        var read = await store.ReadCommittedAsync(new RecordRequest(wanted, [], []), CancellationToken.None);

        Assert.Equal(wanted.ToHashSet(), read.Series.Keys.ToHashSet());
        Assert.Equal([20, 40], read.Series[new SeriesKey("rate", "xuhui", "total")].Select(p => p.Observation.Value));
        Assert.Equal([12, 26], read.Series[new SeriesKey("gdp", "jingan", "total")].Select(p => p.Observation.Value));
        Assert.Equal([31, 63], read.Series[new SeriesKey("wage", "wuhou", "total")].Select(p => p.Observation.Value));
    }

    [Theory]
    [InlineData(0)] // the series records by one query per generation, patches from the increments' indexes
    [InlineData(int.MaxValue)] // by point reads, as the read endpoints read them
    public async Task A_series_reads_as_its_newest_whole_record_with_the_patches_of_later_increments_applied_oldest_first(int partitionReadThreshold)
    {
        await using var app = new FunctionAppFactory(azurite);
        _ = await StoreOverThreeIndicatorsAsync(app, partitionReadThreshold); // rate's wuhou: 2020 = 21, 2021 = 43
        var services = app.Services;
        var (tables, generations, changes) = (services.GetRequiredService<IndicatorTables>(), services.GetRequiredService<Generations>(), services.GetRequiredService<ChangeTracker>());
        var wuhou = new SeriesKey("rate", "wuhou", "total");
        var xuhui = new SeriesKey("rate", "xuhui", "total");
        var at = DateTimeOffset.UtcNow;
        async Task CommitAsync(int step, Func<TableAggregateStore, Task> write)
        {
            var runId = RunLedger.NewId(at.AddSeconds(step)); // ids sort newest first
            var generation = await generations.BeginAsync(runId, full: false, CancellationToken.None);
            var increment = new TableAggregateStore(tables, generations, runId, await generations.ReadViewAsync(await changes.ReadStateAsync(CancellationToken.None), CancellationToken.None));
            await write(increment);
            await increment.FlushAsync(CancellationToken.None);
            await generations.CommitAsync(generation, DateTimeOffset.UtcNow, CancellationToken.None);
        }

        await CommitAsync(1, s => s.WriteSeriesPatchAsync(wuhou, new Dictionary<Period, SeriesPoint?> { [Period.Parse("2021")] = PointAt("2021", 500) }, CancellationToken.None));
        await CommitAsync(2, s => s.WriteSeriesPatchAsync(wuhou, new Dictionary<Period, SeriesPoint?> { [Period.Parse("2020")] = null, [Period.Parse("2019")] = PointAt("2019", 19), [Period.Parse("2021")] = PointAt("2021", 501) }, CancellationToken.None));
        await CommitAsync(3, s => s.WriteSeriesAsync(xuhui, [PointAt("2020", 7)], CancellationToken.None)); // whole, over the base's
        await CommitAsync(4, s => s.WriteSeriesPatchAsync(xuhui, new Dictionary<Period, SeriesPoint?> { [Period.Parse("2022")] = PointAt("2022", 8) }, CancellationToken.None));
        var view = await generations.ReadViewAsync(await changes.ReadStateAsync(CancellationToken.None), CancellationToken.None);
        var reader = new TableAggregateStore(tables, generations, RunLedger.NewId(at.AddSeconds(5)), view, partitionReadThreshold);
        var read = await reader.ReadCommittedAsync(new RecordRequest([wuhou, xuhui, new SeriesKey("rate", "jingan", "total")], [], []), CancellationToken.None);

        Assert.Equal(4, view.Increments.Count);
        Assert.Equal([("2019", 19), ("2021", 501)], read.Series[wuhou].Select(p => (p.Observation.Period.ToString(), p.Observation.Value)));
        Assert.Equal([("2020", 7), ("2022", 8)], read.Series[xuhui].Select(p => (p.Observation.Period.ToString(), p.Observation.Value)));
        Assert.Equal([22, 46], read.Series[new SeriesKey("rate", "jingan", "total")].Select(p => p.Observation.Value)); // the base's, untouched
    }

    private static SeriesPoint PointAt(string period, double value) =>
        new(new Observation(Period.Parse(period), value, ObservationStatus.Final, null), new Growth(null, null, null, Growth.NoPrior, ObservationStatus.Final));

    /// <summary>A store reading the committed view of one run over <see cref="ThreeIndicators"/>.</summary>
    private static async Task<TableAggregateStore> StoreOverThreeIndicatorsAsync(FunctionAppFactory app, int partitionReadThreshold)
    {
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await IngestAsync(admin, ThreeIndicators());
        await RunAsync(admin);
        var services = app.Services;
        var (tables, generations, changes) = (services.GetRequiredService<IndicatorTables>(), services.GetRequiredService<Generations>(), services.GetRequiredService<ChangeTracker>());
        var view = await generations.ReadViewAsync(await changes.ReadStateAsync(CancellationToken.None), CancellationToken.None);
        return new TableAggregateStore(tables, generations, RunLedger.NewId(DateTimeOffset.UtcNow), view, partitionReadThreshold);
    }

    [Fact]
    public async Task An_increments_index_names_every_record_and_patch_it_wrote_in_an_indicator_however_often_the_indicator_was_sent()
    {
        await using var app = await AppWithOneRunAsync(azurite);
        var services = app.Services;
        var (tables, generations, changes) = (services.GetRequiredService<IndicatorTables>(), services.GetRequiredService<Generations>(), services.GetRequiredService<ChangeTracker>());
        var runId = RunLedger.NewId(DateTimeOffset.UtcNow);
        var view = await generations.ReadViewAsync(await changes.ReadStateAsync(CancellationToken.None), CancellationToken.None);
        await generations.BeginAsync(runId, full: false, CancellationToken.None);
        var store = new TableAggregateStore(tables, generations, runId, view);
        SeriesPoint[] points = [new(new Observation(Period.Parse("2021"), 5, ObservationStatus.Final, null), new Growth(null, null, null, Growth.NoPrior, ObservationStatus.Final))];

        var jingan = new SeriesKey("gdp", "jingan", "total");

        await store.WriteSeriesAsync(new SeriesKey("gdp", "xuhui", "total"), points, CancellationToken.None);
        await store.WriteSeriesPatchAsync(jingan, new Dictionary<Period, SeriesPoint?> { [Period.Parse("2021")] = PointAt("2021", 1), [Period.Parse("2022")] = null }, CancellationToken.None);
        await store.IndicatorCompleteAsync(CancellationToken.None); // its index goes with it, and the store lets it go
        await store.WriteSeriesAsync(new SeriesKey("gdp", "wuhou", "total"), points, CancellationToken.None);
        await store.WriteSeriesPatchAsync(jingan, new Dictionary<Period, SeriesPoint?> { [Period.Parse("2021")] = PointAt("2021", 2), [Period.Parse("2020")] = PointAt("2020", 3) }, CancellationToken.None);
        await store.WriteSeriesPatchAsync(new SeriesKey("gdp", "wuhou", "ai"), new Dictionary<Period, SeriesPoint?> { [Period.Parse("2020")] = null }, CancellationToken.None);
        await store.FlushAsync(CancellationToken.None);
        var row = await IndicatorTables.GetOrNullAsync(tables.Aggregates(runId), "gdp", AggregateRecords.RowKey(RecordKey.IndexOf("gdp"), 0), CancellationToken.None);

        Assert.NotNull(row);
        var index = AggregateRecords.IndexFrom(AggregateRecords.Join([row]));
        Assert.Equal(["s|wuhou|total", "s|xuhui|total"], index.Names.Order(StringComparer.Ordinal));
        Assert.Equal(["jingan|total", "wuhou|ai"], index.Patches.Keys.Order(StringComparer.Ordinal));
        var patched = index.Patches["jingan|total"].OrderBy(p => p.Key).Select(p => (p.Key.ToString(), p.Value?.Observation.Value)); // the later patch wins where both name a period
        Assert.Equal([("2020", 3.0), ("2021", 2.0), ("2022", (double?)null)], patched);
        Assert.Equal(2 + 2, store.GrowthWritten); // two series records, and the index once per send: its rows count as written
    }

    [Fact]
    public async Task Generations_older_than_the_base_are_dropped_once_the_grace_period_has_passed()
    {
        await using var app = await AppWithOneRunAsync(azurite);
        var admin = app.CreateAdminClient();
        var incremental = await RunAsync(admin);
        var full = await RunAsync(admin, full: true);
        var tables = app.Services.GetRequiredService<IndicatorTables>();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var generations = new Generations(tables, clock, NullLogger<Generations>.Instance);
        var oldIds = new[] { incremental.GetProperty("id").GetString()! };

        var tooSoon = await generations.CleanUpAsync(full.GetProperty("id").GetString()!, CancellationToken.None);
        clock.Advance(Generations.Grace);
        var later = await generations.CleanUpAsync(full.GetProperty("id").GetString()!, CancellationToken.None);
        var reads = await ReadAllAsync(app);

        Assert.Equal(0, tooSoon);
        Assert.Equal(2, later); // the first (full) run and the incremental one
        Assert.Equal([tables.Aggregates(full.GetProperty("id").GetString()!).Name], await AggregateTablesAsync(app)); // the first full run's is gone
        Assert.Null(await IndicatorTables.GetOrNullAsync(tables.State, ChangeTracker.StatePartition, "gen|" + oldIds[0], CancellationToken.None));
        Assert.Equal(330, JinganGdp2021(reads));
    }

    private static async Task<List<string>> AggregateTablesAsync(FunctionAppFactory app)
    {
        var storage = app.Services.GetRequiredService<StorageAccount>();
        var names = new List<string>();
        await foreach (var table in storage.Tables.QueryAsync(TableClient.CreateQueryFilter($"TableName ge {storage.Prefix + "agg"} and TableName lt {storage.Prefix + "agh"}")))
            names.Add(table.Name);
        return names;
    }

    /// <summary>Every series, cross-section and rollup of the pipeline data, without the run id and times.</summary>
    private static async Task<List<string>> ReadEverythingAsync(FunctionAppFactory app, params string[] indicators)
    {
        app.Services.GetRequiredService<Freshness>().Invalidate();
        var client = app.CreateClient();
        var urls = (indicators is [] ? ["gdp"] : indicators).SelectMany(i =>
            new[] { "xuhui", "wuhou", "jingan" }.SelectMany(d => new[] { $"/api/districts/{d}/indicators/{i}/series", $"/api/districts/{d}/indicators/{i}/series?sector=ai" })
            .Concat(new[] { "2019", "2020", "2021", "2022" }.SelectMany(p => new[] { $"/api/indicators/{i}/periods/{p}", $"/api/indicators/{i}/periods/{p}?sector=ai" }))
            .Concat(i == "rate" ? [] : new[] { "core", "ai" }.Select(c => $"/api/clusters/{c}/indicators/{i}/rollups")));
        var bodies = new List<string>();
        foreach (var url in urls)
        {
            var body = await GetJsonAsync(client, url);
            bodies.Add(url + " " + string.Join(",", body.EnumerateObject().Where(p => p.Name is not ("runId" or "aggregatedAt" or "pendingChanges")).Select(p => p.ToString())));
        }
        return bodies;
    }
}
