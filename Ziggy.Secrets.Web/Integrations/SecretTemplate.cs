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

    /// <summary>The text with every placeholder replaced by <paramref name="stand"/>, to validate its shape before any value is known.</summary>
    public static string WithStandIns(string text, string stand = "x") => Placeholder().Replace(text, stand);
}
