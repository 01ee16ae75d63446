using System.Text;

namespace Ziggy.Secrets.Web.Imports;

/// <summary>
/// Reads dotenv text as people write it (the rules are listed in README, "Import formats"): <c>NAME=value</c> lines,
/// an optional <c>export </c> prefix, comments, blank lines, and values that are unquoted, single-quoted or
/// backtick-quoted (literal) or double-quoted (with python-dotenv's escapes). Quoted values may span lines. Variables
/// (<c>${OTHER}</c>) are not expanded: a value is imported exactly as written.
/// </summary>
internal static class DotenvParser
{
    private const string Blanks = " \t";

    public static ImportParseResult Parse(string text)
    {
        var collector = new EntryCollector(ImportFormat.Dotenv);
        var s = text.AsSpan();
        var pos = 0;
        var line = 1;
        while (pos < s.Length)
        {
            var eol = LineEnd(s, pos);
            var next = AfterBreak(s, eol);
            var statement = s[pos..eol].TrimStart(Blanks);
            if (statement.IsEmpty || statement[0] == '#')
            {
                (pos, line) = (next, line + 1);
                continue;
            }

            if (statement.StartsWith("export", StringComparison.Ordinal) && statement.Length > 6 && statement[6] is ' ' or '\t')
                statement = statement[6..].TrimStart(Blanks);

            // Unreadable lines are reported without any of their text: a line without '=' may well be a bare value.
            var nameLength = statement.IndexOfAny(" \t=");
            if (nameLength == 0)
            {
                collector.Note(line, line, ImportNoteKind.Unreadable, "no name before '='.");
                (pos, line) = (next, line + 1);
                continue;
            }

            var rest = nameLength < 0 ? [] : statement[nameLength..].TrimStart(Blanks);
            if (rest.IsEmpty || rest[0] != '=')
            {
                collector.Note(line, line, ImportNoteKind.Unreadable, "no '=' after the name.");
                (pos, line) = (next, line + 1);
                continue;
            }

            var name = statement[..nameLength].ToString();
            var afterEquals = rest[1..];
            rest = afterEquals.TrimStart(Blanks);
            if (rest.IsEmpty || rest[0] is not ('\'' or '"' or '`'))
            {
                // "NAME= # note" is an empty value with a comment; "NAME=#x" is the value "#x".
                var value = rest.Length < afterEquals.Length && !rest.IsEmpty && rest[0] == '#' ? "" : Unquoted(rest);
                if (!collector.Add(name, value, line, line)) break;
                (pos, line) = (next, line + 1);
                continue;
            }

            // A quoted value: rest is a suffix of the line, so its quote sits at eol - rest.Length.
            var quote = rest[0];
            var valueStart = eol - rest.Length + 1;
            var (close, closeLine) = FindClosingQuote(s, valueStart, quote, line);
            if (close < 0)
            {
                collector.Note(line, closeLine, ImportNoteKind.Unreadable,
                    $"unterminated {QuoteName(quote)} quote (started here); the lines after it were not read.");
                break;
            }

            var tailEnd = LineEnd(s, close + 1);
            var tail = s[(close + 1)..tailEnd].TrimStart(Blanks);
            if (!tail.IsEmpty && tail[0] != '#')
                collector.Note(line, closeLine, ImportNoteKind.Unreadable,
                    $"text after the closing {QuoteName(quote)} quote: put the whole value inside the quotes, or start a comment with ' #'.");
            else if (!collector.Add(name, Quoted(s[valueStart..close], quote), line, closeLine))
                break;

            (pos, line) = (AfterBreak(s, tailEnd), closeLine + 1);
        }

        return collector.Finish();
    }

    /// <summary>An unquoted value ends at a '#' that follows a space or tab (a comment); the blanks around it are not part of it.</summary>
    private static string Unquoted(ReadOnlySpan<char> rest)
    {
        for (var i = 1; i < rest.Length; i++)
        {
            if (rest[i] == '#' && rest[i - 1] is ' ' or '\t')
            {
                rest = rest[..i];
                break;
            }
        }

        return rest.TrimEnd(Blanks).ToString();
    }

    /// <summary>The index of the closing quote (-1 when there is none) and the line it is on (the last line when there is none).</summary>
    private static (int Index, int Line) FindClosingQuote(ReadOnlySpan<char> s, int start, char quote, int line)
    {
        for (var i = start; i < s.Length; i++)
        {
            var c = s[i];
            if (c == quote) return (i, line);
            if (c == '\\' && quote == '"' && i + 1 < s.Length && s[i + 1] is not ('\r' or '\n')) i++;
            else if (c == '\n') line++;
            else if (c == '\r')
            {
                line++;
                if (i + 1 < s.Length && s[i + 1] == '\n') i++;
            }
        }

        // A final line break ends the last line rather than starting another.
        return (-1, s.Length > start && s[^1] is '\r' or '\n' ? line - 1 : line);
    }

    /// <summary>
    /// The text between the quotes, line breaks as '\n'. Single quotes and backticks are literal; double quotes decode
    /// python-dotenv's escapes (\\ \' \" \a \b \f \n \r \t \v) and keep any other backslash as written.
    /// </summary>
    private static string Quoted(ReadOnlySpan<char> raw, char quote)
    {
        var decodes = quote == '"' && raw.Contains('\\');
        if (!decodes && !raw.Contains('\r')) return raw.ToString();

        var builder = new StringBuilder(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c == '\r')
            {
                builder.Append('\n');
                if (i + 1 < raw.Length && raw[i + 1] == '\n') i++;
            }
            else if (c == '\\' && decodes && i + 1 < raw.Length && Escape(raw[i + 1]) is { } decoded)
            {
                builder.Append(decoded);
                i++;
            }
            else builder.Append(c);
        }

        return builder.ToString();
    }

    private static char? Escape(char c) => c switch
    {
        '\\' => '\\',
        '\'' => '\'',
        '"' => '"',
        'a' => '\a',
        'b' => '\b',
        'f' => '\f',
        'n' => '\n',
        'r' => '\r',
        't' => '\t',
        'v' => '\v',
        _ => null,
    };

    private static string QuoteName(char quote) => quote switch
    {
        '"' => "double",
        '\'' => "single",
        _ => "backtick",
    };

    private static int LineEnd(ReadOnlySpan<char> s, int from)
    {
        var index = s[from..].IndexOfAny('\r', '\n');
        return index < 0 ? s.Length : from + index;
    }

    private static int AfterBreak(ReadOnlySpan<char> s, int eol) =>
        eol >= s.Length ? s.Length
        : s[eol] == '\r' && eol + 1 < s.Length && s[eol + 1] == '\n' ? eol + 2
        : eol + 1;
}
