using Microsoft.Data.Sqlite;

namespace Ziggy.Secrets.Tests.Support;

/// <summary>
/// The app's pooled SQLite connections to one database file. Clearing only that pool releases the file without closing
/// the connections of the tests running in parallel (SqliteConnection.ClearAllPools would).
/// </summary>
public static class AppSqlitePool
{
    /// <summary>
    /// The connection string the app builds (Ziggy.Secrets.Web/Data/DataRegistration.cs): pools are keyed by its exact
    /// text. ZiggyAppFactoryTests fails when the two differ.
    /// </summary>
    public static string ConnectionString(string databasePath) =>
        new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = true, DefaultTimeout = 30 }.ToString();

    public static void Clear(string databasePath)
    {
        using var connection = new SqliteConnection(ConnectionString(databasePath));
        SqliteConnection.ClearPool(connection);
    }
}
