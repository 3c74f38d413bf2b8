using System.Net;
using System.Net.Sockets;

namespace IndicatorFunctions.Collection;

/// <summary>A range a source may not reach unless allowed: what kind it is (<c>loopback</c>, <c>private</c>, ...) and the range itself.</summary>
public sealed record RestrictedRange(string Kind, IPNetwork Range)
{
    public override string ToString() => $"{Kind} ({Range})";
}

/// <summary>
/// Which network addresses an admin-defined source may reach by default: public unicast only. Loopback,
/// private, shared (CGNAT), link-local (cloud metadata and identity endpoints live there), unique-local,
/// unspecified, multicast and reserved ranges are refused, and so is an IPv4 address inside IPv6 (mapped,
/// compatible, NAT64, 6to4) when the IPv4 address is.
/// </summary>
public static class Destinations
{
    private static readonly RestrictedRange[] Restricted =
    [
        new("unspecified", IPNetwork.Parse("0.0.0.0/8")),
        new("private", IPNetwork.Parse("10.0.0.0/8")),
        new("shared (CGNAT)", IPNetwork.Parse("100.64.0.0/10")),
        new("loopback", IPNetwork.Parse("127.0.0.0/8")),
        new("link-local", IPNetwork.Parse("169.254.0.0/16")),
        new("private", IPNetwork.Parse("172.16.0.0/12")),
        new("private", IPNetwork.Parse("192.168.0.0/16")),
        // Azure's virtual public IP of the host (DNS, health probes, the VM agent's wire server): public-looking, host-only.
        new("the Azure host's platform address", IPNetwork.Parse("168.63.129.16/32")),
        new("multicast", IPNetwork.Parse("224.0.0.0/4")),
        new("reserved", IPNetwork.Parse("240.0.0.0/4")), // and 255.255.255.255, broadcast
        new("unspecified", IPNetwork.Parse("::/128")),
        new("loopback", IPNetwork.Parse("::1/128")),
        new("unique-local", IPNetwork.Parse("fc00::/7")),
        new("link-local", IPNetwork.Parse("fe80::/10")),
        new("site-local", IPNetwork.Parse("fec0::/10")),
        new("multicast", IPNetwork.Parse("ff00::/8")),
    ];

    /// <summary>The restricted range <paramref name="address"/> is in, or null for a public address.</summary>
    public static RestrictedRange? Classify(IPAddress address)
    {
        var checkedAddress = EmbeddedIPv4(address) ?? address;
        return Restricted.FirstOrDefault(r => r.Range.Contains(checkedAddress));
    }

    /// <summary>
    /// The IPv4 address inside an IPv6 one that carries it: mapped (<c>::ffff:a.b.c.d</c>), compatible
    /// (<c>::a.b.c.d</c>, but not <c>::</c> or <c>::1</c>), NAT64 (<c>64:ff9b::a.b.c.d</c>) or 6to4 (<c>2002:aabb:ccdd::</c>).
    /// </summary>
    public static IPAddress? EmbeddedIPv4(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
            return null;
        if (address.IsIPv4MappedToIPv6)
            return address.MapToIPv4();
        var b = address.GetAddressBytes();
        if (b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0)
            return b.AsSpan(12, 3).IndexOfAnyExcept((byte)0) < 0 && b[15] <= 1 ? null : new IPAddress(b.AsSpan(12, 4));
        if (b.AsSpan(0, 12).SequenceEqual(Nat64Prefix))
            return new IPAddress(b.AsSpan(12, 4));
        if (b[0] == 0x20 && b[1] == 0x02)
            return new IPAddress(b.AsSpan(2, 4));
        return null;
    }

    private static readonly byte[] Nat64Prefix = [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0];
}

/// <summary>
/// Private hosts an on-premises feed may use (app setting <c>Collection__AllowedPrivateHosts</c>): comma-separated
/// host names (matched as written in the URL, case-insensitively), IP addresses and CIDR ranges. A host name
/// allows whatever it resolves to; an address or range allows exactly that, under any name.
/// </summary>
public sealed class PrivateHostAllowList
{
    private readonly HashSet<string> _names;
    private readonly List<IPNetwork> _ranges;

    private PrivateHostAllowList(HashSet<string> names, List<IPNetwork> ranges) => (_names, _ranges) = (names, ranges);

    public static readonly PrivateHostAllowList None = new([], []);

    /// <summary>Parses the setting; each entry that is not a host name, address or range adds an error naming it.</summary>
    public static PrivateHostAllowList Parse(string? setting, List<string> errors)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var ranges = new List<IPNetwork>();
        foreach (var entry in (setting ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var unbracketed = entry.Trim('[', ']');
            if (entry.Contains('/') && IPNetwork.TryParse(entry, out var range))
                ranges.Add(range);
            else if (IPAddress.TryParse(unbracketed, out var address))
                ranges.Add(new IPNetwork(Normal(address), Normal(address).AddressFamily == AddressFamily.InterNetwork ? 32 : 128));
            else if (Uri.CheckHostName(entry) == UriHostNameType.Dns)
                names.Add(entry.TrimEnd('.'));
            else
                errors.Add($"'{entry}' is not a host name, an IP address or a CIDR range (such as 10.20.0.0/16)");
        }
        return new PrivateHostAllowList(names, ranges);
    }

    public bool Allows(string host, IPAddress address) =>
        _names.Contains(host.TrimEnd('.')) || _ranges.Any(r => r.Contains(address) || r.Contains(Normal(address)));

    /// <summary>An IPv4-mapped IPv6 address as the IPv4 address it is, so <c>10.0.0.0/8</c> allows <c>::ffff:10.1.2.3</c>.</summary>
    private static IPAddress Normal(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
