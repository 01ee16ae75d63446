using System.Text;
using System.Text.Json;

namespace Ziggy.Secrets.Web.Imports;

/// <summary>
/// Reads one flat JSON object whose values are strings (<c>{"NAME": "value"}</c>). Comments and trailing commas are
/// accepted. Other values are skipped with a note naming the key; text that is not valid JSON imports nothing and is
/// reported by line and column only (the reader's own messages quote the text, so they are never passed on).
/// </summary>
internal static class JsonImportParser
{
    private static readonly JsonReaderOptions Options = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static ImportParseResult Parse(string text)
    {
        var collector = new EntryCollector(ImportFormat.Json);
        var bytes = Encoding.UTF8.GetBytes(text);
        var lines = new LineCounter(bytes);
        var reader = new Utf8JsonReader(bytes, Options);
        if (text.AsSpan().Trim().IsEmpty)
            return collector.Reject(1, ImportNoteKind.Unreadable, "there is no JSON object here.");

        try
        {
            if (!reader.Read())
                return collector.Reject(1, ImportNoteKind.Unreadable, "there is no JSON object here.");
            if (reader.TokenType != JsonTokenType.StartObject)
                return collector.Reject(lines.At(reader.TokenStartIndex), ImportNoteKind.Unreadable,
                    "the JSON must be one object of names and text values, for example {\"STRIPE_API_KEY\": \"…\"}.");

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                var line = lines.At(reader.TokenStartIndex);
                reader.Read();
                var kind = reader.TokenType switch
                {
                    JsonTokenType.String => null,
                    JsonTokenType.Number => "a number; write it in quotes to import it as text",
                    JsonTokenType.True or JsonTokenType.False => "true or false; write it in quotes to import it as text",
                    JsonTokenType.Null => "null",
                    JsonTokenType.StartObject => "an object; only a flat object of text values can be imported",
                    _ => "a list; only a flat object of text values can be imported",
                };
                if (kind is null)
                {
                    if (!collector.Add(name, reader.GetString()!, line, lines.At(reader.TokenStartIndex))) break;
                    continue;
                }

                reader.Skip();
                if (!collector.Skip(name, line, lines.At(reader.TokenStartIndex), ImportNoteKind.NotText, $"the value of {name} is {kind}: skipped.")) break;
            }

            // Anything after the object other than blanks and comments makes the reader throw.
            while (reader.Read()) { }
        }
        catch (JsonException e)
        {
            var column = e.BytePositionInLine is { } position ? $", column {position + 1}" : "";
            return collector.Reject((int)(e.LineNumber ?? 0) + 1, ImportNoteKind.Unreadable, $"this is not valid JSON (the first error is here{column}); nothing was imported.");
        }
        catch (InvalidOperationException)
        {
            // A string whose \u escapes do not make valid text (a lone surrogate).
            return collector.Reject(lines.At(reader.TokenStartIndex), ImportNoteKind.Unreadable, "a string here holds a \\u escape that is not valid text; nothing was imported.");
        }

        return collector.Finish();
    }

    /// <summary>The 1-based line of a byte offset, for offsets that only grow.</summary>
    private sealed class LineCounter(byte[] bytes)
    {
        private int _offset;
        private int _line = 1;

        public int At(long offset)
        {
            for (; _offset < offset && _offset < bytes.Length; _offset++)
            {
                var b = bytes[_offset];
                if (b == '\n' || (b == '\r' && (_offset + 1 >= bytes.Length || bytes[_offset + 1] != '\n'))) _line++;
            }

            return _line;
        }
    }
}
