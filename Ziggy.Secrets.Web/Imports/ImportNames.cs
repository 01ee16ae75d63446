using System.Globalization;
using System.Text;
using Ziggy.Secrets.Web.Secrets;

namespace Ziggy.Secrets.Web.Imports;

/// <summary>
/// Whether an imported name meets the secrets' naming rule (<see cref="SecretRules"/>), and a fix to offer when it does
/// not: <c>stripe-key</c> becomes <c>STRIPE_KEY</c>, <c>apiKey</c> <c>API_KEY</c>, <c>2fa.secret</c> <c>TWO_FA_SECRET</c>.
/// </summary>
public static class ImportNames
{
    private static readonly string[] DigitWords = ["ZERO", "ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE"];

    /// <summary>The naming rule's message when <paramref name="name"/> breaks it, null when the name is acceptable.</summary>
    public static string? Problem(string name) => SecretRules.Check(name, "", []).FirstOrDefault()?.Message;

    /// <summary>A name close to <paramref name="name"/> that meets the rule; null when the name already does or nothing sensible fits.</summary>
    public static string? Suggest(string name)
    {
        if (Problem(name) is null) return null;

        // Accents dropped, letters upper-cased, a break between camelCase words, anything else a separator; one '_' per run.
        var words = new StringBuilder(name.Length + 8);
        var previous = '_';
        foreach (var c in name.Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark) continue;
            var next = char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_';
            if (char.IsAsciiLetterUpper(c) && char.IsAsciiLetterLower(previous)) Separate(words);
            if (next == '_') Separate(words);
            else words.Append(next);
            previous = c;
        }

        var candidate = words.ToString().Trim('_');
        var digits = 0;
        while (digits < candidate.Length && char.IsAsciiDigit(candidate[digits])) digits++;
        if (digits > 0)
        {
            var spelled = string.Join('_', candidate[..digits].Select(d => DigitWords[d - '0']));
            candidate = digits == candidate.Length ? spelled : $"{spelled}_{candidate[digits..].TrimStart('_')}";
        }

        return candidate.Length > 0 && candidate != name && Problem(candidate) is null ? candidate : null;
    }

    private static void Separate(StringBuilder words)
    {
        if (words.Length > 0 && words[^1] != '_') words.Append('_');
    }
}
