using System.Text;

namespace Ziggy.Secrets.Web.Imports;

/// <summary>
/// Turns pasted or uploaded text into the entries of an import. Pure: it stores, logs and throws nothing, and no note
/// holds any part of a value.
/// </summary>
public static class ImportParser
{
    public static ImportParseResult Parse(string? text, ImportFormat format = ImportFormat.Auto)
    {
        text ??= "";
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        if (format == ImportFormat.Auto) format = Detect(text);

        // A UTF-8 byte count is never below the number of UTF-16 characters, so a long string is refused before counting.
        if (text.Length > ImportLimits.MaxBytes || Encoding.UTF8.GetByteCount(text) > ImportLimits.MaxBytes)
            return new ImportParseResult(format, [], [new ImportNote(0, 0, ImportNoteKind.TooLarge,
                $"The text is larger than 1 MiB ({Encoding.UTF8.GetByteCount(text):N0} bytes); an import can be at most {ImportLimits.MaxBytes:N0} bytes: split it into several imports.")]);

        return format == ImportFormat.Json ? JsonImportParser.Parse(text) : DotenvParser.Parse(text);
    }

    /// <summary>JSON when the first non-space character is '{', dotenv otherwise.</summary>
    public static ImportFormat Detect(string? text)
    {
        var trimmed = (text ?? "").AsSpan().TrimStart().TrimStart('\uFEFF').TrimStart();
        return !trimmed.IsEmpty && trimmed[0] == '{' ? ImportFormat.Json : ImportFormat.Dotenv;
    }
}
