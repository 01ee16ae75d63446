using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Ziggy.Secrets.Web.Data;

/// <summary>
/// Deleted rows leave the database file, not only the tables. On SQLite every connection runs with
/// <c>PRAGMA secure_delete=ON</c> (Microsoft.Data.Sqlite's connection string has no keyword for it), so a deleted
/// ciphertext is overwritten with zeros rather than left in a free page, and <see cref="FlushAsync"/> checkpoints the
/// write-ahead log so no earlier copy of the page stays in the -wal file. On PostgreSQL a deleted row stays in its
/// page until VACUUM (autovacuum, normally within minutes) marks the space free, and its bytes until the space is
/// reused; the data files are the database server's to protect (disk encryption, file permissions).
/// </summary>
public sealed class SqliteSecureDeleteInterceptor : DbConnectionInterceptor
{
    private const string Pragma = "PRAGMA secure_delete=ON;";

    // The setting belongs to SQLite's connection handle, which Microsoft.Data.Sqlite's pool keeps open between uses,
    // so it is set once per handle rather than on every open (EF Core opens the connection for each query).
    private static readonly ConditionalWeakTable<object, object> Set = new();

    private static bool IsSet(DbConnection connection) =>
        connection is SqliteConnection { Handle: { } handle } && Set.TryGetValue(handle, out _);

    private static void Remember(DbConnection connection)
    {
        if (connection is SqliteConnection { Handle: { } handle }) Set.AddOrUpdate(handle, Set);
    }

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (IsSet(connection)) return;
        using var command = connection.CreateCommand();
        command.CommandText = Pragma;
        command.ExecuteNonQuery();
        Remember(connection);
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (IsSet(connection)) return;
        await using var command = connection.CreateCommand();
        command.CommandText = Pragma;
        await command.ExecuteNonQueryAsync(cancellationToken);
        Remember(connection);
    }
}

public static class SecureDelete
{
    /// <summary>After a permanent delete: on SQLite, copies the log into the database file and empties it (no-op on PostgreSQL).</summary>
    public static async Task FlushAsync(ZiggyDbContext db)
    {
        if (!db.Database.IsSqlite()) return;
        await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE);");
    }
}
