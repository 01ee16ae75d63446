using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using Ziggy.Secrets.Web.Secrets;

namespace Ziggy.Secrets.Web.Imports;

/// <summary>
/// Reads dotenv text as people write it. The rules, close to python-dotenv's and the dotenv npm package's:
/// <list type="bullet">
/// <item>One <c>NAME=value</c> per line; blanks around the name and '=' are ignored, so is an <c>export </c> prefix.
/// The name is everything up to the first blank or '='; it may hold letters, digits, '_', '.' and '-' (as in npm
/// dotenv) and is at most as long as a secret's name. Whether it meets the naming rule is judged later.</item>
/// <item>Blank lines and lines starting with '#' are skipped. After an unquoted value, a '#' that follows a space or
/// tab starts a comment (<c>A=x#y</c> is "x#y"); so does one after a closing quote.</item>
/// <item>Unquoted values end at the end of the line, trailing blanks removed.</item>
/// <item>'single' and `backtick` quotes are literal: no escapes, the value cannot contain that quote.</item>
/// <item>"double" quotes decode python-dotenv's escapes: <c>\\ \' \" \a \b \f \n \r \t \v</c>. Any other backslash
/// stays as written (npm dotenv decodes only <c>\n</c> and <c>\r</c>; python-dotenv also leaves the others).</item>
/// <item>Quoted values may span lines; CRLF (and a lone CR) line breaks become LF, in values too. A byte order mark
/// at the start is ignored.</item>
/// <item><c>${OTHER}</c> is not expanded: values are imported exactly as written.</item>
/// <item><c>NAME=</c> (nothing, or only a comment, or empty quotes) is skipped with a note; a name set twice keeps the
/// last value and notes each earlier line.</item>
/// <item>A line without '=' or without a name, or with text after a closing quote, is reported by line number and
/// reading goes on with the next line. An unterminated quote is reported where it starts and ends the reading: all
/// that follows would be part of its value.</item>
/// </list>
/// </summary>
internal static class DotenvParser
{
    private const string Blanks = " \t";

    // The name characters of npm dotenv. Anything else (a '+', a '/', a space) marks a line that is more likely a piece of
    // a value spanning lines without quotes, such as base64 with '=' padding; its text must not come back as a "name".
    private static readonly SearchValues<char> NameCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-");

    // The loops are compiled optimized from the first call: an import is rare, so tiered compilation would otherwise
    // run the first several imports of a process through unoptimized code.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
                if (!collector.Unreadable(line, line, "no name before '='.")) break;
                (pos, line) = (next, line + 1);
                continue;
            }

            var rest = nameLength < 0 ? [] : statement[nameLength..].TrimStart(Blanks);
            if (rest.IsEmpty || rest[0] != '=')
            {
                if (!collector.Unreadable(line, line, "no '=' after the name.")) break;
                (pos, line) = (next, line + 1);
                continue;
            }

            var nameSpan = statement[..nameLength];
            if (nameSpan.ContainsAnyExcept(NameCharacters) || nameSpan.Length > SecretRules.NameMaxLength)
            {
                var reason = nameSpan.Length > SecretRules.NameMaxLength
                    ? $"the name is longer than {SecretRules.NameMaxLength} characters."
                    : "a name may hold only letters, digits, '_', '.' and '-' (a value spanning several lines needs quotes around it).";
                if (!collector.Unreadable(line, line, reason)) break;
                (pos, line) = (next, line + 1);
                continue;
            }

            var name = nameSpan.ToString();
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
                collector.Unreadable(line, closeLine,
                    $"unterminated {QuoteName(quote)} quote (started here); the lines after it were not read.");
                break;
            }

            var tailEnd = LineEnd(s, close + 1);
            var tail = s[(close + 1)..tailEnd].TrimStart(Blanks);
            if (!tail.IsEmpty && tail[0] != '#')
            {
                if (!collector.Unreadable(line, closeLine,
                        $"text after the closing {QuoteName(quote)} quote: put the whole value inside the quotes, or start a comment with ' #'.")) break;
            }
            else if (!collector.Add(name, Quoted(s[valueStart..close], quote), line, closeLine))
                break;

            (pos, line) = (AfterBreak(s, tailEnd), closeLine + 1);
        }

        return collector.Finish();
    }

    /// <summary>An unquoted value ends at a '#' that follows a space or tab (a comment); the blanks around it are not part of it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
