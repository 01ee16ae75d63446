using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;

namespace Ziggy.Secrets.Web.Integrations;

/// <summary>
/// A text as <see cref="Redactor"/> searches it: characters that each remember the span of the original text they came
/// from. Views are decoded (escapes of JSON, JavaScript, HTML or URLs replaced by what they stand for) and made
/// canonical (compatibility composition, one case, no invisible characters), so a value is found however it is spelled,
/// and its mask still replaces exactly the original characters that spelled it: the rest of the text is kept as is.
/// </summary>
internal sealed class RedactionView
{
    // The canonical form of each BMP character, filled on first use (a race only computes the same string twice).
    private static readonly string?[] CanonicalBmp = new string?[0x10000];
    private static readonly ConcurrentDictionary<int, string> CanonicalSupplementary = new();

    // The most common references, and HTML5 names for ASCII characters that the HTML 4 table of WebUtility.HtmlDecode
    // (asked for every other name) does not know.
    private static readonly Dictionary<string, string> Entities = new(StringComparer.Ordinal)
    {
        ["amp"] = "&", ["lt"] = "<", ["gt"] = ">", ["quot"] = "\"", ["apos"] = "'", ["nbsp"] = "\u00a0",
        ["Tab"] = "\t", ["NewLine"] = "\n", ["excl"] = "!", ["QUOT"] = "\"", ["num"] = "#", ["dollar"] = "$",
        ["percnt"] = "%", ["AMP"] = "&", ["lpar"] = "(", ["rpar"] = ")", ["ast"] = "*", ["midast"] = "*",
        ["plus"] = "+", ["comma"] = ",", ["period"] = ".", ["sol"] = "/", ["colon"] = ":", ["semi"] = ";",
        ["LT"] = "<", ["equals"] = "=", ["GT"] = ">", ["quest"] = "?", ["commat"] = "@", ["lsqb"] = "[",
        ["lbrack"] = "[", ["bsol"] = "\\", ["rsqb"] = "]", ["rbrack"] = "]", ["Hat"] = "^", ["lowbar"] = "_",
        ["UnderBar"] = "_", ["grave"] = "`", ["DiacriticalGrave"] = "`", ["lcub"] = "{", ["lbrace"] = "{",
        ["verbar"] = "|", ["vert"] = "|", ["VerticalLine"] = "|", ["rcub"] = "}", ["rbrace"] = "}",
        ["NonBreakingSpace"] = "\u00a0",
    };

    private static readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> EntityLookup =
        Entities.GetAlternateLookup<ReadOnlySpan<char>>();

    // Browsers still read these without the semicolon.
    private static readonly string[] LegacyEntities = ["amp", "AMP", "lt", "LT", "gt", "GT", "quot", "QUOT"];

    private readonly char[] _chars;
    private readonly int _length;
    private readonly int[]? _start; // null: character i came from original character i
    private readonly int[]? _end;

    private RedactionView(char[] chars, int length, int[]? start, int[]? end)
    {
        _chars = chars;
        _length = length;
        _start = start;
        _end = end;
    }

    public ReadOnlySpan<char> Chars => _chars.AsSpan(0, _length);

    /// <summary>Where the original characters that produced character <paramref name="index"/> start.</summary>
    public int StartOf(int index) => _start is null ? index : _start[index];

    /// <summary>Where the original characters that produced character <paramref name="index"/> end (exclusive).</summary>
    public int EndOf(int index) => _end is null ? index + 1 : _end[index];

    /// <summary>The text without its invisible characters.</summary>
    public static RedactionView Of(string text)
    {
        var i = 0;
        while (i < text.Length && !IsIgnorableAt(text, i, out _)) i++;
        if (i == text.Length) return new RedactionView(text.ToCharArray(), text.Length, null, null);
        return Of(text, [(0, text.Length)]);
    }

    /// <summary>The pieces of <paramref name="text"/> one after the other, without their invisible characters.</summary>
    public static RedactionView Of(string text, IReadOnlyList<(int Start, int Length)> pieces)
    {
        var builder = new Builder(pieces.Sum(p => p.Length));
        foreach (var (start, length) in pieces)
        {
            for (var i = start; i < start + length;)
            {
                if (IsIgnorableAt(text, i, out var width))
                {
                    i += width;
                    continue;
                }

                builder.Add(text[i], i, i + 1);
                i++;
            }
        }

        return builder.Build();
    }

    /// <summary>
    /// The same text with the escapes of one kind decoded once, or null when it has none. <see cref="Escapes.Json"/>:
    /// JSON and JavaScript (<c>\uXXXX</c> in either case, <c>\u{X}</c>, <c>\UXXXXXXXX</c>, <c>\xXX</c>, <c>\/</c> and the
    /// other one-letter escapes). <see cref="Escapes.Html"/>: character references, named, decimal and hexadecimal, with
    /// or without the semicolon where browsers accept that. <see cref="Escapes.Percent"/>: <c>%XX</c> in either case, read
    /// as UTF-8 (bytes that are not UTF-8 as Latin-1), and <c>%uXXXX</c> ('+' for a space: see <see cref="PlusAsSpace"/>).
    /// One kind at a time: text escaped for JSON keeps a literal "%41" or "&amp;amp;" of the value as it is.
    /// </summary>
    public RedactionView? Decoded(Escapes escapes)
    {
        var escape = escapes switch
        {
            Escapes.Json => '\\',
            Escapes.Html => '&',
            _ => '%',
        };
        // Most texts with the escape character have no escape in them that decodes ("a&b", "50%"): find the first one
        // before copying anything.
        var probe = new Builder(8);
        var first = Chars.IndexOf(escape);
        while (first >= 0 && Decode(escapes, first, ref probe) == 0)
        {
            var next = first + 1 < _length ? Chars[(first + 1)..].IndexOf(escape) : -1;
            first = next < 0 ? -1 : first + 1 + next;
        }

        if (first < 0) return null;

        var builder = new Builder(_length);
        builder.AddRun(this, 0, first);
        for (var i = first; i < _length;)
        {
            var used = Decode(escapes, i, ref builder);
            if (used == 0)
            {
                builder.Add(_chars[i], StartOf(i), EndOf(i));
                used = 1;
            }

            i += used;

            // Up to the next escape the text is copied as it is.
            var next = i < _length ? Chars[i..].IndexOf(escape) : -1;
            var runEnd = next < 0 ? _length : i + next;
            builder.AddRun(this, i, runEnd);
            i = runEnd;
        }

        return builder.Build();
    }

    /// <summary>Decodes the escape at <paramref name="i"/> into <paramref name="builder"/>: how many characters it took, 0 if none is there.</summary>
    private int Decode(Escapes escapes, int i, ref Builder builder) => escapes switch
    {
        Escapes.Json => DecodeBackslash(i, ref builder),
        Escapes.Html => DecodeEntity(i, ref builder),
        _ => DecodePercent(i, ref builder),
    };

    /// <summary>
    /// The same text with '+' read as a space, as form encoding writes it. Not a decoding: '+' may as well be the value's
    /// own character, left unencoded, so a view is searched both as it is and like this (with forms of the values
    /// likewise).
    /// </summary>
    public RedactionView PlusAsSpace()
    {
        var chars = Chars.ToArray();
        chars.AsSpan().Replace('+', ' ');
        return new RedactionView(chars, _length, _start, _end);
    }

    public static string PlusAsSpace(string text) => text.Replace('+', ' ');

    /// <summary>
    /// The same text without spaces, tabs, commas and '+': for a value cut into pieces that were trimmed (a header value
    /// loses the spaces around it) or joined with ", ".
    /// </summary>
    public RedactionView Compact()
    {
        var builder = new Builder(_length);
        for (var i = 0; i < _length; i++)
            if (!IsCompacted(_chars[i])) builder.Add(_chars[i], StartOf(i), EndOf(i));
        return builder.Build();
    }

    public static string Compact(string text) => string.Concat(text.Where(c => !IsCompacted(c)));

    private static bool IsCompacted(char c) => c is ' ' or '\t' or ',' or '+';

    /// <summary>
    /// The canonical form: each character, with the combining marks that follow it, in compatibility composition (NFKC,
    /// so composed and decomposed accents, full-width letters and ligatures compare equal), folded to one case, invisible
    /// characters dropped. Piece by piece, so each result maps back to its source.
    /// </summary>
    public RedactionView Canonical()
    {
        // Most text maps each character to one character, and keeps its spans as they are.
        var chars = new char[_length];
        var i = 0;
        for (; i < _length; i++)
        {
            var c = _chars[i];
            if (i + 1 < _length && _chars[i + 1] >= 0x300 && IsMarkAt(i + 1, out _)) break;
            if (c < 0x80)
            {
                chars[i] = (char)(c is >= 'a' and <= 'z' ? c - 32 : c);
                continue;
            }

            if (char.IsSurrogate(c)) break;
            var canonical = CanonicalOf(c);
            if (canonical.Length != 1) break;
            chars[i] = canonical[0];
        }

        if (i == _length) return new RedactionView(chars, _length, _start, _end);

        var builder = new Builder(_length + 16);
        builder.AddRun(chars, this, 0, i);
        while (i < _length)
        {
            // One character and the combining marks after it.
            var first = WidthAt(i);
            var end = i + first;
            while (end < _length && IsMarkAt(end, out var width)) end += width;
            var canonical = end - i > first ? ComputeCanonical(new string(_chars, i, end - i))
                : first == 2 ? CanonicalOf(char.ConvertToUtf32(_chars[i], _chars[i + 1]))
                : CanonicalOf(_chars[i]);
            foreach (var c in canonical) builder.Add(c, StartOf(i), EndOf(end - 1));
            i = end;
        }

        return builder.Build();
    }

    /// <summary>The canonical form of a whole string (see <see cref="Canonical()"/>), used for what is searched for.</summary>
    public static string Canonical(string text) => new(Of(text).Canonical().Chars);

    private int DecodeBackslash(int i, ref Builder builder)
    {
        if (i + 1 >= _length) return 0;
        switch (_chars[i + 1])
        {
            case 'u' when i + 2 < _length && _chars[i + 2] == '{':
            {
                var close = Chars[(i + 3)..Math.Min(_length, i + 11)].IndexOf('}');
                if (close is < 1 or > 6 || !TryHex(i + 3, close, out var codePoint)) return 0;
                return Emit(codePoint, i, 3 + close + 1, ref builder);
            }
            case 'u':
                return TryHex(i + 2, 4, out var unit) ? Emit(unit, i, 6, ref builder) : 0;
            case 'U':
                return TryHex(i + 2, 8, out var wide) ? Emit(wide, i, 10, ref builder) : 0;
            case 'x':
                return TryHex(i + 2, 2, out var small) ? Emit(small, i, 4, ref builder) : 0;
            case var c and ('/' or '"' or '\'' or '\\'):
                return Emit(c, i, 2, ref builder);
            case 'b': return Emit('\b', i, 2, ref builder);
            case 'f': return Emit('\f', i, 2, ref builder);
            case 'n': return Emit('\n', i, 2, ref builder);
            case 'r': return Emit('\r', i, 2, ref builder);
            case 't': return Emit('\t', i, 2, ref builder);
            default: return 0;
        }
    }

    private int DecodeEntity(int i, ref Builder builder)
    {
        var j = i + 1;
        if (j < _length && _chars[j] == '#')
        {
            j++;
            var hex = j < _length && _chars[j] is 'x' or 'X';
            if (hex) j++;
            var digits = j;
            var codePoint = 0L;
            while (j < _length && j - digits < 8 && (hex ? char.IsAsciiHexDigit(_chars[j]) : char.IsAsciiDigit(_chars[j])))
            {
                codePoint = codePoint * (hex ? 16 : 10) + HexDigit(_chars[j]);
                j++;
            }

            if (j == digits || codePoint > 0x10FFFF) return 0;
            if (j < _length && _chars[j] == ';') j++;
            return Emit((int)codePoint, i, j - i, ref builder);
        }

        while (j < _length && j - i <= 32 && char.IsAsciiLetterOrDigit(_chars[j])) j++;
        if (j == i + 1 || !char.IsAsciiLetter(_chars[i + 1])) return 0;
        var name = Chars[(i + 1)..j];
        if (j < _length && _chars[j] == ';')
        {
            if (!EntityLookup.TryGetValue(name, out var text))
            {
                var reference = "&" + name.ToString() + ";";
                var decoded = WebUtility.HtmlDecode(reference);
                if (decoded != reference) text = decoded;
            }

            if (text is not null) return EmitText(text, i, j + 1 - i, ref builder);
        }

        foreach (var legacy in LegacyEntities)
        {
            if (name.StartsWith(legacy, StringComparison.Ordinal))
                return EmitText(Entities[legacy], i, 1 + legacy.Length, ref builder);
        }

        return 0;
    }

    private int DecodePercent(int i, ref Builder builder)
    {
        if (i + 1 < _length && _chars[i + 1] == 'u')
            return TryHex(i + 2, 4, out var unit) ? Emit(unit, i, 6, ref builder) : 0;

        // A run of %XX escapes is a run of bytes: UTF-8, or Latin-1 where it is not valid UTF-8.
        var end = i;
        while (end + 2 < _length && _chars[end] == '%' && TryHex(end + 1, 2, out _)) end += 3;
        if (end == i) return 0;
        var count = (end - i) / 3;
        var bytes = count <= 256 ? stackalloc byte[count] : new byte[count];
        for (var b = 0; b < bytes.Length; b++)
        {
            TryHex(i + 3 * b + 1, 2, out var value);
            bytes[b] = (byte)value;
        }

        for (var b = 0; b < bytes.Length;)
        {
            var status = Rune.DecodeFromUtf8(bytes[b..], out var rune, out var consumed);
            if (status != OperationStatus.Done)
            {
                rune = new Rune(bytes[b]);
                consumed = 1;
            }

            Emit(rune.Value, i + 3 * b, 3 * consumed, ref builder);
            b += consumed;
        }

        return end - i;
    }

    private bool TryHex(int start, int count, out int value)
    {
        value = 0;
        if (start + count > _length) return false;
        for (var k = start; k < start + count; k++)
        {
            var digit = HexDigit(_chars[k]);
            if (digit < 0 || value > 0x10FFFF) return false;
            value = value * 16 + digit;
        }

        return value <= 0x10FFFF;
    }

    private static int HexDigit(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    /// <summary>Adds the character (or surrogate pair) of <paramref name="codePoint"/>, made of <paramref name="count"/> characters from <paramref name="from"/>.</summary>
    private int Emit(int codePoint, int from, int count, ref Builder builder)
    {
        if (IsIgnorable(codePoint)) return count;
        int start = StartOf(from), end = EndOf(from + count - 1);
        if (codePoint < 0x10000)
        {
            builder.Add((char)codePoint, start, end);
        }
        else
        {
            var pair = char.ConvertFromUtf32(codePoint);
            builder.Add(pair[0], start, end);
            builder.Add(pair[1], start, end);
        }

        return count;
    }

    private int EmitText(string text, int from, int count, ref Builder builder)
    {
        int start = StartOf(from), end = EndOf(from + count - 1);
        foreach (var c in text)
            if (!IsIgnorable(c)) builder.Add(c, start, end);
        return count;
    }

    private static string CanonicalOf(int codePoint) => codePoint < 0x10000
        ? CanonicalBmp[codePoint] ??= ComputeCanonical(((char)codePoint).ToString())
        : CanonicalSupplementary.GetOrAdd(codePoint, c => ComputeCanonical(char.ConvertFromUtf32(c)));

    private static string ComputeCanonical(string text)
    {
        string composed;
        try
        {
            composed = text.Normalize(NormalizationForm.FormKC);
        }
        catch (Exception e) when (e is ArgumentException or PlatformNotSupportedException)
        {
            composed = text; // a lone surrogate
        }

        var result = new StringBuilder(composed.Length);
        foreach (var rune in composed.EnumerateRunes())
        {
            if (IsIgnorable(rune.Value)) continue;
            // Lower then upper: the one case that every spelling of a letter (ı, i, I, ſ, s, S, K, k...) agrees on.
            result.Append(Rune.ToUpperInvariant(Rune.ToLowerInvariant(rune)).ToString());
        }

        return result.ToString();
    }

    private int WidthAt(int i) => char.IsHighSurrogate(_chars[i]) && i + 1 < _length && char.IsLowSurrogate(_chars[i + 1]) ? 2 : 1;

    private bool IsMarkAt(int i, out int width)
    {
        width = WidthAt(i);
        var category = width == 2
            ? CharUnicodeInfo.GetUnicodeCategory(char.ConvertToUtf32(_chars[i], _chars[i + 1]))
            : CharUnicodeInfo.GetUnicodeCategory(_chars[i]);
        return category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;
    }

    private static bool IsIgnorableAt(string text, int i, out int width)
    {
        var c = text[i];
        if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
        {
            width = 2;
            return IsIgnorable(char.ConvertToUtf32(c, text[i + 1]));
        }

        width = 1;
        return IsIgnorable(c);
    }

    /// <summary>
    /// Unicode's Default_Ignorable_Code_Point: characters that render as nothing (zero-width space and joiners, word
    /// joiner, byte order mark, soft hyphen, bidirectional controls, variation selectors, tags...). Inserted into a
    /// value they change its text without changing what a reader sees, so they are dropped before searching.
    /// </summary>
    public static bool IsIgnorable(int codePoint) => codePoint switch
    {
        < 0xAD => false,
        0xAD or 0x34F or 0x61C or 0x115F or 0x1160 or 0x17B4 or 0x17B5 or (>= 0x180B and <= 0x180F) => true,
        (>= 0x200B and <= 0x200F) or (>= 0x202A and <= 0x202E) or (>= 0x2060 and <= 0x206F) or 0x3164 => true,
        (>= 0xFE00 and <= 0xFE0F) or 0xFEFF or 0xFFA0 or (>= 0xFFF0 and <= 0xFFF8) => true,
        (>= 0x1BCA0 and <= 0x1BCA3) or (>= 0x1D173 and <= 0x1D17A) or (>= 0xE0000 and <= 0xE0FFF) => true,
        _ => false,
    };

    private struct Builder(int capacity)
    {
        private char[] _chars = new char[Math.Max(capacity, 4)];
        private int[] _start = new int[Math.Max(capacity, 4)];
        private int[] _end = new int[Math.Max(capacity, 4)];
        private int _length;

        public void Add(char c, int start, int end)
        {
            if (_length == _chars.Length)
            {
                Array.Resize(ref _chars, _length * 2);
                Array.Resize(ref _start, _length * 2);
                Array.Resize(ref _end, _length * 2);
            }

            _chars[_length] = c;
            _start[_length] = start;
            _end[_length] = end;
            _length++;
        }

        public readonly int Length => _length;

        /// <summary>Adds characters [<paramref name="from"/>, <paramref name="to"/>) of <paramref name="view"/> as they are.</summary>
        public void AddRun(RedactionView view, int from, int to) => AddRun(view._chars, view, from, to);

        /// <summary>Adds <paramref name="chars"/> [<paramref name="from"/>, <paramref name="to"/>) with the spans of the same characters of <paramref name="view"/>.</summary>
        public void AddRun(char[] chars, RedactionView view, int from, int to)
        {
            var count = to - from;
            if (count <= 0) return;
            if (_length + count > _chars.Length)
            {
                var size = Math.Max(_chars.Length * 2, _length + count);
                Array.Resize(ref _chars, size);
                Array.Resize(ref _start, size);
                Array.Resize(ref _end, size);
            }

            Array.Copy(chars, from, _chars, _length, count);
            if (view._start is null)
            {
                for (var k = 0; k < count; k++)
                {
                    _start[_length + k] = from + k;
                    _end[_length + k] = from + k + 1;
                }
            }
            else
            {
                Array.Copy(view._start, from, _start, _length, count);
                Array.Copy(view._end!, from, _end, _length, count);
            }

            _length += count;
        }

        public readonly RedactionView Build() => new(_chars, _length, _start, _end);
    }
}

/// <summary>The kinds of escape <see cref="RedactionView.Decoded"/> reads, one at a time.</summary>
internal enum Escapes
{
    Json,
    Html,
    Percent,
}
