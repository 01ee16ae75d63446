using Microsoft.Data.Sqlite;
using SQLitePCL;
using Ziggy.Secrets.Web.Data;

namespace Ziggy.Secrets.Tests.Unit;

/// <summary>SQLite as the process starts it (<see cref="SqliteStartup"/>): the test assembly starts it as the app does.</summary>
public sealed class SqliteStartupTests
{
    [Fact]
    public void SqliteStartsInMultiThreadMode_WithoutMemoryStatistics_BeforeAnyDatabaseOpens()
    {
        Assert.True(SqliteStartup.Applied, "SqliteStartup.Configure ran after something had opened a database");
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "CREATE TABLE t (v TEXT); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) " +
                              "INSERT INTO t SELECT hex(randomblob(100)) FROM n; SELECT count(*) FROM t;";
        Assert.Equal(1000L, command.ExecuteScalar());

        // SQLite keeps no statistics: the memory it just used is not counted.
        Assert.Equal(raw.SQLITE_OK, raw.sqlite3_status(raw.SQLITE_STATUS_MEMORY_USED, out var current, out var highest, 0));
        Assert.Equal(0, current);
        Assert.Equal(0, highest);
        // Started once: the mode cannot change under open connections.
        SqliteStartup.Configure();
        Assert.Equal(raw.SQLITE_MISUSE, raw.sqlite3_config(raw.SQLITE_CONFIG_SERIALIZED));
    }

    [Fact]
    public async Task PooledConnections_PassBetweenThreads_WithoutLosingOrMixingAWrite()
    {
        var path = Path.Combine(Path.GetTempPath(), $"ziggy-mt-{Guid.NewGuid():N}.db");
        var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 }.ToString();
        try
        {
            await using (var setup = new SqliteConnection(connectionString))
            {
                setup.Open();
                using var create = setup.CreateCommand();
                create.CommandText = "PRAGMA journal_mode=WAL; CREATE TABLE w (worker INTEGER, n INTEGER, v TEXT);";
                create.ExecuteNonQuery();
            }

            // Eight workers, each opening a pooled connection for every write: a connection serves one worker at a time, on any thread.
            await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
            {
                for (var n = 0; n < 100; n++)
                {
                    await using var connection = new SqliteConnection(connectionString);
                    connection.Open();
                    using var insert = connection.CreateCommand();
                    insert.CommandText = "INSERT INTO w VALUES ($worker, $n, $v); SELECT count(*) FROM w WHERE worker = $worker;";
                    insert.Parameters.AddWithValue("$worker", worker);
                    insert.Parameters.AddWithValue("$n", n);
                    insert.Parameters.AddWithValue("$v", $"{worker}:{n}");
                    Assert.Equal((long)n + 1, insert.ExecuteScalar());
                    await Task.Yield();
                }
            })));

            await using var check = new SqliteConnection(connectionString);
            check.Open();
            using var read = check.CreateCommand();
            read.CommandText = "SELECT count(*), count(DISTINCT v), sum(v = worker || ':' || n) FROM w;";
            using var reader = read.ExecuteReader();
            Assert.True(reader.Read());
            Assert.Equal(800, reader.GetInt64(0));
            Assert.Equal(800, reader.GetInt64(1));
            Assert.Equal(800, reader.GetInt64(2));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var file in new[] { path, path + "-wal", path + "-shm" }) File.Delete(file);
        }
    }
}
