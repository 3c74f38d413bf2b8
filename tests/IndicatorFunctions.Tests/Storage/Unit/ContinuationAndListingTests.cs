using Azure;
using IndicatorFunctions.Storage;
using IndicatorFunctions.Storage.Blobs;
using IndicatorFunctions.Storage.Tables;

namespace IndicatorFunctions.Tests.Storage.Unit;

public sealed class ContinuationAndListingTests
{
    // ---- ContinuationToken ----------------------------------------------------------------------------------------

    [Theory]
    [InlineData(null, null, null)]
    [InlineData("", null, null)]
    [InlineData("", "1!8!cg--", null)]
    [InlineData("1!8!cA--", null, "1!8!cA--")]
    [InlineData("1!8!cA--", "", "1!8!cA--")]
    [InlineData("1!8!cA--", "1!8!cg--", "1!8!cA-- 1!8!cg--")]
    public void Format_joins_next_keys_and_needs_a_partition(string? nextPartition, string? nextRow, string? expected) =>
        Assert.Equal(expected, ContinuationToken.Format(nextPartition, nextRow));

    [Theory]
    [InlineData(null, null, null)]
    [InlineData("", null, null)]
    [InlineData("1!8!cA--", "1!8!cA--", null)]
    [InlineData("1!8!cA-- 1!8!cg--", "1!8!cA--", "1!8!cg--")]
    [InlineData("p r", "p", "r")]
    public void Parse_splits_at_the_first_space(string? token, string? expectedPartition, string? expectedRow) =>
        Assert.Equal((expectedPartition, expectedRow), ContinuationToken.Parse(token));

    [Theory]
    [InlineData("1!8!cA--", null)]
    [InlineData("1!8!cA--", "1!8!cg--")]
    [InlineData("1!12!eHVodWk-", "1!20!Z2RwfDIwMjE-")]
    public void Format_then_Parse_round_trips(string nextPartition, string? nextRow) =>
        Assert.Equal((nextPartition, nextRow), ContinuationToken.Parse(ContinuationToken.Format(nextPartition, nextRow)));

    // ---- FuncAsyncPageable ----------------------------------------------------------------------------------------

    private sealed class PageScript<T>(params (T[] Values, string? Next)[] pages) where T : notnull
    {
        public List<(string? Token, int? Size)> Calls { get; } = [];

        public Task<Page<T>> Fetch(string? token, int? size, CancellationToken cancellationToken)
        {
            Calls.Add((token, size));
            Assert.True(Calls.Count <= pages.Length, $"fetched page {Calls.Count} of {pages.Length}");
            var (values, next) = pages[Calls.Count - 1];
            return Task.FromResult(Page<T>.FromValues(values, next, new FakeResponse(200)));
        }
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items) list.Add(item);
        return list;
    }

    [Fact]
    public async Task Pageable_follows_tokens_until_the_last_page()
    {
        var script = new PageScript<int>(([1, 2], "a"), ([3], "b"), ([4, 5], null));

        var items = await ToListAsync(new FuncAsyncPageable<int>(script.Fetch, CancellationToken.None));

        Assert.Equal([1, 2, 3, 4, 5], items);
        Assert.Equal([null, "a", "b"], script.Calls.Select(c => c.Token));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public async Task Pageable_stops_on_a_null_or_empty_token(string? last)
    {
        var script = new PageScript<int>(([1], "a"), ([2], last), ([99], null));

        var items = await ToListAsync(new FuncAsyncPageable<int>(script.Fetch, CancellationToken.None));

        Assert.Equal([1, 2], items);
        Assert.Equal(2, script.Calls.Count);
    }

    [Fact]
    public async Task Pageable_continues_past_an_empty_page_that_carries_a_token()
    {
        // The Table service may return zero entities together with a continuation (e.g. at a partition boundary).
        var script = new PageScript<string>(([], "t1"), ([], "t2"), (["x"], null));

        var pages = await ToListAsync(new FuncAsyncPageable<string>(script.Fetch, CancellationToken.None).AsPages());

        Assert.Equal(3, pages.Count);
        Assert.Equal(["t1", "t2", null], pages.Select(p => p.ContinuationToken));
        Assert.Equal(["x"], pages.SelectMany(p => p.Values));
    }

    [Fact]
    public async Task Pageable_fetches_a_single_page_when_there_is_no_token()
    {
        var script = new PageScript<int>(([], null));

        var items = await ToListAsync(new FuncAsyncPageable<int>(script.Fetch, CancellationToken.None));

        Assert.Empty(items);
        Assert.Single(script.Calls);
    }

    [Fact]
    public async Task AsPages_starts_from_the_given_token_and_passes_the_page_size()
    {
        var script = new PageScript<int>(([7], "next"), ([8], null));

        var pages = await ToListAsync(new FuncAsyncPageable<int>(script.Fetch, CancellationToken.None).AsPages("resume", 25));

        Assert.Equal(2, pages.Count);
        Assert.Equal([("resume", (int?)25), ("next", 25)], script.Calls);
    }

    [Fact]
    public async Task Pageable_hands_its_cancellation_token_to_every_fetch()
    {
        using var cts = new CancellationTokenSource();
        var seen = new List<CancellationToken>();
        var pageable = new FuncAsyncPageable<int>((token, _, ct) =>
        {
            seen.Add(ct);
            return Task.FromResult(Page<int>.FromValues([1], token is null ? "a" : null, new FakeResponse(200)));
        }, cts.Token);

        await ToListAsync(pageable);

        Assert.Equal([cts.Token, cts.Token], seen);
    }

    // ---- BlobContainerClient.ParseList ----------------------------------------------------------------------------

    private const string ListWithMarker = """
        <?xml version="1.0" encoding="utf-8"?>
        <EnumerationResults ServiceEndpoint="http://127.0.0.1:10000/devstoreaccount1" ContainerName="indicators">
          <Prefix>xuhui/</Prefix>
          <MaxResults>2</MaxResults>
          <Blobs>
            <Blob>
              <Name>xuhui/gdp 2021.json</Name>
              <Properties>
                <Creation-Time>Tue, 13 Sep 2022 08:20:48 GMT</Creation-Time>
                <Last-Modified>Tue, 13 Sep 2022 08:20:48 GMT</Last-Modified>
                <Etag>0x8DA9560DD170CFD</Etag>
                <Content-Length>19</Content-Length>
                <Content-Type>application/json</Content-Type>
                <Content-Encoding />
                <Content-MD5>3X/+gWTy92gIJFXx57gLYA==</Content-MD5>
                <BlobType>BlockBlob</BlobType>
                <LeaseStatus>unlocked</LeaseStatus>
                <LeaseState>available</LeaseState>
              </Properties>
              <Metadata />
            </Blob>
            <Blob>
              <Name>xuhui/徐汇 &amp; more.csv</Name>
              <Properties>
                <Last-Modified>Wed, 01 Jan 2025 23:59:59 GMT</Last-Modified>
                <Etag>"0x8DD2A5B9C0E1F23"</Etag>
                <Content-Length>5368709120</Content-Length>
                <Content-Type>text/csv</Content-Type>
              </Properties>
            </Blob>
          </Blobs>
          <NextMarker>2!96!MDAwMDM1IXh1aHVpL3ppcC5jc3YhMDAwMDI4ITk5OTktMTItMzFUMjM6NTk6NTkuOTk5OTk5OVoh</NextMarker>
        </EnumerationResults>
        """;

    [Fact]
    public void ParseList_reads_blobs_and_the_next_marker()
    {
        var (items, next) = BlobContainerClient.ParseList(ListWithMarker);

        Assert.Equal("2!96!MDAwMDM1IXh1aHVpL3ppcC5jc3YhMDAwMDI4ITk5OTktMTItMzFUMjM6NTk6NTkuOTk5OTk5OVoh", next);
        Assert.Equal(2, items.Count);
        Assert.Equal(new BlobItem("xuhui/gdp 2021.json", new ETag("0x8DA9560DD170CFD"), 19, "application/json",
            new DateTimeOffset(2022, 9, 13, 8, 20, 48, TimeSpan.Zero)), items[0]);
        Assert.Equal(new BlobItem("xuhui/徐汇 & more.csv", new ETag("\"0x8DD2A5B9C0E1F23\""), 5_368_709_120, "text/csv",
            new DateTimeOffset(2025, 1, 1, 23, 59, 59, TimeSpan.Zero)), items[1]);
    }

    [Theory]
    [InlineData("<NextMarker />")]
    [InlineData("")]
    public void ParseList_without_a_marker_gives_a_null_marker(string markerElement)
    {
        var xml = $"""
            <?xml version="1.0" encoding="utf-8"?>
            <EnumerationResults ServiceEndpoint="http://127.0.0.1:10000/devstoreaccount1" ContainerName="indicators">
              <Blobs>
                <Blob><Name>only.txt</Name><Properties><Etag>0x1</Etag><Content-Length>0</Content-Length></Properties></Blob>
              </Blobs>
              {markerElement}
            </EnumerationResults>
            """;

        var (items, next) = BlobContainerClient.ParseList(xml);

        Assert.Null(next);
        var item = Assert.Single(items);
        Assert.Equal(new BlobItem("only.txt", new ETag("0x1"), 0, null, null), item);
    }

    [Theory]
    [InlineData("<Blobs />")]
    [InlineData("")]
    public void ParseList_of_an_empty_container_gives_no_items(string blobsElement)
    {
        var xml = $"""<?xml version="1.0" encoding="utf-8"?><EnumerationResults ContainerName="c">{blobsElement}<NextMarker /></EnumerationResults>""";

        var (items, next) = BlobContainerClient.ParseList(xml);

        Assert.Empty(items);
        Assert.Null(next);
    }

    [Fact]
    public void ParseList_ignores_virtual_directory_prefixes()
    {
        const string xml = """<EnumerationResults><Blobs><BlobPrefix><Name>dir/</Name></BlobPrefix><Blob><Name>a</Name></Blob></Blobs><NextMarker /></EnumerationResults>""";

        var (items, _) = BlobContainerClient.ParseList(xml);

        Assert.Equal(["a"], items.Select(i => i.Name));
    }

    [Fact]
    public void ParseList_accepts_the_byte_order_mark_Azure_puts_before_its_XML()
    {
        var (items, next) = BlobContainerClient.ParseList("\uFEFF<?xml version=\"1.0\" encoding=\"utf-8\"?><EnumerationResults><Blobs><Blob><Name>a.csv</Name></Blob></Blobs><NextMarker /></EnumerationResults>");

        Assert.Equal("a.csv", Assert.Single(items).Name);
        Assert.Null(next);
    }
}
