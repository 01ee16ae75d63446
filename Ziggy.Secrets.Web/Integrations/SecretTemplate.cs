using System.Text.RegularExpressions;

namespace Ziggy.Secrets.Web.Integrations;

/// <summary>The <c>{{secrets.NAME}}</c> placeholders of a request template.</summary>
public static partial class SecretTemplate
{
    [GeneratedRegex(@"\{\{\s*secrets\.([A-Za-z0-9_]+)\s*\}\}")]
    private static partial Regex Placeholder();

    /// <summary>Every referenced name, once each, in order of first appearance.</summary>
    public static IReadOnlyList<string> References(params string?[] parts) =>
        parts.SelectMany(p => Placeholder().Matches(p ?? "")).Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal).ToList();

    public static string Substitute(string text, IReadOnlyDictionary<string, string> values) =>
        Placeholder().Replace(text, m => values[m.Groups[1].Value]);

    /// <summary>
    /// In the scheme and authority of a URL (everything before the first <c>/</c>, <c>?</c> or <c>#</c> that follows
    /// <c>://</c>, or before the first of them when the URL starts with a placeholder) a value is put in as it is, so a
    /// secret can hold the base URL, the host or the port. In the path, query and fragment it is percent-encoded, so it
    /// arrives exactly as stored whatever characters it holds. The caller checks that the result is an absolute http(s)
    /// URL before sending anything.
    /// </summary>
    public static string SubstituteUrl(string url, IReadOnlyDictionary<string, string> values)
    {
        url = url.Trim();
        var authorityEnd = AuthorityEnd(url);
        return Placeholder().Replace(url, m => m.Index < authorityEnd ? values[m.Groups[1].Value] : Uri.EscapeDataString(values[m.Groups[1].Value]));
    }

    /// <summary>Whether the template, once its placeholders hold plausible values, can be an absolute http(s) URL.</summary>
    public static bool CanBeHttpUrl(string url)
    {
        // A placeholder may stand for a host ("http://{{secrets.HOST}}/x"), a port, or the scheme and host together
        // ("{{secrets.BASE_URL}}/x", or the whole URL).
        foreach (var stand in new[] { "x", "1", "https://x" })
        {
            var authorityEnd = AuthorityEnd(url);
            var candidate = Placeholder().Replace(url, m => m.Index < authorityEnd ? stand : "x");
            if (Uri.TryCreate(candidate, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
                return true;
        }

        return false;
    }

    private static int AuthorityEnd(string url)
    {
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        var end = url.IndexOfAny(['/', '?', '#'], scheme >= 0 ? scheme + 3 : 0);
        return end < 0 ? url.Length : end;
    }
}
