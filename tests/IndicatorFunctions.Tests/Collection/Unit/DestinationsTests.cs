using System.Net;
using System.Net.Sockets;
using IndicatorFunctions.Collection;
using Microsoft.Extensions.Configuration;

namespace IndicatorFunctions.Tests.Collection.Unit;

public sealed class DestinationsTests
{
    [Theory]
    // IPv4, at the edges of each range
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("0.255.255.255", "unspecified")]
    [InlineData("1.0.0.0", null)]
    [InlineData("9.255.255.255", null)]
    [InlineData("10.0.0.0", "private")]
    [InlineData("10.255.255.255", "private")]
    [InlineData("11.0.0.0", null)]
    [InlineData("100.63.255.255", null)]
    [InlineData("100.64.0.0", "shared (CGNAT)")]
    [InlineData("100.127.255.255", "shared (CGNAT)")]
    [InlineData("100.128.0.0", null)]
    [InlineData("126.255.255.255", null)]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.255.255.254", "loopback")]
    [InlineData("128.0.0.0", null)]
    [InlineData("168.63.129.16", "the Azure host's platform address")]
    [InlineData("168.63.129.17", null)]
    [InlineData("169.253.255.255", null)]
    [InlineData("169.254.0.0", "link-local")]
    [InlineData("169.254.169.254", "link-local")] // cloud metadata and identity
    [InlineData("169.255.0.0", null)]
    [InlineData("172.15.255.255", null)]
    [InlineData("172.16.0.0", "private")]
    [InlineData("172.31.255.255", "private")]
    [InlineData("172.32.0.0", null)]
    [InlineData("192.167.255.255", null)]
    [InlineData("192.168.0.0", "private")]
    [InlineData("192.168.255.255", "private")]
    [InlineData("192.169.0.0", null)]
    [InlineData("223.255.255.255", null)]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("239.255.255.255", "multicast")]
    [InlineData("240.0.0.1", "reserved")]
    [InlineData("255.255.255.255", "reserved")]
    [InlineData("8.8.8.8", null)]
    [InlineData("203.0.113.7", null)]
    // IPv6
    [InlineData("::", "unspecified")]
    [InlineData("::1", "loopback")]
    [InlineData("::2", "unspecified")] // IPv4-compatible 0.0.0.2
    [InlineData("fbff:ffff::1", null)]
    [InlineData("fc00::", "unique-local")]
    [InlineData("fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "unique-local")]
    [InlineData("fe00::1", null)]
    [InlineData("fe80::1", "link-local")]
    [InlineData("febf:ffff::1", "link-local")]
    [InlineData("fec0::1", "site-local")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("2606:4700:4700::1111", null)]
    [InlineData("fd00:ec2::254", "unique-local")] // AWS's IPv6 metadata address
    // IPv4 inside IPv6: mapped, compatible, NAT64, 6to4
    [InlineData("::ffff:127.0.0.1", "loopback")]
    [InlineData("::ffff:10.1.2.3", "private")]
    [InlineData("::ffff:169.254.169.254", "link-local")]
    [InlineData("::ffff:100.64.0.1", "shared (CGNAT)")]
    [InlineData("::ffff:0.0.0.0", "unspecified")]
    [InlineData("::ffff:8.8.8.8", null)]
    [InlineData("::127.0.0.1", "loopback")]
    [InlineData("64:ff9b::a9fe:a9fe", "link-local")]
    [InlineData("64:ff9b::808:808", null)]
    [InlineData("2002:c0a8:101::1", "private")]
    [InlineData("2002:808:808::1", null)]
    public void Classifies_each_address_by_the_range_it_is_in(string address, string? kind)
    {
        Assert.Equal(kind, Destinations.Classify(IPAddress.Parse(address))?.Kind);
    }

    [Theory]
    [InlineData("feeds.corp.local", "feeds.corp.local", "10.1.2.3", true)]
    [InlineData("FEEDS.corp.local", "feeds.corp.local.", "10.1.2.3", true)]
    [InlineData("feeds.corp.local", "other.corp.local", "10.1.2.3", false)]
    [InlineData("10.1.2.3", "10.1.2.3", "10.1.2.3", true)]
    [InlineData("10.1.2.3", "anything.example", "10.1.2.3", true)]
    [InlineData("10.1.2.3", "10.1.2.4", "10.1.2.4", false)]
    [InlineData("10.20.0.0/16", "10.20.255.1", "10.20.255.1", true)]
    [InlineData("10.20.0.0/16", "10.21.0.1", "10.21.0.1", false)]
    [InlineData("10.20.0.0/16", "[::ffff:10.20.0.1]", "::ffff:10.20.0.1", true)]
    [InlineData("fd00::/8", "[fd12::1]", "fd12::1", true)]
    [InlineData("[::1]", "[::1]", "::1", true)]
    [InlineData(" a.example , 10.0.0.0/8 ", "b.example", "10.9.9.9", true)]
    [InlineData("", "127.0.0.1", "127.0.0.1", false)]
    public void The_allow_list_matches_names_as_written_and_addresses_by_range(string setting, string host, string address, bool allowed)
    {
        var errors = new List<string>();
        var list = PrivateHostAllowList.Parse(setting, errors);

        Assert.Empty(errors);
        Assert.Equal(allowed, list.Allows(host, IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("10.0.0.0/33", "'10.0.0.0/33' is not a host name, an IP address or a CIDR range (such as 10.20.0.0/16)")]
    [InlineData("feeds.corp.local, http://x", "'http://x' is not a host name, an IP address or a CIDR range (such as 10.20.0.0/16)")]
    [InlineData("*.corp.local", "'*.corp.local' is not a host name, an IP address or a CIDR range (such as 10.20.0.0/16)")]
    public void A_bad_allow_list_entry_is_named(string setting, string error)
    {
        var errors = new List<string>();

        PrivateHostAllowList.Parse(setting, errors);

        Assert.Equal(error, Assert.Single(errors));
    }

    [Fact]
    public async Task A_name_resolving_to_public_and_private_addresses_is_refused_naming_the_private_one()
    {
        var guard = Guard("", ("mixed.example", ["203.0.113.7", "10.0.0.5"]));

        var refused = await Assert.ThrowsAsync<DestinationRefusedException>(() => ConnectAsync(guard, "mixed.example", 443));

        Assert.Equal("destination mixed.example (10.0.0.5) is private (10.0.0.0/8); add mixed.example or 10.0.0.5 to Collection__AllowedPrivateHosts to allow it", refused.Message);
    }

    [Fact]
    public async Task A_name_that_resolves_to_the_metadata_address_is_refused()
    {
        var guard = Guard("", ("metadata.example", ["169.254.169.254"]));

        var refused = await Assert.ThrowsAsync<DestinationRefusedException>(() => ConnectAsync(guard, "metadata.example", 80));

        Assert.StartsWith("destination metadata.example (169.254.169.254) is link-local", refused.Message);
    }

    [Fact]
    public async Task An_allowed_name_is_resolved_once_and_connected_to_at_the_address_that_was_checked()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        // A rebinding server answers differently each time it is asked: first loopback (allowed by name), then metadata.
        var answers = new Queue<IPAddress[]>([[IPAddress.Loopback], [IPAddress.Parse("169.254.169.254")]]);
        var guard = new SourceDestinationGuard(PrivateHostAllowList.Parse("feed.internal", []), new ConfigurationBuilder().Build(),
            (_, _) => Task.FromResult(answers.Dequeue()));

        await using var stream = await ConnectAsync(guard, "feed.internal", port);
        using var accepted = await listener.AcceptTcpClientAsync();

        Assert.Single(answers); // asked once; the connection went to the address it checked
        Assert.Equal(IPAddress.Loopback, ((IPEndPoint)accepted.Client.RemoteEndPoint!).Address);
    }

    [Theory]
    [InlineData("IDENTITY_ENDPOINT", "http://127.0.0.1:41741/msi/token", "127.0.0.1", 41741, true)]
    [InlineData("IDENTITY_ENDPOINT", "http://127.0.0.1:41741/msi/token", "127.0.0.1", 41742, false)]
    [InlineData("MSI_ENDPOINT", "http://localhost:8081/msi/token", "localhost", 8081, true)]
    [InlineData("MSI_ENDPOINT", "http://localhost:8081/msi/token", "127.0.0.1", 8081, true)]
    [InlineData("MSI_ENDPOINT", "http://localhost:8081/msi/token", "[::1]", 8081, true)]
    public async Task The_hosts_identity_endpoint_is_refused_even_when_its_address_is_allowed(string setting, string endpoint, string host, int port, bool refused)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [setting] = endpoint }).Build();
        var guard = new SourceDestinationGuard(PrivateHostAllowList.Parse("127.0.0.0/8, ::1, localhost", []), configuration,
            (_, _) => Task.FromResult(new[] { IPAddress.Loopback }));

        var refusal = guard.RefusalOf(new Uri($"http://{host}:{port}/"));
        var connect = await Record.ExceptionAsync(async () => await (await ConnectAsync(guard, host, port)).DisposeAsync());

        if (refused)
        {
            Assert.Equal($"destination {host}:{port} is the Functions host's managed identity endpoint ({setting}); sources may never call it",
                Assert.IsType<DestinationRefusedException>(connect).Message);
            Assert.Equal(connect.Message, refusal);
        }
        else
        {
            Assert.IsNotType<DestinationRefusedException>(connect); // nothing listens there: the connection itself fails
            Assert.Null(refusal);
        }
    }

    private static SourceDestinationGuard Guard(string allowed, params (string Host, string[] Addresses)[] names)
    {
        var map = names.ToDictionary(n => n.Host, n => n.Addresses.Select(IPAddress.Parse).ToArray());
        return new SourceDestinationGuard(PrivateHostAllowList.Parse(allowed, []), new ConfigurationBuilder().Build(), (host, _) => Task.FromResult(map[host]));
    }

    private static async Task<Stream> ConnectAsync(SourceDestinationGuard guard, string host, int port) =>
        await guard.ConnectAsync(new DnsEndPoint(host, port), CancellationToken.None);
}
