using System.IO.MemoryMappedFiles;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using SQLitePCL;

namespace Ziggy.Secrets.Web.Data;

/// <summary>
/// Reads the SQLite database's secrets change stamp: a one-row table whose value a trigger replaces, in the same
/// transaction, on every insert, update or delete of a secret or a stored value, whoever writes the file (migration
/// SecretsChangeStamp). Whoever holds something read under a stamp may keep using it while the stamp is the same.
/// </summary>
/// <remarks>
/// It is read on every integration run, so it is made cheap in two steps:
/// <list type="bullet">
/// <item>One prepared statement on a connection of its own, stepped through SQLite's API (through ADO.NET, a reader per
/// execution cost more than the ten decrypts it guards).</item>
/// <item>Even that statement takes and drops a WAL read lock, two system calls. Before it, the WAL-index header is
/// compared with the one seen at the last read: SQLite keeps it in the shared-memory file (<c>-shm</c>) that every
/// connection of every process maps, and changes it on every commit (a transaction counter and the last frame, in two
/// copies that readers compare, as SQLite's own readers do; see sqlite.org/walformat.html). Unchanged, nothing was
/// committed by anyone since, so the stamp is the one read then.</item>
/// </list>
/// The connection stays open for the stamp's lifetime, which keeps the shared memory in place and the file in WAL mode.
/// Anything unexpected about the shared memory (missing, too small) only turns the shortcut off.
/// </remarks>
public sealed class SecretsChangeStamp : IDisposable
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
    private long _stamp;
    private long _databaseReads;

    /// <summary>How many times the stamp was read from the database rather than known unchanged from the shared memory.</summary>
    public long DatabaseReads => Interlocked.Read(ref _databaseReads);

    /// <summary>The stamp now, for <paramref name="db"/>'s database (a SQLite one); the first call opens the connection.</summary>
    public long Read(ZiggyDbContext db)
    {
        lock (_gate)
        {
            if (_statement is null) Open(db.Database.GetConnectionString()!);
            if (_hasSeenHeader && TryReadHeader() && _first.AsSpan().SequenceEqual(_seenHeader)) return _stamp;

            // The header before the statement: the stamp read is then at least as new as the header kept with it.
            _hasSeenHeader = TryReadHeader();
            if (_hasSeenHeader) _first.CopyTo(_seenHeader, 0);
            _stamp = ReadFromDatabase();
            return _stamp;
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
        Check(raw.sqlite3_prepare_v2(_connection.Handle, "SELECT Stamp FROM SecretsChangeStamp WHERE Id = 1", out var statement));
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

    private static void Check(int code)
    {
        if (code != raw.SQLITE_OK)
            throw new SqliteException($"Reading the secrets change stamp failed ({raw.sqlite3_errstr(code).utf8_to_string()}).", code);
    }
}
