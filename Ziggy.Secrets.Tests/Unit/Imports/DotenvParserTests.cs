using Ziggy.Secrets.Web.Imports;

namespace Ziggy.Secrets.Tests.Unit.Imports;

public sealed class DotenvParserTests
{
    private static ImportParseResult Parse(string text) => ImportParser.Parse(text, ImportFormat.Dotenv);

    private static string Value(ImportParseResult result, string name) => Assert.Single(result.Entries, e => e.Name == name).Value;

    [Fact]
    public void Parse_PlainLines_EntriesWithTheirLines()
    {
        var result = Parse("STRIPE_KEY=sk_live_1\nDB_URL=postgres://u:p@h/db?x=1\n");

        Assert.Equal(ImportFormat.Dotenv, result.Format);
        Assert.Equal([("STRIPE_KEY", "sk_live_1", 1), ("DB_URL", "postgres://u:p@h/db?x=1", 2)], result.Entries.Select(e => (e.Name, e.Value, e.Line)));
        Assert.Empty(result.Notes);
    }

    [Fact]
    public void Parse_CommentsBlankLinesAndExport_Ignored()
    {
        var result = Parse("# header\n\n   \n  # indented comment\nexport A=1\nexport\tB = 2\n  C  =  3  \n");

        Assert.Equal([("A", "1", 5), ("B", "2", 6), ("C", "3", 7)], result.Entries.Select(e => (e.Name, e.Value, e.Line)));
        Assert.Empty(result.Notes);
    }

    [Fact]
    public void Parse_ExportAsAName_IsAName() => Assert.Equal("1", Value(Parse("export=1"), "export"));

    [Theory]
    [InlineData("A=abc # a comment", "abc")]
    [InlineData("A=abc\t# a comment", "abc")]
    [InlineData("A=abc#not-a-comment", "abc#not-a-comment")]
    [InlineData("A=#starts-with-hash", "#starts-with-hash")]
    [InlineData("A=a b  c ", "a b  c")]
    [InlineData("A=p@ss=w0rd$HOME${X}", "p@ss=w0rd$HOME${X}")]
    [InlineData("A=it's", "it's")]
    [InlineData("A=say \"hi\"", "say \"hi\"")]
    public void Parse_UnquotedValue_TrailingCommentCutOnlyAfterABlank(string line, string value) => Assert.Equal(value, Value(Parse(line), "A"));

    [Theory]
    [InlineData("A='a \\n b # c \" d'", "a \\n b # c \" d")]
    [InlineData("A=`a \\n b ' \" # c`", "a \\n b ' \" # c")]
    [InlineData("A='  padded  '", "  padded  ")]
    [InlineData("A='x' # comment", "x")]
    [InlineData("A='x'# comment", "x")]
    public void Parse_SingleQuotesAndBackticks_Literal(string line, string value) => Assert.Equal(value, Value(Parse(line), "A"));

    [Theory]
    [InlineData("A=\"a\\nb\"", "a\nb")]
    [InlineData("A=\"a\\rb\"", "a\rb")]
    [InlineData("A=\"a\\tb\"", "a\tb")]
    [InlineData("A=\"say \\\"hi\\\"\"", "say \"hi\"")]
    [InlineData("A=\"back\\\\slash\"", "back\\slash")]
    [InlineData("A=\"it\\'s\"", "it's")]
    [InlineData("A=\"\\a\\b\\f\\v\"", "\a\b\f\v")]
    [InlineData("A=\"c:\\\\dir\\x\\u0041\\$\"", "c:\\dir\\x\\u0041\\$")]
    [InlineData("A=\"ends with backslash\\\\\"", "ends with backslash\\")]
    [InlineData("A=\"a # not a comment\" # comment", "a # not a comment")]
    [InlineData("A=\"${NOT_EXPANDED}\"", "${NOT_EXPANDED}")]
    public void Parse_DoubleQuotes_DecodePythonDotenvEscapesAndKeepOthers(string line, string value) => Assert.Equal(value, Value(Parse(line), "A"));

    [Fact]
    public void Parse_QuotedValueOverSeveralLines_KeepsLineBreaksAndCountsLines()
    {
        var result = Parse("A=1\nKEY=\"-----BEGIN KEY-----\nabc\n-----END KEY-----\"\nB='x\ny' # c\nC=3");

        var key = Assert.Single(result.Entries, e => e.Name == "KEY");
        Assert.Equal("-----BEGIN KEY-----\nabc\n-----END KEY-----", key.Value);
        Assert.Equal((2, 4), (key.Line, key.LastLine));
        var b = Assert.Single(result.Entries, e => e.Name == "B");
        Assert.Equal(("x\ny", 5, 6), (b.Value, b.Line, b.LastLine));
        Assert.Equal(7, Assert.Single(result.Entries, e => e.Name == "C").Line);
    }

    [Fact]
    public void Parse_CrlfAndBom_ReadLikeLf()
    {
        var result = Parse("\uFEFFA=1\r\nB=\"x\r\ny\"\r\n# c\r\nC='p\r\nq'\r\nD=4\r\n");

        Assert.Equal([("A", "1", 1), ("B", "x\ny", 2), ("C", "p\nq", 5), ("D", "4", 7)], result.Entries.Select(e => (e.Name, e.Value, e.Line)));
        Assert.Empty(result.Notes);
    }

    [Theory]
    [InlineData("A=")]
    [InlineData("A=   ")]
    [InlineData("A= # only a comment")]
    [InlineData("A=\"\"")]
    [InlineData("A=''")]
    public void Parse_EmptyValue_SkippedAndSaidSo(string line)
    {
        var result = Parse("X=1\n" + line);

        Assert.DoesNotContain(result.Entries, e => e.Name == "A");
        var note = Assert.Single(result.Notes);
        Assert.Equal((ImportNoteKind.Empty, 2), (note.Kind, note.Line));
        Assert.Equal("line 2: A has an empty value: skipped.", note.Message);
    }

    [Fact]
    public void Parse_DuplicateName_LastWinsAndEachEarlierLineIsNamed()
    {
        var result = Parse("A=first\nB=b\nA=second\nA=third\n");

        Assert.Equal([("A", "third", 4), ("B", "b", 2)], result.Entries.OrderBy(e => e.Name).Select(e => (e.Name, e.Value, e.Line)));
        Assert.Equal(["line 1: A is set again on line 4; the last one is used.", "line 3: A is set again on line 4; the last one is used."],
            result.Notes.Select(n => n.Message));
        Assert.All(result.Notes, n => Assert.Equal(ImportNoteKind.Duplicate, n.Kind));
    }

    [Fact]
    public void Parse_DuplicateWhoseLastValueIsEmpty_NothingImportedForIt()
    {
        var result = Parse("A=old\nA=\n");

        Assert.Empty(result.Entries);
        Assert.Equal([(1, ImportNoteKind.Duplicate), (2, ImportNoteKind.Empty)], result.Notes.Select(n => (n.Line, n.Kind)));
    }

    [Theory]
    [InlineData("sk_live_SECRETVALUE", "line 2: no '=' after the name.")]
    [InlineData("export sk_live_SECRETVALUE", "line 2: no '=' after the name.")]
    [InlineData("MY KEY=SECRETVALUE", "line 2: no '=' after the name.")]
    [InlineData("=SECRETVALUE", "line 2: no name before '='.")]
    [InlineData("  = SECRETVALUE", "line 2: no name before '='.")]
    [InlineData("A=\"SECRETVALUE\" SECRETVALUE", "line 2: text after the closing double quote: put the whole value inside the quotes, or start a comment with ' #'.")]
    [InlineData("A='SECRETVALUE'SECRETVALUE", "line 2: text after the closing single quote: put the whole value inside the quotes, or start a comment with ' #'.")]
    public void Parse_UnreadableLine_ReportedByLineWithoutItsText(string line, string message)
    {
        var result = Parse("X=1\n" + line + "\nY=2");

        Assert.Equal(["X", "Y"], result.Entries.Select(e => e.Name));
        var note = Assert.Single(result.Notes);
        Assert.Equal((ImportNoteKind.Unreadable, message), (note.Kind, note.Message));
        Assert.DoesNotContain("SECRETVALUE", note.Message);
    }

    [Fact]
    public void Parse_TextAfterClosingQuoteOfMultilineValue_ReportsItsLinesAndGoesOn()
    {
        var result = Parse("A=\"x\ny\" SECRET\nB=2");

        Assert.Equal(["B"], result.Entries.Select(e => e.Name));
        Assert.Equal((1, 2), (result.Notes[0].Line, result.Notes[0].LastLine));
        Assert.StartsWith("lines 1–2: text after the closing double quote", result.Notes[0].Message);
    }

    [Theory]
    [InlineData("A=\"SECRET\nB=2\nC=3\n", "double")]
    [InlineData("A='SECRET\nB=2\nC=3", "single")]
    [InlineData("A=`SECRET\nB=2\nC=3", "backtick")]
    [InlineData("A=\"SECRET\\\"\nB=2\nC=3", "double")]
    public void Parse_UnterminatedQuote_ReportedWhereItStartedAndTheRestNotRead(string tail, string quote)
    {
        var result = Parse("X=1\n" + tail);

        Assert.Equal(["X"], result.Entries.Select(e => e.Name));
        var note = Assert.Single(result.Notes);
        Assert.Equal((ImportNoteKind.Unreadable, 2, 4), (note.Kind, note.Line, note.LastLine));
        Assert.Equal($"lines 2–4: unterminated {quote} quote (started here); the lines after it were not read.", note.Message);
    }

    [Fact]
    public void Parse_UnterminatedQuoteOnTheLastLine_NamesOnlyThatLine() =>
        Assert.Equal("line 2: unterminated double quote (started here); the lines after it were not read.",
            Assert.Single(Parse("X=1\nA=\"SECRET\n").Notes).Message);

    [Fact]
    public void Parse_EntriesAndNotes_NeverShowTheValueInToString()
    {
        var entry = Assert.Single(Parse("A=SECRETVALUE").Entries);

        Assert.DoesNotContain("SECRETVALUE", entry.ToString());
        Assert.Contains("A", entry.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("\uFEFF")]
    [InlineData("\n\n# only comments\n")]
    public void Parse_NothingToImport_NoEntriesNoNotes(string text)
    {
        var result = Parse(text);

        Assert.Empty(result.Entries);
        Assert.Empty(result.Notes);
    }

    [Fact]
    public void Parse_NamesThatBreakTheRule_ReadAsWrittenForThePreviewToJudge() =>
        Assert.Equal(["stripe-key", "2fa.secret", "lower_case"], Parse("stripe-key=1\n2fa.secret=2\nlower_case=3").Entries.Select(e => e.Name));

    [Theory]
    [InlineData("Xk9+2SECRETVALUE/abc==")]
    [InlineData("\"SECRETVALUE\"=x")]
    [InlineData("clé-SECRETVALUE=x")]
    [InlineData("SECRETVALUE:x=1")]
    public void Parse_NameWithCharactersNoNameHas_UnreadableAndNotEchoed(string line)
    {
        var result = Parse("PEM=-----BEGIN KEY-----\n" + line + "\n-----END KEY-----\nB=2");

        Assert.DoesNotContain(result.Entries, e => e.Name.Contains("SECRETVALUE"));
        Assert.Equal(["line 2: a name may hold only letters, digits, '_', '.' and '-' (a value spanning several lines needs quotes around it).", "line 3: no '=' after the name."],
            result.Notes.Select(n => n.Message));
    }

    [Fact]
    public void Parse_NameLongerThanAnySecretName_UnreadableAndNotEchoed()
    {
        var name = new string('S', Web.Secrets.SecretRules.NameMaxLength + 1);

        var note = Assert.Single(Parse(name + "=x").Notes);

        Assert.Equal("line 1: the name is longer than 128 characters.", note.Message);
        Assert.Equal(Web.Secrets.SecretRules.NameMaxLength, Assert.Single(Parse(name[1..] + "=x").Entries).Name.Length);
    }
}
