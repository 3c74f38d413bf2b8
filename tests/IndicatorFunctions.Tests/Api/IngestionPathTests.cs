using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using IndicatorFunctions.Data;
using IndicatorFunctions.Domain;
using IndicatorFunctions.Tests.Infrastructure;
using static IndicatorFunctions.Tests.Api.PipelineData;

namespace IndicatorFunctions.Tests.Api;

/// <summary>
/// The two ways an ingest stores a series, on Azurite. A body whose first row is new is taken for new data: every
/// series is marked with the body's periods (in a few batched transactions) and added without reading; a series whose
/// add storage refuses (a point was there) is then read and compared. Any other body reads each series (a lone point:
/// that point) and compares. Counts, revisions, stored values and freshness come out the same either way; markers
/// are exact on the second way and a superset (a recomputation, never a miss) on the first.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class IngestionPathTests(AzuriteFixture azurite)
{
    private static readonly object[] Before =
    [
        new { district = "xuhui", indicator = "gdp", period = "2019", value = 100 },
        new { district = "xuhui", indicator = "gdp", period = "2020", value = 110 },
        new { district = "wuhou", indicator = "gdp", period = "2019", value = 50 },
        new { district = "xuhui", indicator = "wage", period = "2020", value = 5000 },
        new { district = "wuhou", indicator = "wage", period = "2020", value = 4000 },
    ];

    private static readonly object[] Mixed =
    [
        // An existing series, several points: one unchanged, one revised, one new.
        new { district = "xuhui", indicator = "gdp", period = "2019", value = 100 },
        new { district = "xuhui", indicator = "gdp", period = "2020", value = 111 },
        new { district = "xuhui", indicator = "gdp", period = "2021", value = 121 },
        // A new series.
        new { district = "jingan", indicator = "gdp", period = "2020", value = 200 },
        new { district = "jingan", indicator = "gdp", period = "2021", value = 220 },
        // A lone existing point, revised; a lone new point of a new sector series.
        new { district = "wuhou", indicator = "gdp", period = "2019", value = 55 },
        new { district = "xuhui", indicator = "gdp", sector = "ai", period = "2021", value = 30 },
        // First point new, the second already there.
        new { district = "xuhui", indicator = "wage", period = "2019", value = 4800 },
        new { district = "xuhui", indicator = "wage", period = "2020", value = 5000 },
        // A lone existing point, unchanged.
        new { district = "wuhou", indicator = "wage", period = "2020", value = 4000 },
    ];

    /// <summary>The markers each way leaves: exact when the body starts with a stored point; the body's periods of every series when it starts with a new one.</summary>
    private static readonly Dictionary<string, string> ExactMarkers = new()
    {
        ["gdp|xuhui|total"] = "2020,2021", // 2019 did not change
        ["gdp|jingan|total"] = "2020,2021",
        ["gdp|wuhou|total"] = "2019",
        ["gdp|xuhui|ai"] = "2021",
        ["wage|xuhui|total"] = "2019",
    };

    private static readonly Dictionary<string, string> BodyMarkers = new()
    {
        ["gdp|xuhui|total"] = "2019,2020,2021",
        ["gdp|jingan|total"] = "2020,2021",
        ["gdp|wuhou|total"] = "2019",
        ["gdp|xuhui|ai"] = "2021",
        ["wage|xuhui|total"] = "2019,2020",
        ["wage|wuhou|total"] = "2020",
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_body_mixing_new_series_new_points_revisions_and_unchanged_points_gives_exact_counts_markers_and_revisions(bool startsWithNewRow)
    {
        await using var app = new FunctionAppFactory(azurite);
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await IngestAsync(admin, Before);
        var (tables, tracker) = (app.Services.GetRequiredService<IndicatorTables>(), app.Services.GetRequiredService<ChangeTracker>());
        await tracker.ClearAsync(await tracker.ReadAllAsync(CancellationToken.None), CancellationToken.None);
        var touchedBefore = (await tracker.ReadStateAsync(CancellationToken.None)).LastChangeAt;
        // The new series' rows first, or the existing series' rows first.
        var body = startsWithNewRow ? [.. Mixed[3..5], .. Mixed[..3], .. Mixed[5..]] : Mixed;

        var result = await IngestAsync(admin, body);

        Assert.Equal((10, 5, 2, 3, 0), Counts(result));
        Assert.Equal(startsWithNewRow ? BodyMarkers : ExactMarkers, await MarkersAsync(tracker));
        Assert.True((await tracker.ReadStateAsync(CancellationToken.None)).LastChangeAt > touchedBefore);
        Assert.Equal([("2020|000000", 110.0)], await HistoryAsync(tables, "gdp|xuhui|total"));
        Assert.Equal([("2019|000000", 50.0)], await HistoryAsync(tables, "gdp|wuhou|total"));
        Assert.Empty(await HistoryAsync(tables, "wage|xuhui|total"));
        Assert.Empty(await HistoryAsync(tables, "wage|wuhou|total"));
        Assert.Equal([("2019", 100.0, 0), ("2020", 111.0, 1), ("2021", 121.0, 0)], await CurrentAsync(tables, "gdp|xuhui|total"));
        Assert.Equal([("2019", 55.0, 1)], await CurrentAsync(tables, "gdp|wuhou|total"));
        Assert.Equal([("2020", 200.0, 0), ("2021", 220.0, 0)], await CurrentAsync(tables, "gdp|jingan|total"));
        Assert.Equal([("2021", 30.0, 0)], await CurrentAsync(tables, "gdp|xuhui|ai"));
        Assert.Equal([("2019", 4800.0, 0), ("2020", 5000.0, 0)], await CurrentAsync(tables, "wage|xuhui|total"));
        Assert.Equal([("2020", 4000.0, 0)], await CurrentAsync(tables, "wage|wuhou|total"));

        // The same body again: every row unchanged, no marker, freshness left alone.
        await tracker.ClearAsync(await tracker.ReadAllAsync(CancellationToken.None), CancellationToken.None);
        var touched = (await tracker.ReadStateAsync(CancellationToken.None)).LastChangeAt;

        var again = await IngestAsync(admin, body);

        Assert.Equal((10, 0, 0, 10, 0), Counts(again));
        Assert.Empty(await MarkersAsync(tracker));
        Assert.Equal(touched, (await tracker.ReadStateAsync(CancellationToken.None)).LastChangeAt);
        Assert.Single(await HistoryAsync(tables, "gdp|xuhui|total"));
    }

    /// <summary>
    /// Writers of one new series on two instances: all find its first row missing, all mark it and try to add it;
    /// storage takes one add, the others are refused and become revisions (or a 503 naming the rows, retried).
    /// Every value ends up stored once — current or in <c>revisions</c> — and the series stays marked.
    /// </summary>
    [Fact]
    public async Task Writers_racing_to_add_one_new_series_each_store_their_values_once()
    {
        const int writers = 8;
        await using var app = new FunctionAppFactory(azurite);
        await using var second = new FunctionAppFactory(azurite, new Dictionary<string, string?> { [StorageAccount.PrefixSetting] = app.Prefix });
        var admins = new[] { app.CreateAdminClient(), second.CreateAdminClient() };
        await SeedCatalogAsync(admins[0]);
        object[] Body(int i) => [.. new[] { "2018", "2019", "2020" }.Select(p => new { district = "jingan", indicator = "gdp", period = p, value = i })];

        var pending = Enumerable.Range(1, writers).ToList();
        var (inserted, revised) = (0, 0);
        for (var round = 0; pending.Count > 0; round++)
        {
            Assert.True(round < 50, $"writers {string.Join(", ", pending)} still refused after 50 rounds");
            var answers = await Task.WhenAll(pending.Select(async i => (i, response: await admins[i % 2].PostAsJsonAsync("/api/observations", new { observations = Body(i) }))));
            pending = [];
            foreach (var (i, response) in answers)
            {
                var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"writer {i} answered {(int)response.StatusCode}: {body}");
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    Assert.Equal(3, body.GetProperty("notStored").GetInt32()); // a series is written whole or not at all
                    pending.Add(i);
                    continue;
                }
                inserted += body.GetProperty("inserted").GetInt32();
                revised += body.GetProperty("revised").GetInt32();
            }
        }

        var tables = app.Services.GetRequiredService<IndicatorTables>();
        Assert.Equal((3, 3 * (writers - 1)), (inserted, revised));
        var current = await IndicatorTables.ReadPartitionAsync<ObservationEntity>(tables.Observations, "gdp|jingan|total", CancellationToken.None);
        var history = await IndicatorTables.ReadPartitionAsync<RevisionEntity>(tables.Revisions, "gdp|jingan|total", CancellationToken.None);
        foreach (var period in new[] { "2018", "2019", "2020" })
        {
            var point = Assert.Single(current, o => o.RowKey == period);
            Assert.Equal(writers - 1, point.Revision);
            Assert.Equal(Enumerable.Range(1, writers).Select(v => (double)v),
                history.Where(h => h.RowKey.StartsWith(period + "|", StringComparison.Ordinal)).Select(h => h.Value).Append(point.Value).Order());
        }
        Assert.Equal("2018,2019,2020", (await MarkersAsync(app.Services.GetRequiredService<ChangeTracker>()))["gdp|jingan|total"]);
    }

    private static (int, int, int, int, int) Counts(JsonElement result) => (result.GetProperty("accepted").GetInt32(), result.GetProperty("inserted").GetInt32(),
        result.GetProperty("revised").GetInt32(), result.GetProperty("unchanged").GetInt32(), result.GetProperty("notStored").GetInt32());

    /// <summary>Series markers: series → its marked periods (all annual here), in order.</summary>
    private static async Task<Dictionary<string, string>> MarkersAsync(ChangeTracker tracker) =>
        (await tracker.ReadAllAsync(CancellationToken.None)).Where(m => !m.IsCatalog)
            .ToDictionary(m => m.RowKey, m => m.All ? "all" : string.Join(",", m.Periods!.Order().Select(p => p.ToString())));

    private static async Task<List<(string, double)>> HistoryAsync(IndicatorTables tables, string series) =>
        [.. (await IndicatorTables.ReadPartitionAsync<RevisionEntity>(tables.Revisions, series, CancellationToken.None)).Select(h => (h.RowKey, h.Value))];

    private static async Task<List<(string, double, int)>> CurrentAsync(IndicatorTables tables, string series) =>
        [.. (await IndicatorTables.ReadPartitionAsync<ObservationEntity>(tables.Observations, series, CancellationToken.None)).Select(o => (o.RowKey, o.Value, o.Revision))];
}
