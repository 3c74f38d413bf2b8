using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure.Core;
using IndicatorFunctions.Storage;
using IndicatorFunctions.Storage.Blobs;
using IndicatorFunctions.Storage.Tables;

namespace IndicatorFunctions.Tests.Storage.Unit;

/// <summary>
/// Fixed Shared Key vectors. Every expected signature below was computed outside .NET with
/// <c>printf '%s' "$STRING_TO_SIGN" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$(echo -n "$KEY" | base64 -d | xxd -p -c 256)" -binary | base64</c>
/// (OpenSSL 3.0), where STRING_TO_SIGN is the expected string-to-sign literal next to it, and every expected
/// string-to-sign was written by hand from the "Authorize with Shared Key" rules.
/// </summary>
public sealed class SharedKeySignatureTests
{
    // Azurite's documented development key, and a second random 48-byte key (openssl rand -base64 48).
    private const string DevKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private const string OtherKey = "E8otMnHsBSRY/0FhsEG2lUBaNXfg+99QUEEUVDRc2uhlg4i5UiUQNlKnxXVAY/am";
    private const string Dev = "devstoreaccount1";
    private const string Date1 = "Mon, 01 Jan 2024 00:00:00 GMT";
    private const string Date2 = "Fri, 30 Aug 2024 12:34:56 GMT";

    // ---- Table SharedKeyLite ----------------------------------------------------------------------------------

    private const string LiteTablesSts = Date1 + "\n/devstoreaccount1/devstoreaccount1/Tables";
    private const string LiteTablesSig = "13UOPPE/P1+LLsRFYJCHphuPCEQ21EO/4WbbW+OXG4U="; // openssl, DevKey
    private const string LiteEntitySts = Date1 + "\n/devstoreaccount1/devstoreaccount1/mytable(PartitionKey='p',RowKey='r')";
    private const string LiteEntitySig = "o3xhsOYjVnpvuuXad3Y3iGCra+d5/Uc1aDdg2cwkCN0="; // openssl, DevKey
    private const string LiteCompSts = Date1 + "\n/devstoreaccount1/devstoreaccount1/mytable?comp=acl";
    private const string LiteCompSig = "PUrvxmJ2GtBBNViYjwJtolY0MF1AE9PgHCnYlPC/gRw="; // openssl, DevKey
    private const string LiteEscapedSts = Date2 + "\n/devstoreaccount1/devstoreaccount1/mytable(PartitionKey='it%27%27s',RowKey='a%20b')";
    private const string LiteEscapedSig = "ugAwCxAAi1TUUFkS9mjZ9h2TaZgEfNuiaJ+radivZXQ="; // openssl, DevKey
    private const string LiteProdSts = Date2 + "\n/myaccount/mytable()";
    private const string LiteProdSig = "1u0SpD5KxwEey2jZsImpma3XDqSWXrNBAq5aUolZJlg="; // openssl, OtherKey

    [Theory]
    [InlineData(Dev, "/devstoreaccount1/mytable", "?$filter=x&comp=properties&$top=5", "/devstoreaccount1/devstoreaccount1/mytable?comp=properties")]
    [InlineData(Dev, "/devstoreaccount1/mytable()", "?$filter=PartitionKey%20eq%20'p'&NextPartitionKey=1!8!cA--&NextRowKey=1!8!cg--", "/devstoreaccount1/devstoreaccount1/mytable()")]
    [InlineData(Dev, "/devstoreaccount1/mytable(PartitionKey='it%27%27s',RowKey='a%20b')", "?$select=V", "/devstoreaccount1/devstoreaccount1/mytable(PartitionKey='it%27%27s',RowKey='a%20b')")]
    public void Table_canonicalized_resource_keeps_the_encoded_path_and_only_comp(string account, string path, string query, string expected) =>
        Assert.Equal(expected, SharedKeySignature.TableCanonicalizedResource(account, path, query));

    [Theory]
    [InlineData(Dev, "/devstoreaccount1/Tables", "", Date1, DevKey, LiteTablesSts, LiteTablesSig)]
    [InlineData(Dev, "/devstoreaccount1/mytable(PartitionKey='p',RowKey='r')", "?$select=Value", Date1, DevKey, LiteEntitySts, LiteEntitySig)]
    [InlineData(Dev, "/devstoreaccount1/mytable", "?comp=acl", Date1, DevKey, LiteCompSts, LiteCompSig)]
    [InlineData(Dev, "/devstoreaccount1/mytable", "?timeout=30&comp=acl", Date1, DevKey, LiteCompSts, LiteCompSig)]
    [InlineData(Dev, "/devstoreaccount1/mytable(PartitionKey='it%27%27s',RowKey='a%20b')", "", Date2, DevKey, LiteEscapedSts, LiteEscapedSig)]
    [InlineData("myaccount", "/mytable()", "?$filter=RowKey%20gt%20'a'&$top=10", Date2, OtherKey, LiteProdSts, LiteProdSig)]
    public void Table_SharedKeyLite_matches_openssl_vector(string account, string path, string query, string date, string key, string expectedStringToSign, string expectedSignature)
    {
        var stringToSign = SharedKeySignature.TableSharedKeyLite(date, SharedKeySignature.TableCanonicalizedResource(account, path, query));

        Assert.Equal(expectedStringToSign, stringToSign);
        Assert.Equal(expectedSignature, new StorageSharedKeyCredential(account, key).ComputeHmacSha256(stringToSign));
    }

    // ---- Table SharedKey (5 lines) ------------------------------------------------------------------------------

    private const string SkGetSts = "GET\n\n\n" + Date1 + "\n/myaccount/mytable()";
    private const string SkGetSig = "UjL75MAQiSBNmWFwbpFQVyh7/s3WvZzZJ3leOXwFR6g="; // openssl, OtherKey
    private const string SkPostSts = "POST\n\napplication/json\n" + Date1 + "\n/devstoreaccount1/devstoreaccount1/Tables";
    private const string SkPostSig = "y4+YjpWa9p2hSLUPdRNaIBrE0mwOp91eMBmGLPtaGEM="; // openssl, DevKey
    private const string SkMd5Sts = "PUT\nQ2hlY2sgSW50ZWdyaXR5IQ==\napplication/json\n" + Date2 + "\n/myaccount/mytable(PartitionKey='p',RowKey='r')";
    private const string SkMd5Sig = "AZFCePqVLW/irvEnFPLIH2YxEHHOrKpyk6GTX3Vlg4o="; // openssl, OtherKey

    [Theory]
    [InlineData("GET", "", "", Date1, "myaccount", "/mytable()", "?$top=5", OtherKey, SkGetSts, SkGetSig)]
    [InlineData("POST", "", "application/json", Date1, Dev, "/devstoreaccount1/Tables", "", DevKey, SkPostSts, SkPostSig)]
    [InlineData("PUT", "Q2hlY2sgSW50ZWdyaXR5IQ==", "application/json", Date2, "myaccount", "/mytable(PartitionKey='p',RowKey='r')", "", OtherKey, SkMd5Sts, SkMd5Sig)]
    public void Table_SharedKey_is_five_lines_and_matches_openssl_vector(string verb, string md5, string contentType, string date, string account, string path, string query, string key, string expectedStringToSign, string expectedSignature)
    {
        var stringToSign = SharedKeySignature.TableSharedKey(verb, md5, contentType, date, SharedKeySignature.TableCanonicalizedResource(account, path, query));

        Assert.Equal(expectedStringToSign, stringToSign);
        Assert.Equal(5, stringToSign.Split('\n').Length);
        Assert.Equal(expectedSignature, new StorageSharedKeyCredential(account, key).ComputeHmacSha256(stringToSign));
    }

    // ---- Blob SharedKey ----------------------------------------------------------------------------------------

    // VERB, Content-Encoding, Content-Language, Content-Length, Content-MD5, Content-Type, Date, If-Modified-Since,
    // If-Match, If-None-Match, If-Unmodified-Since, Range: twelve lines, then the x-ms-* headers and the resource.
    private const string BlobListSts = "GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:" + Date1 + "\nx-ms-version:2021-12-02\n/devstoreaccount1/devstoreaccount1/c1\ncomp:list\nrestype:container";
    private const string BlobListSig = "qBox34+ad0bHiJDGv3SqRrKvo7SDstp48bYVcYUFs5Y="; // openssl, DevKey
    private const string BlobPutSts = "PUT\n\n\n11\n\ntext/plain; charset=utf-8\n\n\n\n*\n\n\nx-ms-blob-type:BlockBlob\nx-ms-date:" + Date1 + "\nx-ms-version:2021-12-02\n/devstoreaccount1/devstoreaccount1/c1/dir/a%20b.txt";
    private const string BlobPutSig = "u2KZwz2fvrzIM7qUCNcU7TWtpxccjsMgj7F4tsb43M4="; // openssl, DevKey
    private const string BlobHeadersSts = "HEAD\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:" + Date1 + "\nx-ms-meta-alpha:a\nx-ms-meta-zeta:z\nx-ms-version:2021-12-02\n/devstoreaccount1/devstoreaccount1/c1/b";
    private const string BlobHeadersSig = "CVHJf4zAw0unoZCQNmkibA0jzPDQEJkhH87njFeGzuo="; // openssl, DevKey
    private const string BlobQuerySts = "GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:" + Date1 + "\nx-ms-version:2021-12-02\n/devstoreaccount1/devstoreaccount1/c1\ncomp:list\nmarker:2!84!x\nprefix:dir/sub x\nrestype:container";
    private const string BlobQuerySig = "ah1ZOsPs/FG8UFoxNbltCjIpfWCWBmL9MlepzzQCNIc="; // openssl, DevKey
    private const string BlobMultiSts = "GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:" + Date2 + "\nx-ms-version:2021-12-02\n/myaccount/mycontainer\ncomp:list\ninclude:metadata,snapshots\nrestype:container";
    private const string BlobMultiSig = "PtxskqZKvRn6XEj4sw0pcIN6KE1Y5gBz+n0fmpIQ7k0="; // openssl, OtherKey
    private const string BlobUnsortedSts = "GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:" + Date2 + "\nx-ms-version:2021-12-02\n/myaccount/mycontainer\ncomp:list\ninclude:metadata,snapshots,uncommittedblobs\nrestype:container";
    private const string BlobUnsortedSig = "I10OL2/sfnaAZWQrSoZ71ZBGA5rvMZB98jOJadMRPzE="; // openssl, OtherKey
    private const string BlobAllSts = "PUT\ngzip\nen-US\n1024\nQ2hlY2sgSW50ZWdyaXR5IQ==\napplication/json\n\nSat, 01 Jun 2024 00:00:00 GMT\n\"0x8DC8B2C7D1F5E3A\"\n\nSun, 02 Jun 2024 00:00:00 GMT\nbytes=0-1023\nx-ms-date:" + Date2 + "\nx-ms-version:2021-12-02\n/myaccount/mycontainer/myblob";
    private const string BlobAllSig = "znC31hpRipXx521VeCAxKz20nw8vDhmno4DvacvsMQs="; // openssl, OtherKey

    // Headers are given as name, value, name, value... so every row stays a separate, serializable theory case.
    public static TheoryData<string, string, string[], long, string, string, string, string, string> BlobVectors => new()
    {
        {
            "list: Content-Length 0 is an empty line, query names sorted", "GET",
            ["x-ms-version", "2021-12-02", "x-ms-date", Date1, "Accept", "application/xml"],
            0, Dev, "/devstoreaccount1/c1", "?restype=container&comp=list", BlobListSts, BlobListSig
        },
        {
            "put: length, Content-Type, If-None-Match", "PUT",
            ["x-ms-date", Date1, "x-ms-version", "2021-12-02", "x-ms-blob-type", "BlockBlob", "Content-Type", "text/plain; charset=utf-8", "If-None-Match", "*", "User-Agent", "azsdk-net/1.0"],
            11, Dev, "/devstoreaccount1/c1/dir/a%20b.txt", "", BlobPutSts, BlobPutSig
        },
        {
            "x-ms-* lowercased, sorted, trimmed; others dropped", "HEAD",
            ["X-MS-Version", "2021-12-02", "x-ms-Meta-Zeta", "  z  ", "X-Ms-Meta-alpha", "a", "x-ms-date", Date1, "x-msx", "not-x-ms", "Accept", "*/*"],
            0, Dev, "/devstoreaccount1/c1/b", "", BlobHeadersSts, BlobHeadersSig
        },
        {
            "query names lowercased and sorted, values url-decoded", "GET",
            ["x-ms-date", Date1, "x-ms-version", "2021-12-02"],
            0, Dev, "/devstoreaccount1/c1", "?restype=container&Comp=list&prefix=dir%2Fsub%20x&marker=2%2184%21x", BlobQuerySts, BlobQuerySig
        },
        {
            "repeated query parameter joined with commas", "GET",
            ["x-ms-date", Date2, "x-ms-version", "2021-12-02"],
            0, "myaccount", "/mycontainer", "?comp=list&include=metadata&include=snapshots&restype=container", BlobMultiSts, BlobMultiSig
        },
        {
            "repeated query values sorted before joining (the List Blobs example of the Shared Key docs)", "GET",
            ["x-ms-date", Date2, "x-ms-version", "2021-12-02"],
            0, "myaccount", "/mycontainer", "?restype=container&comp=list&include=snapshots&include=metadata&include=uncommittedblobs", BlobUnsortedSts, BlobUnsortedSig
        },
        {
            "every standard header in its line, names matched case-insensitively", "PUT",
            ["content-encoding", "gzip", "Content-Language", "en-US", "Content-MD5", "Q2hlY2sgSW50ZWdyaXR5IQ==", "content-type", "application/json",
             "If-Modified-Since", "Sat, 01 Jun 2024 00:00:00 GMT", "If-Match", "\"0x8DC8B2C7D1F5E3A\"", "If-Unmodified-Since", "Sun, 02 Jun 2024 00:00:00 GMT",
             "Range", "bytes=0-1023", "x-ms-version", "2021-12-02", "x-ms-date", Date2],
            1024, "myaccount", "/mycontainer/myblob", "", BlobAllSts, BlobAllSig
        },
    };

    [Theory]
    [MemberData(nameof(BlobVectors))]
    public void Blob_SharedKey_matches_openssl_vector(string because, string verb, string[] headerPairs, long contentLength, string account, string path, string query, string expectedStringToSign, string expectedSignature)
    {
        var key = account == Dev ? DevKey : OtherKey;

        var stringToSign = SharedKeySignature.Blob(verb, Pairs(headerPairs), contentLength, account, path, query);

        Assert.True(expectedStringToSign == stringToSign, $"{because}:\nexpected {Show(expectedStringToSign)}\nactual   {Show(stringToSign)}");
        Assert.Equal(expectedSignature, new StorageSharedKeyCredential(account, key).ComputeHmacSha256(stringToSign));
    }

    [Theory]
    [InlineData(0, "")]
    [InlineData(1, "1")]
    [InlineData(5_000_000_000, "5000000000")]
    public void Blob_content_length_line_is_empty_for_zero_and_decimal_otherwise(long length, string expectedLine)
    {
        var lines = SharedKeySignature.Blob("PUT", [], length, "a", "/c/b", "").Split('\n');

        Assert.Equal(expectedLine, lines[3]);
    }

    [Fact]
    public void Blob_date_line_stays_empty_even_with_a_Date_header()
    {
        var lines = SharedKeySignature.Blob("GET", Pairs(["Date", Date1, "x-ms-date", Date1]), 0, "a", "/c", "").Split('\n');

        Assert.Equal("", lines[6]);
        Assert.Equal("x-ms-date:" + Date1, lines[12]);
    }

    [Fact]
    public void Blob_query_parameter_without_value_has_an_empty_value()
    {
        var stringToSign = SharedKeySignature.Blob("GET", [], 0, "a", "/c", "?restype=container&comp");

        Assert.EndsWith("\n/a/c\ncomp:\nrestype:container", stringToSign);
    }

    // ---- HMAC ---------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(LiteTablesSts, DevKey, LiteTablesSig)]
    [InlineData(BlobAllSts, OtherKey, BlobAllSig)]
    [InlineData("", DevKey, "RNeMV4QhAsdhJ2sGUgufA/AfRsaKXZU2cEJdUsvj4NY=")] // openssl, empty message
    [InlineData(Date2 + "\n/myaccount/徐汇", OtherKey, "QjjLK99CQFKBknYJOYfKCNxgrugnYX65JjxlEEe3w8Y=")] // openssl, UTF-8 bytes
    public void ComputeHmacSha256_matches_openssl(string message, string key, string expected) =>
        Assert.Equal(expected, new StorageSharedKeyCredential("acct", key).ComputeHmacSha256(message));

    [Fact]
    public void Different_keys_give_different_signatures() =>
        Assert.NotEqual(
            new StorageSharedKeyCredential(Dev, DevKey).ComputeHmacSha256(LiteTablesSts),
            new StorageSharedKeyCredential(Dev, OtherKey).ComputeHmacSha256(LiteTablesSts));

    [Theory]
    [InlineData("", DevKey)]
    [InlineData("acct", "")]
    public void Credential_rejects_empty_name_or_key(string account, string key) =>
        Assert.ThrowsAny<ArgumentException>(() => new StorageSharedKeyCredential(account, key));

    [Fact]
    public void Credential_rejects_a_key_that_is_not_base64() =>
        Assert.Throws<FormatException>(() => new StorageSharedKeyCredential("acct", "not base64!"));

    // ---- Policies end to end, through an Azure.Core pipeline and a fake transport ------------------------------

    [Fact]
    public async Task Table_policy_signs_create_table_with_SharedKeyLite_over_the_sent_date()
    {
        var transport = new FakeTransport(204);
        var service = new TableServiceClient(new Uri("http://127.0.0.1:10002/devstoreaccount1"),
            new StorageSharedKeyCredential(Dev, DevKey), new TableClientOptions { Transport = transport });

        await service.CreateTableIfNotExistsAsync("mytable");

        var request = Assert.Single(transport.Requests);
        Assert.Equal("/devstoreaccount1/Tables", request.Path);
        var date = SentDate(request);
        Assert.Equal($"SharedKeyLite {Dev}:{Hmac(DevKey, date + "\n/devstoreaccount1/devstoreaccount1/Tables")}", request.Header("Authorization"));
    }

    [Fact]
    public async Task Table_policy_signs_entity_path_with_escaped_keys_and_ignores_select()
    {
        var transport = new FakeTransport(404);
        var table = new TableServiceClient(new Uri("http://127.0.0.1:10002/devstoreaccount1"),
            new StorageSharedKeyCredential(Dev, DevKey), new TableClientOptions { Transport = transport }).GetTableClient("mytable");

        var entity = await table.GetEntityIfExistsAsync("it's", "r", select: ["V"]);

        Assert.Null(entity);
        var request = Assert.Single(transport.Requests);
        Assert.Equal("/devstoreaccount1/mytable(PartitionKey='it%27%27s',RowKey='r')", request.Path);
        Assert.Contains("$select=V", request.Query, StringComparison.Ordinal);
        var date = SentDate(request);
        Assert.Equal($"SharedKeyLite {Dev}:{Hmac(DevKey, date + "\n/devstoreaccount1/devstoreaccount1/mytable(PartitionKey='it%27%27s',RowKey='r')")}",
            request.Header("Authorization"));
    }

    [Fact]
    public async Task Blob_policy_signs_upload_with_SharedKey_content_length_and_conditional_headers()
    {
        var transport = new FakeTransport(201);
        var blob = new BlobServiceClient(new Uri("http://127.0.0.1:10000/devstoreaccount1"),
                new StorageSharedKeyCredential(Dev, DevKey), new BlobClientOptions { Transport = transport })
            .GetBlobContainerClient("box1").GetBlobClient("dir/a b.txt");

        await blob.UploadAsync(BinaryData.FromString("hello world"), overwrite: false);

        var request = Assert.Single(transport.Requests);
        Assert.Equal("PUT", request.Method);
        Assert.Equal("/devstoreaccount1/box1/dir/a%20b.txt", request.Path);
        Assert.Equal("BlockBlob", request.Header("x-ms-blob-type"));
        Assert.Equal("2021-12-02", request.Header("x-ms-version"));
        var expected = "PUT\n\n\n11\n\napplication/octet-stream\n\n\n\n*\n\n\n"
            + CanonicalizedMsHeaders(request)
            + "/devstoreaccount1/devstoreaccount1/box1/dir/a%20b.txt";
        Assert.Equal($"SharedKey {Dev}:{Hmac(DevKey, expected)}", request.Header("Authorization"));
    }

    [Fact]
    public async Task Blob_policy_signs_container_create_with_empty_length_and_query()
    {
        var transport = new FakeTransport(201);
        var container = new BlobServiceClient(new Uri("http://127.0.0.1:10000/devstoreaccount1"),
                new StorageSharedKeyCredential(Dev, DevKey), new BlobClientOptions { Transport = transport })
            .GetBlobContainerClient("box1");

        await container.CreateIfNotExistsAsync();

        var request = Assert.Single(transport.Requests);
        var expected = "PUT\n\n\n\n\n\n\n\n\n\n\n\n" + CanonicalizedMsHeaders(request) + "/devstoreaccount1/devstoreaccount1/box1\nrestype:container";
        Assert.Equal($"SharedKey {Dev}:{Hmac(DevKey, expected)}", request.Header("Authorization"));
    }

    [Fact]
    public async Task Every_retry_is_signed_over_its_own_date()
    {
        var attempts = 0;
        var transport = new FakeTransport(_ => new FakeResponse(++attempts == 1 ? 503 : 204));
        var options = new TableClientOptions { Transport = transport };
        options.Retry.MaxRetries = 1;
        options.Retry.Delay = TimeSpan.FromMilliseconds(1);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(1);
        var service = new TableServiceClient(new Uri("http://127.0.0.1:10002/devstoreaccount1"), new StorageSharedKeyCredential(Dev, DevKey), options);

        await service.CreateTableIfNotExistsAsync("mytable");

        Assert.Equal(2, transport.Requests.Count);
        Assert.All(transport.Requests, request => Assert.Equal(
            $"SharedKeyLite {Dev}:{Hmac(DevKey, SentDate(request) + "\n/devstoreaccount1/devstoreaccount1/Tables")}",
            request.Header("Authorization")));
    }

    private static IEnumerable<KeyValuePair<string, string>> Pairs(string[] flat) =>
        Enumerable.Range(0, flat.Length / 2).Select(i => new KeyValuePair<string, string>(flat[2 * i], flat[2 * i + 1]));

    private static string Show(string s) => s.Replace("\n", "⏎", StringComparison.Ordinal);

    private static string SentDate(CapturedRequest request)
    {
        var date = request.Header("x-ms-date");
        Assert.NotNull(date);
        Assert.True(DateTimeOffset.TryParseExact(date, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed), date);
        Assert.InRange(parsed, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5));
        return date;
    }

    // The canonicalized x-ms-* headers as sent: lowercased names in ordinal order, "name:value\n" each.
    private static string CanonicalizedMsHeaders(CapturedRequest request)
    {
        var names = request.Headers.Select(h => h.Key.ToLowerInvariant()).Where(n => n.StartsWith("x-ms-", StringComparison.Ordinal)).ToList();
        Assert.Contains("x-ms-date", names);
        Assert.Contains("x-ms-version", names);
        return string.Concat(names.Order(StringComparer.Ordinal).Select(n => n + ":" + request.Header(n)!.Trim() + "\n"));
    }

    private static string Hmac(string base64Key, string message) =>
        Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(base64Key), Encoding.UTF8.GetBytes(message)));
}
