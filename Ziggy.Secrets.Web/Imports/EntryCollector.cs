namespace Ziggy.Secrets.Web.Imports;

/// <summary>
/// Gathers what a format parser read and applies the rules both formats share: the last assignment of a name wins (the
/// earlier ones get a note), an empty value is skipped, and more than <see cref="ImportLimits.MaxEntries"/> assignments
/// refuse the whole text.
/// </summary>
internal sealed class EntryCollector(ImportFormat format)
{
    private readonly List<ImportEntry> _assignments = [];
    private readonly Dictionary<ImportEntry, ImportNote> _skipped = new(ReferenceEqualityComparer.Instance);
    private readonly List<ImportNote> _notes = [];
    private int _overflowLine;
    private int _unreadableOverflowLine;

    /// <summary>False once the text holds more assignments than an import may: stop reading.</summary>
    public bool Add(string name, string value, int line, int lastLine)
    {
        if (_assignments.Count == ImportLimits.MaxEntries)
        {
            _overflowLine = line;
            return false;
        }

        _assignments.Add(new ImportEntry(name, value, line, lastLine));
        return true;
    }

    /// <summary>An assignment that yields nothing (a JSON number, say): it still replaces the name's earlier values, as in JSON itself.</summary>
    public bool Skip(string name, int line, int lastLine, ImportNoteKind kind, string reason)
    {
        if (!Add(name, "", line, lastLine)) return false;
        _skipped[_assignments[^1]] = new ImportNote(line, lastLine, kind, reason);
        return true;
    }

    /// <summary>
    /// False once more lines than an import may hold entries could not be read: stop reading. Text like that is not in
    /// the format at all, and a note per line would only bury the person (or the server) in notes.
    /// </summary>
    public bool Unreadable(int line, int lastLine, string reason)
    {
        if (_notes.Count == ImportLimits.MaxEntries)
        {
            _unreadableOverflowLine = line;
            return false;
        }

        _notes.Add(new ImportNote(line, lastLine, ImportNoteKind.Unreadable, reason));
        return true;
    }

    private void Note(int line, int lastLine, ImportNoteKind kind, string reason) => _notes.Add(new ImportNote(line, lastLine, kind, reason));

    /// <summary>The text cannot be used at all (invalid JSON): no entries, only this note.</summary>
    public ImportParseResult Reject(int line, ImportNoteKind kind, string reason) =>
        new(format, [], [new ImportNote(line, line, kind, reason)]);

    public ImportParseResult Finish()
    {
        if (_unreadableOverflowLine > 0)
            return Reject(_unreadableOverflowLine, ImportNoteKind.TooLarge,
                $"more than {ImportLimits.MaxEntries:N0} lines up to here could not be read: check that the text is in the chosen format; nothing was imported.");

        if (_overflowLine > 0)
            return Reject(_overflowLine, ImportNoteKind.TooLarge,
                $"the text holds more than {ImportLimits.MaxEntries:N0} entries (this is where the next one starts) and an import can hold at most {ImportLimits.MaxEntries:N0}: split it into several imports.");

        var last = new Dictionary<string, int>(_assignments.Count, StringComparer.Ordinal);
        for (var i = 0; i < _assignments.Count; i++) last[_assignments[i].Name] = i;

        var entries = new List<ImportEntry>(last.Count);
        for (var i = 0; i < _assignments.Count; i++)
        {
            var entry = _assignments[i];
            var winner = _assignments[last[entry.Name]];
            if (!ReferenceEquals(winner, entry))
                Note(entry.Line, entry.LastLine, ImportNoteKind.Duplicate, $"{entry.Name} is set again on line {winner.Line}; the last one is used.");
            else if (_skipped.TryGetValue(entry, out var skipped))
                _notes.Add(skipped);
            else if (entry.Value.Length == 0)
                Note(entry.Line, entry.LastLine, ImportNoteKind.Empty, $"{entry.Name} has an empty value: skipped.");
            else
                entries.Add(entry);
        }

        return new ImportParseResult(format, entries, _notes.OrderBy(note => note.Line).ToList());
    }
}
