using Ziggy.Secrets.Web.Imports;

namespace Ziggy.Secrets.Tests.Unit.Imports;

public sealed class JsonImportParserTests
{
    private static ImportParseResult Parse(string text) => ImportParser.Parse(text, ImportFormat.Json);

    [Fact]
    public void Parse_FlatObjectOfStrings_EntriesWithTheirLines()
    {
        var result = Parse("{\n  \"STRIPE_KEY\": \"sk_live_1\",\n  \"PEM\": \"line1\\nline2 \\\"q\\\" \\u00e9\"\n}");

        Assert.Equal(ImportFormat.Json, result.Format);
        Assert.Equal([("STRIPE_KEY", "sk_live_1", 2), ("PEM", "line1\nline2 \"q\" é", 3)], result.Entries.Select(e => (e.Name, e.Value, e.Line)));
        Assert.Empty(result.Notes);
    }

    [Fact]
    public void Parse_CommentsTrailingCommaBomAndCrlf_Accepted()
    {
        var result = Parse("\uFEFF{\r\n  // the payment keys\r\n  \"A\": \"1\", /* b */\r\n  \"B\": \"2\",\r\n}\r\n");

        Assert.Equal([("A", 3), ("B", 4)], result.Entries.Select(e => (e.Name, e.Line)));
        Assert.Empty(result.Notes);
    }

    [Theory]
    [InlineData("12345", "the value of A is a number; write it in quotes to import it as text: skipped.")]
    [InlineData("true", "the value of A is true or false; write it in quotes to import it as text: skipped.")]
    [InlineData("null", "the value of A is null: skipped.")]
    [InlineData("{\"X\": \"SECRETVALUE\"}", "the value of A is an object; only a flat object of text values can be imported: skipped.")]
    [InlineData("[\"SECRETVALUE\", 1]", "the value of A is a list; only a flat object of text values can be imported: skipped.")]
    public void Parse_NonStringValue_SkippedByKeyWithItsKind(string value, string reason)
    {
        var result = Parse("{\"B\": \"ok\",\n\"A\": " + value + ",\n\"C\": \"ok\"}");

        Assert.Equal(["B", "C"], result.Entries.Select(e => e.Name));
        var note = Assert.Single(result.Notes);
        Assert.Equal((ImportNoteKind.NotText, 2, reason), (note.Kind, note.Line, note.Reason));
        Assert.DoesNotContain("SECRETVALUE", note.Message);
        Assert.DoesNotContain("12345", note.Message);
    }

    [Fact]
    public void Parse_NestedValueOverLines_NoteCoversItsLines()
    {
        var note = Assert.Single(Parse("{\"A\": {\n\"X\": \"1\",\n\"Y\": \"2\"\n},\n\"B\": \"b\"}").Notes);

        Assert.Equal((1, 4), (note.Line, note.LastLine));
    }

    [Fact]
    public void Parse_DuplicateKey_LastWinsWithAWarning()
    {
        var result = Parse("{\"A\": \"first\",\n\"A\": \"second\"}");

        Assert.Equal(("A", "second", 2), (Assert.Single(result.Entries).Name, result.Entries[0].Value, result.Entries[0].Line));
        Assert.Equal("line 1: A is set again on line 2; the last one is used.", Assert.Single(result.Notes).Message);
    }

    [Fact]
    public void Parse_EmptyString_SkippedAndSaidSo()
    {
        var result = Parse("{\"A\": \"\", \"B\": \"b\"}");

        Assert.Equal(["B"], result.Entries.Select(e => e.Name));
        Assert.Equal("line 1: A has an empty value: skipped.", Assert.Single(result.Notes).Message);
    }

    [Theory]
    [InlineData("{\"A\": \"SECRETVALUE\",\n\"B\": SECRETVALUE}", 2)]
    [InlineData("{\"A\": \"SECRETVALUE\",\n\n\"B\": \"SECRETVALUE", 3)]
    [InlineData("{\"A\": \"SECRETVALUE\"}\n{\"B\": \"SECRETVALUE\"}", 2)]
    [InlineData("{\"A\": \"SECRETVALUE\"\n\"B\": \"SECRETVALUE\"}", 2)]
    [InlineData("{\"A\": \"SECRET\\qVALUE\"}", 1)]
    [InlineData("{'A': 'SECRETVALUE'}", 1)]
    public void Parse_InvalidJson_NothingImportedAndOnlyTheLineIsReported(string text, int line)
    {
        var result = Parse(text);

        Assert.Empty(result.Entries);
        var note = Assert.Single(result.Notes);
        Assert.Equal((ImportNoteKind.Unreadable, line), (note.Kind, note.Line));
        Assert.Matches(@"^line \d+: this is not valid JSON \(the first error is here, column \d+\); nothing was imported\.$", note.Message);
        Assert.DoesNotContain("SECRET", note.Message);
    }

    [Fact]
    public void Parse_LoneSurrogateEscape_NothingImportedWithoutEchoingIt()
    {
        var result = Parse("{\"A\": \"ok\",\n\"B\": \"SECRET\\uD800VALUE\"}");

        Assert.Empty(result.Entries);
        var note = Assert.Single(result.Notes);
        Assert.Equal(ImportNoteKind.Unreadable, note.Kind);
        Assert.DoesNotContain("SECRET", note.Message);
    }

    [Theory]
    [InlineData("[\"SECRETVALUE\"]")]
    [InlineData("\"SECRETVALUE\"")]
    [InlineData("42")]
    public void Parse_NotAnObject_SaysWhatIsExpected(string text)
    {
        var note = Assert.Single(Parse(text).Notes);

        Assert.Equal("line 1: the JSON must be one object of names and text values, for example {\"STRIPE_API_KEY\": \"…\"}.", note.Message);
        Assert.Empty(Parse(text).Entries);
    }

    [Fact]
    public void Parse_EmptyTextAsJson_SaysThereIsNoObject() =>
        Assert.Equal("line 1: there is no JSON object here.", Assert.Single(Parse("  \n").Notes).Message);

    [Fact]
    public void Parse_DeeplyNestedValue_RefusedAsInvalidWithoutThrowing()
    {
        var result = Parse("{\"A\": " + new string('[', 10_000) + new string(']', 10_000) + "}");

        Assert.Empty(result.Entries);
        Assert.Equal(ImportNoteKind.Unreadable, Assert.Single(result.Notes).Kind);
    }
}
