using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace IndicatorFunctions.Collection;

/// <summary>A source's request was not sent: its destination is one sources may not reach. The message says why and how to allow it.</summary>
public sealed class DestinationRefusedException(string message) : Exception(message);

/// <summary>
/// Keeps admin-defined sources off the app's own network: the sources client's connection step
/// (<see cref="SocketsHttpHandler.ConnectCallback"/>). It resolves the host itself, checks every address against
/// <see cref="Destinations"/> and <see cref="CollectionOptions.AllowedPrivateHosts"/>, and connects to the
/// addresses it checked, so a DNS answer that changes between check and connect (rebinding) cannot slip past, and
/// every redirect is checked too, since each connection comes through here. The Functions host's managed identity
/// endpoint (<c>IDENTITY_ENDPOINT</c>, <c>MSI_ENDPOINT</c>) is refused even when its address is allowed.
/// </summary>
public sealed class SourceDestinationGuard
{
    public const string Setting = $"{CollectionOptions.Section}__{nameof(CollectionOptions.AllowedPrivateHosts)}";

    private static readonly string[] IdentitySettings = ["IDENTITY_ENDPOINT", "MSI_ENDPOINT"];

    private readonly PrivateHostAllowList _allowed;
    private readonly List<(string Setting, Uri Endpoint)> _identity;
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve;

    public SourceDestinationGuard(IOptions<CollectionOptions> options, IConfiguration configuration)
        : this(options.Value.AllowList(), configuration, Dns.GetHostAddressesAsync)
    {
    }

    /// <summary>With its own resolver: tests answer for host names that do not exist.</summary>
    internal SourceDestinationGuard(PrivateHostAllowList allowed, IConfiguration configuration, Func<string, CancellationToken, Task<IPAddress[]>> resolve)
    {
        _allowed = allowed;
        _resolve = resolve;
        _identity = [.. IdentitySettings
            .Select(s => (Setting: s, Value: configuration[s]))
            .Where(e => Uri.TryCreate(e.Value, UriKind.Absolute, out _))
            .Select(e => (e.Setting, new Uri(e.Value!)))];
    }

    /// <summary>The <see cref="SocketsHttpHandler.ConnectCallback"/>: throws <see cref="DestinationRefusedException"/> before any byte is sent to a refused address.</summary>
    public ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken) =>
        ConnectAsync(context.DnsEndPoint, cancellationToken);

    internal async ValueTask<Stream> ConnectAsync(DnsEndPoint endPoint, CancellationToken cancellationToken)
    {
        var (host, port) = (endPoint.Host, endPoint.Port);
        var addresses = Literal(host) is { } literal ? [literal] : await _resolve(host, cancellationToken);
        foreach (var address in addresses)
        {
            if (Refusal(host, address, port) is { } reason)
                throw new DestinationRefusedException(reason);
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Why a URL whose host is an IP address may not be fetched, or null. For <c>PUT /api/sources</c>, to refuse
    /// early what can be seen early; a host name is checked when it is connected to.
    /// </summary>
    public string? RefusalOf(Uri url) =>
        Literal(url.Host) is { } address ? Refusal(url.Host, address, url.Port) : IdentityRefusal(url.Host, null, url.Port);

    private string? Refusal(string host, IPAddress address, int port)
    {
        if (IdentityRefusal(host, address, port) is { } identity)
            return identity;
        if (Destinations.Classify(address) is not { } range || _allowed.Allows(host, address))
            return null;
        var named = Literal(host) is null;
        return $"destination {(named ? $"{host} ({address})" : address.ToString())} is {range}; " +
            $"add {(named ? $"{host} or {address}" : "it")} to {Setting} to allow it";
    }

    private string? IdentityRefusal(string host, IPAddress? address, int port) =>
        _identity.FirstOrDefault(e => e.Endpoint.Port == port && IsSameHost(e.Endpoint.Host, host, address)) is { Setting: { } setting }
            ? $"destination {host}:{port} is the Functions host's managed identity endpoint ({setting}); sources may never call it"
            : null;

    /// <summary>The endpoint's host by name, by address, or (for <c>localhost</c>) any loopback address.</summary>
    private static bool IsSameHost(string endpointHost, string host, IPAddress? address) =>
        string.Equals(endpointHost, host, StringComparison.OrdinalIgnoreCase) ||
        (address is not null && (Literal(endpointHost) is { } endpoint
            ? Same(endpoint, address)
            : endpointHost.Equals("localhost", StringComparison.OrdinalIgnoreCase) && IPAddress.IsLoopback(Unmapped(address))));

    private static bool Same(IPAddress a, IPAddress b) => Unmapped(a).Equals(Unmapped(b));

    private static IPAddress Unmapped(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>The address a host is written as (<c>[::1]</c> with or without brackets), or null for a name.</summary>
    private static IPAddress? Literal(string host) =>
        IPAddress.TryParse(host.StartsWith('[') ? host.Trim('[', ']') : host, out var address) ? address : null;
}
