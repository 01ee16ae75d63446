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

    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

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
        foreach (var c in token.AsSpan(Prefix.Length))
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-' && c != '_') return false;
        }

        // 43 characters carry 258 bits for 256: the last character's two low bits are unused and must be zero, so each
        // token has exactly one spelling.
        return (Alphabet.IndexOf(token[^1], StringComparison.Ordinal) & 0b11) == 0;
    }

    public static byte[] HashOf(string token) => SHA256.HashData(Encoding.ASCII.GetBytes(token));
}
