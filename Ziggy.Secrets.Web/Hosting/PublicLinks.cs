namespace Ziggy.Secrets.Web.Hosting;

/// <summary>
/// Where the links the app shows (invitations, password resets) point: <c>ZIGGY_PUBLIC_URL</c> (<c>Ziggy:PublicUrl</c>)
/// followed by the link's path. Unset, a link is its path alone, and the page's script (wwwroot/js/links.js) completes it
/// with the origin the person's own browser is on. Never the request's Host header: anyone can send any Host, and a link
/// pointing elsewhere would hand its token to whoever runs that host.
/// </summary>
public sealed class PublicLinks
{
    public const string ConfigurationKey = "Ziggy:PublicUrl";
    public const string EnvironmentVariable = "ZIGGY_PUBLIC_URL";

    private PublicLinks(string? baseUrl) => BaseUrl = baseUrl;

    /// <summary>The configured base, without a trailing slash; null when unset.</summary>
    public string? BaseUrl { get; }

    /// <summary>The link to <paramref name="path"/> (which starts with '/'): absolute when a base is configured, else the path.</summary>
    public string For(string path) => BaseUrl + path;

    /// <summary>Reads the setting; null plus a one-line error when it is not an http(s) URL without query or fragment.</summary>
    public static (PublicLinks? Links, string? Error) From(IConfiguration configuration)
    {
        var configured = configuration[ConfigurationKey];
        if (string.IsNullOrWhiteSpace(configured)) configured = configuration[EnvironmentVariable];
        if (string.IsNullOrWhiteSpace(configured)) return (new PublicLinks(null), null);

        configured = configured.Trim();
        if (!Uri.TryCreate(configured, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")
            || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
        {
            return (null, $"{EnvironmentVariable} ({ConfigurationKey}) must be the address people open the app at, such as " +
                          $"https://secrets.example.com (it is '{configured}').");
        }

        return (new PublicLinks(uri.GetLeftPart(UriPartial.Path).TrimEnd('/')), null);
    }
}
