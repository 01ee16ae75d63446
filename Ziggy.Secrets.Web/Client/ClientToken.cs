using System.Buffers.Text;

namespace Ziggy.Secrets.Web.Client;

/// <summary>
/// The access token, from ZIGGY_TOKEN or --token-file, never from an argument (a command line is visible to every user
/// of the machine). It is checked before anything is sent, so a stray value of another kind never reaches a server.
/// </summary>
public static class ClientToken
{
    public const string Prefix = "zgs_";

    /// <summary><c>zgs_</c> and the base64url (no padding) of 32 random bytes.</summary>
    public const int Length = 47;

    public static (string? Token, ClientFailure? Failure) Load(string? tokenFile, Func<string, string?> environment)
    {
        string token;
        string source;
        if (tokenFile is not null)
        {
            source = $"the token file '{tokenFile}'";
            try
            {
                token = File.ReadAllText(tokenFile);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                var why = e is FileNotFoundException or DirectoryNotFoundException ? "it does not exist" : e is UnauthorizedAccessException ? "permission denied" : "it cannot be read";
                return (null, new ClientFailure(ExitCodes.NoToken, $"No token: cannot read --token-file '{tokenFile}': {why}."));
            }

            // An editor or `echo` adds one newline at the end; anything else is part of what was written.
            if (token.EndsWith("\r\n", StringComparison.Ordinal)) token = token[..^2];
            else if (token.EndsWith('\n')) token = token[..^1];
            if (token.Length == 0) return (null, new ClientFailure(ExitCodes.NoToken, $"No token: --token-file '{tokenFile}' is empty."));
        }
        else
        {
            source = "ZIGGY_TOKEN";
            token = environment("ZIGGY_TOKEN") ?? "";
            if (token.Length == 0)
                return (null, new ClientFailure(ExitCodes.NoToken, "No token: set ZIGGY_TOKEN or pass --token-file FILE (make one on the Integrations page)."));
        }

        if (!token.StartsWith(Prefix, StringComparison.Ordinal))
            return (null, new ClientFailure(ExitCodes.TokenRefused, $"The value in {source} is not a Ziggy access token (those start with {Prefix}); nothing was sent."));
        if (token.Length != Length || !Base64Url.IsValid(token.AsSpan(Prefix.Length)) || token.AsSpan(Prefix.Length).ContainsAny('=', '+', '/'))
            return (null, new ClientFailure(ExitCodes.TokenRefused, $"The access token in {source} is malformed (it should be {Length} characters: {Prefix} and 43 letters, digits, - or _); nothing was sent."));
        return (token, null);
    }
}
