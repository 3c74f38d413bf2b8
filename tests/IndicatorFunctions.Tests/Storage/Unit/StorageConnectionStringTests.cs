using IndicatorFunctions.Storage;

namespace IndicatorFunctions.Tests.Storage.Unit;

public sealed class StorageConnectionStringTests
{
    private const string DevKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private const string OtherKey = "E8otMnHsBSRY/0FhsEG2lUBaNXfg+99QUEEUVDRc2uhlg4i5UiUQNlKnxXVAY/am";

    [Theory]
    [InlineData("UseDevelopmentStorage=true")]
    [InlineData("UseDevelopmentStorage=true;")]
    [InlineData("usedevelopmentstorage=TRUE")]
    [InlineData("  UseDevelopmentStorage = true  ")]
    [InlineData(" ; UseDevelopmentStorage=true ; ")]
    public void Development_storage_gives_the_Azurite_account(string connectionString)
    {
        var parsed = StorageConnectionString.Parse(connectionString);

        Assert.Equal("devstoreaccount1", parsed.AccountName);
        Assert.Equal(DevKey, parsed.AccountKey);
        Assert.Equal("http://127.0.0.1:10002/devstoreaccount1", parsed.TableEndpoint.AbsoluteUri);
        Assert.Equal("http://127.0.0.1:10000/devstoreaccount1", parsed.BlobEndpoint.AbsoluteUri);
        Assert.Equal("http://127.0.0.1:10001/devstoreaccount1", parsed.QueueEndpoint.AbsoluteUri);
    }

    [Theory]
    // Azurite's documented full connection string: explicit endpoints, trailing slashes trimmed.
    [InlineData("DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + DevKey + ";BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1/;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1/;QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;",
        "devstoreaccount1", DevKey, "http://127.0.0.1:10002/devstoreaccount1", "http://127.0.0.1:10000/devstoreaccount1", "http://127.0.0.1:10001/devstoreaccount1")]
    [InlineData("AccountName=devstoreaccount1;AccountKey=" + DevKey + ";TableEndpoint=http://localhost:10002/devstoreaccount1",
        "devstoreaccount1", DevKey, "http://localhost:10002/devstoreaccount1", "https://devstoreaccount1.blob.core.windows.net/", "https://devstoreaccount1.queue.core.windows.net/")]
    [InlineData("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=" + OtherKey + ";EndpointSuffix=core.windows.net",
        "acct", OtherKey, "https://acct.table.core.windows.net/", "https://acct.blob.core.windows.net/", "https://acct.queue.core.windows.net/")]
    [InlineData("AccountName=acct;AccountKey=" + OtherKey,
        "acct", OtherKey, "https://acct.table.core.windows.net/", "https://acct.blob.core.windows.net/", "https://acct.queue.core.windows.net/")]
    [InlineData("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=" + OtherKey + ";EndpointSuffix=core.chinacloudapi.cn",
        "acct", OtherKey, "https://acct.table.core.chinacloudapi.cn/", "https://acct.blob.core.chinacloudapi.cn/", "https://acct.queue.core.chinacloudapi.cn/")]
    [InlineData("DefaultEndpointsProtocol=http;AccountName=acct;AccountKey=" + OtherKey,
        "acct", OtherKey, "http://acct.table.core.windows.net/", "http://acct.blob.core.windows.net/", "http://acct.queue.core.windows.net/")]
    [InlineData(" accountname = acct ; ACCOUNTKEY = " + OtherKey + " ; endpointsuffix = core.usgovcloudapi.net ; ",
        "acct", OtherKey, "https://acct.table.core.usgovcloudapi.net/", "https://acct.blob.core.usgovcloudapi.net/", "https://acct.queue.core.usgovcloudapi.net/")]
    [InlineData("AccountName=acct;AccountKey=" + OtherKey + ";BlobEndpoint=https://cdn.example.com/;EndpointSuffix=core.windows.net",
        "acct", OtherKey, "https://acct.table.core.windows.net/", "https://cdn.example.com/", "https://acct.queue.core.windows.net/")]
    public void Account_string_gives_name_key_and_endpoints(string connectionString, string account, string key, string table, string blob, string queue)
    {
        var parsed = StorageConnectionString.Parse(connectionString);

        Assert.Equal(account, parsed.AccountName);
        Assert.Equal(key, parsed.AccountKey);
        Assert.Equal(table, parsed.TableEndpoint.AbsoluteUri);
        Assert.Equal(blob, parsed.BlobEndpoint.AbsoluteUri);
        Assert.Equal(queue, parsed.QueueEndpoint.AbsoluteUri);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("AccountKey=" + DevKey, "'AccountName'")]
    [InlineData("AccountName=acct", "'AccountKey'")]
    [InlineData("AccountName=acct;AccountKey=", "'AccountKey'")]
    [InlineData("AccountName=acct;AccountKey=" + DevKey + ";garbage", "'garbage' is not of the form Name=Value")]
    [InlineData("=acct;AccountName=acct;AccountKey=" + DevKey, "'=acct' is not of the form Name=Value")]
    [InlineData("AccountName=acct;AccountKey=not*base64", "AccountKey is not valid base64")]
    [InlineData("DefaultEndpointsProtocol=ftp;AccountName=acct;AccountKey=" + DevKey, "DefaultEndpointsProtocol must be http or https, not 'ftp'")]
    [InlineData("AccountName=acct;AccountKey=" + DevKey + ";TableEndpoint=devstoreaccount1/table", "TableEndpoint 'devstoreaccount1/table' is not an absolute http(s) URL")]
    [InlineData("AccountName=acct;AccountKey=" + DevKey + ";BlobEndpoint=/devstoreaccount1", "BlobEndpoint '/devstoreaccount1' is not an absolute http(s) URL")]
    [InlineData("AccountName=acct;AccountKey=" + DevKey + ";QueueEndpoint=ftp://host/q", "QueueEndpoint 'ftp://host/q' is not an absolute http(s) URL")]
    [InlineData("AccountName=acct;BlobEndpoint=https://acct.blob.core.windows.net/;SharedAccessSignature=sv=2022-11-02&ss=b&sig=abc", "SharedAccessSignature is not supported")]
    [InlineData("BlobEndpoint=https://a.blob.core.windows.net/;SharedAccessSignature=sv=2020&sig=abc", "SharedAccessSignature is not supported")]
    [InlineData("UseDevelopmentStorage=false", "UseDevelopmentStorage must be 'true'")]
    [InlineData("UseDevelopmentStorage=yes", "UseDevelopmentStorage must be 'true'")]
    public void Malformed_string_throws_FormatException_naming_the_part(string connectionString, string expectedInMessage)
    {
        var ex = Assert.Throws<FormatException>(() => StorageConnectionString.Parse(connectionString));

        Assert.Contains(expectedInMessage, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AccountName=acct;AccountKey=s3cr3t*value")]
    [InlineData("AccountName=acct;AccountKey=" + DevKey + ";Extra")]
    public void Error_messages_never_echo_the_key(string connectionString)
    {
        var ex = Assert.Throws<FormatException>(() => StorageConnectionString.Parse(connectionString));

        Assert.DoesNotContain("s3cr3t", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(DevKey, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(DevKey[..12], ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Long_segment_without_equals_is_shortened_in_the_message()
    {
        const string segment = "ThisSegmentIsLongerThanTwentyFourCharacters";

        var ex = Assert.Throws<FormatException>(() => StorageConnectionString.Parse("AccountName=acct;" + segment));

        Assert.Contains("'ThisSegmentI…'", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(segment, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("UseDevelopmentStorage=true", DevKey)]
    [InlineData("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=" + OtherKey + ";EndpointSuffix=core.windows.net", OtherKey)]
    [InlineData("AccountName=devstoreaccount1;AccountKey=" + DevKey + ";TableEndpoint=http://127.0.0.1:10002/devstoreaccount1", DevKey)]
    public void ToString_never_contains_the_key(string connectionString, string key)
    {
        var parsed = StorageConnectionString.Parse(connectionString);

        var text = parsed.ToString();

        Assert.DoesNotContain(key, text, StringComparison.Ordinal);
        Assert.DoesNotContain(key[..16], text, StringComparison.Ordinal);
        Assert.DoesNotContain("AccountKey", text, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("AccountName=" + parsed.AccountName, text, StringComparison.Ordinal);
        Assert.DoesNotContain(key, $"{parsed}", StringComparison.Ordinal);
    }

    [Fact]
    public void Credential_carries_the_account_name()
    {
        var parsed = StorageConnectionString.Parse("AccountName=acct;AccountKey=" + OtherKey);

        Assert.Equal("acct", parsed.Credential.AccountName);
    }

    [Fact]
    public void Protocol_is_case_insensitive()
    {
        var parsed = StorageConnectionString.Parse("DefaultEndpointsProtocol=HTTPS;AccountName=acct;AccountKey=" + DevKey);

        Assert.Equal("https://acct.table.core.windows.net/", parsed.TableEndpoint.AbsoluteUri);
    }
}
