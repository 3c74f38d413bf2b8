using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IndicatorFunctions.Tests.Infrastructure;
using static IndicatorFunctions.Tests.Collection.CollectionData;

namespace IndicatorFunctions.Tests.Collection;

/// <summary>
/// Sources may not reach the app's own network (loopback, private, link-local, ...) unless
/// <c>Collection__AllowedPrivateHosts</c> says so. The local <see cref="SourceServer"/> is on loopback, so it is
/// the forbidden destination here: refused means it never saw the request.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class DestinationTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_source_on_loopback_without_the_allow_list_is_refused_saying_why_and_the_server_never_hears_of_it()
    {
        await using var server = await SourceServer.StartAsync();
        server.ServeFile("/x.csv", RetailCsv());
        await using var app = new FunctionAppFactory(azurite, Settings(("Collection:AllowedPrivateHosts", "")));
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        // A host name passes the PUT (it is checked when connected to); it resolves to loopback.
        await PutSourceAsync(admin, "inside", HttpCsvSource(server.OtherHostBaseUrl + "/x.csv", "minhang"));

        var run = await CollectAsync(admin);

        var outcome = Outcome(run, "inside");
        Assert.Equal("failed", outcome.GetProperty("status").GetString());
        var reason = outcome.GetProperty("reason").GetString()!;
        Assert.StartsWith("destination localhost (", reason);
        Assert.Contains(") is loopback (", reason);
        Assert.EndsWith("to Collection__AllowedPrivateHosts to allow it", reason);
        // Not retried: waiting will not make the destination allowed.
        Assert.Equal(1, outcome.GetProperty("attempts").GetInt32());
        var attempt = Assert.Single(outcome.GetProperty("attemptLog").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, attempt.GetProperty("status").ValueKind);
        Assert.Equal(reason, attempt.GetProperty("error").GetString());
        Assert.Empty(server.RequestsTo("/x.csv"));
    }

    [Fact]
    public async Task A_redirect_from_an_allowed_host_to_a_refused_address_is_refused_before_it_is_followed()
    {
        await using var server = await SourceServer.StartAsync();
        server.Serve("/hop.csv", (context, _) => { context.Response.Redirect(server.Url("/secret.csv")); return Task.CompletedTask; });
        server.ServeFile("/secret.csv", RetailCsv());
        // The first hop's host name is allowed; the redirect's target, the address 127.0.0.1, is not.
        await using var app = new FunctionAppFactory(azurite, Settings(("Collection:AllowedPrivateHosts", "localhost")));
        var admin = app.CreateAdminClient();
        await SeedCatalogAsync(admin);
        await PutSourceAsync(admin, "hops", HttpCsvSource(server.OtherHostBaseUrl + "/hop.csv", "minhang"));

        var run = await CollectAsync(admin);

        var outcome = Outcome(run, "hops");
        Assert.Equal("after 1 redirect(s), destination 127.0.0.1 is loopback (127.0.0.0/8); add it to Collection__AllowedPrivateHosts to allow it",
            outcome.GetProperty("reason").GetString());
        var log = outcome.GetProperty("attemptLog").EnumerateArray().ToList();
        Assert.Equal(2, log.Count);
        Assert.Equal(302, log[0].GetProperty("status").GetInt32());
        Assert.Equal(new Uri(server.OtherHostBaseUrl).Authority, log[0].GetProperty("host").GetString());
        Assert.Equal(new Uri(server.BaseUrl).Authority, log[1].GetProperty("host").GetString());
        Assert.Single(server.RequestsTo("/hop.csv"));
        Assert.Empty(server.RequestsTo("/secret.csv"));
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/x.csv", "destination 127.0.0.1 is loopback (127.0.0.0/8)")]
    [InlineData("http://2130706433/x.csv", "destination 127.0.0.1 is loopback (127.0.0.0/8)")] // 127.0.0.1 written as one number
    [InlineData("http://169.254.169.254/metadata/identity/oauth2/token", "destination 169.254.169.254 is link-local (169.254.0.0/16)")]
    [InlineData("http://10.1.2.3/x.csv", "destination 10.1.2.3 is private (10.0.0.0/8)")]
    [InlineData("http://[::ffff:192.168.1.1]/x.csv", "destination ::ffff:192.168.1.1 is private (192.168.0.0/16)")]
    [InlineData("http://[fd12::1]/x.csv", "destination fd12::1 is unique-local (fc00::/7)")]
    [InlineData("http://0.0.0.0:7071/x.csv", "destination 0.0.0.0 is unspecified (0.0.0.0/8)")]
    public async Task A_url_whose_host_is_a_refused_address_is_400_naming_url(string url, string reason)
    {
        await using var app = new FunctionAppFactory(azurite, Settings(("Collection:AllowedPrivateHosts", "")));
        var admin = app.CreateAdminClient();

        var response = await admin.PutAsJsonAsync("/api/sources/inside", HttpCsvSource(url, "minhang"));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = Assert.Single(problem.GetProperty("errors").EnumerateArray());
        Assert.Equal("url", error.GetProperty("field").GetString());
        Assert.Equal($"url: {reason}; add it to Collection__AllowedPrivateHosts to allow it", error.GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/sources/inside")).StatusCode);
    }

    [Fact]
    public async Task An_allowed_address_is_accepted_but_the_hosts_identity_endpoint_never_is()
    {
        await using var app = new FunctionAppFactory(azurite, Settings(
            ("Collection:AllowedPrivateHosts", "127.0.0.0/8"), ("IDENTITY_ENDPOINT", "http://127.0.0.1:41741/msi/token")));
        var admin = app.CreateAdminClient();

        var allowed = await admin.PutAsJsonAsync("/api/sources/on-prem", HttpCsvSource("http://127.0.0.1:8080/x.csv", "minhang"));
        var identity = await admin.PutAsJsonAsync("/api/sources/identity", HttpCsvSource("http://127.0.0.1:41741/msi/token?resource=https://vault.azure.net", "minhang"));
        var problem = await identity.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Created, allowed.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, identity.StatusCode);
        Assert.Equal("url: destination 127.0.0.1:41741 is the Functions host's managed identity endpoint (IDENTITY_ENDPOINT); sources may never call it",
            problem.GetProperty("errors")[0].GetProperty("message").GetString());
    }
}
