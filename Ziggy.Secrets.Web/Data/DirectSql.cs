using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using SQLitePCL;

namespace Ziggy.Secrets.Web.Data;

/// <summary>
/// Single SQL statements for the hot writes, written once as interpolated strings whose holes are parameters (as EF
/// Core's <c>ExecuteSqlAsync</c> takes them), the same text for both databases. On PostgreSQL they run through EF Core's
/// raw SQL. On SQLite each text is prepared once per connection and kept with it (<see cref="PreparedStatements"/>):
/// through EF Core, every execution built a new command and SQLite parsed and planned the text again, which a profile of
/// the save showed as more than its own writes cost. They stay prepared across the pool's opens of the connection only
/// because it defines no SQL functions (<see cref="SqliteConnectionWithoutFunctions"/>). Reads (hot ones only: the
/// editor's) are SQLite-only; on PostgreSQL their callers query through EF Core.
/// </summary>
/// <remarks>
/// Values are bound as EF Core's SQLite provider stores them: a Guid as upper-case text, a bool as 0/1, a byte array as
/// a blob. Callers pass times and enums already converted (UTC ticks, names), as the model maps them.
/// </remarks>
public static partial class DirectSql
{
    /// <summary>Runs <paramref name="sql"/> in the context's current transaction; the number of rows it changed.</summary>
    public static async Task<int> ExecuteAsync(ZiggyDbContext db, FormattableString sql)
    {
        if (!db.OnSqlite) return await db.Database.ExecuteSqlAsync(sql);
        // A write outside a transaction would commit on its own, half of what its caller writes.
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("Direct SQL writes only inside a transaction (TransactionExtensions.InTransactionAsync).");
        using var statement = PreparedStatements.Of(db).Start(sql);
        return statement.Execute();
    }

    /// <summary>
    /// The first row of <paramref name="sql"/> on SQLite, read by <paramref name="read"/>, or null without a row; false
    /// when the database is not SQLite (the caller reads through EF Core then).
    /// </summary>
    public static bool TryQueryFirst<T>(ZiggyDbContext db, FormattableString sql, Func<Row, T> read, out T? first) where T : class
    {
        T? found = null;
        var ran = TryRead(db, sql, statement =>
        {
            if (statement.Step(first: true)) found = read(new Row(statement.Handle));
        });
        first = found;
        return ran;
    }

    /// <summary>Every row of <paramref name="sql"/> on SQLite, each read by <paramref name="read"/>; false when the database is not SQLite.</summary>
    public static bool TryQuery<T>(ZiggyDbContext db, FormattableString sql, Func<Row, T> read, out List<T> rows)
    {
        var list = new List<T>();
        var ran = TryRead(db, sql, statement =>
        {
            for (var first = true; statement.Step(first); first = false) list.Add(read(new Row(statement.Handle)));
        });
        rows = list;
        return ran;
    }

    /// <summary>A read on the context's connection, which it opens for the read unless the caller keeps it open already.</summary>
    private static bool TryRead(ZiggyDbContext db, FormattableString sql, Action<Statement> read)
    {
        if (!db.OnSqlite) return false;
        db.Database.OpenConnection();
        try
        {
            using var statement = PreparedStatements.Of(db).Start(sql);
            read(statement);
            return true;
        }
        finally
        {
            db.Database.CloseConnection();
        }
    }

    /// <summary>An error code from SQLite as the exception Microsoft.Data.Sqlite throws for it (so DbErrors reads it the same way).</summary>
    private static void Check(int code, sqlite3 connection)
    {
        if (code != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(code, connection);
    }

    /// <summary>The columns of the row a SQLite statement stands on, read as EF Core's SQLite provider stores them.</summary>
    public readonly struct Row(sqlite3_stmt statement)
    {
        public string GetString(int column) => raw.sqlite3_column_text(statement, column).utf8_to_string();

        public string? GetStringOrNull(int column) => raw.sqlite3_column_type(statement, column) == raw.SQLITE_NULL ? null : GetString(column);

        public Guid GetGuid(int column) => Guid.Parse(GetString(column));

        public long GetInt64(int column) => raw.sqlite3_column_int64(statement, column);

        public int GetInt32(int column) => raw.sqlite3_column_int(statement, column);

        public bool GetBoolean(int column) => GetInt64(column) != 0;

        public DateTimeOffset GetUtcTicks(int column) => DateTimeOffsetToUtcTicksConverter.FromUtcTicks(GetInt64(column));
    }

    /// <summary>
    /// The statements prepared on one SQLite connection, kept with its native handle for as long as the handle lives:
    /// the pool hands a handle to one user at a time, so they are never used by two at once.
    /// </summary>
    /// <remarks>
    /// SQLitePCL's own slot on the handle holds its hooks, so they are kept beside it, in a table that lets them go with
    /// the handle. A handle the pool closes while statements are still prepared on it stays open in SQLite (its
    /// "zombie" state) until the garbage collector finalizes them; it holds no lock and no transaction meanwhile.
    /// </remarks>
    private sealed partial class PreparedStatements(sqlite3 connection, TimeSpan busyTimeout)
    {
        private static readonly ConditionalWeakTable<sqlite3, PreparedStatements> ByConnection = new();

        private readonly Dictionary<string, sqlite3_stmt> _statements = new(StringComparer.Ordinal);

        /// <summary>The statements of the SQLite connection the context has open.</summary>
        public static PreparedStatements Of(ZiggyDbContext db)
        {
            var connection = (SqliteConnection)db.Database.GetDbConnection();
            return ByConnection.GetValue(connection.Handle!, handle => new PreparedStatements(handle, TimeSpan.FromSeconds(connection.DefaultTimeout)));
        }

        /// <summary>The statement for <paramref name="sql"/>, prepared the first time, with the holes' values bound.</summary>
        public Statement Start(FormattableString sql)
        {
            var text = sql.Format;
            if (!_statements.TryGetValue(text, out var statement))
            {
                // {0} -> ?1: SQLite numbers its parameters from 1.
                var sqliteText = Hole().Replace(text, m => "?" + (int.Parse(m.Groups[1].ValueSpan) + 1));
                // Preparing reads the schema, so it too can meet a busy database.
                int code;
                var busy = Busy.Start(busyTimeout);
                while (busy.Retry(code = raw.sqlite3_prepare_v3(connection, sqliteText, raw.SQLITE_PREPARE_PERSISTENT, out statement, out _)))
                {
                }

                Check(code, connection);
                _statements.Add(text, statement);
            }

            var started = new Statement(connection, statement, busyTimeout);
            try
            {
                for (var i = 0; i < sql.ArgumentCount; i++) started.Bind(i + 1, sql.GetArgument(i));
                return started;
            }
            catch
            {
                started.Dispose();
                throw;
            }
        }

        [GeneratedRegex(@"\{(\d+)\}")]
        private static partial Regex Hole();
    }

    /// <summary>One use of a prepared statement: bound, stepped, then reset for the next use (<see cref="Dispose"/>).</summary>
    private readonly struct Statement(sqlite3 connection, sqlite3_stmt statement, TimeSpan busyTimeout) : IDisposable
    {
        public sqlite3_stmt Handle => statement;

        public void Bind(int index, object? value)
        {
            var code = value switch
            {
                null => raw.sqlite3_bind_null(statement, index),
                Guid guid => raw.sqlite3_bind_text(statement, index, guid.ToString().ToUpperInvariant()),
                string text => raw.sqlite3_bind_text(statement, index, text),
                long number => raw.sqlite3_bind_int64(statement, index, number),
                int number => raw.sqlite3_bind_int64(statement, index, number),
                bool flag => raw.sqlite3_bind_int64(statement, index, flag ? 1 : 0),
                byte[] bytes => raw.sqlite3_bind_blob(statement, index, bytes),
                _ => throw new ArgumentException($"Direct SQL cannot bind a {value.GetType().Name}; pass it as the model stores it.", nameof(value)),
            };
            Check(code, connection);
        }

        /// <summary>Runs a statement that returns no rows; the number of rows it changed.</summary>
        public int Execute()
        {
            var code = FirstStep();
            if (code != raw.SQLITE_DONE) Check(code == raw.SQLITE_ROW ? raw.SQLITE_MISUSE : code, connection);
            return raw.sqlite3_changes(connection);
        }

        /// <summary>Moves to the next row (the <paramref name="first"/> one: see <see cref="FirstStep"/>); false after the last.</summary>
        public bool Step(bool first)
        {
            var code = first ? FirstStep() : raw.sqlite3_step(statement);
            if (code == raw.SQLITE_ROW) return true;
            if (code != raw.SQLITE_DONE) Check(code, connection);
            return false;
        }

        /// <summary>
        /// The first step takes the statement's locks, so it waits out a busy database: reset and stepped again, as
        /// Microsoft.Data.Sqlite does for its commands. Later steps hold their locks already; stepping them again would
        /// repeat rows.
        /// </summary>
        private int FirstStep()
        {
            int code;
            var busy = Busy.Start(busyTimeout);
            while (busy.Retry(code = raw.sqlite3_step(statement))) raw.sqlite3_reset(statement);
            return code;
        }

        public void Dispose()
        {
            raw.sqlite3_reset(statement);
            raw.sqlite3_clear_bindings(statement);
        }
    }

    /// <summary>
    /// Waiting out SQLITE_BUSY / SQLITE_LOCKED for up to the connection's timeout. Even in WAL mode a read meets them:
    /// while the last connection to a database cleans up its WAL on closing (the pool closes idle ones), during recovery,
    /// or under another process's exclusive lock. EF Core's commands are retried by Microsoft.Data.Sqlite, every 150 ms;
    /// these the same way, a little more often.
    /// </summary>
    private readonly struct Busy(long deadline)
    {
        private const int RetryMilliseconds = 20;

        /// <summary>A zero timeout waits as long as it takes, as it does for Microsoft.Data.Sqlite.</summary>
        public static Busy Start(TimeSpan timeout) => new(timeout == TimeSpan.Zero ? long.MaxValue : Environment.TickCount64 + (long)timeout.TotalMilliseconds);

        /// <summary>True (after a pause) when <paramref name="code"/> says busy and there is time left to try again.</summary>
        public bool Retry(int code)
        {
            if ((code & 0xFF) is not (raw.SQLITE_BUSY or raw.SQLITE_LOCKED) || Environment.TickCount64 >= deadline) return false;
            Thread.Sleep(RetryMilliseconds);
            return true;
        }
    }
}
