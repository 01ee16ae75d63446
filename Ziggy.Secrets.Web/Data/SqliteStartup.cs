using SQLitePCL;

namespace Ziggy.Secrets.Web.Data;

/// <summary>
/// How the process starts SQLite, before anything opens a database (sqlite.org/threadsafe.html, "start-time selection").
/// <list type="bullet">
/// <item><b>Multi-thread mode.</b> SQLite's default, serialized mode, locks a connection's mutex in every call, down to
/// each column of each row read. A connection here is never used by two threads at once: EF Core contexts and ADO.NET
/// connections are not thread-safe, and a pooled connection passes from one request to the next, never to two.
/// Microsoft.Data.Sqlite's maintainers name this call as the way to choose the mode at start
/// (aspnet/Microsoft.Data.Sqlite#228), and have considered making multi-thread its default (dotnet/efcore#23445).</item>
/// <item><b>No memory statistics.</b> Nothing reads them, and keeping them takes a process-wide mutex in every
/// allocation SQLite makes.</item>
/// </list>
/// </summary>
public static class SqliteStartup
{
    private static readonly Lock Gate = new();
    private static bool configured;

    /// <summary>
    /// Whether this process runs SQLite as described above. False only when something opened a database before
    /// <see cref="Configure"/> ran: SQLite then keeps its default mode, which is slower but just as correct.
    /// </summary>
    public static bool Applied { get; private set; }

    /// <summary>Call first thing in the process: the app's entry point does, and so does the test assembly.</summary>
    public static void Configure()
    {
        lock (Gate)
        {
            if (configured) return;
            configured = true;
            Batteries_V2.Init();
            Applied = raw.sqlite3_config(raw.SQLITE_CONFIG_MULTITHREAD) == raw.SQLITE_OK
                      && raw.sqlite3_config(raw.SQLITE_CONFIG_MEMSTATUS, 0) == raw.SQLITE_OK;
        }
    }
}
