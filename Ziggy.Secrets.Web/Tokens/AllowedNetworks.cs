using System.Net;
using System.Net.Sockets;

namespace Ziggy.Secrets.Web.Tokens;

/// <summary>The client networks a token may be used from: CIDR blocks, IPv4 or IPv6, one per line or separated by commas or spaces.</summary>
public static class AllowedNetworks
{
    public const int MaxCount = 50;

    /// <summary>The networks in <paramref name="text"/>, in their canonical spelling, or what is wrong with it (one message per bad entry).</summary>
    public static (IReadOnlyList<IPNetwork> Networks, IReadOnlyList<string> Errors) Parse(string? text)
    {
        var entries = (text ?? "").Split([',', ' ', '\t', '\r', '\n', ';'], StringSplitOptions.RemoveEmptyEntries);
        var networks = new List<IPNetwork>();
        var errors = new List<string>();
        if (entries.Length > MaxCount)
        {
            errors.Add($"List at most {MaxCount} networks.");
            return (networks, errors);
        }

        foreach (var entry in entries)
        {
            // A block is written with its base address: 10.0.0.1/8 is refused (not silently read as 10.0.0.0/8), so a typo
            // in the prefix length cannot quietly open a far wider block than meant.
            if (IPNetwork.TryParse(entry, out var network) && IPAddress.TryParse(entry[..entry.IndexOf('/')], out var written)
                && written.Equals(network.BaseAddress))
            {
                if (!networks.Contains(network)) networks.Add(network);
                continue;
            }

            // A single address is its own network.
            if (!entry.Contains('/') && IPAddress.TryParse(entry, out var address) && !entry.Contains('%'))
            {
                var single = new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
                if (!networks.Contains(single)) networks.Add(single);
                continue;
            }

            errors.Add(Explain(entry));
        }

        return (networks, errors);
    }

    public static string Format(IEnumerable<IPNetwork> networks) => string.Join("\n", networks.Select(n => n.ToString()));

    /// <summary>Whether <paramref name="client"/> is inside one of the stored networks; an empty list allows every address.</summary>
    public static bool Allows(string stored, IPAddress? client)
    {
        if (string.IsNullOrWhiteSpace(stored)) return true;
        if (client is null) return false;
        if (client.IsIPv4MappedToIPv6) client = client.MapToIPv4();
        foreach (var line in stored.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (IPNetwork.TryParse(line, out var network) && network.Contains(client)) return true;
        }

        return false;
    }

    private static string Explain(string entry)
    {
        var shown = entry.Length > 60 ? entry[..60] + "…" : entry;
        var slash = entry.IndexOf('/');
        if (slash > 0 && IPAddress.TryParse(entry[..slash], out var address))
        {
            var max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
            if (!int.TryParse(entry[(slash + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var prefix) || prefix > max)
                return $"{shown}: the prefix length after / must be a number from 0 to {max}.";
            return $"{shown} is an address inside a network, not the network itself: write {new IPNetwork(Mask(address, prefix), prefix)}.";
        }

        return $"{shown} is not a network: write it as an address and prefix length, such as 203.0.113.0/24 or 2001:db8::/32.";
    }

    private static IPAddress Mask(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }

        return new IPAddress(bytes);
    }
}
