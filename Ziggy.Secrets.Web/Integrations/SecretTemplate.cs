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
    /// In a URL a value is percent-encoded, so it arrives exactly as stored whatever characters it holds; only a
    /// placeholder that is the whole URL (a webhook URL kept as a secret) is put in as it is.
    /// </summary>
    public static string SubstituteUrl(string url, IReadOnlyDictionary<string, string> values)
    {
        var whole = Placeholder().Match(url.Trim());
        if (whole.Success && whole.Length == url.Trim().Length) return values[whole.Groups[1].Value];
        return Placeholder().Replace(url, m => Uri.EscapeDataString(values[m.Groups[1].Value]));
    }

    /// <summary>The text with every placeholder replaced by <paramref name="stand"/>, to validate its shape before any value is known.</summary>
    public static string WithStandIns(string text, string stand = "x") => Placeholder().Replace(text, stand);
}
