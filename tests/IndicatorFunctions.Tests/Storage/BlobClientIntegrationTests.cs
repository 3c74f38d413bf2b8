using Azure;
using IndicatorFunctions.Storage.Blobs;
using IndicatorFunctions.Tests.Infrastructure;

namespace IndicatorFunctions.Tests.Storage;

[Collection(AzuriteCollection.Name)]
public sealed class BlobClientIntegrationTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Upload_and_download_round_trip_content_type_and_metadata()
    {
        var container = await azurite.NewContainerAsync();
        var blob = container.GetBlobClient("raw/2021/数据 file.csv");

        var info = await blob.UploadAsync(BinaryData.FromString("district,value\nxuhui,1"), new BlobUploadOptions
        {
            ContentType = "text/csv",
            Metadata = new Dictionary<string, string> { ["sha256"] = "abc" },
        });
        var download = (await blob.DownloadContentAsync()).Value;

        Assert.Equal("district,value\nxuhui,1", download.Content.ToString());
        Assert.Equal("text/csv", download.ContentType);
        Assert.Equal("abc", download.Metadata["sha256"]);
        Assert.Equal(info.Value.ETag, download.ETag);
    }

    [Fact]
    public async Task Create_only_upload_of_an_existing_blob_is_409_and_keeps_the_original()
    {
        var container = await azurite.NewContainerAsync();
        var blob = container.GetBlobClient("once.json");
        await blob.UploadAsync(BinaryData.FromString("first"));

        var ex = await Assert.ThrowsAsync<RequestFailedException>(() => blob.UploadAsync(BinaryData.FromString("second")));

        Assert.Equal(409, ex.Status);
        Assert.Equal("BlobAlreadyExists", ex.ErrorCode);
        Assert.Equal("first", (await blob.DownloadContentAsync()).Value.Content.ToString());
    }

    [Fact]
    public async Task Overwrite_replaces_and_IfMatch_with_a_stale_ETag_is_412()
    {
        var container = await azurite.NewContainerAsync();
        var blob = container.GetBlobClient("b");
        var first = await blob.UploadAsync(BinaryData.FromString("1"));
        await blob.UploadAsync(BinaryData.FromString("2"), overwrite: true);

        var ex = await Assert.ThrowsAsync<RequestFailedException>(() =>
            blob.UploadAsync(BinaryData.FromString("3"), new BlobUploadOptions { IfMatch = first.Value.ETag }));

        Assert.Equal(412, ex.Status);
        Assert.Equal("2", (await blob.DownloadContentAsync()).Value.Content.ToString());
    }

    [Fact]
    public async Task Listing_by_prefix_pages_through_every_match_in_name_order()
    {
        var container = await azurite.NewContainerAsync();
        for (var i = 0; i < 12; i++)
            await container.GetBlobClient($"in/{i:D2}.csv").UploadAsync(BinaryData.FromString(i.ToString()));
        await container.GetBlobClient("out/x.csv").UploadAsync(BinaryData.FromString("x"));

        var pages = new List<int>();
        var names = new List<string>();
        await foreach (var page in container.GetBlobsAsync("in/", maxPerPage: 5).AsPages())
        {
            pages.Add(page.Values.Count);
            names.AddRange(page.Values.Select(b => b.Name));
        }

        Assert.Equal([5, 5, 2], pages);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"in/{i:D2}.csv"), names);
    }

    [Fact]
    public async Task Listing_with_the_metadata_trait_returns_each_blobs_metadata_and_without_it_none()
    {
        var container = await azurite.NewContainerAsync();
        await container.GetBlobClient("a.csv").UploadAsync(BinaryData.FromString("a"),
            new BlobUploadOptions { Metadata = new Dictionary<string, string> { ["processed"] = "run-1", ["sha256"] = "ab" } });
        await container.GetBlobClient("b.csv").UploadAsync(BinaryData.FromString("b"));

        var withMetadata = new List<BlobItem>();
        await foreach (var item in container.GetBlobsAsync(BlobTraits.Metadata))
            withMetadata.Add(item);
        var plain = new List<BlobItem>();
        await foreach (var item in container.GetBlobsAsync())
            plain.Add(item);

        Assert.Equal("run-1", withMetadata[0].Metadata["processed"]);
        Assert.Equal("ab", withMetadata[0].Metadata["sha256"]);
        Assert.Empty(withMetadata[1].Metadata);
        Assert.All(plain, item => Assert.Empty(item.Metadata));
    }

    [Fact]
    public async Task SetMetadata_replaces_metadata_keeps_content_and_a_stale_IfMatch_is_412()
    {
        var container = await azurite.NewContainerAsync();
        var blob = container.GetBlobClient("drop/file.csv");
        var uploaded = await blob.UploadAsync(BinaryData.FromString("district,value"),
            new BlobUploadOptions { Metadata = new Dictionary<string, string> { ["owner"] = "analyst" } });

        var marked = await blob.SetMetadataAsync(new Dictionary<string, string> { ["processed"] = "run-1" },
            new BlobRequestConditions { IfMatch = uploaded.Value.ETag });
        var stale = await Assert.ThrowsAsync<RequestFailedException>(() =>
            blob.SetMetadataAsync(new Dictionary<string, string> { ["processed"] = "run-2" }, new BlobRequestConditions { IfMatch = uploaded.Value.ETag }));
        var download = (await blob.DownloadContentAsync()).Value;

        Assert.NotEqual(uploaded.Value.ETag, marked.Value.ETag);
        Assert.Equal(412, stale.Status);
        Assert.Equal("district,value", download.Content.ToString());
        Assert.Equal("run-1", download.Metadata["processed"]);
        Assert.False(download.Metadata.ContainsKey("owner"));
    }

    [Fact]
    public async Task A_lease_held_elsewhere_is_409_until_released()
    {
        var container = await azurite.NewContainerAsync();
        var blob = container.GetBlobClient("lock");
        await blob.UploadAsync(BinaryData.Empty);
        var holder = blob.GetBlobLeaseClient();
        var rival = blob.GetBlobLeaseClient();

        await holder.AcquireAsync(TimeSpan.FromSeconds(15));
        var ex = await Assert.ThrowsAsync<RequestFailedException>(() => rival.AcquireAsync(TimeSpan.FromSeconds(15)));
        await holder.RenewAsync();
        await holder.ReleaseAsync();
        var acquired = await rival.AcquireAsync(TimeSpan.FromSeconds(15));

        Assert.Equal(409, ex.Status);
        Assert.Equal("LeaseAlreadyPresent", ex.ErrorCode);
        Assert.Equal(rival.LeaseId, acquired.Value.LeaseId);
    }

    [Fact]
    public async Task Writing_a_leased_blob_needs_the_lease_id()
    {
        var container = await azurite.NewContainerAsync();
        var blob = container.GetBlobClient("leased");
        await blob.UploadAsync(BinaryData.FromString("v1"));
        var lease = blob.GetBlobLeaseClient();
        await lease.AcquireAsync(BlobLeaseClient.InfiniteLeaseDuration);

        var ex = await Assert.ThrowsAsync<RequestFailedException>(() => blob.UploadAsync(BinaryData.FromString("v2"), overwrite: true));
        await blob.UploadAsync(BinaryData.FromString("v3"), new BlobUploadOptions { LeaseId = lease.LeaseId });

        Assert.Equal(412, ex.Status);
        Assert.Equal("v3", (await blob.DownloadContentAsync()).Value.Content.ToString());
    }

    [Fact]
    public async Task Exists_and_delete_if_exists_report_presence()
    {
        var container = await azurite.NewContainerAsync();
        var blob = container.GetBlobClient("gone");
        await blob.UploadAsync(BinaryData.FromString("x"));

        Assert.True(await blob.ExistsAsync());
        Assert.True(await blob.DeleteIfExistsAsync());
        Assert.False(await blob.DeleteIfExistsAsync());
        Assert.False(await blob.ExistsAsync());
    }

    [Fact]
    public async Task Download_of_a_missing_blob_is_404_BlobNotFound()
    {
        var container = await azurite.NewContainerAsync();

        var ex = await Assert.ThrowsAsync<RequestFailedException>(() => container.GetBlobClient("nope").DownloadContentAsync());

        Assert.Equal(404, ex.Status);
        Assert.Equal("BlobNotFound", ex.ErrorCode);
    }

    [Fact]
    public async Task Service_properties_answer_with_valid_credentials_and_403_with_a_wrong_key()
    {
        var good = await azurite.Blobs.GetPropertiesAsync();
        var wrongKey = new BlobServiceClient(azurite.Blobs.Uri,
            new IndicatorFunctions.Storage.StorageSharedKeyCredential("devstoreaccount1", Convert.ToBase64String(new byte[64])));

        var ex = await Assert.ThrowsAsync<RequestFailedException>(() => wrongKey.GetPropertiesAsync());

        Assert.Equal(200, good.Status);
        Assert.Equal(403, ex.Status);
    }
}
