using IndicatorFunctions.Storage;

namespace IndicatorFunctions.Tests.Storage.Unit;

public sealed class StorageErrorParserTests
{
    [Theory]
    [InlineData(null, """{"odata.error":{"code":"EntityAlreadyExists","message":{"lang":"en-US","value":"The specified entity already exists."}}}""", "EntityAlreadyExists", "The specified entity already exists.")]
    [InlineData("TableNotFound", """{"odata.error":{"code":"Other","message":{"lang":"en-US","value":"The table specified does not exist."}}}""", "TableNotFound", "The table specified does not exist.")]
    [InlineData(null, "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>BlobAlreadyExists</Code><Message>The specified blob already exists.</Message></Error>", "BlobAlreadyExists", "The specified blob already exists.")]
    [InlineData(null, "\uFEFF<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>LeaseAlreadyPresent</Code><Message>There is already a lease present.</Message></Error>", "LeaseAlreadyPresent", "There is already a lease present.")]
    [InlineData("AuthenticationFailed", "", "AuthenticationFailed", "AuthenticationFailed")]
    [InlineData("ServerBusy", "<html><body>proxy error</body", "ServerBusy", "ServerBusy")]
    public void Error_code_and_message_come_from_the_header_or_the_service_body(string? headerCode, string body, string expectedCode, string expectedMessage)
    {
        var headers = headerCode is null ? [] : new[] { new KeyValuePair<string, string>("x-ms-error-code", headerCode) };

        var parsed = new StorageErrorParser().TryParse(new FakeResponse(409, body, headers), out var error, out _);

        Assert.True(parsed);
        Assert.Equal((expectedCode, expectedMessage), (error!.Code, error.Message));
    }

    [Theory]
    [InlineData("")]
    [InlineData("<html><body>Bad Gateway</body></html>")]
    [InlineData("{\"unexpected\":true}")]
    public void A_body_that_is_not_a_service_error_yields_no_details(string body)
    {
        Assert.False(new StorageErrorParser().TryParse(new FakeResponse(502, body), out var error, out _));
        Assert.Null(error);
    }
}
