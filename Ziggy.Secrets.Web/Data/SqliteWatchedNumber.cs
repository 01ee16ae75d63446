using System.IO.MemoryMappedFiles;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Ziggy.Secrets.Web.Data;

/// <summary>
/// One number in the SQLite database that the app asks for on hot paths (the secrets change stamp on every integration
/// run, the active data key before every encryption), read so that asking is nearly free and never stale.
/// </summary>
/// <remarks>
/// Two steps make it cheap:
/// <list type="bullet">
/// <item>One prepared statement on a connection of its own, stepped through SQLite's API (through ADO.NET, a reader per
/// execution cost more than the ten decrypts the change stamp guards; through a pooled context, a save's key check cost
/// a tenth of the save).</item>
/// <item>Even that statement takes and drops a WAL read lock, two system calls. Before it, the WAL-index header is
/// compared with the one seen at the last read: SQLite keeps it in the shared-memory file (<c>-shm</c>) that every
/// connection of every process maps, and changes it on every commit (a transaction counter and the last frame, in two
/// copies that readers compare, as SQLite's own readers do; see sqlite.org/walformat.html). Unchanged, nothing was
/// committed by anyone since, so the number is the one read then.</item>
/// </list>
/// The connection stays open for the reader's lifetime, which keeps the shared memory in place and the file in WAL mode.
/// Anything unexpected about the shared memory (missing, too small) only turns the shortcut off.
/// </remarks>
public abstract class SqliteWatchedNumber(string query) : IDisposable
{
    // Two copies of the 48-byte header at the start of the -shm file (sqlite.org/walformat.html, "The WAL-Index Header").
    private const int HeaderSize = 48;

    private readonly Lock _gate = new();
    private readonly byte[] _seenHeader = new byte[HeaderSize];
    private readonly byte[] _first = new byte[HeaderSize];
    private readonly byte[] _second = new byte[HeaderSize];
    private bool _hasSeenHeader;
    private SqliteConnection? _connection;
    private sqlite3_stmt? _statement;
    private MemoryMappedFile? _shm;
    private MemoryMappedViewAccessor? _header;
    private long _value;
    private long _databaseReads;

    /// <summary>How many times the number was read from the database rather than known unchanged from the shared memory.</summary>
    public long DatabaseReads => Interlocked.Read(ref _databaseReads);

    /// <summary>The number now, in the SQLite database of <paramref name="connectionString"/>; the first call opens the connection.</summary>
    public long Read(string connectionString)
    {
        lock (_gate)
        {
            if (_statement is null) Open(connectionString);
            if (_hasSeenHeader && TryReadHeader() && _first.AsSpan().SequenceEqual(_seenHeader)) return _value;

            // The header before the statement: the number read is then at least as new as the header kept with it.
            _hasSeenHeader = TryReadHeader();
            if (_hasSeenHeader) _first.CopyTo(_seenHeader, 0);
            _value = ReadFromDatabase();
            return _value;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _header?.Dispose();
            _shm?.Dispose();
            _statement?.Dispose();
            _connection?.Dispose();
        }
    }

    private void Open(string connectionString)
    {
        _connection = new SqliteConnection(connectionString);
        _connection.Open();
        Check(raw.sqlite3_prepare_v2(_connection.Handle, query, out var statement));
        _statement = statement;
        ReadFromDatabase();

        try
        {
            // Read-only and shared: SQLite's own locks on the file are byte-range locks this leaves alone.
            var file = new FileStream(_connection.DataSource + "-shm", FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            _shm = MemoryMappedFile.CreateFromFile(file, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            _header = _shm.CreateViewAccessor(0, 2 * HeaderSize, MemoryMappedFileAccess.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            _header?.Dispose();
            _shm?.Dispose();
            (_header, _shm) = (null, null);
        }
    }

    private long ReadFromDatabase()
    {
        Interlocked.Increment(ref _databaseReads);
        try
        {
            var step = raw.sqlite3_step(_statement);
            if (step != raw.SQLITE_ROW) Check(step == raw.SQLITE_DONE ? raw.SQLITE_NOTFOUND : step);
            return raw.sqlite3_column_int64(_statement, 0);
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    /// <summary>Reads the header as SQLite's readers do: the first copy, a barrier, the second; only equal copies count.</summary>
    private bool TryReadHeader()
    {
        if (_header is null) return false;
        _header.ReadArray(0, _first, 0, HeaderSize);
        Interlocked.MemoryBarrier();
        _header.ReadArray(HeaderSize, _second, 0, HeaderSize);
        return _first.AsSpan().SequenceEqual(_second);
    }

    private void Check(int code)
    {
        if (code != raw.SQLITE_OK)
            throw new SqliteException($"Reading '{query}' failed ({raw.sqlite3_errstr(code).utf8_to_string()}).", code);
    }
}
