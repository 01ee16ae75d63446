using System.Text;

namespace Ziggy.Secrets.Web.Imports;

/// <summary>How the text of an import is written. <see cref="Auto"/>: JSON when its first non-space character is '{', dotenv otherwise.</summary>
public enum ImportFormat
{
    Auto,
    Dotenv,
    Json,
}

/// <summary>How much one import may hold; past either limit nothing is imported.</summary>
public static class ImportLimits
{
    public const int MaxBytes = 1024 * 1024;
    public const int MaxEntries = 5_000;
}

public enum ImportNoteKind
{
    /// <summary>The line could not be read; nothing from it is imported.</summary>
    Unreadable,
    /// <summary>The name has an empty value and is skipped.</summary>
    Empty,
    /// <summary>The name is set again further down; this earlier value is ignored.</summary>
    Duplicate,
    /// <summary>A JSON value that is not a string (number, true/false, null, object, list); skipped.</summary>
    NotText,
    /// <summary>The text is past <see cref="ImportLimits"/>; nothing is imported.</summary>
    TooLarge,
}

/// <summary>
/// Something the parser skipped or warns about, at lines <see cref="Line"/>..<see cref="LastLine"/> (1-based; 0 when the
/// note is about the whole text). The reason may name a key but never holds any part of a value.
/// </summary>
public sealed record ImportNote(int Line, int LastLine, ImportNoteKind Kind, string Reason)
{
    public string Message => Line == 0 ? Reason
        : LastLine > Line ? $"lines {Line}–{LastLine}: {Reason}"
        : $"line {Line}: {Reason}";

    public override string ToString() => Message;
}

/// <summary>A name and its value, read from lines <see cref="Line"/>..<see cref="LastLine"/> (several for a multi-line quoted value).</summary>
public sealed record ImportEntry(string Name, string Value, int Line, int LastLine)
{
    // The value is a secret: keep it out of ToString, so an entry written to a log or an assertion message shows no value.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Name = ").Append(Name).Append(", Line = ").Append(Line).Append(", LastLine = ").Append(LastLine);
        return true;
    }
}

/// <summary>The entries to import (one per name, the last assignment of each) and the notes, in line order.</summary>
public sealed record ImportParseResult(ImportFormat Format, IReadOnlyList<ImportEntry> Entries, IReadOnlyList<ImportNote> Notes)
{
    /// <summary>The text is past a limit: there are no entries and the one note says why.</summary>
    public bool Refused => Notes.Any(note => note.Kind == ImportNoteKind.TooLarge);
}
