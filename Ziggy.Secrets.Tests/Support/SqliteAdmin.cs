using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Tests.Support;

/// <summary>SQL straight at a data folder's SQLite file, past the app: for tampering and for reading what is stored.</summary>
public static class SqliteAdmin
{
    /// <summary>A Guid as the app's SQLite file stores it (EF Core writes upper-case text).</summary>
    public static string Text(Guid id) => id.ToString().ToUpperInvariant();

    public static int Execute(string databasePath, string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = Open(databasePath);
        using var command = Command(connection, sql, parameters);
        return command.ExecuteNonQuery();
    }

    public static T Scalar<T>(string databasePath, string sql)
    {
        using var connection = Open(databasePath);
        using var command = Command(connection, sql, []);
        return (T)Convert.ChangeType(command.ExecuteScalar()!, typeof(T));
    }

    /// <summary>How SQLite would run <paramref name="query"/> on the context's connection: the detail lines of EXPLAIN QUERY PLAN.</summary>
    public static async Task<List<string>> PlanAsync<T>(ZiggyDbContext db, IQueryable<T> query)
    {
        await using var command = query.CreateDbCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + command.CommandText;
        await db.Database.OpenConnectionAsync();
        try
        {
            await using var reader = await command.ExecuteReaderAsync();
            return DetailLines(reader);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>The detail lines of EXPLAIN QUERY PLAN for <paramref name="sql"/> (a statement the app logged), its parameters left unbound: the plan does not depend on their values.</summary>
    public static List<string> Plan(string databasePath, string sql)
    {
        using var connection = Open(databasePath);
        using var command = Command(connection, "EXPLAIN QUERY PLAN " + sql, []);
        using var reader = command.ExecuteReader();
        return DetailLines(reader);
    }

    // EXPLAIN QUERY PLAN's fourth column: one line per step of the plan.
    private static List<string> DetailLines(System.Data.Common.DbDataReader reader)
    {
        var lines = new List<string>();
        while (reader.Read()) lines.Add(reader.GetString(3));
        return lines;
    }

    private static SqliteConnection Open(string databasePath)
    {
        var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        connection.Open();
        return connection;
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return command;
    }
}
