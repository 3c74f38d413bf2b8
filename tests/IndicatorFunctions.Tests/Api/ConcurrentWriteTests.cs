using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using IndicatorFunctions.Catalog;
using IndicatorFunctions.Data;
using IndicatorFunctions.Domain;
using IndicatorFunctions.Tests.Infrastructure;
using static IndicatorFunctions.Tests.Api.PipelineData;

namespace IndicatorFunctions.Tests.Api;

/// <summary>
/// Writes that race: parallel ingests into one series store every value once (no 500, no lost revision), and
/// parallel catalog writes cannot give one alias to two districts.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ConcurrentWriteTests(AzuriteFixture azurite)
{
    private const int Writers = 20;
    private static readonly SeriesKey Shared = new("gdp", "xuhui", "total");
    private static readonly SeriesKey Other = new("gdp", "wuhou", "total");

    /// <summary>
    /// One or two instances of the app on one storage account, the writers spread over them: writer i sets the
    /// shared point 2000 to i (a revision), adds point 2000 + i, and adds a point to a second series in the same body.
    /// Every 503 is retried until it is not; then every value ever written is either the current one or in
    /// <c>revisions</c>, each once. Writers in one instance take turns, so only two instances can collide.
    /// </summary>
    [Theory]
    [InlineData(1, null)]
    [InlineData(2, null)]
    [InlineData(2, "1")]
    public async Task Parallel_ingests_into_one_series_are_stored_once_each_or_refused_with_retry_after(int instances, string? attempts)
    {
        var settings = attempts is null ? [] : new Dictionary<string, string?> { [nameof(AppOptions.IngestAttempts)] = attempts };
        await using var app = new FunctionAppFactory(azurite, settings);
        await using var second = new FunctionAppFactory(azurite, new Dictionary<string, string?>(settings) { [StorageAccount.PrefixSetting] = app.Prefix });
        var admins = instances == 1 ? [app.CreateAdminClient()] : new[] { app.CreateAdminClient(), second.CreateAdminClient() };
        await SeedCatalogAsync(admins[0]);
        await IngestAsync(admins[0], new { district = "xuhui", indicator = "gdp", period = "2000", value = 0 });

        var pending = Enumerable.Range(1, Writers).ToList();
        var refused = 0;
        for (var round = 0; pending.Count > 0; round++)
        {
            Assert.True(round < 50, $"writers {string.Join(", ", pending)} still refused after 50 rounds");
            var answers = await Task.WhenAll(pending.Select(async i => (i, response: await admins[i % admins.Length].PostAsJsonAsync("/api/observations", new { observations = Body(i) }))));
            var again = new List<int>();
            foreach (var (i, response) in answers)
            {
                var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, $"503 without Retry-After: {body}");
                    AssertReportsEveryRow(body);
                    refused++;
                    again.Add(i);
                }
                else
                {
                    Assert.True(response.StatusCode == HttpStatusCode.OK, $"writer {i} answered {(int)response.StatusCode}: {body}");
                    Assert.Equal(0, body.GetProperty("notStored").GetInt32());
                }
            }
            pending = again;
        }

        var tables = app.Services.GetRequiredService<IndicatorTables>();
        var current = await IndicatorTables.ReadPartitionAsync<ObservationEntity>(tables.Observations, Shared.PartitionKey, CancellationToken.None);
        var history = await IndicatorTables.ReadPartitionAsync<RevisionEntity>(tables.Revisions, Shared.PartitionKey, CancellationToken.None);
        var shared = current.Single(o => o.RowKey == "2000");
        Assert.Equal(Writers, shared.Revision);
        Assert.Equal(Enumerable.Range(0, Writers).Select(r => $"2000|{r:D6}"), history.Select(h => h.RowKey).Order(StringComparer.Ordinal));
        Assert.Equal(Enumerable.Range(0, Writers + 1).Select(v => (double)v), history.Select(h => h.Value).Append(shared.Value).Order());
        Assert.Equal(Enumerable.Range(1, Writers).Select(i => (2000 + i, (double)i)),
            current.Where(o => o.RowKey != "2000").Select(o => (int.Parse(o.RowKey), o.Value)).Order());
        var other = await IndicatorTables.ReadPartitionAsync<ObservationEntity>(tables.Observations, Other.PartitionKey, CancellationToken.None);
        Assert.Equal(Enumerable.Range(1, Writers).Select(i => $"{2000 + i}"), other.Select(o => o.RowKey).Order(StringComparer.Ordinal));
        if (instances == 1)
            Assert.Equal(0, refused);
        if (attempts == "1")
            Assert.True(refused > 0, "with one attempt per series, some writers of one instance should have collided with the other's");
    }

    [Fact]
    public async Task Sending_a_body_again_changes_nothing_and_adds_no_revision()
    {
        await using var app = new FunctionAppFactory(azurite);
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await IngestAsync(admin, new { district = "xuhui", indicator = "gdp", period = "2000", value = 0 });
        var first = await IngestAsync(admin, Body(1));

        var again = await IngestAsync(admin, Body(1));

        Assert.Equal((1, 2), (first.GetProperty("revised").GetInt32(), first.GetProperty("inserted").GetInt32()));
        Assert.Equal((0, 0, 3, 0), (again.GetProperty("revised").GetInt32(), again.GetProperty("inserted").GetInt32(), again.GetProperty("unchanged").GetInt32(), again.GetProperty("notStored").GetInt32()));
        var tables = app.Services.GetRequiredService<IndicatorTables>();
        Assert.Single(await IndicatorTables.ReadPartitionAsync<RevisionEntity>(tables.Revisions, Shared.PartitionKey, CancellationToken.None));
    }

    private static object[] Body(int i) =>
    [
        new { district = "xuhui", indicator = "gdp", period = "2000", value = i },
        new { district = "xuhui", indicator = "gdp", period = $"{2000 + i}", value = i },
        new { district = "wuhou", indicator = "gdp", period = $"{2000 + i}", value = i },
    ];

    /// <summary>A refused ingest says, row by row, what was stored and what was not.</summary>
    private static void AssertReportsEveryRow(JsonElement problem)
    {
        var stored = problem.GetProperty("inserted").GetInt32() + problem.GetProperty("revised").GetInt32() + problem.GetProperty("unchanged").GetInt32();
        var notStored = problem.GetProperty("notStoredRows").EnumerateArray().ToList();
        Assert.True(notStored.Count > 0, $"a 503 names the rows it did not store: {problem}");
        Assert.Equal(notStored.Count, problem.GetProperty("notStored").GetInt32());
        Assert.Equal(problem.GetProperty("accepted").GetInt32(), stored + notStored.Count);
        Assert.All(notStored, r => Assert.False(string.IsNullOrEmpty(r.GetProperty("reason").GetString())));
        // A series is written whole or not at all: the shared series' two rows go together.
        var rows = notStored.Select(r => r.GetProperty("row").GetInt32()).ToHashSet();
        Assert.Equal(rows.Contains(1), rows.Contains(2));
    }

    [Fact]
    public async Task Parallel_puts_of_districts_with_one_alias_create_exactly_one_of_them()
    {
        await using var app = new FunctionAppFactory(azurite);
        var admin = app.CreateAdminClient();

        for (var round = 1; round <= 5; round++)
        {
            var alias = $"Race alias {round}";
            var answers = await Task.WhenAll(Enumerable.Range(1, 4).Select(async n =>
                (id: $"race-{round}-{n}", response: await admin.PutAsJsonAsync($"/api/districts/race-{round}-{n}", new { name = $"Race {round} {n}", aliases = new[] { alias } }))));

            var created = Assert.Single(answers, a => a.response.StatusCode == HttpStatusCode.Created);
            foreach (var (_, response) in answers.Where(a => a != created))
            {
                var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
                Assert.True(response.StatusCode == HttpStatusCode.Conflict, $"round {round}: {(int)response.StatusCode} {problem}");
                Assert.Equal("aliases[0]", problem.GetProperty("errors")[0].GetProperty("field").GetString());
                Assert.Equal(created.id, problem.GetProperty("district").GetString());
            }
            var districts = (await GetJsonAsync(app.CreateClient(), "/api/districts")).GetProperty("districts").EnumerateArray().ToList();
            Assert.Equal(created.id, Assert.Single(districts, d => d.GetProperty("aliases").EnumerateArray().Any(a => a.GetString() == alias)).GetProperty("id").GetString());
            Assert.Equal(round, districts.Count);
        }
    }

    [Fact]
    public async Task Parallel_puts_of_districts_with_one_name_create_exactly_one_of_them()
    {
        await using var app = new FunctionAppFactory(azurite);
        var admin = app.CreateAdminClient();

        var answers = await Task.WhenAll(Enumerable.Range(1, 4).Select(n => admin.PutAsJsonAsync($"/api/districts/same-{n}", new { name = "Same Name" })));

        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.Created);
        foreach (var response in answers.Where(a => a.StatusCode != HttpStatusCode.Created))
        {
            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            Assert.Equal("name", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors")[0].GetProperty("field").GetString());
        }
    }

    [Fact]
    public async Task An_alias_a_district_gives_up_is_free_for_another_and_its_new_alias_is_taken()
    {
        await using var app = new FunctionAppFactory(azurite);
        var admin = app.CreateAdminClient();
        Assert.Equal(HttpStatusCode.Created, (await admin.PutAsJsonAsync("/api/districts/first", new { name = "First", aliases = new[] { "Old" } })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/api/districts/first", new { name = "First", aliases = new[] { "New", "new " } })).StatusCode);

        var freed = await admin.PutAsJsonAsync("/api/districts/second", new { name = "Second", aliases = new[] { "old" } });
        var taken = await admin.PutAsJsonAsync("/api/districts/third", new { name = "NEW" });

        Assert.Equal(HttpStatusCode.Created, freed.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        Assert.Equal("first", (await taken.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("district").GetString());
    }

    /// <summary>Districts stored before the name index existed have no index rows; they keep their names all the same.</summary>
    [Fact]
    public async Task A_district_stored_without_index_rows_keeps_its_names_and_gets_them_indexed_on_its_next_put()
    {
        await using var app = new FunctionAppFactory(azurite);
        var admin = app.CreateAdminClient();
        var tables = app.Services.GetRequiredService<IndicatorTables>();
        await tables.EnsureCreatedAsync(CancellationToken.None);
        await tables.Catalog.AddEntityAsync(new CatalogEntity
        {
            PartitionKey = "district", RowKey = "legacy",
            Json = JsonSerializer.Serialize(new District("legacy", "Legacy", null, ["Old Town"]), IndicatorFunctions.Json.Options),
        });

        var clash = await admin.PutAsJsonAsync("/api/districts/newcomer", new { name = "Newcomer", aliases = new[] { "old town" } });
        var resaved = await admin.PutAsJsonAsync("/api/districts/legacy", new { name = "Legacy", aliases = new[] { "Old Town" } });
        var racers = await Task.WhenAll(Enumerable.Range(1, 4).Select(n => admin.PutAsJsonAsync($"/api/districts/racer-{n}", new { name = $"Racer {n}", aliases = new[] { "Old Town" } })));

        Assert.Equal(HttpStatusCode.Conflict, clash.StatusCode);
        Assert.Equal("legacy", (await clash.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("district").GetString());
        Assert.Equal(HttpStatusCode.OK, resaved.StatusCode);
        Assert.All(racers, r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        var rows = await IndicatorTables.ReadPartitionAsync(tables.Catalog, "district", CancellationToken.None);
        Assert.Contains(rows, r => r.GetString("District") == "legacy" && r.RowKey != "legacy");
        Assert.Equal(["legacy"], (await GetJsonAsync(app.CreateClient(), "/api/districts")).GetProperty("districts").EnumerateArray().Select(d => d.GetProperty("id").GetString()));
    }
}
