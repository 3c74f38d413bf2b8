using IndicatorFunctions.Api;
using IndicatorFunctions.Data;
using IndicatorFunctions.Tests.Infrastructure;
using static IndicatorFunctions.Tests.Api.PipelineData;

namespace IndicatorFunctions.Tests.Api;

[Collection(AzuriteCollection.Name)]
public sealed class ReadCacheTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Readers_of_one_record_share_one_read_per_committed_run_and_a_new_run_reads_again()
    {
        await using var app = new FunctionAppFactory(azurite);
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await IngestAsync(admin, Gdp);
        await RunAsync(admin);
        var freshness = app.Services.GetRequiredService<Freshness>();
        var cache = app.Services.GetRequiredService<ReadCache>();
        var series = new IndicatorFunctions.Domain.SeriesKey("gdp", "jingan", "total");

        var view1 = (await freshness.GetSnapshotAsync(CancellationToken.None)).View;
        var together = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ =>
            cache.ReadSeriesAsync(view1, series, CancellationToken.None)));
        await IngestAsync(admin, new { district = "jingan", indicator = "gdp", period = "2021", value = 330 });
        await RunAsync(admin);
        freshness.Invalidate();
        var view2 = (await freshness.GetSnapshotAsync(CancellationToken.None)).View;
        var stillRun1 = await cache.ReadSeriesAsync(view1, series, CancellationToken.None);
        var run2 = await cache.ReadSeriesAsync(view2, series, CancellationToken.None);

        Assert.All(together, r => Assert.Same(together[0], r)); // one storage read, shared
        Assert.Same(together[0], stillRun1);
        Assert.NotEqual(view1.Committed, view2.Committed);
        Assert.Equal(220, together[0].Single(p => p.Observation.Period.ToString() == "2021").Observation.Value);
        Assert.Equal(330, run2.Single(p => p.Observation.Period.ToString() == "2021").Observation.Value);
    }

    [Fact]
    public async Task Freshness_serves_concurrent_readers_while_it_is_invalidated_and_then_shows_the_new_run()
    {
        await using var app = new FunctionAppFactory(azurite);
        var admin = app.CreateAdminClient();
        var first = await RunAsync(admin);
        var freshness = app.Services.GetRequiredService<Freshness>();

        var readers = Enumerable.Range(0, 400).Select(async i =>
        {
            if (i % 10 == 0)
                freshness.Invalidate();
            return await freshness.GetSnapshotAsync(CancellationToken.None);
        }).ToList();
        var snapshots = await Task.WhenAll(readers);
        var second = await RunAsync(admin); // the run endpoint invalidates as it finishes
        var after = await freshness.GetSnapshotAsync(CancellationToken.None);

        Assert.All(snapshots, s => Assert.Equal(first.GetProperty("id").GetString(), s.State.RunId));
        Assert.Equal(second.GetProperty("id").GetString(), after.State.RunId);
    }
}
