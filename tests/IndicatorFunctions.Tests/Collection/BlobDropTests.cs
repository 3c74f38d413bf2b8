using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IndicatorFunctions.Collection;
using IndicatorFunctions.Data;
using IndicatorFunctions.Ingestion;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using IndicatorFunctions.Tests.Infrastructure;
using static IndicatorFunctions.Tests.Collection.CollectionData;

namespace IndicatorFunctions.Tests.Collection;

/// <summary>blob-drop sources: files analysts drop into a container are collected once, by content, and marked.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class BlobDropTests(AzuriteFixture azurite)
{
    private static object DropSource(string container) => new
    {
        kind = "blob-drop",
        container,
        prefix = "incoming/",
        mapping = new { period = "month", value = "retail_wan" },
        defaults = new { indicator = "retail", scale = "1e4" },
    };

    private static string WithDistrict(string csv, string district) =>
        string.Join('\n', csv.TrimEnd('\n').Split('\n').Select((line, i) => i == 0 ? line + ",district" : line + "," + district)) + "\n";

    [Fact]
    public async Task A_dropped_file_is_collected_once_across_two_runs_and_a_copy_under_another_name_is_a_duplicate()
    {
        var drop = await azurite.NewContainerAsync("drop");
        var csv = WithDistrict(RetailCsv(), "pudong");
        await drop.GetBlobClient("incoming/2021-retail.csv").UploadAsync(BinaryData.FromString(csv),
            new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "text/csv" }, Metadata = new Dictionary<string, string> { ["analyst"] = "li" } });
        await drop.GetBlobClient("elsewhere/ignored.csv").UploadAsync(BinaryData.FromString(csv));
        await using var app = new FunctionAppFactory(azurite, Settings());
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await PutSourceAsync(admin, "analyst-drop", DropSource(drop.Name));

        var first = await CollectAsync(admin);
        await drop.GetBlobClient("incoming/copy-of-2021-retail.csv").UploadAsync(BinaryData.FromString(csv));
        var second = await CollectAsync(admin);
        var third = await CollectAsync(admin);

        var collected = Outcome(first, "analyst-drop");
        Assert.Equal("fetched", collected.GetProperty("status").GetString());
        Assert.Equal(24, collected.GetProperty("rowsAccepted").GetInt32());
        var file = Assert.Single(collected.GetProperty("files").EnumerateArray());
        Assert.Equal("incoming/2021-retail.csv", file.GetProperty("name").GetString());
        Assert.Equal("collected", file.GetProperty("status").GetString());
        var hash = ObservationStore.BatchIdOf(Encoding.UTF8.GetBytes(csv));
        Assert.Equal(csv, (await app.Services.GetRequiredService<IndicatorTables>().Raw.GetBlobClient($"sources/analyst-drop/{hash}.csv").DownloadContentAsync()).Value.Content.ToString());

        // The original is marked (the analyst's own metadata kept); the copy is recognised by its content.
        var original = (await drop.GetBlobClient("incoming/2021-retail.csv").DownloadContentAsync()).Value.Details.Metadata;
        Assert.Equal(first.GetProperty("id").GetString(), original[Collector.CollectedRunMetadata]);
        Assert.Equal("collected", original[Collector.CollectedOutcomeMetadata]);
        Assert.Equal("li", original["analyst"]);
        var duplicate = Outcome(second, "analyst-drop");
        Assert.Equal("unchanged", duplicate.GetProperty("status").GetString());
        Assert.Equal("same content as incoming/2021-retail.csv", Assert.Single(duplicate.GetProperty("files").EnumerateArray()).GetProperty("reason").GetString());
        Assert.Equal(0, duplicate.GetProperty("rowsAccepted").GetInt32());
        Assert.Equal("duplicate", (await drop.GetBlobClient("incoming/copy-of-2021-retail.csv").DownloadContentAsync()).Value.Details.Metadata[Collector.CollectedOutcomeMetadata]);
        Assert.Equal("no new files", Outcome(third, "analyst-drop").GetProperty("reason").GetString());
        Assert.Equal(10, (await PointAsync(admin, "pudong", "2021-02"))!.Value.GetProperty("yoy").GetProperty("pct").GetDouble(), 6);
    }

    [Fact]
    public async Task A_file_replaced_with_new_content_is_collected_again_as_revisions()
    {
        var drop = await azurite.NewContainerAsync("drop");
        var blob = drop.GetBlobClient("incoming/pudong.csv");
        await blob.UploadAsync(BinaryData.FromString(WithDistrict(RetailCsv(), "pudong")));
        await using var app = new FunctionAppFactory(azurite, Settings());
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await PutSourceAsync(admin, "analyst-drop", DropSource(drop.Name));
        await CollectAsync(admin);

        await blob.UploadAsync(BinaryData.FromString(WithDistrict(RetailCsv(in2021: 121), "pudong")), overwrite: true);
        var second = await CollectAsync(admin);

        var outcome = Outcome(second, "analyst-drop");
        Assert.Equal("fetched", outcome.GetProperty("status").GetString());
        Assert.Equal(12, outcome.GetProperty("revised").GetInt32());
        Assert.Equal(21, (await PointAsync(admin, "pudong", "2021-02"))!.Value.GetProperty("yoy").GetProperty("pct").GetDouble(), 6);
    }

    [Fact]
    public async Task A_bad_file_fails_the_source_is_marked_so_it_is_not_retried_nightly_and_good_files_still_count()
    {
        var drop = await azurite.NewContainerAsync("drop");
        await drop.GetBlobClient("incoming/good.csv").UploadAsync(BinaryData.FromString(WithDistrict(RetailCsv(), "pudong")));
        await drop.GetBlobClient("incoming/wrong-columns.csv").UploadAsync(BinaryData.FromString("date,amount\n2021-01,5\n"));
        await drop.GetBlobClient("incoming/notes.txt").UploadAsync(BinaryData.FromString("remember to upload March"));
        await using var app = new FunctionAppFactory(azurite, Settings());
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await PutSourceAsync(admin, "analyst-drop", DropSource(drop.Name));

        var first = await CollectAsync(admin);
        var second = await CollectAsync(admin);

        Assert.Equal("partial", first.GetProperty("status").GetString());
        var outcome = Outcome(first, "analyst-drop");
        Assert.Equal("failed", outcome.GetProperty("status").GetString());
        var reason = outcome.GetProperty("reason").GetString()!;
        Assert.StartsWith("2 of 3 new file(s) failed", reason);
        Assert.Contains("incoming/notes.txt: not a .csv or .json file", reason);
        Assert.Contains("column 'month' (mapped to period) is not in the header", reason);
        Assert.Equal(24, outcome.GetProperty("rowsAccepted").GetInt32());
        Assert.Equal("failed", (await drop.GetBlobClient("incoming/wrong-columns.csv").DownloadContentAsync()).Value.Details.Metadata[Collector.CollectedOutcomeMetadata]);
        Assert.Equal("no new files", Outcome(second, "analyst-drop").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_drop_container_that_does_not_exist_fails_the_source_naming_it()
    {
        await using var app = new FunctionAppFactory(azurite, Settings());
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await PutSourceAsync(admin, "nowhere", DropSource("no-such-container-" + Guid.NewGuid().ToString("N")[..8]));

        var run = await CollectAsync(admin);

        Assert.StartsWith("container 'no-such-container-", Outcome(run, "nowhere").GetProperty("reason").GetString());
        Assert.Equal("partial", run.GetProperty("status").GetString());
    }

    // Regression: the reason listed every failed file, so a few hundred long names made the outcome too large for
    // a table property; the ledger write failed and the run stayed "running".
    [Fact]
    public async Task Hundreds_of_failing_files_with_long_names_still_give_a_finished_run_in_the_ledger()
    {
        var drop = await azurite.NewContainerAsync("drop");
        await Parallel.ForEachAsync(Enumerable.Range(0, 250), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            await drop.GetBlobClient($"incoming/{i:D4}-" + new string('n', 120) + ".pdf").UploadAsync(BinaryData.FromString("%PDF"), cancellationToken: ct));
        await using var app = new FunctionAppFactory(azurite, Settings());
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await PutSourceAsync(admin, "analyst-drop", DropSource(drop.Name));

        var posted = await CollectAsync(admin);
        var run = await admin.GetFromJsonAsync<JsonElement>($"/api/runs/{posted.GetProperty("id").GetString()}");

        Assert.Equal("partial", run.GetProperty("status").GetString());
        var outcome = Outcome(run, "analyst-drop");
        Assert.StartsWith("250 of 250 new file(s) failed", outcome.GetProperty("reason").GetString());
        Assert.EndsWith("; and 245 more", outcome.GetProperty("reason").GetString());
        Assert.True(outcome.GetProperty("files").GetArrayLength() is > 0 and <= 250);
    }
}
