using System.Net;
using System.Net.Sockets;

namespace Ziggy.Secrets.Web.Integrations;

/// <summary>
/// Decides which IP addresses integrations may connect to. The check runs in the connect callback on the addresses
/// actually connected to, so a host name that resolves (or later re-resolves) to a refused address cannot get through.
/// An IPv6 address that carries an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo) is judged by what it carries,
/// since a translator or tunnel delivers it there.
/// </summary>
public sealed class OutboundAddressPolicy(bool allowPrivateNetworks)
{
    /// <summary>
    /// All the runner is told about a refused destination: which address a name resolved to and why it was refused
    /// would map the internal network for anyone allowed to run an integration. The detail goes to the audit trail.
    /// </summary>
    public const string NotPublicMessage = "The destination is not a public address.";

    private const string Setting = "Ziggy:Integrations:AllowPrivateNetworks";

    public bool AllowPrivateNetworks { get; } = allowPrivateNetworks;

    /// <summary>Null when integrations may connect to <paramref name="address"/>, else a one-line reason naming it.</summary>
    public string? Refusal(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var (kind, carried) = Classify(address);
        var subject = carried is null ? $"{address}" : $"{address} (carrying {carried})";
        return kind switch
        {
            Kind.LinkLocal => $"{subject} is a link-local or cloud-metadata address, which integrations may never reach.",
            Kind.Unspecified => $"{subject} is an unspecified address, which integrations may never reach.",
            Kind.Broadcast => $"{subject} is a broadcast address, which integrations may never reach.",
            Kind.Multicast => $"{subject} is a multicast address, which integrations may never reach.",
            Kind.Loopback when !AllowPrivateNetworks => $"{subject} is a loopback address; set {Setting} to true to allow it.",
            Kind.Private when !AllowPrivateNetworks => $"{subject} is a private network address; set {Setting} to true to allow it.",
            _ => null,
        };
    }

    /// <summary>
    /// A <see cref="SocketsHttpHandler.ConnectCallback"/>: resolves the host, vets every address and connects only to
    /// allowed ones (in resolution order, moving on to the next when one cannot be reached).
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var endpoint = context.DnsEndPoint;
        var host = endpoint.Host.StartsWith('[') && endpoint.Host.EndsWith(']') ? endpoint.Host[1..^1] : endpoint.Host;
        var isLiteral = IPAddress.TryParse(host, out var literal);
        var addresses = isLiteral ? [literal!] : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        if (addresses.Length == 0) throw new SocketException((int)SocketError.HostNotFound);

        string? firstRefusal = null;
        var allowed = new List<IPAddress>(addresses.Length);
        foreach (var address in addresses)
        {
            var refusal = Refusal(address);
            if (refusal is null)
                // Connect to exactly the address that was judged: a mapped IPv6 form goes out as the IPv4 it stands for.
                allowed.Add(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
            else
                firstRefusal ??= refusal;
        }

        if (allowed.Count == 0) throw new OutboundAddressRefusedException(isLiteral ? firstRefusal! : $"{host}: {firstRefusal}");

        SocketException? lastFailure = null;
        foreach (var address in allowed)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endpoint.Port), cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e) when (!cancellationToken.IsCancellationRequested)
            {
                socket.Dispose();
                lastFailure = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw lastFailure!;
    }

    /// <summary>
    /// A handler whose every connection goes through <see cref="ConnectAsync"/>. Redirects are not followed here: the
    /// caller follows them itself, and each hop's connection is vetted again.
    /// </summary>
    public SocketsHttpHandler CreateHandler() => new()
    {
        ConnectCallback = ConnectAsync,
        AllowAutoRedirect = false,
        UseCookies = false,
        // A proxy would make the connection for us, to an address this policy never sees.
        UseProxy = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        AutomaticDecompression = DecompressionMethods.None,
        // No traceparent, tracestate or baggage: they would hand a third party our trace ids and whatever baggage the
        // request carries. The default is DistributedContextPropagator.Current, so null also ignores a global propagator.
        ActivityHeadersPropagator = null,
    };

    private enum Kind { Public, Private, Loopback, LinkLocal, Unspecified, Broadcast, Multicast }

    private static (Kind Kind, IPAddress? Carried) Classify(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) return (ClassifyIPv4(address.MapToIPv4()), null);
        if (address.AddressFamily == AddressFamily.InterNetwork) return (ClassifyIPv4(address), null);
        // Not an IP address the connect callback could be asked for; refuse rather than guess.
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return (Kind.Unspecified, null);

        var b = address.GetAddressBytes();
        if (b.AsSpan(0, 15).IndexOfAnyExcept((byte)0) < 0 && b[15] <= 1) return (b[15] == 0 ? Kind.Unspecified : Kind.Loopback, null);

        var zeroFrom4To12 = b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0;
        var last32 = new IPAddress(b.AsSpan(12, 4));
        // IPv4-compatible ::a.b.c.d (deprecated, still routed by some stacks).
        if (b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0) return Carrying(last32);
        // IPv4-translated ::ffff:0:a.b.c.d (SIIT).
        if (b.AsSpan(0, 8).IndexOfAnyExcept((byte)0) < 0 && b[8] == 0xff && b[9] == 0xff && b[10] == 0 && b[11] == 0) return Carrying(last32);
        // NAT64 well-known prefix 64:ff9b::/96.
        if (b is [0x00, 0x64, 0xff, 0x9b, ..] && zeroFrom4To12) return Carrying(last32);
        // NAT64 local-use prefix 64:ff9b:1::/48. Outside the /96 layout the network chose where the IPv4 sits, so it is
        // also treated as the local network it is.
        if (b is [0x00, 0x64, 0xff, 0x9b, 0x00, 0x01, ..])
        {
            var (kind, carried) = Carrying(last32);
            return b.AsSpan(6, 6).IndexOfAnyExcept((byte)0) < 0 ? (kind, carried) : Worse((kind, carried), (Kind.Private, carried));
        }

        // 6to4 2002:a.b.c.d::/48.
        if (b is [0x20, 0x02, ..]) return Carrying(new IPAddress(b.AsSpan(2, 4)));
        // Teredo 2001:0::/32: the relay's IPv4 in bits 32-63, the client's in the last 32 bits, inverted.
        if (b is [0x20, 0x01, 0x00, 0x00, ..])
        {
            var client = new byte[4];
            for (var i = 0; i < 4; i++) client[i] = (byte)~b[12 + i];
            return Worse(Carrying(new IPAddress(b.AsSpan(4, 4))), Carrying(new IPAddress(client)));
        }

        if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return (Kind.LinkLocal, null);
        if (b[0] == 0xff) return (Kind.Multicast, null);
        if ((b[0] & 0xfe) == 0xfc) return (Kind.Private, null);
        if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return (Kind.Private, null);
        return (Kind.Public, null);
    }

    private static (Kind, IPAddress?) Carrying(IPAddress ipv4) => (ClassifyIPv4(ipv4), ipv4);

    /// <summary>The harder to reach of two judgements: never-reachable kinds, then loopback and private, then public.</summary>
    private static (Kind Kind, IPAddress? Carried) Worse((Kind Kind, IPAddress? Carried) a, (Kind Kind, IPAddress? Carried) b) =>
        Severity(b.Kind) > Severity(a.Kind) ? b : a;

    private static int Severity(Kind kind) => kind switch { Kind.Public => 0, Kind.Private => 1, Kind.Loopback => 2, _ => 3 };

    private static Kind ClassifyIPv4(IPAddress address) => address.GetAddressBytes() switch
    {
        // 169.254.169.254 is the metadata service (and credentials) of most clouds.
        [169, 254, _, _] => Kind.LinkLocal,
        // Connecting to 0.0.0.0 reaches the local host on Linux and macOS.
        [0, _, _, _] => Kind.Unspecified,
        [255, 255, 255, 255] => Kind.Broadcast,
        [>= 224 and <= 239, _, _, _] => Kind.Multicast,
        [127, _, _, _] => Kind.Loopback,
        [10, _, _, _] => Kind.Private,
        [172, >= 16 and <= 31, _, _] => Kind.Private,
        [192, 168, _, _] => Kind.Private,
        [100, >= 64 and <= 127, _, _] => Kind.Private,
        _ => Kind.Public,
    };
}

/// <summary>
/// A connection refused by <see cref="OutboundAddressPolicy"/>. <see cref="Exception.Message"/> is what the runner may
/// see; <see cref="Detail"/> names the address and the reason, for the audit trail.
/// </summary>
public sealed class OutboundAddressRefusedException(string detail) : Exception(OutboundAddressPolicy.NotPublicMessage)
{
    public string Detail { get; } = detail;
}
