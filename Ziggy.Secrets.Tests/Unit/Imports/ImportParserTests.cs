using System.Diagnostics;
using System.Text;
using Ziggy.Secrets.Web.Imports;

namespace Ziggy.Secrets.Tests.Unit.Imports;

/// <summary>Format detection, the explicit choice, and the limits every import shares.</summary>
public sealed class ImportParserTests
{
    [Theory]
    [InlineData("{\"A\": \"1\"}", ImportFormat.Json)]
    [InlineData("  \r\n\t{\"A\": \"1\"}", ImportFormat.Json)]
    [InlineData("\uFEFF{\"A\": \"1\"}", ImportFormat.Json)]
    [InlineData("A=1", ImportFormat.Dotenv)]
    [InlineData("# {\"A\": \"1\"}\nA=1", ImportFormat.Dotenv)]
    [InlineData("", ImportFormat.Dotenv)]
    public void Parse_Auto_JsonOnlyWhenTheFirstNonSpaceIsABrace(string text, ImportFormat format)
    {
        Assert.Equal(format, ImportParser.Detect(text));
        Assert.Equal(format, ImportParser.Parse(text).Format);
    }

    [Fact]
    public void Parse_ExplicitFormat_OverridesDetection()
    {
        var asDotenv = ImportParser.Parse("{\"A\": \"1\"}", ImportFormat.Dotenv);
        Assert.Equal(ImportFormat.Dotenv, asDotenv.Format);
        Assert.Empty(asDotenv.Entries);
        Assert.Equal(ImportNoteKind.Unreadable, Assert.Single(asDotenv.Notes).Kind);

        var asJson = ImportParser.Parse("A=1", ImportFormat.Json);
        Assert.Empty(asJson.Entries);
        Assert.Equal(ImportNoteKind.Unreadable, Assert.Single(asJson.Notes).Kind);
    }

    [Theory]
    [InlineData(ImportFormat.Dotenv)]
    [InlineData(ImportFormat.Json)]
    public void Parse_AtMostOneMebibyte_Accepted(ImportFormat format)
    {
        var text = format == ImportFormat.Json ? Json(("A", new string('x', ImportLimits.MaxBytes - 8))) : "A=" + new string('x', ImportLimits.MaxBytes - 2);
        Assert.Equal(ImportLimits.MaxBytes, Encoding.UTF8.GetByteCount(text));

        var result = ImportParser.Parse(text, format);

        Assert.False(result.Refused);
        Assert.Single(result.Entries);
    }

    [Theory]
    [InlineData("x", 1)]
    [InlineData("é", 2)]
    [InlineData("🔑", 4)]
    public void Parse_PastOneMebibyteOfUtf8_RefusedWithNoEntries(string filler, int bytesEach)
    {
        // With 'é' and '🔑' the characters fit in 1 MiB; their UTF-8 bytes do not.
        var text = "A=" + string.Concat(Enumerable.Repeat(filler, ImportLimits.MaxBytes / bytesEach + 1));

        var result = ImportParser.Parse(text);

        Assert.True(result.Refused);
        Assert.Empty(result.Entries);
        var note = Assert.Single(result.Notes);
        Assert.Equal((0, ImportNoteKind.TooLarge), (note.Line, note.Kind));
        Assert.StartsWith("The text is larger than 1 MiB (", note.Message);
        Assert.EndsWith("an import can be at most 1,048,576 bytes: split it into several imports.", note.Message);
    }

    [Fact]
    public void Parse_FiveThousandEntries_Accepted() =>
        Assert.Equal(ImportLimits.MaxEntries, ImportParser.Parse(Dotenv(ImportLimits.MaxEntries)).Entries.Count);

    [Theory]
    [InlineData(ImportFormat.Dotenv, 5_001)]
    [InlineData(ImportFormat.Json, 5_001)]
    public void Parse_MoreThanFiveThousandEntries_RefusedAtTheFirstOneTooMany(ImportFormat format, int line)
    {
        var pairs = Enumerable.Range(0, ImportLimits.MaxEntries + 1).Select(i => ($"K{i}", "v")).ToArray();
        var text = format == ImportFormat.Json ? Json(pairs) : Dotenv(ImportLimits.MaxEntries + 1);

        var result = ImportParser.Parse(text, format);

        Assert.True(result.Refused);
        Assert.Empty(result.Entries);
        var note = Assert.Single(result.Notes);
        Assert.Equal(line, note.Line);
        Assert.Equal($"line {line}: the text holds more than 5,000 entries (this is where the next one starts) and an import can hold at most 5,000: split it into several imports.", note.Message);
    }

    [Fact]
    public void Parse_MoreThanFiveThousandUnreadableLines_RefusedWithOneNote()
    {
        var text = "A=1\n" + string.Concat(Enumerable.Repeat("SECRETVALUE\n", ImportLimits.MaxEntries + 10));

        var result = ImportParser.Parse(text);

        Assert.Empty(result.Entries);
        var note = Assert.Single(result.Notes);
        Assert.Equal((ImportNoteKind.TooLarge, 5_002), (note.Kind, note.Line));
        Assert.Equal("line 5002: more than 5,000 lines up to here could not be read: check that the text is in the chosen format; nothing was imported.", note.Message);
    }

    [Fact]
    public void Parse_FiveThousandUnreadableLines_EachReported() =>
        Assert.Equal(ImportLimits.MaxEntries, ImportParser.Parse(string.Concat(Enumerable.Repeat("x\n", ImportLimits.MaxEntries))).Notes.Count);

    [Fact]
    public void Parse_FiveThousandEntriesInOneMebibyte_TakesMilliseconds()
    {
        var value = new string('v', 190);
        var dotenv = Dotenv(ImportLimits.MaxEntries, i => i % 3 == 0 ? $"\"{value}\\n\"" : i % 3 == 1 ? $"'{value}'" : value + " # c");
        var json = Json(Enumerable.Range(0, ImportLimits.MaxEntries).Select(i => ($"KEY_{i:D5}", value)).ToArray());
        Assert.InRange(Encoding.UTF8.GetByteCount(dotenv), 900_000, ImportLimits.MaxBytes);
        Assert.InRange(Encoding.UTF8.GetByteCount(json), 900_000, ImportLimits.MaxBytes);

        foreach (var (text, format) in new[] { (dotenv, ImportFormat.Dotenv), (json, ImportFormat.Json) })
        {
            ImportParser.Parse(text, format);
            var best = TimeSpan.MaxValue;
            for (var run = 0; run < 5; run++)
            {
                var watch = Stopwatch.StartNew();
                var result = ImportParser.Parse(text, format);
                watch.Stop();
                Assert.Equal(ImportLimits.MaxEntries, result.Entries.Count);
                if (watch.Elapsed < best) best = watch.Elapsed;
            }

            // 5-40 ms on the 2-core build machine; the bound leaves room for a machine shared with other builds and tests.
            Assert.True(best < TimeSpan.FromMilliseconds(500), $"{format}: best of 5 runs took {best.TotalMilliseconds:F1} ms");
        }
    }

    private static string Dotenv(int count, Func<int, string>? value = null)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < count; i++) builder.Append("KEY_").Append(i.ToString("D5")).Append('=').Append(value?.Invoke(i) ?? "v").Append('\n');
        return builder.ToString();
    }

    private static string Json(params (string Name, string Value)[] pairs) =>
        "{" + string.Join(",\n", pairs.Select(p => $"\"{p.Name}\":\"{p.Value}\"")) + "}";
}
