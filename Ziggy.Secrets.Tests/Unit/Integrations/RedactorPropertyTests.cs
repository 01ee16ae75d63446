using Ziggy.Secrets.Tests.Support;
using System.Text;
using CsCheck;
using Ziggy.Secrets.Web.Integrations;
using Ziggy.Secrets.Web.Secrets;

namespace Ziggy.Secrets.Tests.Unit.Integrations;

/// <summary>
/// Random values, spelled in random encodings (any subset of characters escaped, either hex case, possibly escaped
/// once more), in random text or split across random headers: no spelling survives. And text that holds no value is
/// left exactly as it was.
/// </summary>
public sealed class RedactorPropertyTests
{
    // Letters and digits, every character that some encoder changes, letters with special case or normal forms, an emoji.
    private static readonly string[] ValueAlphabet =
    [
        .. "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".Select(c => c.ToString()),
        " ", "_", "-", ".", "/", "+", "'", "\"", "\\", "&", "%", "#", ";", ":", "<", ">", "=", "?", "@", "!", ",",
        "é", "ü", "ß", "ı", "€", "中", "🔑",
    ];

    // Text around a value: words, JSON punctuation, line breaks, accents. No '\', '%' or '&': a response that writes one of
    // them raw just before an escape changes what the escape means (that case has its own tests).
    private static readonly string[] TextAlphabet =
    [
        .. "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".Select(c => c.ToString()),
        " ", " ", " ", ".", ",", ":", "{", "}", "[", "]", "\"", "=", "-", "\n", "é", "…", "\u200B",
    ];

    private static readonly (string Name, Func<string, Random, string> Encode)[] Spellings =
    [
        ("raw", (v, _) => v),
        ("upper", (v, _) => v.ToUpperInvariant()),
        ("lower", (v, _) => v.ToLowerInvariant()),
        ("reversed", (v, _) => string.Concat(v.EnumerateRunes().Reverse())),
        ("nfd", (v, _) => v.Normalize(NormalizationForm.FormD)),
        ("zero-width", SecretEncodings.RandomZeroWidth),
        ("hex", SecretEncodings.RandomHex),
        ("base64", SecretEncodings.RandomBase64),
        ("base64-embedded", SecretEncodings.RandomEmbeddedBase64),
        ("percent", SecretEncodings.RandomPercent),
        ("json", SecretEncodings.RandomJson),
        ("html", SecretEncodings.RandomHtml),
    ];

    // A spelling escaped once more, as happens when one layer of a service encodes what another already encoded.
    private static readonly (string Name, Func<string, Random, string> Encode)[] Wrappings =
    [
        ("none", (v, _) => v),
        ("none", (v, _) => v),
        ("percent", SecretEncodings.RandomPercent),
        ("json", SecretEncodings.RandomJson),
        ("html", SecretEncodings.RandomHtml),
    ];

    private static Gen<string> Of(string[] alphabet, int min, int max) =>
        Gen.Int[0, alphabet.Length - 1].Array[min, max].Select(indexes => string.Concat(indexes.Select(i => alphabet[i])));

    private static readonly Gen<string> Value = Of(ValueAlphabet, 8, 24);

    private static readonly Gen<string> Text = Of(TextAlphabet, 0, 40);

    /// <summary>A value, how it is spelled (the names say which encoding, for the report of a failure) and the spelling.</summary>
    private static readonly Gen<(string Value, string How, string Encoded)> Encoded =
        Gen.Select(Value, Gen.Int[0, Spellings.Length - 1], Gen.Int[0, Wrappings.Length - 1], Gen.Int, (value, spelling, wrapping, seed) =>
        {
            var random = new Random(seed);
            var encoded = Wrappings[wrapping].Encode(Spellings[spelling].Encode(value, random), random);
            return (value, $"{Spellings[spelling].Name} then {Wrappings[wrapping].Name}", encoded);
        });

    [Fact]
    public void Redact_RandomSpellingInRandomText_NeverSurvives()
    {
        Gen.Select(Encoded, Text, Text).Sample((encoded, before, after) =>
        {
            var redactor = new Redactor([(encoded.Value, SecretMask.For(encoded.Value))]);
            var text = before + encoded.Encoded + after;

            Assert.True(redactor.Reveals(text));
            var redacted = redactor.Redact(text)!;
            Assert.False(redactor.Reveals(redacted));
            Assert.DoesNotContain(encoded.Encoded, redacted);
        }, iter: 3000, threads: 1);
    }

    [Fact]
    public void RedactHeaders_RandomSpellingSplitAcrossHeaders_NothingLeftRevealsIt()
    {
        // Layouts: 0 one header per piece, 1 a repeated header joined with ", ", 2 a repeated header on separate lines.
        Gen.Select(Encoded, Gen.Int[0, 2], Gen.Int[2, 3], Gen.Int).Sample((encoded, layout, count, seed) =>
        {
            var redactor = new Redactor([(encoded.Value, SecretMask.For(encoded.Value))]);
            var pieces = Split(encoded.Encoded, count, new Random(seed));
            var lines = layout switch
            {
                0 => pieces.Select((p, i) => $"X-Part-{i}: {p}").ToList(),
                1 => [$"X-Part: {string.Join(", ", pieces)}"],
                _ => pieces.Select(p => $"X-Part: {p}").ToList(),
            };
            var headers = string.Join('\n', ["Content-Type: text/plain", .. lines, "Cache-Control: no-store"]);

            Assert.True(redactor.RevealsInHeaders(headers));
            var redacted = redactor.RedactHeaders(headers)!;

            Assert.False(redactor.RevealsInHeaders(redacted));
            Assert.DoesNotContain(encoded.Encoded, redacted);
            // Whatever is left of the pieces, put back together, does not spell the value either.
            var left = redacted.Split('\n')[1..^1].Select(l => l[(l.IndexOf(':') + 2)..]);
            Assert.False(redactor.Reveals(string.Concat(left).Replace(", ", "")));
            Assert.StartsWith("Content-Type: text/plain\n", redacted);
            Assert.EndsWith("\nCache-Control: no-store", redacted);
        }, iter: 2000, threads: 1);
    }

    [Fact]
    public void Redact_TextWithoutValue_Unchanged()
    {
        // Near misses too: each value with one character changed, and each without its last character.
        var values = Gen.Int[0, ValueAlphabet.Length - 1].Array[8, 24].Array[1, 3];
        Gen.Select(values, Text, Text, Gen.Int).Sample((elements, before, after, seed) =>
        {
            var random = new Random(seed);
            var redactor = new Redactor(elements.Select(e => string.Concat(e.Select(i => ValueAlphabet[i])))
                .Select(v => (v, SecretMask.For(v))));
            var nearMisses = elements.Select(e =>
            {
                var changed = e.Select(i => ValueAlphabet[i]).ToArray();
                changed[random.Next(changed.Length)] = "~";
                return string.Concat(changed) + "|" + string.Concat(e[..^1].Select(i => ValueAlphabet[i]));
            });
            // Not followed by a space: with a '+' anywhere in the text, a value ending in '+' matches itself cut short and a space.
            var text = string.Join("|", [before, .. nearMisses, after]);

            Assert.False(redactor.Reveals(text));
            Assert.Equal(text, redactor.Redact(text));
        }, iter: 2000, threads: 1);
    }

    [Fact]
    public void RedactHeaders_OrdinaryHeaders_Unchanged()
    {
        var values = Value.Array[1, 3];
        var header = Gen.Select(Gen.OneOf("Date", "ETag", "Set-Cookie", "Location", "X-Request-Id", "Content-Type"), Of(TextAlphabet[..^4], 1, 60),
            (name, value) => $"{name}: {value.Trim()}");
        Gen.Select(values, header.Array[1, 8]).Sample((secrets, lines) =>
        {
            var redactor = new Redactor(secrets.Select(v => (v, SecretMask.For(v))));
            var headers = string.Join('\n', lines);

            Assert.False(redactor.RevealsInHeaders(headers));
            Assert.Equal(headers, redactor.RedactHeaders(headers));
        }, iter: 1000, threads: 1);
    }

    [Fact]
    public void Redact_AnyCharacters_NeverThrowsAndMasksTheRawValue()
    {
        // Any UTF-16 units: lone surrogates, controls, marks without a base, escapes cut short, line breaks.
        var anyText = Gen.Char[(char)0, (char)0xFFFF].Array[0, 60].Select(c => new string(c));
        var escapeBits = Gen.OneOf("\\", "\\u", "\\u{", "%", "%u", "%C3", "&", "&#", "&#x", "&amp", "\u0301", "\uD83D", "\uDD11", "\n", ", ", "+");
        var text = Gen.Select(anyText, escapeBits, anyText, (a, b, c) => a + b + c);
        Gen.Select(Gen.Char[(char)0, (char)0xFFFF].Array[8, 20].Select(c => new string(c)), text, text).Sample((value, before, after) =>
        {
            var redactor = new Redactor([(value, "[MASK]")]);

            var redacted = redactor.Redact(before + value + after)!;
            var headers = redactor.RedactHeaders($"X-A: {before}\nX-B: {value}{after}")!;

            Assert.DoesNotContain(value, redacted);
            Assert.DoesNotContain(value, headers);
        }, iter: 1000, threads: 1);
    }

    /// <summary><paramref name="text"/> cut into <paramref name="count"/> non-empty pieces, never inside a surrogate pair.</summary>
    private static string[] Split(string text, int count, Random random)
    {
        var cuts = Enumerable.Range(1, text.Length - 1).Where(i => !char.IsLowSurrogate(text[i])).OrderBy(_ => random.Next())
            .Take(count - 1).Order().ToList();
        return [.. cuts.Prepend(0).Zip(cuts.Append(text.Length), (from, to) => text[from..to])];
    }
}
