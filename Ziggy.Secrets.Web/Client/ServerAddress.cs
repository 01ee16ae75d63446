using System.Net;

namespace Ziggy.Secrets.Web.Client;

/// <summary>The server the client verbs talk to: HTTPS, or HTTP to this machine only (a token must not cross a network in clear).</summary>
public static class ServerAddress
{
    public static (Uri? Server, ClientFailure? Failure) Parse(string? option, Func<string, string?> environment)
    {
        var text = string.IsNullOrWhiteSpace(option) ? environment("ZIGGY_SERVER") : option;
        var from = string.IsNullOrWhiteSpace(option) ? "ZIGGY_SERVER" : "--server";
        if (string.IsNullOrWhiteSpace(text))
            return (null, new ClientFailure(ExitCodes.Usage, "No server: pass --server URL or set ZIGGY_SERVER, e.g. https://secrets.example.com."));
        text = text.Trim();
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host))
            return (null, new ClientFailure(ExitCodes.Usage, $"{from} '{text}' is not an http(s) address such as https://secrets.example.com."));
        if (uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0)
            return (null, new ClientFailure(ExitCodes.Usage, $"{from} must be the server's address alone, without a user name, query or fragment."));
        if (uri.Scheme == "http" && !IsLoopback(uri))
            return (null, new ClientFailure(ExitCodes.Usage,
                $"{from} '{uri.GetLeftPart(UriPartial.Authority)}' uses http to another machine, which would send the token and the values unencrypted: use https (http is allowed only to localhost, 127.0.0.1 or ::1)."));

        // The API lives under the server's address, which may have a path of its own (a reverse proxy's prefix).
        var builder = new UriBuilder(uri);
        if (!builder.Path.EndsWith('/')) builder.Path += "/";
        return (builder.Uri, null);
    }

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || string.Equals(uri.IdnHost, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
