using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace Ziggy.Secrets.Web.Integrations;

/// <summary>
/// Replaces every form a secret value may take in a response with that value's mask, keeping the rest of the text as
/// it is. Defence in depth: the response of a hostile target is shown only to people who could run the integration
/// anyway, and a target that means to leak a value can always invent an encoding no filter knows.
/// <para>
/// A value is found written raw; in upper, lower or mixed case; in NFC, NFD or compatibility forms (full-width...);
/// reversed; with invisible characters (zero-width, soft hyphen, BOM...) inserted; with any subset of its characters
/// escaped for JSON or JavaScript, HTML (named, decimal or hexadecimal references) or URLs (percent-encoding in
/// either hex case, '+' for space), and such an escaped text escaped once more; as hexadecimal of its UTF-8 bytes in
/// either case; as base64 or base64url, padded or not, alone or inside a longer base64 text.
/// </para>
/// <para>
/// Values shorter than four characters are masked wherever any of these forms occurs, which in ordinary text is
/// often: such a value cannot be kept apart from the text around it, and masking too much is the safe mistake.
/// </para>
/// </summary>
public sealed class Redactor
{
    private static readonly Escapes[] AllEscapes = Enum.GetValues<Escapes>();

    private readonly string[] _values;
    private readonly string[] _masks;
    private readonly KeySet? _keys;
    private readonly Lazy<KeySet?> _plusAsSpaceKeys;
    private readonly Lazy<KeySet?> _compactKeys;
    private readonly Lazy<PieceSet?> _fragments;

    public Redactor(IEnumerable<(string Value, string Mask)> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var kept = values.Where(v => !string.IsNullOrEmpty(v.Value)).ToArray();
        _values = kept.Select(v => v.Value).ToArray();
        _masks = kept.Select(v => v.Mask).ToArray();

        var forms = _values.SelectMany((value, index) => FormsOf(value).Select(form => (Key: RedactionView.Canonical(form.Text), form.Bytes, Value: index)))
            .ToList();
        var keys = Keyed(forms.Select(f => (f.Key, f.Value)));
        _keys = keys.Count > 0 ? new KeySet(keys) : null;
        _plusAsSpaceKeys = new Lazy<KeySet?>(() => KeySet.Of(Keyed(keys.Select(k => (RedactionView.PlusAsSpace(k.Key), k.Value)))));
        _compactKeys = new Lazy<KeySet?>(() => KeySet.Of(Keyed(keys.Select(k => (RedactionView.Compact(k.Key), k.Value)))));
        _fragments = new Lazy<PieceSet?>(() => FragmentsOf(forms.Select(f => (f.Key, f.Bytes, f.Value)).Distinct()));
    }

    /// <summary>
    /// <paramref name="text"/> with every form of every value replaced by the value's mask. Where the matches of two
    /// values overlap (one value contains the other), the longest match's mask replaces them together.
    /// </summary>
    public string? Redact(string? text)
    {
        if (text is null) return null;
        var spans = Spans(text);
        return spans.Count == 0 ? text : Replace(text, 0, text.Length, spans);
    }

    /// <summary>True when <paramref name="text"/> still contains any form of any value.</summary>
    public bool Reveals(string? text) => text is not null && Spans(text).Count > 0;

    /// <summary>
    /// Redacts a block of response headers, one <c>Name: value</c> per line (repeated headers on separate lines or
    /// joined with ", "). Besides what <see cref="Redact"/> replaces in each line, a header's whole value becomes the
    /// mask when a value, in any form, runs from it into other header values or ", "-separated items (its first half in
    /// one header, its second half in the next, even with the spaces around the pieces trimmed); or when it holds a
    /// piece of a value of 8 characters or more, whatever the other headers hold: half the value's text (raw, reversed,
    /// escaped...) but from 6 to 8 characters, or 8 characters of its hexadecimal or base64 form. A header name that
    /// holds such a piece is replaced by the mask too.
    /// </summary>
    public string? RedactHeaders(string? headers)
    {
        if (headers is null) return null;
        var lines = headers.Split('\n').Select(ParseLine).ToList();
        var redacted = RedactLines(lines, out _);
        return string.Join('\n', redacted.Select(l => l.Name + l.Separator + l.Value));
    }

    /// <summary>The same as <see cref="RedactHeaders(string?)"/>, for headers as (name, value) pairs in the order received.</summary>
    public IReadOnlyList<(string Name, string Value)> RedactHeaders(IEnumerable<(string Name, string Value)> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var lines = headers.Select(h => new HeaderLine(h.Name, ": ", h.Value)).ToList();
        return RedactLines(lines, out _).Select(l => (l.Name, l.Value)).ToList();
    }

    /// <summary>True when <see cref="RedactHeaders(string?)"/> would mask anything in <paramref name="headers"/>.</summary>
    public bool RevealsInHeaders(string? headers)
    {
        if (headers is null) return false;
        RedactLines(headers.Split('\n').Select(ParseLine).ToList(), out var revealed);
        return revealed;
    }

    /// <summary>What is searched for: the value's spellings, and its bytes (<c>Bytes</c>) hex- and base64-encoded.</summary>
    private static IEnumerable<(string Text, bool Bytes)> FormsOf(string value)
    {
        // As given, composed and decomposed: the bytes (hence hex and base64) differ between them.
        var spellings = new[] { value, TryNormalize(value, NormalizationForm.FormC), TryNormalize(value, NormalizationForm.FormD) }
            .OfType<string>().Distinct(StringComparer.Ordinal).ToList();

        // The canonical form decomposes and folds case character by character; whole-string mappings can differ from that
        // (canonical reordering of accents, case mappings that change the length).
        yield return (value.ToUpperInvariant(), false);
        yield return (value.ToLowerInvariant(), false);
        if (TryNormalize(value, NormalizationForm.FormKD) is { } compatible) yield return (compatible, false);

        foreach (var text in spellings)
        {
            yield return (text, false);
            yield return (new string(text.Reverse().ToArray()), false);
            yield return (string.Concat(text.EnumerateRunes().Reverse()), false);
            yield return (string.Concat(TextElements(text).Reverse()), false);
        }

        // Bytes are only searched for encoded (hex, base64), so escapes cannot be decoded first: a value inside a JSON
        // document that is then base64-encoded (a JWT claim) is searched for as the common encoders escape it.
        var bytesOf = spellings
            .Concat([JavaScriptEncoder.Default.Encode(value), JavaScriptEncoder.UnsafeRelaxedJsonEscaping.Encode(value)])
            .Distinct(StringComparer.Ordinal);
        foreach (var text in bytesOf)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            // Either case: the canonical form folds it.
            yield return (Convert.ToHexString(bytes), true);

            var base64 = Convert.ToBase64String(bytes);
            yield return (base64, true);
            yield return (base64.TrimEnd('='), true);
            yield return (ToBase64Url(base64), true);
            yield return (ToBase64Url(base64).TrimEnd('='), true);

            // Base64 of a longer text that contains the value (a Basic authorization header of "user:value", a JWT, ...)
            // holds the value's bytes at one of three alignments and ends in characters that mix in its neighbours. For
            // each alignment, the characters encoding only the value's bytes appear verbatim, so mask those.
            for (var skip = 0; skip < 3 && skip < bytes.Length; skip++)
            {
                var whole = (bytes.Length - skip) / 3 * 3;
                if (whole == 0) break;
                var core = Convert.ToBase64String(bytes, skip, whole);
                yield return (core, true);
                yield return (ToBase64Url(core), true);
            }
        }
    }

    private static string? TryNormalize(string value, NormalizationForm form)
    {
        try
        {
            return value.Normalize(form);
        }
        catch (ArgumentException)
        {
            return null; // not valid UTF-16 (a lone surrogate): the value is searched for as given
        }
    }

    private static IEnumerable<string> TextElements(string text)
    {
        var enumerator = StringInfo.GetTextElementEnumerator(text);
        while (enumerator.MoveNext()) yield return enumerator.GetTextElement();
    }

    private static string ToBase64Url(string base64) => base64.Replace('+', '-').Replace('/', '_');

    /// <summary>Each key once; where two values share a key, the longer value's mask wins, as replacing the longest first did.</summary>
    private Dictionary<string, int> Keyed(IEnumerable<(string Key, int Value)> keys)
    {
        var keyed = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (key, index) in keys)
        {
            if (key.Length > 0 && (!keyed.TryGetValue(key, out var other) || _values[other].Length < _values[index].Length))
                keyed[key] = index;
        }

        return keyed;
    }

    /// <summary>
    /// Pieces of the values of 8 characters or more, for the header rule: every substring of half a spelling's length,
    /// but from 6 to 8 characters, and of 8 characters of each hex or base64 form, with spaces, commas and '+' left out;
    /// except pieces a mask shows anyway (a mask's head is one). Shorter pieces, matched in either case, turn up in the
    /// random tokens of ordinary headers (ETag, request ids, cookies).
    /// </summary>
    private PieceSet? FragmentsOf(IEnumerable<(string Key, bool Bytes, int Value)> forms)
    {
        var masks = _masks.Select(m => RedactionView.Compact(RedactionView.Canonical(m))).ToArray();
        // Each piece once (a piece of several values: the longer value's), its text made only when first met.
        var fragments = new Dictionary<string, int>(StringComparer.Ordinal);
        var known = fragments.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (var (form, bytes, index) in forms)
        {
            // Spaces and commas tell nothing about a value, and header values are trimmed: pieces are taken without them.
            var key = RedactionView.Compact(form);
            var size = bytes ? 8 : Math.Clamp((key.Length + 1) / 2, 6, 8);
            if (_values[index].Length < 8 || key.Length < size) continue;
            for (var start = 0; start + size <= key.Length; start++)
            {
                var fragment = key.AsSpan(start, size);
                if (known.TryGetValue(fragment, out var other) && _values[other].Length >= _values[index].Length) continue;
                if (!ShownByAMask(fragment)) known[fragment] = index;
            }
        }

        return PieceSet.Of(fragments);

        bool ShownByAMask(ReadOnlySpan<char> fragment)
        {
            foreach (var mask in masks)
                if (mask.AsSpan().Contains(fragment, StringComparison.Ordinal)) return true;
            return false;
        }
    }

    /// <summary>The spans of <paramref name="text"/> to mask, in order and not overlapping, each with the value whose mask replaces it.</summary>
    private List<Hit> Spans(string text)
    {
        var hits = new List<Hit>();
        // The value exactly as given, whatever the canonical form makes of it (a value of invisible characters only).
        for (var index = 0; index < _values.Length; index++)
        {
            for (var at = text.IndexOf(_values[index], StringComparison.Ordinal); at >= 0;
                 at = text.IndexOf(_values[index], at + 1, StringComparison.Ordinal))
                hits.Add(new Hit(at, at + _values[index].Length, index));
        }

        if (_keys is not null) Search(RedactionView.Of(text), _keys, hits, plusAsSpace: _plusAsSpaceKeys.Value);
        return Merge(text, hits);
    }

    /// <summary>
    /// Searches the view as it is, with one kind of escape decoded, and with two kinds decoded one after the other (an
    /// escaped text escaped again: a percent-encoded URL in an HTML attribute or in JSON, JSON in JSON, percent-encoding
    /// twice). Each view is made canonical, then <paramref name="transform"/>ed; where it has a '+', it is searched
    /// again with '+' read as a space, for the forms in <paramref name="plusAsSpace"/>.
    /// </summary>
    private static void Search(RedactionView view, IKeys keys, List<Hit> hits,
        Func<RedactionView, RedactionView>? transform = null, KeySet? plusAsSpace = null)
    {
        Find(view);
        foreach (var outer in AllEscapes)
        {
            if (view.Decoded(outer) is not { } once) continue;
            Find(once);
            foreach (var inner in AllEscapes)
                if (once.Decoded(inner) is { } twice) Find(twice);
        }

        void Find(RedactionView decoded)
        {
            var canonical = decoded.Canonical();
            if (transform is not null) canonical = transform(canonical);
            keys.FindIn(canonical, hits);
            if (plusAsSpace is not null && canonical.Chars.Contains('+')) plusAsSpace.FindIn(canonical.PlusAsSpace(), hits);
        }
    }

    private List<Hit> Merge(string text, List<Hit> hits)
    {
        if (hits.Count == 0) return hits;
        hits.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.End.CompareTo(a.End));
        var merged = new List<Hit>();
        var current = WholeSurrogates(text, hits[0]);
        var best = current;
        foreach (var hit in hits.Skip(1).Select(h => WholeSurrogates(text, h)))
        {
            if (hit.Start < current.End)
            {
                current = current with { End = Math.Max(current.End, hit.End) };
                if (Better(hit, best)) best = hit;
                continue;
            }

            merged.Add(current with { Value = best.Value });
            current = best = hit;
        }

        merged.Add(current with { Value = best.Value });
        return merged;
    }

    // The longest match decides the mask, then the longest value: what replacing the longest form first used to do.
    private bool Better(Hit hit, Hit than) =>
        hit.End - hit.Start > than.End - than.Start
        || (hit.End - hit.Start == than.End - than.Start && _values[hit.Value].Length > _values[than.Value].Length);

    private static Hit WholeSurrogates(string text, Hit hit)
    {
        var start = hit.Start > 0 && char.IsLowSurrogate(text[hit.Start]) && char.IsHighSurrogate(text[hit.Start - 1]) ? hit.Start - 1 : hit.Start;
        var end = hit.End < text.Length && char.IsLowSurrogate(text[hit.End]) && char.IsHighSurrogate(text[hit.End - 1]) ? hit.End + 1 : hit.End;
        return new Hit(start, end, hit.Value);
    }

    /// <summary><paramref name="text"/> from <paramref name="from"/> to <paramref name="to"/>, with the spans inside it replaced by their masks.</summary>
    private string Replace(string text, int from, int to, List<Hit> spans)
    {
        var result = new StringBuilder(to - from);
        var at = from;
        foreach (var span in spans)
        {
            if (span.End <= from || span.Start >= to) continue;
            result.Append(text, at, Math.Max(0, span.Start - at)).Append(_masks[span.Value]);
            at = Math.Max(at, span.End);
        }

        return result.Append(text, at, Math.Max(0, to - at)).ToString();
    }

    private static HeaderLine ParseLine(string line)
    {
        var colon = line.IndexOf(':');
        if (colon <= 0) return new HeaderLine("", "", line);
        var value = colon + 1;
        while (value < line.Length && line[value] is ' ' or '\t') value++;
        return new HeaderLine(line[..colon], line[colon..value], line[value..]);
    }

    private List<HeaderLine> RedactLines(List<HeaderLine> lines, out bool revealed)
    {
        // One text for all the lines, so that a value across lines is found by the same search as within one.
        var block = new StringBuilder();
        var layout = new List<(int Start, int ValueStart, int End)>();
        foreach (var line in lines)
        {
            if (block.Length > 0) block.Append('\n');
            var start = block.Length;
            block.Append(line.Name).Append(line.Separator);
            var valueStart = block.Length;
            block.Append(line.Value);
            layout.Add((start, valueStart, block.Length));
        }

        var text = block.ToString();
        var spans = Spans(text);
        var whole = new int?[lines.Count]; // the value whose mask replaces the line's whole value
        var wholeName = new bool[lines.Count];

        // A span from one part of a line (name, separator, value) into another, or into another line: mask the lines whole.
        foreach (var span in spans)
        {
            int first = LineOf(span.Start), last = LineOf(span.End - 1);
            var (start, valueStart, _) = layout[first];
            var nameEnd = start + lines[first].Name.Length;
            if (first != last || (span.Start < nameEnd && span.End > nameEnd) || (span.Start < valueStart && span.End > valueStart))
                for (var line = first; line <= last; line++) Mark(line, span.Value, name: true);
        }

        if (_keys is not null)
        {
            // The values of all lines one after the other; and the same split at ", " (repeated headers joined), searched
            // without spaces, commas and '+' (pieces are trimmed) for the forms without them.
            var values = layout.Select(l => (Start: l.ValueStart, Length: l.End - l.ValueStart)).ToList();
            var items = new List<(int Start, int Length)>();
            foreach (var (start, length) in values)
            {
                var at = start;
                for (var comma = text.IndexOf(", ", at, length, StringComparison.Ordinal); comma >= 0;
                     comma = text.IndexOf(", ", at, start + length - at, StringComparison.Ordinal))
                {
                    items.Add((at, comma - at));
                    at = comma + 2;
                }

                items.Add((at, start + length - at));
            }

            var hits = new List<Hit>();
            Search(RedactionView.Of(text, values), _keys, hits, plusAsSpace: _plusAsSpaceKeys.Value);
            if (_compactKeys.Value is { } compactKeys) Search(RedactionView.Of(text, items), compactKeys, hits, transform: v => v.Compact());
            foreach (var hit in hits.Where(h => !Masked(h)))
            {
                for (var line = 0; line < layout.Count; line++)
                    if (hit.Start < layout[line].End && hit.End > layout[line].ValueStart) Mark(line, hit.Value);
            }
        }

        if (_fragments.Value is { } fragments)
        {
            for (var line = 0; line < layout.Count; line++)
            {
                var (start, valueStart, end) = layout[line];
                var hits = new List<Hit>();
                Search(RedactionView.Of(text, [(valueStart, end - valueStart)]), fragments, hits, transform: v => v.Compact());
                foreach (var hit in hits.Where(h => !Masked(h))) Mark(line, hit.Value);
                hits.Clear();
                Search(RedactionView.Of(text, [(start, lines[line].Name.Length)]), fragments, hits, transform: v => v.Compact());
                foreach (var hit in hits.Where(h => !Masked(h))) Mark(line, hit.Value, name: true);
            }
        }

        revealed = spans.Count > 0 || whole.Any(w => w is not null);
        var result = new List<HeaderLine>(lines.Count);
        for (var line = 0; line < lines.Count; line++)
        {
            var (start, valueStart, end) = layout[line];
            var (name, separator, _) = lines[line];
            if (whole[line] is { } value)
                result.Add(new HeaderLine(wholeName[line] && name.Length > 0 ? _masks[value] : name, separator, _masks[value]));
            else
                result.Add(new HeaderLine(Replace(text, start, start + name.Length, spans), separator, Replace(text, valueStart, end, spans)));
        }

        return result;

        void Mark(int line, int value, bool name = false)
        {
            if (whole[line] is not { } other || _values[other].Length < _values[value].Length) whole[line] = value;
            wholeName[line] |= name;
        }

        // A piece inside a form that is masked anyway is no reason to mask the rest of the header.
        bool Masked(Hit hit) => spans.Any(s => s.Start <= hit.Start && hit.End <= s.End);

        int LineOf(int position) => layout.FindLastIndex(l => l.Start <= position);
    }

    private sealed record HeaderLine(string Name, string Separator, string Value);

    /// <summary>A span of the original text, [Start, End), that spells the value at index Value.</summary>
    private readonly record struct Hit(int Start, int End, int Value);

    /// <summary>Canonical keys, each with the index of the value it spells, found in a view: at each position, the longest key that starts there.</summary>
    private interface IKeys
    {
        void FindIn(RedactionView view, List<Hit> hits);
    }

    /// <summary>Keys of any length, searched for all at once: the forms, searched for in texts of any size.</summary>
    private sealed class KeySet : IKeys
    {
        private readonly SearchValues<string> _search;
        private readonly Dictionary<char, (string Key, int Value)[]> _byFirst;

        public KeySet(Dictionary<string, int> keys)
        {
            _search = SearchValues.Create(keys.Keys.ToArray(), StringComparison.Ordinal);
            _byFirst = keys.GroupBy(k => k.Key[0])
                .ToDictionary(g => g.Key, g => g.OrderByDescending(k => k.Key.Length).Select(k => (k.Key, k.Value)).ToArray());
        }

        public static KeySet? Of(Dictionary<string, int> keys) => keys.Count > 0 ? new KeySet(keys) : null;

        public void FindIn(RedactionView view, List<Hit> hits)
        {
            var chars = view.Chars;
            for (var from = 0; from < chars.Length;)
            {
                var found = chars[from..].IndexOfAny(_search);
                if (found < 0) return;
                var at = from + found;
                foreach (var (key, value) in _byFirst[chars[at]])
                {
                    if (!chars[at..].StartsWith(key, StringComparison.Ordinal)) continue;
                    hits.Add(new Hit(view.StartOf(at), view.EndOf(at + key.Length - 1), value));
                    break; // the longest key here; shorter ones lie inside it
                }

                from = at + 1;
            }
        }
    }

    /// <summary>
    /// Keys of a few lengths, looked up at every position: the header rule's pieces, thousands of short keys searched for
    /// in a few hundred characters of headers, for which a table is far cheaper to build than <see cref="KeySet"/>'s
    /// search and finds the same hits.
    /// </summary>
    private sealed class PieceSet : IKeys
    {
        private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _keys;
        private readonly int[] _lengths; // longest first

        private PieceSet(Dictionary<string, int> keys)
        {
            _keys = keys.GetAlternateLookup<ReadOnlySpan<char>>();
            _lengths = keys.Keys.Select(k => k.Length).Distinct().OrderDescending().ToArray();
        }

        public static PieceSet? Of(Dictionary<string, int> keys) => keys.Count > 0 ? new PieceSet(keys) : null;

        public void FindIn(RedactionView view, List<Hit> hits)
        {
            var chars = view.Chars;
            for (var at = 0; at < chars.Length; at++)
            {
                foreach (var length in _lengths)
                {
                    if (at + length > chars.Length || !_keys.TryGetValue(chars.Slice(at, length), out var value)) continue;
                    hits.Add(new Hit(view.StartOf(at), view.EndOf(at + length - 1), value));
                    break; // the longest key here; shorter ones lie inside it
                }
            }
        }
    }
}
