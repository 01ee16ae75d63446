using System.Buffers.Text;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Ziggy.Secrets.Tests.Support;

/// <summary>
/// The ways a hostile integration target can echo a secret value back, as the abuse tests of <c>Redactor</c> write them.
/// The fixed forms are what real encoders produce; the random ones encode any subset of the characters, in either hex
/// case, the way a hand-written echo service could.
/// </summary>
internal static class SecretEncodings
{
    public static readonly string[] ZeroWidth = ["\u200B", "\u200C", "\u200D", "\u2060", "\uFEFF", "\u00AD"];

    private static readonly Dictionary<char, string> NamedEntities = new()
    {
        ['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;", ['\''] = "&apos;", ['/'] = "&sol;",
        ['é'] = "&eacute;", ['ß'] = "&szlig;", ['ü'] = "&uuml;", ['€'] = "&euro;", [' '] = "&nbsp;",
    };

    /// <summary>Forms that are a complete spelling of the value: the mask is expected to replace exactly them.</summary>
    public static readonly IReadOnlyDictionary<string, Func<string, string>> Fixed = new Dictionary<string, Func<string, string>>
    {
        // The forms caught before issue 17.
        ["raw"] = v => v,
        ["uri"] = Uri.EscapeDataString,
        ["form"] = WebUtility.UrlEncode,
        ["form-lower-hex"] = v => System.Web.HttpUtility.UrlEncode(v),
        ["json"] = v => JsonSerializer.Serialize(v)[1..^1],
        ["json-relaxed"] = v => JsonSerializer.Serialize(v, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping })[1..^1],
        ["html"] = WebUtility.HtmlEncode,
        ["html-encoder"] = HtmlEncoder.Default.Encode,
        ["base64"] = v => Convert.ToBase64String(Encoding.UTF8.GetBytes(v)),
        ["base64-unpadded"] = v => Convert.ToBase64String(Encoding.UTF8.GetBytes(v)).TrimEnd('='),
        ["base64url"] = v => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(v)),
        ["base64url-padded"] = v => Convert.ToBase64String(Encoding.UTF8.GetBytes(v)).Replace('+', '-').Replace('/', '_'),

        // The forms of issue 17.
        ["hex-upper"] = v => Convert.ToHexString(Encoding.UTF8.GetBytes(v)),
        ["hex-lower"] = v => Convert.ToHexStringLower(Encoding.UTF8.GetBytes(v)),
        ["reversed"] = v => string.Concat(v.EnumerateRunes().Reverse()),
        ["reversed-chars"] = v => new string(v.Reverse().ToArray()),
        ["upper"] = v => v.ToUpperInvariant(),
        ["lower"] = v => v.ToLowerInvariant(),
        ["nfd"] = v => v.Normalize(NormalizationForm.FormD),
        ["nfc"] = v => v.Normalize(NormalizationForm.FormC),
        ["nfkd"] = v => v.Normalize(NormalizationForm.FormKD),
        ["full-width"] = v => new string(v.Select(c => c is > ' ' and <= '~' ? (char)(c - '!' + '\uFF01') : c).ToArray()),
        ["zero-width"] = v => string.Join("", TextElements(v).Select((e, i) => i == 0 ? e : ZeroWidth[i % ZeroWidth.Length] + e)),
        ["json-slash"] = v => JsonSerializer.Serialize(v, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping })[1..^1].Replace("/", "\\/"),
        ["json-u-lower"] = v => JsonSerializer.Serialize(v)[1..^1].ToLowerHexEscapes(),
        ["json-u-every"] = v => string.Concat(v.Select(c => $"\\u{(int)c:x4}")),
        ["json-u-alternate"] = v => string.Concat(v.Select((c, i) => i % 2 == 0 ? $"\\u{(int)c:X4}" : JsonChar(c))),
        ["js-u-braces"] = v => string.Concat(v.EnumerateRunes().Select(r => $"\\u{{{r.Value:x}}}")),
        ["js-x"] = v => string.Concat(v.Select(c => c < 0x100 ? $"\\x{(int)c:x2}" : $"\\u{(int)c:x4}")),
        ["html-decimal"] = v => string.Concat(v.EnumerateRunes().Select(r => $"&#{r.Value};")),
        ["html-hex"] = v => string.Concat(v.EnumerateRunes().Select(r => $"&#x{r.Value:x};")),
        ["html-hex-upper"] = v => string.Concat(v.EnumerateRunes().Select(r => $"&#X{r.Value:X};")),
        ["html-apostrophe-hex"] = v => WebUtility.HtmlEncode(v).Replace("&#39;", "&#x27;"),
        ["html-named"] = v => string.Concat(v.Select(c => NamedEntities.GetValueOrDefault(c) ?? c.ToString())),
        ["percent-every-byte"] = v => string.Concat(Encoding.UTF8.GetBytes(v).Select(b => $"%{b:x2}")),
        ["percent-slash-kept"] = v => Uri.EscapeDataString(v).Replace("%2F", "/"),
        ["percent-apostrophe-kept"] = v => Uri.EscapeDataString(v).Replace("%27", "'"),
        ["percent-minimal"] = v => string.Concat(v.Select(c => c is ' ' or '%' or '&' or '+' or '?' or '#' ? Uri.EscapeDataString(c.ToString()) : c.ToString())),
        ["percent-mixed-case"] = v => string.Concat(Encoding.UTF8.GetBytes(v).Select((b, i) => i % 2 == 0 ? $"%{b:x2}" : $"%{b:X2}")),
        ["percent-u"] = v => string.Concat(v.Select(c => $"%u{(int)c:X4}")),
        ["percent-twice"] = v => Uri.EscapeDataString(Uri.EscapeDataString(v)),
        ["html-of-json"] = v => WebUtility.HtmlEncode(JsonSerializer.Serialize(v)[1..^1]),
        ["json-of-percent"] = v => string.Concat(Uri.EscapeDataString(v).Select(c => c == '%' ? "\\u0025" : c.ToString())),
        ["zero-width-json"] = v => string.Join("\\u200b", TextElements(v).Select(Json)),
    };

    /// <summary>Forms in which the value is part of a longer encoded text: what is left may encode a little of its ends.</summary>
    public static readonly IReadOnlyDictionary<string, Func<string, string>> Embedded = new Dictionary<string, Func<string, string>>
    {
        ["basic-authorization"] = v => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("user:" + v)),
        ["base64-offset-1"] = v => Convert.ToBase64String(Encoding.UTF8.GetBytes("{" + v + "}")),
        ["base64-offset-2"] = v => Convert.ToBase64String(Encoding.UTF8.GetBytes("k=" + v)),
        ["jwt-payload"] = v => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { sub = "u1", key = v }))),
    };

    public static string Json(string text) => JsonSerializer.Serialize(text, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping })[1..^1];

    /// <summary>One UTF-16 unit as a JSON string holds it: half a surrogate pair can only be written \uXXXX.</summary>
    public static string JsonChar(char c) => char.IsSurrogate(c) ? $"\\u{(int)c:x4}" : Json(c.ToString());

    public static IEnumerable<string> TextElements(string text)
    {
        var enumerator = StringInfo.GetTextElementEnumerator(text);
        while (enumerator.MoveNext()) yield return enumerator.GetTextElement();
    }

    private static string ToLowerHexEscapes(this string json)
    {
        var result = new StringBuilder(json);
        for (var i = json.IndexOf("\\u", StringComparison.Ordinal); i >= 0; i = json.IndexOf("\\u", i + 2, StringComparison.Ordinal))
            for (var k = i + 2; k < i + 6; k++) result[k] = char.ToLowerInvariant(json[k]);
        return result.ToString();
    }

    // ------------------------------------------------------------------ random spellings, for the properties

    /// <summary>Any subset of the characters percent-encoded (as UTF-8), each hex digit in either case, spaces as '+' or not.</summary>
    public static string RandomPercent(string value, Random random)
    {
        var result = new StringBuilder();
        foreach (var rune in value.EnumerateRunes())
        {
            // '%' itself is always encoded, as every encoder does: a bare '%' followed by hex digits would be another byte.
            if (rune.Value == ' ' && random.Next(3) == 0) result.Append('+');
            else if (rune.Value == '%' || random.Next(2) == 0)
            {
                var bytes = new byte[4];
                var length = rune.EncodeToUtf8(bytes);
                for (var b = 0; b < length; b++) result.Append('%').Append(RandomCase($"{bytes[b]:X2}", random));
            }
            else result.Append(rune.ToString());
        }

        return result.ToString();
    }

    /// <summary>A JSON string's content with any subset of the characters \u-escaped, in either hex case, and '/' written "\/" or not.</summary>
    public static string RandomJson(string value, Random random)
    {
        var result = new StringBuilder();
        foreach (var c in value)
        {
            if (random.Next(2) == 0) result.Append("\\u").Append(RandomCase($"{(int)c:X4}", random));
            else if (c == '/' && random.Next(2) == 0) result.Append("\\/");
            else result.Append(JsonChar(c));
        }

        return result.ToString();
    }

    /// <summary>Any subset of the characters as HTML references, named, decimal or hexadecimal; '&amp;' always encoded.</summary>
    public static string RandomHtml(string value, Random random)
    {
        var result = new StringBuilder();
        foreach (var rune in value.EnumerateRunes())
        {
            var named = rune.IsBmp ? NamedEntities.GetValueOrDefault((char)rune.Value) : null;
            var choice = rune.Value == '&' ? 1 + random.Next(3) : random.Next(4);
            result.Append(choice switch
            {
                0 => rune.ToString(),
                1 when named is not null => named,
                1 or 2 => $"&#{rune.Value};",
                _ => (random.Next(2) == 0 ? "&#x" : "&#X") + RandomCase($"{rune.Value:X}", random) + ";",
            });
        }

        return result.ToString();
    }

    public static string RandomHex(string value, Random random) => RandomCase(Convert.ToHexString(Encoding.UTF8.GetBytes(value)), random);

    /// <summary>Zero-width characters and soft hyphens inserted between some of the value's characters.</summary>
    public static string RandomZeroWidth(string value, Random random) =>
        string.Concat(TextElements(value).Select(e => (random.Next(3) == 0 ? ZeroWidth[random.Next(ZeroWidth.Length)] : "") + e));

    public static string RandomBase64(string value, Random random)
    {
        var base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(value));
        if (random.Next(2) == 0) base64 = base64.TrimEnd('=');
        return random.Next(2) == 0 ? base64.Replace('+', '-').Replace('/', '_') : base64;
    }

    /// <summary>The value's bytes between random bytes, as base64: the value sits at any of the three alignments.</summary>
    public static string RandomEmbeddedBase64(string value, Random random)
    {
        var before = new byte[random.Next(5)];
        var after = new byte[random.Next(5)];
        random.NextBytes(before);
        random.NextBytes(after);
        return Convert.ToBase64String([.. before, .. Encoding.UTF8.GetBytes(value), .. after]);
    }

    private static string RandomCase(string text, Random random) =>
        new(text.Select(c => random.Next(2) == 0 ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c)).ToArray());
}
