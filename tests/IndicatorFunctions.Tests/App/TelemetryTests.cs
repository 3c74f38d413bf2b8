using IndicatorFunctions.Hosting;

namespace IndicatorFunctions.Tests.App;

public sealed class TelemetryTests
{
    [Theory]
    [InlineData("Authorization=AAD;ClientId=0b1c2d3e-aaaa-bbbb-cccc-1234567890ab", "0b1c2d3e-aaaa-bbbb-cccc-1234567890ab")]
    [InlineData("ClientId=abc;Authorization=AAD", "abc")]
    [InlineData(" authorization = aad ; clientid = abc ", "abc")]
    [InlineData("Authorization=AAD", null)]
    [InlineData("Authorization=AAD;ClientId=", null)]
    public void An_AAD_authentication_string_names_the_identity_telemetry_uses(string value, string? clientId)
    {
        var identity = Telemetry.ParseAuthentication(value);

        Assert.NotNull(identity);
        Assert.Equal(clientId, identity.ClientId);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("ClientId=abc")]
    [InlineData("Authorization=Key;ClientId=abc")]
    [InlineData("garbage")]
    public void Anything_else_asks_for_no_Entra_authentication(string? value) =>
        Assert.Null(Telemetry.ParseAuthentication(value));
}
