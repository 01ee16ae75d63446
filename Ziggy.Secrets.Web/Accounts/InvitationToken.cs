using System.Security.Cryptography;
using System.Text;

namespace Ziggy.Secrets.Web.Accounts;

/// <summary>Tokens of single-use links (invitations, password resets): 256 random bits, URL-safe; stored only as a SHA-256 hash.</summary>
public static class InvitationToken
{
    public static string Create() => Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public static string LinkPath(string token) => $"/Invitations/Accept/{token}";

    private static string Base64UrlEncode(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
