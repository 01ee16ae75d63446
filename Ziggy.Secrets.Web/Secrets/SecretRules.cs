using System.Text;
using System.Text.RegularExpressions;
using Ziggy.Secrets.Web.Common;
using Ziggy.Secrets.Web.Crypto;

namespace Ziggy.Secrets.Web.Secrets;

/// <summary>What makes a secret's name, description and values acceptable, with the message for each refusal.</summary>
public static partial class SecretRules
{
    public const int NameMaxLength = 128;
    public const int DescriptionMaxLength = 1000;
    public const int ValueMaxBytes = 64 * 1024;
    public const string DeleteConfirmation = "delete";

    [GeneratedRegex("^[A-Z][A-Z0-9_]*$")]
    private static partial Regex NamePattern();

    public static string DuplicateNameMessage(string name) => $"A secret named {name} already exists in this organization.";

    /// <summary>Names are upper-case; the form upper-cases as the user types and the server does the same.</summary>
    public static string NormalizeName(string? name) => (name ?? "").Trim().ToUpperInvariant();

    public static List<FieldError> Check(string name, string description, IEnumerable<(SecretEnvironment Environment, string Value)> newValues)
    {
        var errors = new List<FieldError>();
        if (name.Length == 0) errors.Add(new("Name", "Enter a name, for example STRIPE_API_KEY."));
        else if (name.Length > NameMaxLength) errors.Add(new("Name", $"The name can be at most {NameMaxLength} characters (it has {name.Length})."));
        else if (!NamePattern().IsMatch(name))
            errors.Add(new("Name", "Use capital letters, digits and underscores only, starting with a letter (for example STRIPE_API_KEY)."));

        if (description.Length > DescriptionMaxLength)
            errors.Add(new("Description", $"The description can be at most {DescriptionMaxLength:N0} characters (it has {description.Length:N0})."));

        foreach (var (environment, value) in newValues)
        {
            var bytes = Encoding.UTF8.GetByteCount(value);
            if (bytes > ValueMaxBytes)
                errors.Add(new(environment.ToString(), $"The {environment} value can be at most 64 KiB (it is {bytes:N0} bytes)."));
        }

        return errors;
    }

    /// <summary>The confirmation field a person sets to store a value despite its warning ("Save anyway").</summary>
    public static string ConfirmField(SecretEnvironment environment) => $"Confirm{environment}";

    /// <summary>
    /// Why a value probably holds more than the person meant (a stray space or line break at either end, or a character
    /// that cannot be seen), or null. The message names the problem and where it is, never the value. Tabs and line
    /// breaks inside a value (a PEM key) are normal and not reported.
    /// </summary>
    public static string? ValueWarning(SecretEnvironment environment, string value)
    {
        if (value.Length == 0) return null;
        var problems = new List<string>();
        if (Edge(value[0]) is { } start) problems.Add($"starts with {start}");
        if (Edge(value[^1]) is { } end) problems.Add($"ends with {end}");
        var invisible = Invisible(value);
        if (invisible is not null) problems.Add(invisible);
        if (problems.Count == 0) return null;
        return $"The {environment} value {string.Join(", ", problems)}. Fix it, or tick \"Save anyway\" to store it as it is.";
    }

    private static string? Edge(char c) => c switch
    {
        '\n' or '\r' or '\u2028' or '\u2029' or '\u0085' => "a line break",
        '\t' => "a tab",
        ' ' => "a space",
        _ when char.IsWhiteSpace(c) => $"an unusual space (U+{(int)c:X4})",
        _ => null,
    };

    // Characters a person cannot see in a field: controls (other than tab and line breaks), format characters (zero-width
    // spaces and joiners, the byte order mark, bidirectional marks and overrides, soft hyphens) and spaces other than the
    // plain one. Reported by code point and position, which says what to look for without showing the value.
    private static string? Invisible(string value)
    {
        var found = new List<string>();
        var count = 0;
        var position = 0;
        var last = value.EnumerateRunes().Count();
        foreach (var rune in value.EnumerateRunes())
        {
            position++;
            if (rune.Value is '\t' or '\n' or '\r' or ' ') continue;
            var name = Rune.GetUnicodeCategory(rune) switch
            {
                System.Globalization.UnicodeCategory.Control => "a control character",
                System.Globalization.UnicodeCategory.Format => InvisibleName(rune.Value),
                System.Globalization.UnicodeCategory.SpaceSeparator => "an unusual space",
                System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator => "a Unicode line break",
                _ => null,
            };
            // A space or line break at either end is already named as such.
            if (name is null || (position == 1 || position == last) && rune.IsBmp && Edge((char)rune.Value) is not null) continue;
            count++;
            if (found.Count < 3) found.Add($"{name} (U+{rune.Value:X4}) at character {position}");
        }

        if (count == 0) return null;
        var more = count > found.Count ? $" and {count - found.Count} more" : "";
        return $"holds {(count == 1 ? "an invisible character" : $"{count} invisible characters")}: {string.Join("; ", found)}{more}";
    }

    private static string InvisibleName(int c) => c switch
    {
        0x200B => "a zero-width space",
        0x200C => "a zero-width non-joiner",
        0x200D => "a zero-width joiner",
        0x2060 => "a word joiner",
        0xFEFF => "a byte order mark",
        0x00AD => "a soft hyphen",
        0x200E or 0x200F or 0x061C => "a bidirectional mark",
        >= 0x202A and <= 0x202E => "a bidirectional override",
        >= 0x2066 and <= 0x2069 => "a bidirectional isolate",
        >= 0xE0000 and <= 0xE007F => "a tag character",
        _ => "an invisible formatting character",
    };
}
