using System.Text;
using System.Text.Json;
using CsCheck;
using Ziggy.Secrets.Web.Imports;

namespace Ziggy.Secrets.Tests.Unit.Imports;

/// <summary>
/// Random documents in every supported spelling: values come back exactly, every line that yields no entry has a note
/// that names its line, and no note ever holds a piece of a value (values and unreadable lines carry a canary).
/// </summary>
public sealed class ImportParserPropertyTests
{
    // The characters dotenv and JSON give a meaning to, blanks, line breaks, letters, an accent and an emoji.
    private const string Syntax = "=#'\"`\\ \t\r\n{}[]:,/*$exportABCz1é\uFEFF";

    // Value characters: everything the quoting styles must carry, canary letters excluded (canaries are lower-case runs).
    private static readonly string[] ValueAlphabet =
    [
        .. "ABCXYZ0123456789".Select(c => c.ToString()),
        " ", "\t", "\n", "\r", "#", " #", "'", "\"", "`", "\\", "\\n", "=", "$", "${X}", "{", "}", ":", ",", "é", "中", "🔑",
    ];

    private static readonly string[] Names = ["A", "B", "C", "DB_URL", "STRIPE_KEY", "stripe-key", "2fa.secret", "x.y"];

    [Fact]
    public void Parse_ArbitraryText_NeverThrowsAndNotesHaveLines()
    {
        var syntax = Gen.Int[0, Syntax.Length - 1].Array[0, 120].Select(indexes => string.Concat(indexes.Select(i => Syntax[i])));
        var anything = Gen.Char[(char)0, (char)0xFFFF].Array[0, 80].Select(chars => new string(chars));
        Gen.OneOf(syntax, anything, syntax.Select(text => "{" + text)).Sample(text =>
        {
            var lineCount = text.Split(["\r\n", "\n", "\r"], StringSplitOptions.None).Length;
            foreach (var format in new[] { ImportFormat.Auto, ImportFormat.Dotenv, ImportFormat.Json })
            {
                var result = ImportParser.Parse(text, format);
                Assert.All(result.Notes, note => Assert.InRange(note.Line, 1, note.LastLine));
                Assert.All(result.Notes, note => Assert.InRange(note.LastLine, 1, lineCount));
                Assert.All(result.Entries, entry => Assert.InRange(entry.LastLine, entry.Line, lineCount));
                Assert.All(result.Entries, entry => Assert.NotEqual("", entry.Value));
            }
        }, iter: 3_000);
    }

    [Fact]
    public void Parse_RandomDotenvDocument_ValuesRoundTripAndEverySkippedLineIsNoted() =>
        Gen.Int.Sample(seed =>
        {
            var document = Document.Random(new Random(seed));
            var result = ImportParser.Parse(document.Text, ImportFormat.Dotenv);

            Assert.Equal(
                document.ExpectedEntries.OrderBy(e => e.Line).Select(e => (e.Name, e.Value, e.Line)),
                result.Entries.OrderBy(e => e.Line).Select(e => (e.Name, e.Value, e.Line)));
            foreach (var line in document.StatementLines)
            {
                Assert.True(result.Entries.Any(e => e.Line == line) || result.Notes.Any(n => n.Line <= line && line <= n.LastLine),
                    $"line {line} yields neither an entry nor a note (seed {seed})");
            }

            Assert.Equal(document.UnreadableLines, result.Notes.Where(n => n.Kind == ImportNoteKind.Unreadable).Select(n => n.Line));
            AssertNoCanary(result, document.Canaries);
        }, iter: 2_000);

    [Fact]
    public void Parse_RandomJsonDocument_StringsRoundTripOthersAreNotedWithoutTheirValue() =>
        Gen.Int.Sample(seed =>
        {
            var random = new Random(seed);
            var canaries = new List<string>();
            var members = new List<string>();
            var expected = new Dictionary<string, string>();
            for (var i = random.Next(0, 12); i > 0; i--)
            {
                var name = Names[random.Next(Names.Length)];
                var canary = Canary(random);
                canaries.Add(canary);
                var value = Value(random, canary);
                var (json, isText) = random.Next(6) switch
                {
                    0 => (JsonSerializer.Serialize(new { x = value }), false),
                    1 => (JsonSerializer.Serialize(new[] { value }), false),
                    2 => (string.Concat(canary.Select(c => (char)('1' + c % 9))), false),
                    _ => (JsonSerializer.Serialize(value), true),
                };
                if (!isText) canaries.Add(json);
                members.Add($"{JsonSerializer.Serialize(name)}:{(random.Next(2) == 0 ? "\n" : " ")}{json}");
                if (isText) expected[name] = value;
                else expected.Remove(name);
            }

            var text = "{" + string.Join(random.Next(2) == 0 ? ",\n" : ",\r\n", members) + (random.Next(2) == 0 ? ",}" : "}");
            var result = ImportParser.Parse(text);

            Assert.Equal(ImportFormat.Json, result.Format);
            Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), result.Entries.Select(e => KeyValuePair.Create(e.Name, e.Value)).OrderBy(p => p.Key, StringComparer.Ordinal));
            AssertNoCanary(result, canaries);

            // Cut anywhere, the text is refused (or read up to a valid end) without echoing a canary either.
            var cut = ImportParser.Parse(text[..random.Next(text.Length + 1)], ImportFormat.Json);
            AssertNoCanary(cut, canaries);
        }, iter: 1_000);

    private static void AssertNoCanary(ImportParseResult result, IEnumerable<string> canaries)
    {
        var notes = string.Join("\n", result.Notes.Select(n => n.Message)) + string.Concat(result.Entries.Select(e => e.Name + e));
        foreach (var canary in canaries)
        {
            // Any 8 characters of a canary in a row count: a note that quotes part of a line is as bad as one that quotes all of it.
            for (var i = 0; i + 8 <= canary.Length; i++)
                Assert.DoesNotContain(canary.Substring(i, 8), notes);
        }
    }

    private static string Canary(Random random) => "zq" + string.Concat(Enumerable.Range(0, 14).Select(_ => (char)random.Next('a', 'z' + 1)));

    private static string Value(Random random, string canary)
    {
        string Part() => string.Concat(Enumerable.Range(0, random.Next(0, 6)).Select(_ => ValueAlphabet[random.Next(ValueAlphabet.Length)]));
        return Part() + canary + Part();
    }

    /// <summary>A dotenv document, what parsing it must give, and which lines hold a statement.</summary>
    private sealed class Document
    {
        public string Text = "";
        public readonly List<(string Name, string Value, int Line)> ExpectedEntries = [];
        public readonly List<int> StatementLines = [];
        public readonly List<int> UnreadableLines = [];
        public readonly List<string> Canaries = [];

        public static Document Random(Random random)
        {
            var document = new Document();
            var builder = new StringBuilder();
            var line = 1;
            var assignments = new Dictionary<string, (string Value, int Line)>();

            void Write(string statement, bool counts = true)
            {
                if (counts) document.StatementLines.Add(line);
                builder.Append(statement).Append('\n');
                line += statement.Count(c => c == '\n') + 1;
            }

            string NewCanary()
            {
                var canary = Canary(random);
                document.Canaries.Add(canary);
                return canary;
            }

            for (var i = random.Next(0, 15); i > 0; i--)
            {
                var name = Names[random.Next(Names.Length)];
                var head = (random.Next(4) == 0 ? "export " : "") + name + (random.Next(3) == 0 ? " = " : "=");
                switch (random.Next(10))
                {
                    case 0:
                        Write(random.Next(2) == 0 ? "" : "  ", counts: false);
                        break;
                    case 1:
                        Write("# " + NewCanary() + " = \"'", counts: false);
                        break;
                    case 2:
                        assignments[name] = ("", line);
                        Write(head + (random.Next(3) switch { 0 => "", 1 => "\"\"", _ => " # nothing" }));
                        break;
                    case 3:
                        document.UnreadableLines.Add(line);
                        Write(random.Next(6) switch
                        {
                            0 => NewCanary(),
                            1 => "= " + NewCanary(),
                            2 => name + " " + NewCanary() + "=x",
                            3 => NewCanary() + "+/" + NewCanary() + "==",
                            4 => "\"" + NewCanary() + "\"=x",
                            _ => head + "\"a\" " + NewCanary(),
                        });
                        break;
                    default:
                        var value = Value(random, NewCanary());
                        var spelled = Spell(random, value);
                        assignments[name] = (value, line);
                        Write(head.TrimEnd(' ') + spelled);
                        break;
                }
            }

            if (random.Next(5) == 0)
            {
                // An unterminated quote: it and everything after it is unread.
                document.UnreadableLines.Add(line);
                Write(Names[random.Next(Names.Length)] + "=" + "\"'`"[random.Next(3)] + NewCanary());
                for (var i = random.Next(0, 3); i > 0; i--) Write("X=" + NewCanary());
            }

            foreach (var (name, (value, at)) in assignments)
            {
                if (value.Length > 0) document.ExpectedEntries.Add((name, value, at));
            }

            var text = builder.ToString();
            if (random.Next(3) == 0) text = text.Replace("\n", "\r\n");
            if (random.Next(4) == 0) text = "\uFEFF" + text;
            document.Text = text;
            return document;
        }

        /// <summary>The value in a quoting style that can carry it, chosen at random, sometimes with a comment after it.</summary>
        private static string Spell(Random random, string value)
        {
            var styles = new List<Func<string>>
            {
                () => "\"" + string.Concat(value.Select(c => c switch
                {
                    '\\' => "\\\\",
                    '"' => "\\\"",
                    '\r' => "\\r",
                    '\n' => random.Next(2) == 0 ? "\\n" : "\n",
                    '\t' => random.Next(2) == 0 ? "\\t" : "\t",
                    '\'' => random.Next(2) == 0 ? "\\'" : "'",
                    _ => c.ToString(),
                })) + "\"",
            };
            if (!value.Contains('\'') && !value.Contains('\r')) styles.Add(() => "'" + value + "'");
            if (!value.Contains('`') && !value.Contains('\r')) styles.Add(() => "`" + value + "`");
            var unquoted = value.IndexOfAny(['\r', '\n']) < 0 && value.Trim(' ', '\t') == value && value[0] is not ('"' or '\'' or '`')
                && !value.Contains(" #") && !value.Contains("\t#");
            if (unquoted) styles.Add(() => value + (random.Next(3) == 0 ? " # comment" : ""));

            var spelled = styles[random.Next(styles.Count)]();
            return spelled[0] is '"' or '\'' or '`' && random.Next(3) == 0 ? spelled + " # comment" : spelled;
        }
    }
}
