using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;

namespace Ziggy.Secrets.Tests.Support;

/// <summary>
/// What an authenticator app computes (RFC 6238): HMAC-SHA1 of the 30-second step number under the base32 key, 6 digits.
/// Identity checks codes against the real clock, so these use it too.
/// </summary>
public static class Totp
{
    public static readonly TimeSpan Step = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The code for now, or for <paramref name="stepsAhead"/> steps later (Identity accepts up to two steps either side,
    /// and each code only once, so a second sign-in in the same half-minute uses the next step's code).
    /// </summary>
    public static string Code(string key, int stepsAhead = 0) => CodeAt(key, DateTimeOffset.UtcNow + stepsAhead * Step);

    public static string CodeAt(string key, DateTimeOffset at)
    {
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, at.ToUnixTimeSeconds() / (long)Step.TotalSeconds);
        var hash = HMACSHA1.HashData(Base32(key), counter);
        var offset = hash[^1] & 0x0F;
        var binary = ((hash[offset] & 0x7F) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        return (binary % 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
    }

    /// <summary>A 6-digit code that is surely not the right one at any step near now.</summary>
    public static string WrongCode(string key)
    {
        var near = Enumerable.Range(-3, 7).Select(i => Code(key, i)).ToHashSet();
        return Enumerable.Range(0, 100).Select(i => (111111 + i).ToString(CultureInfo.InvariantCulture)).First(c => !near.Contains(c));
    }

    private static byte[] Base32(string text)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bytes = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (var c in text.ToUpperInvariant().Where(c => c is not ' ' and not '='))
        {
            buffer = (buffer << 5) | alphabet.IndexOf(c);
            bits += 5;
            if (bits < 8) continue;
            bytes.Add((byte)(buffer >> (bits - 8)));
            bits -= 8;
            buffer &= (1 << bits) - 1;
        }

        return [.. bytes];
    }
}
