using System.Net;
using System.Net.Sockets;

namespace Ziggy.Secrets.Web.Integrations;

/// <summary>
/// Decides which IP addresses integrations may connect to. The check runs in the connect callback on the addresses
/// actually connected to, so a host name that resolves (or later re-resolves) to a refused address cannot get through.
/// </summary>
public sealed class OutboundAddressPolicy(bool allowPrivateNetworks)
{
    private const string Setting = "Ziggy:Integrations:AllowPrivateNetworks";

    public bool AllowPrivateNetworks { get; } = allowPrivateNetworks;

    /// <summary>Null when integrations may connect to <paramref name="address"/>, else a one-line reason.</summary>
    public string? Refusal(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return Classify(address) switch
        {
            Kind.LinkLocal => $"{address} is a link-local or cloud-metadata address, which integrations may never reach.",
            Kind.Unspecified => $"{address} is an unspecified address, which integrations may never reach.",
            Kind.Broadcast => $"{address} is a broadcast address, which integrations may never reach.",
            Kind.Multicast => $"{address} is a multicast address, which integrations may never reach.",
            Kind.Loopback when !AllowPrivateNetworks => $"{address} is a loopback address; set {Setting} to true to allow it.",
            Kind.Private when !AllowPrivateNetworks => $"{address} is a private network address; set {Setting} to true to allow it.",
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
        var addresses = IPAddress.TryParse(host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
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

        if (allowed.Count == 0) throw new OutboundAddressRefusedException(firstRefusal!);

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
    };

    private enum Kind { Public, Loopback, Private, LinkLocal, Unspecified, Broadcast, Multicast }

    private static Kind Classify(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        var b = address.GetAddressBytes();

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return b switch
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

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (b.AsSpan(0, 15).IndexOfAnyExcept((byte)0) < 0) return b[15] switch { 0 => Kind.Unspecified, 1 => Kind.Loopback, _ => Kind.Public };
            if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return Kind.LinkLocal;
            if (b[0] == 0xff) return Kind.Multicast;
            if ((b[0] & 0xfe) == 0xfc) return Kind.Private;
            if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return Kind.Private;
            return Kind.Public;
        }

        // Not an IP address the connect callback could be asked for; refuse rather than guess.
        return Kind.Unspecified;
    }
}

public sealed class OutboundAddressRefusedException(string reason) : Exception(reason);
