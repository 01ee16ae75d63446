using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Ziggy.Secrets.Web.Tokens;

/// <summary>
/// The token's shape: <c>zgs_</c> and the base64url form (no padding) of 256 random bits, 47 characters in all. The
/// prefix lets secret scanners recognise a leaked token. Only the SHA-256 hash of the whole string is stored: the
/// token has full entropy, so a slow password hash would add nothing.
/// </summary>
public static class AccessTokenFormat
{
    public const string Prefix = "zgs_";

    public const int Length = 47;

    private const int RandomBytes = 32;

    /// <summary>A new token and the hash to store for it.</summary>
    public static (string Token, byte[] Hash) New()
    {
        var token = Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(RandomBytes));
        return (token, HashOf(token));
    }

    /// <summary>Whether <paramref name="token"/> has the token's shape; only then is it worth a database look-up.</summary>
    public static bool IsWellFormed(string? token)
    {
        if (token is null || token.Length != Length || !token.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        Span<byte> bytes = stackalloc byte[RandomBytes + 2];
        // Decoding also refuses a last character whose unused bits are set, so each token has exactly one spelling.
        return Base64Url.TryDecodeFromChars(token.AsSpan(Prefix.Length), bytes, out var written) && written == RandomBytes
            && Base64Url.EncodeToString(bytes[..written]) == token[Prefix.Length..];
    }

    public static byte[] HashOf(string token) => SHA256.HashData(Encoding.ASCII.GetBytes(token));
}
