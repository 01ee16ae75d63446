using System.Net;
using System.Text;
using System.Text.Encodings.Web;

namespace Ziggy.Secrets.Web.Integrations;

/// <summary>
/// Replaces every form a secret value may take in text that is shown or stored (raw, URL-encoded, JSON-escaped,
/// HTML-encoded, base64) with that value's mask.
/// </summary>
public sealed class Redactor
{
    private readonly (string Form, string Mask)[] _forms;

    public Redactor(IEnumerable<(string Value, string Mask)> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var forms = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (value, mask) in values)
        {
            if (string.IsNullOrEmpty(value)) continue;
            foreach (var form in FormsOf(value))
                if (form.Length > 0) forms.TryAdd(form, mask);
        }

        // Longest first, so a form that contains another (or a value that contains another value) is replaced whole.
        _forms = forms.Select(f => (f.Key, f.Value))
            .OrderByDescending(f => f.Key.Length)
            .ThenBy(f => f.Key, StringComparer.Ordinal)
            .ToArray();
    }

    public string? Redact(string? text)
    {
        if (text is null) return null;
        foreach (var (form, mask) in _forms)
            text = text.Replace(form, mask, StringComparison.Ordinal);
        return text;
    }

    /// <summary>True when <paramref name="text"/> still contains any form of any value.</summary>
    public bool Reveals(string? text)
    {
        if (text is null) return false;
        foreach (var (form, _) in _forms)
            if (text.Contains(form, StringComparison.Ordinal)) return true;
        return false;
    }

    private static IEnumerable<string> FormsOf(string value)
    {
        yield return value;

        var escaped = Uri.EscapeDataString(value);
        var formEncoded = WebUtility.UrlEncode(value);
        yield return escaped;
        yield return formEncoded;
        // Many encoders (HttpUtility, most other languages) write the hex digits in lower case.
        yield return LowerCasePercentHex(escaped);
        yield return LowerCasePercentHex(formEncoded);

        yield return JavaScriptEncoder.Default.Encode(value);
        yield return JavaScriptEncoder.UnsafeRelaxedJsonEscaping.Encode(value);

        yield return WebUtility.HtmlEncode(value);
        yield return HtmlEncoder.Default.Encode(value);

        var bytes = Encoding.UTF8.GetBytes(value);
        var base64 = Convert.ToBase64String(bytes);
        yield return base64;
        yield return base64.TrimEnd('=');
        yield return ToBase64Url(base64);
        yield return ToBase64Url(base64).TrimEnd('=');

        // Base64 of a longer text that contains the value (a Basic authorization header of "user:value", a JWT, ...)
        // holds the value's bytes at one of three alignments and ends in characters that mix in its neighbours. For
        // each alignment, the characters encoding only the value's bytes appear verbatim, so mask those.
        for (var skip = 0; skip < 3 && skip < bytes.Length; skip++)
        {
            var whole = (bytes.Length - skip) / 3 * 3;
            if (whole == 0) break;
            var core = Convert.ToBase64String(bytes, skip, whole);
            yield return core;
            yield return ToBase64Url(core);
        }
    }

    private static string ToBase64Url(string base64) => base64.Replace('+', '-').Replace('/', '_');

    private static string LowerCasePercentHex(string encoded)
    {
        var chars = encoded.ToCharArray();
        for (var i = encoded.IndexOf('%'); i >= 0 && i + 2 < chars.Length; i = encoded.IndexOf('%', i + 3))
        {
            chars[i + 1] = char.ToLowerInvariant(chars[i + 1]);
            chars[i + 2] = char.ToLowerInvariant(chars[i + 2]);
        }

        return new string(chars);
    }
}
